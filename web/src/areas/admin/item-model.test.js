import { describe, it, expect } from 'vitest';
import {
  toEditor, fromEditor, emptyItem, emptyRule, validateRules, ruleToEditor, ruleFromEditor,
  textToValue, dryRunBody, changedFields, sectionOf, errorAt,
} from './item-model.js';

// Shaped like GET /api/v1/items/{code} for the demo's 高龄津贴申领, with every field set.
const stored = {
  code: '11329900MB0505001000', basic_code: '0505000100', version: 3, name: '高龄津贴申领',
  item_type: '05', item_type_name: '行政给付', exercise_level: '3', dept_id: 'mzj', joint_dept_ids: ['wjw'],
  legal_basis: '《老年人权益保障法》', legal_limit: 20, promised_limit: 5, limit_unit: 'natural_days',
  limit_note: '自受理之日起', acceptance_conditions: '年满80周岁', procedure: '申请—受理—决定',
  materials: [{ name: '居民身份证', issuing_body: '公安机关', originals: 1, copies: 0, mandatory: true, note: '本人', certificate_type: '居民身份证' }],
  fee: true, fee_basis: '不收费', tongban_scope: '跨市', service_objects: ['1'], handling_forms: ['1', '2', '3'],
  case_type: '2', online_depth: 4, max_visits: 0, min_assurance: 'verified', result_name: '津贴发放', result_certificate_type: '',
  place: '民政局', hours: '工作日', consult_phone: '0259-1', supervise_phone: '0259-2',
  faqs: [{ question: '多久到账？', answer: '次月' }],
  form: [
    { name: 'applicant_name', label_zh: '姓名', label_en: 'Name', type: 'string', required: true, max_length: 50, options: [] },
    { name: 'income', label_zh: '收入', label_en: 'Income', type: 'number', required: false, max_length: 200, options: [], min: 0, max: 100000 },
    { name: 'living_alone', label_zh: '独居', label_en: 'Alone', type: 'boolean', required: false, max_length: 200, options: [] },
    { name: 'kind', label_zh: '类别', label_en: 'Kind', type: 'enum', required: true, max_length: 200, options: ['甲', '乙'] },
  ],
  workflow: [
    { name: '审查', kind: 'review', dept_ids: ['mzj', 'wjw'], role: 'reviewer' },
    { name: '决定', kind: 'decide', dept_ids: [], role: 'approver' },
  ],
  instant_rules: {
    rules: [
      { id: 'age', description_zh: '年满80周岁', description_en: '80 or older', when: { fact: 'applicant.age', op: 'ge', value: 80 } },
      { id: 'place', description_zh: '本市', when: { all: [
        { fact: 'applicant.division_code', op: 'starts_with', value: '3299' },
        { fact: 'form.income', op: 'lt', value: 5000 },
      ] } },
      { id: 'either', description_zh: '任一', description_en: 'Either', when: { any: [{ fact: 'form.living_alone', op: 'eq', value: true }, { not: { fact: 'form.kind', op: 'in', value: ['甲'] } }] } },
    ],
  },
  active: true, published_at_ms: 1700000000000, published_at: '2023-11-14T22:13:20Z',
};

const withoutOutputOnly = (d) => {
  const { version, item_type_name, published_at, published_at_ms, ...rest } = d;
  return rest;
};

describe('item editor model', () => {
  it('round-trips every field of the item document', () => {
    const back = fromEditor(toEditor(stored));
    expect(back).toEqual(withoutOutputOnly(stored));
  });

  it('keeps fields it does not know', () => {
    const back = fromEditor(toEditor({ ...stored, future_field: { a: 1 } }));
    expect(back.future_field).toEqual({ a: 1 });
  });

  it('does not share arrays with the document it was made from', () => {
    const state = toEditor(stored);
    state.faqs.push({ question: 'q', answer: 'a' });
    state.form[0].options.push('x');
    expect(stored.faqs).toHaveLength(1);
    expect(stored.form[0].options).toEqual([]);
  });

  it('sends edits with the right types', () => {
    const state = toEditor(stored);
    state.promised_limit = '7';
    state.materials[0].copies = '2';
    state.form[1].min = '';
    state.form[0].type = 'string';
    state.form[0].options = ['stray'];
    const doc = fromEditor(state);
    expect(doc.promised_limit).toBe(7);
    expect(doc.materials[0].copies).toBe(2);
    expect('min' in doc.form[1]).toBe(false);
    expect(doc.form[1].max).toBe(100000);
    expect(doc.form[0].options).toEqual([]);
  });

  it('makes a complete new item', () => {
    const doc = fromEditor(toEditor(emptyItem()));
    expect(doc.instant_rules).toBeNull();
    expect(Object.keys(doc).sort()).toEqual(Object.keys(emptyItem()).sort());
  });
});

