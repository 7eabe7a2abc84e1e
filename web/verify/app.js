// 公开核验: checks, in the browser, that each logged act about a receipt is in the ledger.
// Nothing the server says is taken on trust except the log key (shown for comparison with the
// published one): leaf hashes and Merkle roots are recomputed here (RFC 6962 / RFC 9162) and the
// checkpoint's Ed25519 signature is checked where WebCrypto supports Ed25519.
'use strict';

const TEXT = {
  zh: {
    title: '公开核验 · 透明账本',
    intro: '输入回执上的申报号，查看这件事的每一步是否都已记入公开账本、从未被改动。核对在您自己的浏览器里完成，不只听服务器的一面之词。',
    receiptLabel: '申报号', placeholder: '申报号，如 YW2026112200000001', verify: '核验',
    footer: '算法：RFC 6962 / RFC 9162 默克尔树（SHA-256），检查点为 C2SP 签名文档（Ed25519）。计算全部在本机浏览器完成。',
    langButton: 'English',
    empty: '请输入申报号。', badInput: '申报号只能包含字母、数字和连字符。',
    loading: '正在获取并核验……', none: '账本中没有该申报号的记录（新的记录可能需要几秒钟才会出现）。',
    noCrypto: '此浏览器不提供 WebCrypto（需通过 HTTPS 访问），无法在本机计算哈希。',
    fetchFailed: '获取数据失败：', summary: (ok, n) => `${n} 项记录中 ${ok} 项核验通过。`,
    cpTitle: '账本检查点', origin: '账本', size: '树大小', root: '根哈希', key: '账本公钥',
    witnesses: '见证签名', noneW: '无',
    sigOk: '✓ 检查点签名有效（Ed25519，浏览器验证）',
    sigBad: '✗ 检查点签名无效：不是由上述公钥签署',
    sigUnsupported: '· 此浏览器不支持 Ed25519，未能验证检查点签名（哈希核验不受影响）',
    sigMissing: '✗ 检查点上没有该公钥的签名',
    keyNote: '请将公钥与政府公报或官网公布的公钥比对。',
    act: '行为', time: '时间', dept: '部门', index: '账本序号', leaf: '叶哈希',
    entryJson: '账本条目原文', ok: '核验通过', bad: '核验失败', wait: '尚待纳入',
    cLeaf: '✓ 条目内容的 SHA-256 叶哈希与回执记录一致',
    cLeafBad: '✗ 条目内容的哈希与回执记录的叶哈希不符：条目已被篡改',
    cServerLeafBad: '✗ 服务器声称的叶哈希与条目内容不符',
    cRoot: (n) => `✓ 由包含证明在本机算出的根哈希与检查点（大小 ${n}）一致`,
    cRootBad: '✗ 由包含证明算出的根哈希与检查点不一致：记录不在该账本中',
    cPending: (n) => `⏳ 该记录（序号更大）尚未纳入当前检查点（大小 ${n}），请稍后再试`,
    cSig: '✓ 检查点签名有效', cSigBad: '✗ 检查点签名无效', cSigSkip: '· 检查点签名未验证（浏览器不支持 Ed25519）',
    cFetch: '✗ 获取条目或证明失败：',
    proofTitle: '查看技术证明（哈希、默克尔证明与签名）',
    plainOk: (n) => `这件事的 ${n} 条记录都已公开，未被改动。`,
    plainWait: (ok, n) => `这件事的 ${n} 条记录中，${ok} 条已公开且未被改动；其余几条刚刚记下，稍后即会纳入公开账本。`,
    plainBad: (bad) => `注意：有 ${bad} 条记录与公开账本不符，可能已被改动。请保留回执，并拨打 12345 反映。`,
    plainLead: '记录了什么：',
    plainPending: '（稍后纳入）',
  },
  en: {
    title: 'Public verification · Transparency ledger',
    intro: 'Enter the case number on your receipt to see whether every step of your matter is recorded in the public ledger and has never been altered. The check runs in your own browser, not on the server\'s word.',
    receiptLabel: 'Case number', placeholder: 'Case number, e.g. YW2026112200000001', verify: 'Verify',
    footer: 'Algorithms: RFC 6962 / RFC 9162 Merkle tree (SHA-256); checkpoints are C2SP signed notes (Ed25519). All computation happens in this browser.',
    langButton: '中文',
    empty: 'Please enter a case number.', badInput: 'A case number has only letters, digits and hyphens.',
    loading: 'Fetching and verifying…', none: 'The ledger has no record for this case number (new records can take a few seconds to appear).',
    noCrypto: 'This browser offers no WebCrypto (the page must be served over HTTPS), so hashes cannot be computed here.',
    fetchFailed: 'Fetching failed: ', summary: (ok, n) => `${ok} of ${n} records verified.`,
    cpTitle: 'Ledger checkpoint', origin: 'Ledger', size: 'Tree size', root: 'Root hash', key: 'Log key',
    witnesses: 'Witness cosignatures', noneW: 'none',
    sigOk: '✓ Checkpoint signature valid (Ed25519, verified in the browser)',
    sigBad: '✗ Checkpoint signature INVALID: not signed by the key above',
    sigUnsupported: '· This browser lacks Ed25519, so the checkpoint signature was not verified (hash checks are unaffected)',
    sigMissing: '✗ The checkpoint carries no signature by this key',
    keyNote: 'Compare the key with the one published in the government gazette or website.',
    act: 'Act', time: 'Time', dept: 'Department', index: 'Ledger index', leaf: 'Leaf hash',
    entryJson: 'Ledger entry', ok: 'verified', bad: 'verification failed', wait: 'pending',
    cLeaf: '✓ The SHA-256 leaf hash of the entry matches the receipt',
    cLeafBad: '✗ The entry does not hash to the receipt\'s leaf hash: the entry was altered',
    cServerLeafBad: '✗ The leaf hash the server claims does not match the entry',
    cRoot: (n) => `✓ The root computed here from the inclusion proof matches the checkpoint (size ${n})`,
    cRootBad: '✗ The root computed from the inclusion proof does not match the checkpoint: the record is not in this ledger',
    cPending: (n) => `⏳ This record is not yet covered by the current checkpoint (size ${n}); try again shortly`,
    cSig: '✓ Checkpoint signature valid', cSigBad: '✗ Checkpoint signature invalid', cSigSkip: '· Checkpoint signature not verified (no Ed25519 in this browser)',
    cFetch: '✗ Fetching the entry or proof failed: ',
    proofTitle: 'Show the technical proof (hashes, Merkle proofs, signature)',
    plainOk: (n) => `All ${n} records of this matter are public and unaltered.`,
    plainWait: (ok, n) => `${ok} of the ${n} records of this matter are public and unaltered; the others were just recorded and will join the public ledger shortly.`,
    plainBad: (bad) => `Warning: ${bad} record(s) do not match the public ledger and may have been altered. Keep your receipt and call 12345.`,
    plainLead: 'What was recorded:',
    plainPending: ' (joining shortly)',
  },
};

