// The item editor's state and the Item JSON document (GET/PUT /api/v1/items/{code}): conversion
// both ways without losing a field, the GB/T 39046 code tables, and the 秒批 rule editor's model.
//
// The server parses items strictly (unknown fields are errors), so the editor sends exactly the
// document's fields, minus the output-only ones.

// GB/T 39046 appendix A code tables; labels come from locales/admin.js (admin.codes.*).
export const ITEM_TYPES = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '20'];
export const EXERCISE_LEVELS = ['1', '2', '3', '4', '5', '6', '7'];
export const SERVICE_OBJECTS = ['1', '2', '3', '4', '5', '6'];
export const HANDLING_FORMS = ['1', '2', '3', '4', '9'];
export const CASE_TYPES = ['1', '2', '9'];
export const TONGBAN_SCOPES = ['', '全国', '跨省', '跨市', '跨县'];
export const LIMIT_UNITS = ['working_days', 'natural_days'];
export const FIELD_TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'date', 'enum', 'citizen_id', 'uscc', 'phone'];
export const STEP_KINDS = ['review', 'decide'];
// Roles a workflow step may name, and every official role (a user's): the three administrators
// (系统管理员, 安全管理员, 审计管理员) are kept apart, at most one per account.
export const STEP_ROLES = ['clerk', 'reviewer', 'approver', 'supervisor', 'admin'];
export const ROLES = ['clerk', 'reviewer', 'approver', 'supervisor', 'admin', 'security_admin', 'auditor'];
export const RULE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'starts_with', 'exists'];
export const APPLICANT_FACTS = ['applicant.kind', 'applicant.age', 'applicant.division_code', 'applicant.open_cases_same_item'];
const NUMERIC_FACTS = new Set(['applicant.age', 'applicant.open_cases_same_item']);

// Fields the server writes and ignores on input.
const OUTPUT_ONLY = ['version', 'item_type_name', 'published_at', 'published_at_ms'];

const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export function emptyItem() {
  return {
    code: '',
    basic_code: '',
    name: '',
    item_type: '01',
    exercise_level: '3',
    dept_id: '',
    joint_dept_ids: [],
    legal_basis: '',
    legal_limit: 20,
    promised_limit: 10,
    limit_unit: 'working_days',
    limit_note: '',
    acceptance_conditions: '',
    procedure: '',
    materials: [],
    fee: false,
    fee_basis: '',
    tongban_scope: '',
    service_objects: ['1'],
    handling_forms: ['1', '2'],
    case_type: '2',
    online_depth: 4,
    max_visits: 0,
    min_assurance: 'claimed',
    result_name: '',
    result_certificate_type: '',
    place: '',
    hours: '',
    consult_phone: '',
    supervise_phone: '',
    faqs: [],
    form: [],
    workflow: [],
    instant_rules: null,
    active: true,
  };
}

export const emptyMaterial = () => ({ name: '', issuing_body: '', originals: 1, copies: 0, mandatory: true, note: '', certificate_type: '' });
export const emptyFaq = () => ({ question: '', answer: '' });
export const emptyField = () => ({ name: '', label_zh: '', label_en: '', type: 'string', required: false, min: null, max: null, max_length: 200, options: [] });
export const emptyStep = (kind = 'review') => ({ name: '', kind, dept_ids: [], role: kind === 'decide' ? 'approver' : 'reviewer' });
export const emptyCondition = () => ({ fact: 'applicant.age', op: 'ge', value: '' });
export const emptyRule = () => ({ id: '', description_zh: '', description_en: '', mode: 'simple', shape: 'all', conditions: [emptyCondition()], whenText: '' });

// ---- 秒批 rules ---------------------------------------------------------------------------

function isFactCondition(c) {
  return c && typeof c === 'object' && !Array.isArray(c) && typeof c.fact === 'string' &&
    Object.keys(c).every((k) => ['fact', 'op', 'value'].includes(k));
}

