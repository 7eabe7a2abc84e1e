// Application forms built from an item's form fields (catalog FormField), with client-side checks
// that mirror the server's (src/catalog/form.cpp, src/identity/validators.cpp) so most mistakes
// are caught before submitting; the server stays the authority and its RFC 9457 field path is
// mapped back to the field with `fieldOfProblem`.

const CITIZEN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CITIZEN_CHECK = '10X98765432';
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function validDate(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || '');
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

// GB 11643: 17 digits, a plausible birth date (1900–2099) and the ISO 7064 MOD 11-2 check
// character (capital X only, as the server insists).
export function validCitizenId(id) {
  if (typeof id !== 'string' || !/^\d{17}[\dX]$/.test(id) || id.startsWith('00')) return false;
  const y = Number(id.slice(6, 10));
  if (y < 1900 || y > 2099 || !validDate(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(id[i]) * CITIZEN_WEIGHTS[i];
  return id[17] === CITIZEN_CHECK[sum % 11];
}

// GB 32100: 18 symbols of the 31-letter alphabet, digits in positions 3–8, check symbol last.
export function validUscc(code) {
  if (typeof code !== 'string' || code.length !== 18 || !/^\d{6}$/.test(code.slice(2, 8))) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const v = USCC_ALPHABET.indexOf(code[i]);
    if (v < 0) return false;
    sum += v * USCC_WEIGHTS[i];
  }
  return code[17] === USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

// Mobile 1[3-9]xxxxxxxxx, or a landline 0AA(A)-NNNNNNN(N)[-ext] / 10–12 digits starting with 0.
export function validPhone(s) {
  if (typeof s !== 'string') return false;
  if (/^1[3-9]\d{9}$/.test(s)) return true;
  if (!s.startsWith('0')) return false;
  if (s.includes('-')) return /^\d{3,4}-\d{7,8}(-\d{1,6})?$/.test(s);
  return /^\d{10,12}$/.test(s);
}

const codePoints = (s) => Array.from(s).length;

export function isEmpty(value) {
  return value === undefined || value === null || value === '';
}

// The label in the visitor's language (English falls back to the Chinese label, then the name).
export function fieldLabel(field, lang) {
  if (lang === 'en') return field.label_en || field.label_zh || field.name;
  return field.label_zh || field.label_en || field.name;
}

// The input widget a field type needs.
export function widgetOf(field) {
  switch (field.type) {
    case 'text':
      return 'textarea';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'switch';
    case 'date':
      return 'date';
    case 'enum':
      return 'select';
    default:
      return 'input';
  }
}

// Starting values: booleans are false (a switch has no "unset"), the rest empty.
export function initialValues(fields, prefill = {}) {
  const values = {};
  for (const f of fields || []) {
    if (prefill[f.name] !== undefined) values[f.name] = prefill[f.name];
    else values[f.name] = f.type === 'boolean' ? false : '';
  }
  return values;
}

// Values a signed-in applicant need not type again: fields named like the profile's.
export function prefillFrom(fields, user) {
  if (!user) return {};
  const out = {};
  for (const f of fields || []) {
    if (f.type === 'citizen_id' && user.kind === 'citizen' && f.name === 'id_number') out[f.name] = user.id_number || '';
    else if (f.type === 'uscc' && user.kind === 'business') out[f.name] = user.id_number || '';
    else if (f.type === 'phone' && (f.name === 'phone' || f.name === 'contact_phone')) out[f.name] = user.phone || '';
    else if (f.name === 'applicant_name' && user.kind === 'citizen') out[f.name] = user.display_name || '';
    else if (f.name === 'entity_name' && user.kind === 'business') out[f.name] = user.display_name || '';
  }
  for (const k of Object.keys(out)) if (!out[k]) delete out[k];
  return out;
}

const formatNumber = (n) => (Number.isInteger(n) ? String(n) : String(n));

// One field's problem as { key, params } for t('portal.form.errors.<key>', params), or null.
export function checkField(field, value) {
  if (isEmpty(value)) return field.required ? { key: 'required' } : null;
  switch (field.type) {
    case 'integer':
    case 'number': {
      const x = typeof value === 'number' ? value : Number(String(value).trim());
      if (String(value).trim() === '' || !Number.isFinite(x)) return { key: 'number' };
      if (field.type === 'integer' && !Number.isInteger(x)) return { key: 'integer' };
      if (field.min !== undefined && field.min !== null && x < field.min) return { key: 'min', params: { min: formatNumber(field.min) } };
      if (field.max !== undefined && field.max !== null && x > field.max) return { key: 'max', params: { max: formatNumber(field.max) } };
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : { key: 'boolean' };
    case 'date':
      return validDate(String(value)) ? null : { key: 'date' };
    case 'enum':
      return (field.options || []).includes(value) ? null : { key: 'option' };
    case 'citizen_id':
      return validCitizenId(String(value)) ? null : { key: 'citizenId' };
    case 'uscc':
      return validUscc(String(value)) ? null : { key: 'uscc' };
    case 'phone':
      return validPhone(String(value)) ? null : { key: 'phone' };
    default: {
      const max = field.max_length || 200;
      if (codePoints(String(value)) > max) return { key: 'maxLength', params: { max } };
      return null;
    }
  }
}

// Every field's problem: { name: {key, params} }; empty when the form may be sent.
export function checkForm(fields, values) {
  const errors = {};
  for (const f of fields || []) {
    const problem = checkField(f, values[f.name]);
    if (problem) errors[f.name] = problem;
  }
  return errors;
}

// The JSON the server expects: numbers as numbers, empty optional fields left out (the server
// treats absent and null alike, and an empty string would fail a date or enum check).
export function formPayload(fields, values) {
  const out = {};
  for (const f of fields || []) {
    const v = values[f.name];
    if (f.type === 'boolean') {
      out[f.name] = Boolean(v);
      continue;
    }
    if (isEmpty(v)) continue;
    if (f.type === 'integer' || f.type === 'number') out[f.name] = typeof v === 'number' ? v : Number(String(v).trim());
    else out[f.name] = typeof v === 'string' ? v.trim() : v;
  }
  return out;
}

// "/form/phone" → { area: 'form', name: 'phone' }; "/materials/2/sha256" → { area: 'materials',
// index: 2 }; anything else → { area: 'other', path }.
export function fieldOfProblem(path) {
  const p = path || '';
  let m = /^\/form\/([^/]+)/.exec(p);
  if (m) return { area: 'form', name: m[1] };
  m = /^\/materials\/(\d+)/.exec(p);
  if (m) return { area: 'materials', index: Number(m[1]) };
  m = /^\/([a-z_]+)$/.exec(p);
  if (m) return { area: 'field', name: m[1] };
  return { area: 'other', path: p };
}