// Names of the common acts; others are shown by their event type.
const ACTS = {
  'case.accepted': ['受理', 'accepted'], 'case.not_accepted': ['不予受理', 'not accepted'],
  'case.granted': ['准予许可', 'granted'], 'case.denied': ['不予许可', 'denied'],
  'case.completed': ['办结', 'completed'], 'case.instantly_approved': ['秒批', 'instantly approved'],
  'item.published': ['事项发布', 'item published'], 'item.activated': ['事项启用', 'item activated'],
  'item.deactivated': ['事项停用', 'item deactivated'], 'certificate.issued': ['证照签发', 'certificate issued'],
  'certificate.revoked': ['证照注销', 'certificate revoked'], 'certificate.suspended': ['证照暂停', 'certificate suspended'],
  'certificate.reinstated': ['证照恢复', 'certificate reinstated'], 'certificate.used': ['证照使用', 'certificate used'],
  'grant.created': ['数据授权', 'data access granted'], 'grant.revoked': ['撤销授权', 'data access revoked'],
  'appeal.replied': ['诉求答复', 'appeal replied'], 'grid.case_closed': ['网格事件办结', 'grid case closed'],
};
const actLabel = (a) => ACTS[a] ? `${ACTS[a][lang === 'zh' ? 0 : 1]} (${a})` : String(a);
// For people: the act's name alone (the event type is in the technical proof).
const actName = (a) => ACTS[a] ? ACTS[a][lang === 'zh' ? 0 : 1] : String(a);
// Department names by id, for entries that carry only the id (GET /api/v1/departments is public).
let deptNames = {};
fetch('/api/v1/departments').then((r) => (r.ok ? r.json() : null)).then((body) => {
  const list = Array.isArray(body) ? body : (body && (body.departments || body.items)) || [];
  for (const d of list) if (d && d.id) deptNames[d.id] = d.name;
  if (last) render();
}).catch(() => {});