// A condition value as the editor shows it: text, lists comma-separated.
export function valueToText(value) {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  return String(value);
}

// What type a fact's values have: 'number', 'boolean' or 'string'.
export function factType(fact, form = []) {
  if (NUMERIC_FACTS.has(fact)) return 'number';
  if (fact.startsWith('form.')) {
    const field = form.find((f) => `form.${f.name}` === fact);
    if (field && (field.type === 'integer' || field.type === 'number')) return 'number';
    if (field && field.type === 'boolean') return 'boolean';
  }
  return 'string';
}

function scalarOf(text, type) {
  const s = String(text).trim();
  if (type === 'number' && s !== '' && !Number.isNaN(Number(s))) return Number(s);
  if (type === 'boolean' && (s === 'true' || s === 'false')) return s === 'true';
  return s;
}

// The JSON value of a condition typed in the editor, by the fact's type.
export function textToValue(text, op, fact, form = []) {
  const type = factType(fact, form);
  if (op === 'in') {
    return String(text).split(/[,，]/).map((s) => s.trim()).filter((s) => s !== '').map((s) => scalarOf(s, type));
  }
  if (op === 'starts_with') return String(text).trim();
  return scalarOf(text, type);
}

function conditionToEditor(c) {
  return { fact: c.fact, op: c.op || 'eq', value: valueToText(c.value) };
}

// One stored rule → the editor's rule. Conditions that are one fact test or an "all" of fact
// tests get the table editor; anything else (any/not/nesting) is edited as JSON text.
export function ruleToEditor(rule) {
  const base = { id: rule.id || '', description_zh: rule.description_zh || '', description_en: rule.description_en || '' };
  const when = rule.when;
  if (isFactCondition(when)) {
    return { ...base, mode: 'simple', shape: 'single', conditions: [conditionToEditor(when)], whenText: '' };
  }
  if (when && Array.isArray(when.all) && Object.keys(when).length === 1 && when.all.length > 0 && when.all.every(isFactCondition)) {
    return { ...base, mode: 'simple', shape: 'all', conditions: when.all.map(conditionToEditor), whenText: '' };
  }
  return { ...base, mode: 'json', shape: 'all', conditions: [], whenText: JSON.stringify(when ?? {}, null, 2) };
}

function conditionFromEditor(c, form) {
  const out = { fact: c.fact, op: c.op };
  if (c.op !== 'exists') out.value = textToValue(c.value, c.op, c.fact, form);
  return out;
}

// The editor's rule → the stored rule; JSON text that does not parse is kept as a string so
// that validation (and the server) can say where the problem is.
export function ruleFromEditor(rule, form = []) {
  const out = { id: rule.id.trim(), description_zh: rule.description_zh };
  if (rule.description_en) out.description_en = rule.description_en;
  if (rule.mode === 'json') {
    try {
      out.when = JSON.parse(rule.whenText);
    } catch {
      out.when = rule.whenText;
    }
  } else if (rule.shape === 'single' && rule.conditions.length === 1) {
    out.when = conditionFromEditor(rule.conditions[0], form);
  } else {
    out.when = { all: rule.conditions.map((c) => conditionFromEditor(c, form)) };
  }
  return out;
}

export function rulesToEditor(instantRules) {
  if (!instantRules || !Array.isArray(instantRules.rules)) return [];
  return instantRules.rules.map(ruleToEditor);
}

export function rulesFromEditor(rules, form = []) {
  if (!rules.length) return null;
  return { rules: rules.map((r) => ruleFromEditor(r, form)) };
}

