// Every strings file (src/locales/<area>.js, merged by i18n.js): one top-level key named after
// the file, the same keys in Chinese and English, and no empty string.
import { describe, expect, it } from 'vitest';
import { messages } from './i18n.js';

const files = import.meta.glob('./locales/*.js', { eager: true });

function keyPaths(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keyPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe.each(Object.keys(files).sort())('%s', (file) => {
  const area = file.replace(/^.*\/(.*)\.js$/, '$1');
  const strings = files[file].default;

  it('holds zh and en, each with one top-level key named after the file', () => {
    expect(Object.keys(strings).sort()).toEqual(['en', 'zh']);
    expect(Object.keys(strings.zh)).toEqual([area]);
    expect(Object.keys(strings.en)).toEqual([area]);
  });

  it('has every Chinese key in English and no extra ones', () => {
    expect(keyPaths(strings.en).sort()).toEqual(keyPaths(strings.zh).sort());
  });

  it('has no empty string', () => {
    for (const lang of ['zh', 'en']) {
      for (const k of keyPaths(strings[lang])) {
        const v = k.split('.').reduce((o, p) => o[p], strings[lang]);
        expect(typeof v === 'string' && v.trim().length > 0, `${lang}.${k}`).toBe(true);
      }
    }
  });

  it('is merged into the app under its key', () => {
    expect(messages.zh[area]).toBe(strings.zh[area]);
    expect(messages.en[area]).toBe(strings.en[area]);
  });
});