let lang = (() => {
  try { return localStorage.getItem('yiwang.lang') === 'en' ? 'en' : 'zh'; } catch (_) { return 'zh'; }
})();
const t = (k, ...a) => { const v = TEXT[lang][k]; return typeof v === 'function' ? v(...a) : v; };
let last = null;  // the last verification outcome, re-rendered when the language changes

// ---- bytes, hashes, proofs ----------------------------------------------------------------

const enc = new TextEncoder();
function b64decode(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
function b64encode(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
function equal(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)); }
const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

// RFC 9162 §2.1.3.2: the root that `proof` implies for leaf `index` in a tree of `size` leaves,
// or null when the proof has the wrong shape. Plain arithmetic: indices may exceed 2^31.
async function rootFromInclusion(leaf, index, size, proof) {
  if (!(index >= 0 && index < size)) return null;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

// C2SP signed note: text, a blank line, then "— <name> <base64(key hash ‖ signature)>" lines.
function parseNote(note) {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('malformed checkpoint note');
  const text = note.slice(0, split + 1);
  const sigs = note.slice(split + 2).split('\n').filter((l) => l !== '').map((l) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(l);
    if (!m) throw new Error('malformed signature line');
    return { name: m[1], bytes: b64decode(m[2]) };
  });
  const lines = text.split('\n');
  const size = Number(lines[1]);
  if (lines.length < 4 || !/^\d+$/.test(lines[1]) || !Number.isSafeInteger(size))
    throw new Error('malformed checkpoint body');
  return { text, sigs, origin: lines[0], size, root: b64decode(lines[2]) };
}

// "<name>+<hex key hash>+<base64(0x01 ‖ public key)>" → 'ok' | 'bad' | 'missing' | 'unsupported'.
async function checkSignature(cp, verifierKey) {
  // The base64 key may itself contain '+': split at the first two only.
  const m = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(verifierKey || '');
  if (!m) return 'bad';
  const [, name, hashHex, keyB64] = m;
  const key = b64decode(keyB64);
  if (key.length !== 33 || key[0] !== 1) return 'bad';
  const id = await sha256(concat(enc.encode(name + '\n'), key));
  const idHex = Array.from(id.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  if (idHex !== hashHex) return 'bad';
  const sig = cp.sigs.find((s) => s.name === name && s.bytes.length === 68 &&
                                  equal(s.bytes.slice(0, 4), id.slice(0, 4)));
  if (!sig) return 'missing';
  let pub;
  try {
    pub = await crypto.subtle.importKey('raw', key.slice(1), { name: 'Ed25519' }, false, ['verify']);
  } catch (_) {
    return 'unsupported';
  }
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, pub, sig.bytes.slice(4), enc.encode(cp.text));
  return ok ? 'ok' : 'bad';
}

// ---- fetching -------------------------------------------------------------------------------

async function get(path, as) {
  const r = await fetch(path, { headers: { Accept: as === 'text' ? 'text/plain' : 'application/json' },
                                cache: 'no-store' });
  if (!r.ok) throw new Error(`HTTP ${r.status} ${path}`);
  return as === 'text' ? r.text() : r.json();
}

