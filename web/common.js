// What every built-in page (公开核验, the certificate page, the wallet) shares besides its style:
// the web app's 适老化 preference (the same localStorage key), a button to switch it, and a way
// back to the portal. Each page keeps its own language switch; this script follows <html lang>.
'use strict';
(function () {
  const KEY = 'yiwang.elder';
  const elderOn = () => {
    try { return localStorage.getItem(KEY) === '1'; } catch (_) { return false; }
  };
  const apply = (on) => document.documentElement.classList.toggle('elder', on);
  apply(elderOn());

  function decorate() {
    const bar = document.querySelector('header .bar');
    if (!bar) return;
    const zh = () => (document.documentElement.lang || 'zh').startsWith('zh');
    const home = document.createElement('a');
    home.href = '/';
    home.className = 'home';
    home.dataset.testid = 'page-home';
    const elder = document.createElement('button');
    elder.type = 'button';
    elder.id = 'elder';
    const label = () => {
      home.textContent = zh() ? '‹ 办事服务' : '‹ Services';
      elder.textContent = zh() ? '适老化模式' : 'Large text';
      elder.setAttribute('aria-pressed', String(elderOn()));
    };
    elder.addEventListener('click', () => {
      const on = !elderOn();
      try { localStorage.setItem(KEY, on ? '1' : '0'); } catch (_) { /* this page only */ }
      apply(on);
      label();
    });
    bar.prepend(home);
    bar.append(elder);
    label();
    new MutationObserver(label).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', decorate);
  else decorate();
})();
