// The page a certificate's printed QR code opens: the certificate's public record and status
// (no holder data), its GB/T 36904 identifier checked here in the browser, and its acts in the
// transparency ledger with a link to verify them independently.
'use strict';

const TEXT = {
  zh: {
    title: '电子证照核验', loading: '正在查询…', notFound: '未找到该证照。', failed: '查询失败：',
    valid: '✓ 证照有效', invalid: '✗ 证照无效', status: { valid: '有效', suspended: '已暂停',
      revoked: '已吊销', expired: '已过期' },
    fields: { name: '证照名称', type_name: '证照类型', identifier: '证照标识', issuer_name: '发证机关',
      issue_date: '发证日期', valid_from: '有效期自', valid_to: '有效期至', status: '状态' },
    longTerm: '长期', checkOk: '标识校验位正确（GB/T 36904，ISO/IEC 7064 MOD 37,36）',
    checkBad: '标识校验位错误：此标识不是合法的电子证照标识', acts: '透明账本记录',
    verifyLink: '在“公开核验”页独立验证', none: '账本中尚无记录（稍后再试）',
    footer: '本页只显示证照的公开信息（不含持证人信息）。证照的签发、暂停与吊销均记入透明账本，可在“公开核验”页独立验证。',
    lang: 'English',
  },
  en: {
    title: 'Certificate verification', loading: 'Looking up…', notFound: 'No such certificate.',
    failed: 'Lookup failed: ', valid: '✓ Certificate valid', invalid: '✗ Certificate not valid',
    status: { valid: 'valid', suspended: 'suspended', revoked: 'revoked', expired: 'expired' },
    fields: { name: 'Name', type_name: 'Type', identifier: 'Identifier', issuer_name: 'Issued by',
      issue_date: 'Issued on', valid_from: 'Valid from', valid_to: 'Valid to', status: 'Status' },
    longTerm: 'no expiry', checkOk: 'Identifier check character correct (GB/T 36904, ISO/IEC 7064 MOD 37,36)',
    checkBad: 'Wrong check character: this is not a valid certificate identifier',
    acts: 'Transparency ledger', verifyLink: 'verify independently on the public page',
    none: 'Not in the ledger yet (try again shortly)',
    footer: 'This page shows only public facts of the certificate (nothing about its holder). Issuance, suspension and revocation are logged in the transparency ledger and can be verified independently on the public verification page.',
    lang: '中文',
  },
};
let lang = (navigator.language || 'zh').startsWith('zh') ? 'zh' : 'en';
let last = null;

// ISO/IEC 7064 MOD 37,36 (hybrid): over type code + issuer USCC + serial + version.
function mod3736(chars) {
  const value = (c) => (c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55);
  let p = 36;
  for (const c of chars) {
    let s = (p % 37) + value(c);
    s %= 36;
    if (s === 0) s = 36;
    p = (s * 2) % 37;
  }
  const check = (37 - p) % 36;
  return check < 10 ? String(check) : String.fromCharCode(55 + check);
}

function identifierCheckOk(identifier) {
  const prefix = '1.2.156.3005.2.';
  if (!identifier.startsWith(prefix)) return false;
  const parts = identifier.slice(prefix.length).split('.');
  if (parts.length !== 5 || parts.some((p) => !/^[0-9A-Z]+$/.test(p))) return false;
  return mod3736(parts.slice(0, 4).join('')) === parts[4];
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, attrs || {});
  for (const c of children) e.append(c);
  return e;
}

function render() {
  const t = TEXT[lang];
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t.title;
  document.querySelector('[data-i18n=title]').textContent = t.title;
  document.querySelector('[data-i18n=footer]').textContent = t.footer;
  document.getElementById('lang').textContent = t.lang;
  if (!last) return;
  const { record, acts } = last;
  const ok = record.status === 'valid';
  const dl = el('dl');
  for (const key of Object.keys(t.fields)) {
    let v = record[key] ?? '';
    if (key === 'status') v = t.status[v] ?? v;
    if (key === 'valid_to' && !v) v = t.longTerm;
    dl.append(el('dt', { textContent: t.fields[key] }), el('dd', { textContent: v }));
  }
  const checkOk = identifierCheckOk(record.identifier);
  const card = el('div', { className: `card ${ok && checkOk ? 'ok' : 'bad'}` },
    el('p', { className: 'verdict', textContent: ok && checkOk ? t.valid : t.invalid }), dl,
    el('p', { textContent: checkOk ? t.checkOk : t.checkBad }));
  document.getElementById('result').replaceChildren(card);
  const list = el('ul');
  for (const a of acts) list.append(el('li', { textContent: `#${a.index} · ${a.act} · ${a.at}` }));
  if (!acts.length) list.append(el('li', { textContent: t.none }));
  document.getElementById('acts').replaceChildren(
    el('h2', { textContent: t.acts }), list,
    el('a', { href: '/verify', textContent: t.verifyLink }));
}

async function load() {
  const t = TEXT[lang];
  const status = document.getElementById('status');
  const identifier = decodeURIComponent(location.pathname.split('/').pop() || '');
  status.textContent = t.loading;
  try {
    const res = await fetch(`/api/v1/certificates/${encodeURIComponent(identifier)}/verification`);
    if (res.status === 404) {
      status.textContent = t.notFound;
      status.className = 'error';
      return;
    }
    if (!res.ok) throw new Error((await res.json()).detail || res.status);
    const record = await res.json();
    const actsRes = await fetch(`/api/v1/ledger/acts?subject_type=certificate&subject_id=${encodeURIComponent(identifier)}`);
    const acts = actsRes.ok ? (await actsRes.json()).items : [];
    last = { record, acts };
    status.textContent = '';
    render();
  } catch (e) {
    status.textContent = t.failed + e.message;
    status.className = 'error';
  }
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  render();
});
render();
load();
