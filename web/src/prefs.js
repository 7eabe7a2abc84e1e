// The visitor's display preferences: language and 适老化 (elder-friendly) mode. Kept in
// localStorage so they survive sign-out; applied to <html> so plain CSS can follow them.
import { reactive, watchEffect } from 'vue';

const stored = (key, fallback) => {
  try {
    return localStorage.getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
};

const initialLang = () => {
  const saved = stored('yiwang.lang', '');
  if (saved === 'zh' || saved === 'en') return saved;
  return 'zh';  // Simplified Chinese first, whatever the browser says
};

export const prefs = reactive({
  lang: initialLang(),
  elder: stored('yiwang.elder', '0') === '1',
});

export function setLang(lang) {
  prefs.lang = lang === 'en' ? 'en' : 'zh';
}

export function setElder(on) {
  prefs.elder = Boolean(on);
}

watchEffect(() => {
  try {
    localStorage.setItem('yiwang.lang', prefs.lang);
    localStorage.setItem('yiwang.elder', prefs.elder ? '1' : '0');
  } catch {
    // Private windows may refuse storage; the preference then lasts for this page only.
  }
  if (typeof document !== 'undefined') {
    document.documentElement.lang = prefs.lang === 'zh' ? 'zh-CN' : 'en';
    document.documentElement.classList.toggle('elder', prefs.elder);
  }
});
