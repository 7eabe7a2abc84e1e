import { describe, expect, it } from 'vitest';
import portal from '../../locales/portal.js';

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('portal strings', () => {
  it('has every Chinese key in English and no extra ones', () => {
    expect(keys(portal.en).sort()).toEqual(keys(portal.zh).sort());
  });
  it('has no empty strings', () => {
    for (const lang of ['zh', 'en']) {
      const walk = (o) => Object.values(o).forEach((v) => (typeof v === 'object' ? walk(v) : expect(String(v).length).toBeGreaterThan(0)));
      walk(portal[lang]);
    }
  });
});
