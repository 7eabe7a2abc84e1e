import { describe, it, expect } from 'vitest';
import { createI18n } from 'vue-i18n';
import admin from '../../locales/admin.js';
import { ITEM_TYPES, EXERCISE_LEVELS, SERVICE_OBJECTS, HANDLING_FORMS, CASE_TYPES, FIELD_TYPES, ROLES, RULE_OPS } from './item-model.js';

// The zh/en key sets and empty strings of every strings file: src/i18n.test.js.
describe('admin strings', () => {
  it('names every code the editor offers', () => {
    const i18n = createI18n({ legacy: false, locale: 'en', messages: { zh: admin.zh, en: admin.en }, missingWarn: false, fallbackWarn: false });
    const { t, te } = i18n.global;
    const paths = [
      ...ITEM_TYPES.map((c) => `admin.codes.itemType.${c}`), ...EXERCISE_LEVELS.map((c) => `admin.codes.level.${c}`),
      ...SERVICE_OBJECTS.map((c) => `admin.codes.object.${c}`), ...HANDLING_FORMS.map((c) => `admin.codes.handling.${c}`),
      ...CASE_TYPES.map((c) => `admin.codes.caseType.${c}`), ...FIELD_TYPES.map((c) => `admin.codes.fieldType.${c}`),
      ...ROLES.map((c) => `admin.codes.role.${c}`), ...RULE_OPS.map((c) => `admin.rules.ops.${c}`), 'admin.calendar.weekdays.6',
    ];
    for (const p of paths) expect(te(p), p).toBe(true);
    expect(t('admin.codes.itemType.01')).toBe('Administrative licence');
    expect(t('admin.calendar.weekdays.0')).toBe('Sunday');
    expect(t('admin.items.limitValue', { n: 3, unit: 'days' })).toBe('3 days');
  });
});