// The same checks the server makes (src/catalog/rules.cpp), so most mistakes show before
// saving. Returns [{ path, key, params }] with server-style paths and admin.* message keys.
export function validateRules(rules, form = []) {
  const problems = [];
  const ids = new Set();
  const facts = new Set([...APPLICANT_FACTS, ...form.map((f) => `form.${f.name}`)]);
  const checkCondition = (c, path) => {
    if (!facts.has(c.fact)) problems.push({ path: `${path}/fact`, key: 'admin.rules.errUnknownFact', params: { fact: c.fact } });
    if (!RULE_OPS.includes(c.op)) problems.push({ path: `${path}/op`, key: 'admin.rules.errOp' });
    if (c.op === 'exists') return;
    const text = String(c.value ?? '').trim();
    if (text === '') {
      problems.push({ path: `${path}/value`, key: 'admin.rules.errValue' });
      return;
    }
    const type = factType(c.fact, form);
    if (type === 'number' && ['lt', 'le', 'gt', 'ge'].includes(c.op) && Number.isNaN(Number(text))) {
      problems.push({ path: `${path}/value`, key: 'admin.rules.errNumber' });
    }
  };
  rules.forEach((r, i) => {
    const p = `/instant_rules/rules/${i}`;
    const id = r.id.trim();
    if (!id) problems.push({ path: `${p}/id`, key: 'admin.rules.errId' });
    else if (ids.has(id)) problems.push({ path: `${p}/id`, key: 'admin.rules.errDupId' });
    ids.add(id);
    if (!r.description_zh.trim()) problems.push({ path: `${p}/description_zh`, key: 'admin.rules.errDescription' });
    if (r.mode === 'json') {
      try {
        const when = JSON.parse(r.whenText);
        if (!when || typeof when !== 'object' || Array.isArray(when)) problems.push({ path: `${p}/when`, key: 'admin.rules.errJson' });
      } catch {
        problems.push({ path: `${p}/when`, key: 'admin.rules.errJson' });
      }
      return;
    }
    if (!r.conditions.length) problems.push({ path: `${p}/when`, key: 'admin.rules.errNoCondition' });
    const single = r.shape === 'single' && r.conditions.length === 1;
    r.conditions.forEach((c, j) => checkCondition(c, single ? `${p}/when` : `${p}/when/all/${j}`));
  });
  return problems;
}

// ---- items ---------------------------------------------------------------------------------

