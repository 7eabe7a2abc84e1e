// Every visible string comes from src/locales/<area>.js, one file per area of src/areas/ plus
// common.js, each exporting { zh: { <area>: {...} }, en: { <area>: {...} } }. Files are merged
// here, so an area adds strings without touching anyone else's file.
import { createI18n } from 'vue-i18n';
import { watch } from 'vue';
import { prefs } from './prefs.js';

const modules = import.meta.glob('./locales/*.js', { eager: true });

export function mergeLocales(list) {
  const messages = { zh: {}, en: {} };
  for (const mod of list) {
    for (const lang of ['zh', 'en']) Object.assign(messages[lang], mod.default?.[lang] ?? mod[lang] ?? {});
  }
  return messages;
}

export const messages = mergeLocales(Object.values(modules));

export const i18n = createI18n({
  legacy: false,
  locale: prefs.lang,
  fallbackLocale: 'zh',
  messages,
  missingWarn: false,
  fallbackWarn: false,
});

watch(
  () => prefs.lang,
  (lang) => {
    i18n.global.locale.value = lang;
  },
);
