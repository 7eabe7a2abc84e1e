// The holder's wallet (我的电子证照): signs in, lists the caller's certificates, builds a
// presentation that discloses only the chosen claims to a named verifier for a stated purpose
// (用证事由, the consent is recorded by the server), checks it, and downloads the printable PDF.
// Below the certificates, the holder's data-use record (我的数据使用记录, GET /api/v1/wallet/uses):
// which department read which certificate, when (Beijing time), why and in what matter, with
// 电子监察 (supervisory) reads marked.
'use strict';

const TEXT = {
  zh: {
    title: '我的电子证照', intro: '登录后查看本人名下的电子证照，并可只向指定核验方出示所选信息。',
    username: '用户名', password: '密码', signIn: '登录', logout: '退出', lang: 'English',
    loading: '正在加载…', empty: '您名下暂无电子证照。', count: (n) => `共 ${n} 个证照`,
    failed: '操作失败：', status: { valid: '有效', suspended: '已暂停', revoked: '已吊销', expired: '已过期' },
    fields: { type_name: '证照类型', identifier: '证照标识', number: '证照编号', issuer_name: '发证机关',
      issue_date: '发证日期', valid_to: '有效期至' },
    claims: { name: '证照名称', number: '证照编号', holder_name: '持证人', holder_id: '持证人证件号码',
      holder_id_type: '证件类型', issuer_name: '发证机关', issuer_uscc: '发证机关代码', issue_date: '发证日期',
      valid_from: '有效期自', valid_to: '有效期至', jurisdiction: '行政区划', type_code: '证照类型代码',
      identifier: '证照标识', item_name: '办理事项', spouse_name: '配偶姓名', address: '住址',
      business_name: '名称', business_scope: '经营范围', type: '类型', legal_representative: '法定代表人',
      registered_capital: '注册资本', operator_type: '经营者类型', premises: '经营场所' },
    longTerm: '长期', present: '出示证照', pdf: '下载PDF', publicPage: '公开核验页',
    choose: '选择要出示的信息', verifier: '核验方（如：某银行）', purpose: '用证事由（如：开立对公账户）',
    make: '生成出示内容', needAll: '请选择信息并填写核验方和用证事由', presented: '出示内容（已记录您的同意）：',
    qrLabel: '出示二维码', qrCaption: '请核验方扫描此二维码', showText: '显示文本（复制给核验方）',
    check: '核验出示内容', checkOk: (n) => `✓ 核验通过：签名、状态、有效期均有效；披露 ${n} 项信息`,
    checkBad: '✗ 核验未通过：',
    uses: '我的数据使用记录', usesIntro: '政府部门工作人员每一次调用您的电子证照都记录在此：何时、哪个部门、调用哪个证照、用于什么事项。',
    usesEmpty: '暂无政府部门调用您的电子证照。', usesCount: (n) => `共 ${n} 次调用`,
    useFields: { at: '调用时间', dept: '调用部门', who: '调用身份', certificate: '证照标识', cause: '用证事由', matter: '所办事项' },
    handling: '办理部门工作人员', supervisory: '监督调阅', supervisoryWho: '电子监察人员（监督调阅，不针对具体办件）',
    caseMatter: (id) => `办件 ${id}`, noMatter: '—', beijing: '（北京时间）',
  },
  en: {
    title: 'My certificates', intro: 'Sign in to see the certificates issued to you, and show a verifier only what you choose.',
    username: 'Username', password: 'Password', signIn: 'Sign in', logout: 'Sign out', lang: '中文',
    loading: 'Loading…', empty: 'No certificates in your name yet.', count: (n) => `${n} certificate(s)`,
    failed: 'Failed: ', status: { valid: 'valid', suspended: 'suspended', revoked: 'revoked', expired: 'expired' },
    fields: { type_name: 'Type', identifier: 'Identifier', number: 'Number', issuer_name: 'Issued by',
      issue_date: 'Issued on', valid_to: 'Valid to' },
    claims: { name: 'Name', number: 'Number', holder_name: 'Holder', holder_id: 'Holder ID number',
      holder_id_type: 'ID type', issuer_name: 'Issuer', issuer_uscc: 'Issuer code', issue_date: 'Issued on',
      valid_from: 'Valid from', valid_to: 'Valid to', jurisdiction: 'Division', type_code: 'Type code',
      identifier: 'Identifier', item_name: 'Service applied for', spouse_name: 'Spouse', address: 'Address',
      business_name: 'Business name', business_scope: 'Business scope', type: 'Type',
      legal_representative: 'Legal representative', registered_capital: 'Registered capital',
      operator_type: 'Operator type', premises: 'Premises' },
    longTerm: 'no expiry', present: 'Present', pdf: 'Download PDF', publicPage: 'Public page',
    choose: 'Choose what to disclose', verifier: 'Verifier (e.g. a bank)', purpose: 'Purpose (e.g. opening an account)',
    make: 'Create presentation', needAll: 'Choose claims and fill in verifier and purpose', presented: 'Presentation (your consent is recorded):',
    qrLabel: 'Presentation QR code', qrCaption: 'Let the verifier scan this code', showText: 'Show as text (to copy to the verifier)',
    check: 'Verify presentation', checkOk: (n) => `✓ Verified: signature, status and validity hold; ${n} claim(s) disclosed`,
    checkBad: '✗ Not verified: ',
    uses: 'My data-use record', usesIntro: 'Every time government staff read one of your certificates it is recorded here: when, which department, which certificate and for what matter.',
    usesEmpty: 'No government department has read your certificates.', usesCount: (n) => `${n} read(s)`,
    useFields: { at: 'When', dept: 'Department', who: 'Read as', certificate: 'Certificate identifier', cause: 'Purpose', matter: 'Matter' },
    handling: 'Handling department staff', supervisory: 'Supervisory read', supervisoryWho: 'Supervision staff (a supervisory read, outside any case)',
    caseMatter: (id) => `Case ${id}`, noMatter: '—', beijing: ' (Beijing time)',
  },
};
// The web app's language (the same localStorage key as the portal and 公开核验), Chinese first.
let lang = (() => {
  try { return localStorage.getItem('yiwang.lang') === 'en' ? 'en' : 'zh'; } catch (_) { return 'zh'; }
})();
let certificates = null;
let uses = null;
let departments = {};
const t = () => TEXT[lang];
const token = () => sessionStorage.getItem('yiwang.token');

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, attrs || {});
  for (const c of children) e.append(c);
  return e;
}

