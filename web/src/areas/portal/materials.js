// Materials of an application: which ones an electronic certificate in the applicant's wallet can
// replace (免提交, GET /api/v1/wallet/matches), what the applicant chose for each, and the list
// POST /api/v1/cases expects.

export const ACCEPTED_TYPES = ['application/pdf', 'image/jpeg', 'image/png'];
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

// One row per item material: { index, name, mandatory, note, certificateType, certificates[] }.
export function materialPlan(materials, matches) {
  const byName = new Map();
  for (const m of matches?.items || []) byName.set(m.material, m.certificates || []);
  return (materials || []).map((m, index) => ({
    index,
    name: m.name,
    mandatory: m.mandatory !== false,
    note: m.note || '',
    issuingBody: m.issuing_body || '',
    originals: m.originals || 0,
    copies: m.copies || 0,
    certificateType: m.certificate_type || '',
    certificates: byName.get(m.name) || [],
  }));
}

// The starting choice per material: the first matching certificate when there is one (the point
// of 免提交 is that the applicant does nothing), else nothing.
// choice: { kind: 'certificate', id } | { kind: 'file', sha256, fileName, size } | { kind: 'none' }
export function initialChoices(plan) {
  return plan.map((p) =>
    p.certificates.length ? { kind: 'certificate', id: p.certificates[0].identifier } : { kind: 'none' },
  );
}

// The materials array of the request body, in the item's order.
export function materialsPayload(plan, choices) {
  const out = [];
  plan.forEach((p, i) => {
    const c = choices[i];
    if (!c) return;
    if (c.kind === 'certificate' && c.id) out.push({ name: p.name, certificate_id: c.id });
    else if (c.kind === 'file' && c.sha256) out.push({ name: p.name, sha256: c.sha256 });
  });
  return out;
}

// Indexes of the plan whose mandatory material has neither a file nor a certificate.
export function missingMandatory(plan, choices) {
  return plan.filter((p, i) => p.mandatory && !['certificate', 'file'].includes(choices[i]?.kind)).map((p) => p.index);
}

// Maps a server problem at "/materials/<n>" (the n-th sent material) back to the plan's index.
export function planIndexOfSent(plan, choices, sentIndex) {
  let n = -1;
  for (let i = 0; i < plan.length; i += 1) {
    const c = choices[i];
    if ((c?.kind === 'certificate' && c.id) || (c?.kind === 'file' && c.sha256)) n += 1;
    if (n === sentIndex) return i;
  }
  return -1;
}

// null when the file may be uploaded, else the portal.apply.file.<key> of the problem.
export function checkFile(file) {
  if (!file) return 'none';
  if (!ACCEPTED_TYPES.includes(file.type)) return 'type';
  if (file.size > MAX_FILE_BYTES) return 'size';
  if (file.size === 0) return 'empty';
  return null;
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// The choices a filed case already holds, for a resubmission that changes only some materials.
export function choicesFromCase(plan, caseMaterials) {
  return plan.map((p) => {
    const m = (caseMaterials || []).find((x) => x.name === p.name);
    if (m?.certificate_id) return { kind: 'certificate', id: m.certificate_id, kept: true };
    if (m?.sha256) return { kind: 'file', sha256: m.sha256, fileName: m.name, size: 0, kept: true };
    return p.certificates.length ? { kind: 'certificate', id: p.certificates[0].identifier } : { kind: 'none' };
  });
}

// Materials the case holds that the item no longer lists (kept as they are on resubmission).
export function extraCaseMaterials(plan, caseMaterials) {
  const names = new Set(plan.map((p) => p.name));
  return (caseMaterials || [])
    .filter((m) => !names.has(m.name))
    .map((m) => (m.certificate_id ? { name: m.name, certificate_id: m.certificate_id } : { name: m.name, sha256: m.sha256 }));
}
