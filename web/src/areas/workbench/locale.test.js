import { describe, it, expect } from 'vitest';
import messages from '../../locales/workbench.js';

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('workbench strings', () => {
  it('has every Chinese key in English and no extra ones', () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages.zh).sort());
  });
  it('has no empty strings', () => {
    for (const lang of ['zh', 'en']) {
      const flat = keys(messages[lang]);
      for (const k of flat) {
        const v = k.split('.').reduce((o, p) => o[p], messages[lang]);
        expect(String(v).trim(), `${lang}.${k}`).not.toBe('');
      }
    }
  });
});