async function verifyAct(act, cp) {
  const out = { act, checks: [], state: 'ok', entry: null };
  const fail = (msg) => { out.checks.push(msg); out.state = 'bad'; };
  const receiptLeaf = b64decode(act.leaf_hash || '');
  if (act.index >= cp.size) {
    out.state = 'wait';
    out.checks.push(['cPending', cp.size]);
  }
  try {
    const e = await get(`/api/v1/ledger/entries/${encodeURIComponent(act.index)}`);
    const bytes = b64decode(e.entry);
    try { out.entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)); } catch (_) {}
    out.raw = new TextDecoder().decode(bytes);
    const leaf = await leafHash(bytes);
    out.leaf = b64encode(leaf);
    if (equal(leaf, receiptLeaf)) out.checks.push(['cLeaf']); else fail(['cLeafBad']);
    if (e.leaf_hash !== undefined && !equal(leaf, b64decode(e.leaf_hash))) fail(['cServerLeafBad']);
    if (out.state === 'wait') return out;
    const p = await get(`/api/v1/ledger/proof/inclusion?index=${act.index}&size=${cp.size}`);
    const root = await rootFromInclusion(leaf, act.index, cp.size, p.proof.map(b64decode));
    if (root && equal(root, cp.root)) out.checks.push(['cRoot', cp.size]); else fail(['cRootBad']);
  } catch (err) {
    fail(['cFetch', String(err.message || err)]);
  }
  if (cp.signature === 'ok') out.checks.push(['cSig']);
  else if (cp.signature === 'unsupported') out.checks.push(['cSigSkip']);
  else fail(['cSigBad']);
  return out;
}

async function run(receipt) {
  const status = document.getElementById('status');
  if (!receipt) { last = { error: ['empty'] }; return render(); }
  if (!/^[A-Za-z0-9-]{1,64}$/.test(receipt)) { last = { error: ['badInput'] }; return render(); }
  if (!window.crypto || !crypto.subtle) { last = { error: ['noCrypto'] }; return render(); }
  document.getElementById('go').disabled = true;
  status.className = '';
  status.textContent = t('loading');
  document.getElementById('results').replaceChildren();
  document.getElementById('checkpoint').replaceChildren();
  try {
    const q = `subject_type=case&subject_id=${encodeURIComponent(receipt)}`;
    const [acts, note, key] = await Promise.all([
      get(`/api/v1/ledger/acts?${q}`), get('/ledger/checkpoint', 'text'), get('/api/v1/ledger/key')]);
    const cp = parseNote(note);
    cp.key = key.verifier_key;
    cp.signature = await checkSignature(cp, cp.key);
    const items = (acts.items || []).slice().sort((a, b) => a.index - b.index);
    const results = [];
    for (const act of items) results.push(await verifyAct(act, cp));
    last = { cp, results };
  } catch (err) {
    last = { error: ['fetchFailed', String(err.message || err)] };
  } finally {
    document.getElementById('go').disabled = false;
  }
  render();
}

// ---- rendering ------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const msg = (m) => (m.length > 1 && typeof TEXT[lang][m[0]] === 'string') ? t(m[0]) + m.slice(1).join(' ') : t(...m);
const pick = (o, keys) => { for (const k of keys) if (o && o[k] !== undefined && o[k] !== '') return o[k]; return undefined; };

function formatTime(v) {
  if (v === undefined) return '—';
  const d = typeof v === 'number' ? new Date(v) : new Date(String(v));
  if (isNaN(d)) return String(v);
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', hour12: false }) +
         (lang === 'zh' ? '（北京时间）' : ' (UTC+8)');
}

function dl(pairs) {
  const d = el('dl');
  for (const [k, v] of pairs) d.append(el('dt', {}, k), el('dd', {}, v));
  return d;
}

function deptOf(e) {
  const dept = pick(e, ['department', 'dept', 'dept_id', 'acting_dept', 'by_dept']);
  if (dept && typeof dept === 'object') return pick(dept, ['name', 'id']) || JSON.stringify(dept);
  return dept ? deptNames[dept] || dept : dept;
}

// The answer first, in words (#17): whether the matter's records are public and unaltered, and
// what they say — when, which department, which act. The proof is one click below.
function renderPlain(results, good) {
  const bad = results.filter((r) => r.state === 'bad').length;
  const state = bad ? 'bad' : good === results.length ? 'ok' : 'wait';
  const headline = bad ? t('plainBad', bad) : state === 'ok' ? t('plainOk', results.length) : t('plainWait', good, results.length);
  const list = el('ol');
  for (const r of results) {
    const e = r.entry || {};
    const when = formatTime(pick(e, ['at', 'time', 'at_ms']) ?? r.act.at);
    const dept = deptOf(e);
    list.append(el('li', { 'data-state': r.state },
      el('span', {}, when), ' · ', el('span', { class: 'who' }, dept || '—'), ' · ',
      el('strong', {}, actName(pick(e, ['act', 'type', 'event_type']) || r.act.act)),
      r.state === 'wait' ? t('plainPending') : ''));
  }
  document.getElementById('plain').append(el('div', { class: 'card plain ' + state, id: 'plain-card' },
    el('h2', {}, headline), el('p', {}, t('plainLead')), list));
}