describe('秒批 rule editor', () => {
  it('edits fact tests as a table and anything else as JSON', () => {
    const rules = toEditor(stored).rules;
    expect(rules.map((r) => r.mode)).toEqual(['simple', 'simple', 'json']);
    expect(rules[0].shape).toBe('single');
    expect(rules[1].conditions).toEqual([
      { fact: 'applicant.division_code', op: 'starts_with', value: '3299' },
      { fact: 'form.income', op: 'lt', value: '5000' },
    ]);
  });

  it('types values by their fact', () => {
    const form = stored.form;
    expect(textToValue('80', 'ge', 'applicant.age', form)).toBe(80);
    expect(textToValue('80', 'eq', 'form.applicant_name', form)).toBe('80');
    expect(textToValue('true', 'eq', 'form.living_alone', form)).toBe(true);
    expect(textToValue('甲， 乙,', 'in', 'form.kind', form)).toEqual(['甲', '乙']);
    expect(textToValue('1, 2', 'in', 'form.income', form)).toEqual([1, 2]);
    const r = ruleFromEditor({ ...emptyRule(), id: 'x', description_zh: '有', conditions: [{ fact: 'form.kind', op: 'exists', value: 'ignored' }] });
    expect(r.when).toEqual({ all: [{ fact: 'form.kind', op: 'exists' }] });
  });

  it('reports the problems the server would, at the server paths', () => {
    const rules = [
      { ...emptyRule(), id: 'a', description_zh: '', conditions: [{ fact: 'form.nope', op: 'eq', value: '1' }] },
      { ...emptyRule(), id: 'a', description_zh: 'x', conditions: [{ fact: 'applicant.age', op: 'ge', value: 'old' }, { fact: 'applicant.kind', op: 'eq', value: '' }] },
      { ...emptyRule(), id: '', description_zh: 'y', mode: 'json', whenText: '{ broken' },
      { ...emptyRule(), id: 'c', description_zh: 'z', conditions: [] },
    ];
    const problems = validateRules(rules, stored.form).map((p) => `${p.path} ${p.key}`);
    expect(problems).toEqual([
      '/instant_rules/rules/0/description_zh admin.rules.errDescription',
      '/instant_rules/rules/0/when/all/0/fact admin.rules.errUnknownFact',
      '/instant_rules/rules/1/id admin.rules.errDupId',
      '/instant_rules/rules/1/when/all/0/value admin.rules.errNumber',
      '/instant_rules/rules/1/when/all/1/value admin.rules.errValue',
      '/instant_rules/rules/2/id admin.rules.errId',
      '/instant_rules/rules/2/when admin.rules.errJson',
      '/instant_rules/rules/3/when admin.rules.errNoCondition',
    ]);
  });

  it('accepts the stored rules', () => {
    expect(validateRules(toEditor(stored).rules, stored.form)).toEqual([]);
  });

  it('uses the single-condition path when the rule is one fact test', () => {
    const rule = ruleToEditor({ id: 'a', description_zh: 'x', when: { fact: 'applicant.age', op: 'ge', value: 'x' } });
    expect(validateRules([rule]).map((p) => p.path)).toEqual(['/instant_rules/rules/0/when/value']);
  });
});

describe('helpers', () => {
  it('builds the dry-run body by field type', () => {
    const body = dryRunBody(stored.form, { applicant_name: '李', income: '3000', living_alone: true, kind: '' }, { kind: 'citizen', age: 81, division_code: '', open_cases_same_item: '' });
    expect(body).toEqual({ form: { applicant_name: '李', income: 3000, living_alone: true }, applicant: { kind: 'citizen', age: 81 } });
  });

  it('lists changed fields between versions', () => {
    expect(changedFields(stored, { ...stored, version: 4, promised_limit: 4, faqs: [] })).toEqual(['faqs', 'promised_limit']);
  });

  it('finds the section and input of a server error', () => {
    expect(sectionOf('/materials/2/name')).toBe('materials');
    expect(sectionOf('/instant_rules/rules/0/when/all/1/fact')).toBe('rules');
    expect(sectionOf('/promised_limit')).toBe('limits');
    expect(errorAt('/form/0/options/1', '/form/0/options')).toBe(true);
    expect(errorAt('/form/10/name', '/form/1/name')).toBe(false);
  });
});