function num(v, fallback = 0) {
  if (v === '' || v === null || v === undefined) return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

// Item JSON → editor state: a deep copy with every known field present, rules in editor form,
// and fields this editor does not know kept aside in `extra` so that they survive the round trip.
export function toEditor(doc) {
  const src = clone(doc || {});
  const base = emptyItem();
  const state = { ...base };
  const extra = {};
  for (const [k, v] of Object.entries(src)) {
    if (OUTPUT_ONLY.includes(k)) continue;
    if (k in base) state[k] = v ?? base[k];
    else extra[k] = v;
  }
  state.materials = (state.materials || []).map((m) => ({ ...emptyMaterial(), ...m }));
  state.faqs = (state.faqs || []).map((f) => ({ ...emptyFaq(), ...f }));
  state.form = (state.form || []).map((f) => ({ ...emptyField(), ...f, min: f.min ?? null, max: f.max ?? null, options: [...(f.options || [])] }));
  state.workflow = (state.workflow || []).map((s) => ({ ...emptyStep(s.kind), ...s, dept_ids: [...(s.dept_ids || [])] }));
  state.rules = rulesToEditor(state.instant_rules);
  delete state.instant_rules;
  state.extra = extra;
  return state;
}

// Editor state → the Item JSON to PUT/POST.
export function fromEditor(state) {
  const doc = {};
  for (const k of Object.keys(emptyItem())) {
    if (k === 'instant_rules') continue;
    doc[k] = clone(state[k]);
  }
  for (const k of ['legal_limit', 'promised_limit', 'online_depth', 'max_visits']) doc[k] = Math.trunc(num(doc[k]));
  doc.code = String(doc.code || '').trim();
  doc.materials = doc.materials.map((m) => ({ ...m, originals: Math.trunc(num(m.originals)), copies: Math.trunc(num(m.copies)) }));
  doc.form = doc.form.map((f) => {
    const out = { name: f.name.trim(), label_zh: f.label_zh, label_en: f.label_en, type: f.type, required: Boolean(f.required),
      max_length: Math.trunc(num(f.max_length, 200)), options: f.type === 'enum' ? f.options.filter((o) => o !== '') : [] };
    if (f.min !== null && f.min !== '' && f.min !== undefined) out.min = num(f.min);
    if (f.max !== null && f.max !== '' && f.max !== undefined) out.max = num(f.max);
    return out;
  });
  doc.workflow = doc.workflow.map((s) => ({ name: s.name, kind: s.kind, dept_ids: [...s.dept_ids], role: s.role }));
  doc.instant_rules = rulesFromEditor(state.rules || [], doc.form);
  return { ...clone(state.extra || {}), ...doc };
}

// Which top-level fields differ between two item documents (version history view).
export function changedFields(a, b) {
  const keys = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
  const out = [];
  for (const k of keys) {
    if (OUTPUT_ONLY.includes(k) || k === 'active') continue;
    if (JSON.stringify(a?.[k] ?? null) !== JSON.stringify(b?.[k] ?? null)) out.push(k);
  }
  return out.sort();
}

// ---- dry run -------------------------------------------------------------------------------

// The dry run's request from the values typed in: form values by the field's type, empty ones
// left out; applicant facts only when given.
export function dryRunBody(form, values, applicant) {
  const formOut = {};
  for (const f of form) {
    const v = values[f.name];
    if (v === undefined || v === null || v === '') continue;
    if (f.type === 'integer' || f.type === 'number') {
      const n = Number(v);
      formOut[f.name] = Number.isNaN(n) ? v : n;
    } else if (f.type === 'boolean') {
      formOut[f.name] = v === true || v === 'true';
    } else {
      formOut[f.name] = String(v);
    }
  }
  const a = {};
  if (applicant.kind) a.kind = applicant.kind;
  if (applicant.age !== '' && applicant.age !== null && applicant.age !== undefined) a.age = Math.trunc(Number(applicant.age));
  if (applicant.division_code) a.division_code = applicant.division_code;
  if (applicant.open_cases_same_item !== '' && applicant.open_cases_same_item !== null && applicant.open_cases_same_item !== undefined) {
    a.open_cases_same_item = Math.trunc(Number(applicant.open_cases_same_item));
  }
  return { form: formOut, applicant: a };
}

// ---- server errors -------------------------------------------------------------------------

// Which editor section a server field path ("/materials/2/name") belongs to.
export function sectionOf(path) {
  const top = String(path || '').split('/')[1] || '';
  const sections = {
    basic: ['code', 'basic_code', 'name', 'item_type', 'exercise_level', 'dept_id', 'joint_dept_ids', 'service_objects', 'handling_forms', 'case_type', 'tongban_scope', 'online_depth', 'max_visits', 'min_assurance', 'result_name', 'result_certificate_type'],
    legal: ['legal_basis', 'acceptance_conditions', 'procedure'],
    limits: ['legal_limit', 'promised_limit', 'limit_unit', 'limit_note', 'fee', 'fee_basis', 'place', 'hours', 'consult_phone', 'supervise_phone'],
    materials: ['materials'],
    faqs: ['faqs'],
    form: ['form'],
    workflow: ['workflow'],
    rules: ['instant_rules'],
  };
  for (const [section, fields] of Object.entries(sections)) if (fields.includes(top)) return section;
  return 'basic';
}

// True when an error at `errorPath` belongs to the input at `path` (exact, or inside it, such
// as "/form/0/options/1" for the options input "/form/0/options").
export function errorAt(errorPath, path) {
  if (!errorPath) return false;
  return errorPath === path || errorPath.startsWith(`${path}/`);
}