function render() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('title');
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of document.querySelectorAll('[data-i18n-placeholder]')) n.placeholder = t(n.dataset.i18nPlaceholder);
  document.getElementById('lang').textContent = t('langButton');
  document.getElementById('lang').lang = lang === 'zh' ? 'en' : 'zh-CN';
  const status = document.getElementById('status');
  const cpBox = document.getElementById('checkpoint');
  const box = document.getElementById('results');
  const proof = document.getElementById('proof');
  cpBox.replaceChildren();
  box.replaceChildren();
  document.getElementById('plain').replaceChildren();
  proof.hidden = true;
  if (!last) { status.textContent = ''; return; }
  if (last.error) { status.className = 'error'; status.textContent = msg(last.error); return; }
  const { cp, results } = last;
  status.className = '';
  const good = results.filter((r) => r.state === 'ok').length;
  status.textContent = results.length ? t('summary', good, results.length) : t('none');
  if (!results.length) return;
  renderPlain(results, good);
  proof.hidden = false;

  const sigText = { ok: 'sigOk', bad: 'sigBad', missing: 'sigMissing', unsupported: 'sigUnsupported' }[cp.signature];
  const witnesses = cp.sigs.map((s) => s.name).filter((n) => n !== (cp.key || '').split('+')[0]);
  cpBox.append(el('div', { class: 'card ' + (cp.signature === 'ok' ? 'ok' : cp.signature === 'unsupported' ? 'wait' : 'bad'), id: 'cp' },
    el('h2', {}, t('cpTitle')),
    dl([[t('origin'), cp.origin], [t('size'), String(cp.size)], [t('root'), el('code', {}, b64encode(cp.root))],
        [t('key'), el('code', {}, cp.key)], [t('witnesses'), witnesses.length ? witnesses.join(', ') : t('noneW')]]),
    el('ul', { class: 'checks' }, el('li', {}, t(sigText)), el('li', {}, t('keyNote')))));

  for (const r of results) {
    const e = r.entry || {};
    const actName = pick(e, ['act', 'type', 'event_type']) || r.act.act;
    const deptText = deptOf(e);
    const mark = { ok: '✓', bad: '✗', wait: '⏳' }[r.state];
    box.append(el('div', { class: 'card act ' + r.state, 'data-index': String(r.act.index) },
      el('h2', {}, el('span', { class: 'mark', 'aria-hidden': 'true' }, mark), el('span', {}, actLabel(actName)),
         el('span', { class: 'verdict' }, '· ' + t(r.state))),
      dl([[t('time'), formatTime(pick(e, ['at', 'time', 'at_ms']) ?? r.act.at)], [t('dept'), deptText ?? '—'],
          [t('index'), String(r.act.index)], [t('leaf'), el('code', {}, r.act.leaf_hash)]]),
      el('ul', { class: 'checks' }, ...r.checks.map((c) => el('li', {}, msg(c)))),
      r.raw !== undefined ? el('details', {}, el('summary', {}, t('entryJson')), el('pre', {}, r.raw)) : null));
  }
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  try { localStorage.setItem('yiwang.lang', lang); } catch (_) {}
  render();
});
document.getElementById('form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const receipt = document.getElementById('receipt').value.trim();
  if (receipt && /^[A-Za-z0-9-]{1,64}$/.test(receipt))
    history.replaceState(null, '', '?no=' + encodeURIComponent(receipt));
  run(receipt);
});
render();
{
  // Receipts may carry a link (or QR code) to /verify?no=<case number>: verify at once.
  const no = new URLSearchParams(location.search).get('no');
  if (no) { document.getElementById('receipt').value = no; run(no.trim()); }
}