function say(text, error = false) {
  const s = document.getElementById('status');
  s.textContent = text;
  s.className = error ? 'error' : '';
}

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    throw new Error((lang === 'zh' ? problem.message_zh : problem.message_en) || problem.title || res.status);
  }
  return res;
}

// The claim names of an SD-JWT: every disclosure is base64url([salt, name, value]).
function claimNames(sdJwt) {
  return sdJwt.split('~').slice(1).filter(Boolean).map((d) => {
    const json = new TextDecoder().decode(Uint8Array.from(atob(d.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
    return JSON.parse(json)[1];
  });
}

function presentForm(c) {
  const box = el('div', { className: 'present' });
  const fields = el('fieldset', {}, el('legend', { textContent: t().choose }));
  for (const name of claimNames(c.sd_jwt)) {
    const cb = el('input', { type: 'checkbox', value: name, checked: name === 'name' || name === 'identifier' });
    fields.append(el('label', {}, cb, ` ${t().claims[name] ?? name}`));
  }
  const verifier = el('input', { type: 'text', placeholder: t().verifier, className: 'verifier' });
  const purpose = el('input', { type: 'text', placeholder: t().purpose, className: 'purpose' });
  const out = el('div');
  const make = el('button', { type: 'button', className: 'primary make', textContent: t().make });
  make.addEventListener('click', async () => {
    const claims = [...fields.querySelectorAll('input:checked')].map((x) => x.value);
    if (!claims.length || !verifier.value.trim() || !purpose.value.trim()) return say(t().needAll, true);
    try {
      const res = await api('POST', `/api/v1/wallet/certificates/${encodeURIComponent(c.identifier)}/presentations`,
        { claims, verifier: verifier.value.trim(), purpose: purpose.value.trim() });
      const { presentation, qr_svg: qrSvg } = await res.json();
      const text = el('textarea', { readOnly: true, value: presentation, className: 'presentation' });
      // The verifier scans the code from the holder's screen; the text stays one tap away.
      const qr = el('figure', { className: 'qr' });
      if (qrSvg) {
        qr.innerHTML = qrSvg;  // the server's own SVG: rectangles only
        qr.querySelector('svg').setAttribute('aria-label', t().qrLabel);
        qr.append(el('figcaption', { textContent: t().qrCaption }));
      }
      const raw = el('details', {}, el('summary', { textContent: t().showText }), text);
      const result = el('div', { className: 'result' });
      const check = el('button', { type: 'button', className: 'plain check', textContent: t().check });
      check.addEventListener('click', async () => {
        try {
          const v = await (await fetch('/api/v1/presentations/verify', { method: 'POST',
            headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ presentation }) })).json();
          if (v.valid) {
            result.className = 'result ok';
            result.textContent = `${t().checkOk(Object.keys(v.disclosed || {}).length)}: ${Object.keys(v.disclosed || {}).join(', ')}`;
          } else {
            result.className = 'result bad';
            result.textContent = t().checkBad + ((lang === 'zh' ? v.message_zh : v.message_en) || '');
          }
        } catch (e) {
          result.className = 'result bad';
          result.textContent = t().checkBad + e.message;
        }
      });
      out.replaceChildren(el('p', { textContent: t().presented }), ...(qrSvg ? [qr] : []), raw, check, result);
      say('');
    } catch (e) {
      say(t().failed + e.message, true);
    }
  });
  box.append(fields, verifier, purpose, make, out);
  return box;
}

// "2026-12-07 10:47" in Beijing time from an RFC 3339 instant, whatever the browser's zone.
function beijingTime(iso) {
  const ms = Date.parse(iso || '');
  if (Number.isNaN(ms)) return iso || '';
  const d = new Date(ms + 8 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

// A matter as the holder knows it: "case:<id>" is one of their applications (办件), linked.
function matterNode(matter) {
  const m = /^case:(.+)$/.exec(matter || '');
  if (m) return el('a', { href: `/my/cases/${encodeURIComponent(m[1])}`, textContent: t().caseMatter(m[1]) });
  return document.createTextNode(matter || t().noMatter);
}

function useCard(u) {
  const dl = el('dl');
  const row = (key, ...value) => dl.append(el('dt', { textContent: t().useFields[key] }), el('dd', {}, ...value));
  row('at', el('time', { dateTime: u.used_at, textContent: beijingTime(u.used_at) + t().beijing }));
  row('dept', departments[u.used_by_dept] || u.used_by_dept);
  row('who', u.supervisory ? t().supervisoryWho : t().handling);
  row('certificate', u.identifier);
  row('cause', u.use_cause || '—');
  row('matter', matterNode(u.matter));
  const title = el('h3', {}, u.type_name);
  if (u.supervisory) title.append(el('span', { className: 'badge', textContent: t().supervisory }));
  return el('li', { className: `card use${u.supervisory ? ' wait supervisory' : ''}` }, title, dl);
}

function usesSection() {
  const count = uses.length ? t().usesCount(uses.length) : t().usesEmpty;
  const section = el('section', { className: 'uses' },
    el('h2', { id: 'uses-h', textContent: t().uses }),
    el('p', { className: 'uses-intro', textContent: t().usesIntro }),
    el('p', { className: 'uses-count', textContent: count }),
    uses.length ? el('ol', { className: 'uses-list' }, ...uses.map(useCard)) : '');
  section.setAttribute('aria-labelledby', 'uses-h');
  return section;
}

function card(c) {
  const ok = c.status === 'valid';
  const dl = el('dl');
  for (const [key, label] of Object.entries(t().fields)) {
    let v = c[key] ?? '';
    if (key === 'valid_to' && !v) v = t().longTerm;
    dl.append(el('dt', { textContent: label }), el('dd', { textContent: v }));
  }
  const slot = el('div');
  const present = el('button', { type: 'button', className: 'plain present-open', textContent: t().present, disabled: !ok });
  present.addEventListener('click', () => slot.replaceChildren(presentForm(c)));
  const pdf = el('button', { type: 'button', className: 'plain', textContent: t().pdf });
  pdf.addEventListener('click', async () => {
    try {
      const blob = await (await api('GET', `/api/v1/certificates/${encodeURIComponent(c.identifier)}/pdf`)).blob();
      const a = el('a', { href: URL.createObjectURL(blob), download: `${c.name}-${c.number || c.identifier}.pdf` });
      a.click();
    } catch (e) {
      say(t().failed + e.message, true);
    }
  });
  const publicPage = el('a', { href: `/verify/certificates/${encodeURIComponent(c.identifier)}`, textContent: t().publicPage });
  return el('div', { className: `card cert ${ok ? 'valid' : 'invalid'}` },
    el('h2', {}, c.name, el('span', { className: 'badge', textContent: t().status[c.status] ?? c.status })),
    dl, el('div', { className: 'actions' }, present, pdf, publicPage), slot);
}

function render() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t().title;
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t()[e.dataset.i18n];
  for (const e of document.querySelectorAll('[data-i18n-placeholder]')) e.placeholder = t()[e.dataset.i18nPlaceholder];
  document.getElementById('lang').textContent = t().lang;
  const signedIn = !!token();
  document.getElementById('login').hidden = signedIn;
  document.getElementById('logout').hidden = !signedIn;
  const list = document.getElementById('list');
  if (!signedIn || !certificates) {
    document.getElementById('uses').replaceChildren();
    return list.replaceChildren();
  }
  say(certificates.length ? t().count(certificates.length) : t().empty);
  list.replaceChildren(...certificates.map(card));
  renderUses();
}

// The data-use record alone: it arrives after the certificates, and redrawing the cards then would
// throw away a presentation form the holder has already opened.
function renderUses() {
  document.getElementById('uses').replaceChildren(...(uses ? [usesSection()] : []));
}

async function load() {
  say(t().loading);
  try {
    certificates = (await (await api('GET', '/api/v1/wallet/certificates')).json()).items;
    render();
  } catch (e) {
    sessionStorage.removeItem('yiwang.token');
    certificates = null;
    render();
    say(t().failed + e.message, true);
    return;
  }
  // The data-use record and the departments' names: a failure here leaves the certificates shown.
  try {
    const [used, depts] = await Promise.all([
      api('GET', '/api/v1/wallet/uses').then((r) => r.json()),
      fetch('/api/v1/departments').then((r) => (r.ok ? r.json() : { departments: [] })).catch(() => ({ departments: [] })),
    ]);
    departments = Object.fromEntries((depts.departments || []).map((d) => [d.id, d.name]));
    uses = used.uses || [];
    renderUses();
  } catch (e) {
    say(t().failed + e.message, true);
  }
}

document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: document.getElementById('username').value, password: document.getElementById('password').value }) });
    const body = await res.json();
    if (!res.ok) throw new Error((lang === 'zh' ? body.message_zh : body.message_en) || res.status);
    sessionStorage.setItem('yiwang.token', body.token);
    await load();
  } catch (e) {
    say(t().failed + e.message, true);
  }
});
document.getElementById('logout').addEventListener('click', () => {
  sessionStorage.removeItem('yiwang.token');
  certificates = null;
  uses = null;
  render();
  say('');
});
document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  try { localStorage.setItem('yiwang.lang', lang); } catch (_) { /* this page only */ }
  render();
});
render();
if (token()) load();
