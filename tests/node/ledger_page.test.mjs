// The public verification page (公开核验, web/verify/) in a real headless Chromium.
//
// 1. Against a mock ledger written here with node:crypto — an independent RFC 6962 implementation
//    (the recursive MTH/PATH definitions, not our C++ algorithms) and Ed25519 signed notes — so
//    the page's in-browser hashing is checked against a second implementation, including
//    tampered entries, unsigned checkpoints and records not yet in a checkpoint.
// 2. Against a running yiwang server when YIWANG_TEST_URL is set (e.g. `yiwang demo`):
//    YIWANG_TEST_RECEIPT names a case number whose acts must all verify.
// Needs playwright-core (tests/node/node_modules) and Debian's chromium (/usr/bin/chromium, or
// YIWANG_CHROMIUM), and for 2. the server: without them the file fails, saying what is missing
// (skips only with YIWANG_TESTS_MAY_SKIP=1, see prerequisites.mjs). Screenshots go to
// YIWANG_SCREENSHOT_DIR (default: the OS temp dir).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launch, skip as noBrowser } from './browser.mjs';
import { prerequisite } from './prerequisites.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(process.env.YIWANG_SOURCE_DIR || path.join(here, '../..'), 'web/verify');
const shots = process.env.YIWANG_SCREENSHOT_DIR || os.tmpdir();
const skipReason = noBrowser || null;  // set only with YIWANG_TESTS_MAY_SKIP=1

// ---- an independent mock ledger ---------------------------------------------------------------

const sha = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const leafOf = (entry) => sha(Buffer.of(0), entry);
const nodeOf = (l, r) => sha(Buffer.of(1), l, r);
const split = (n) => { let k = 1; while (k * 2 < n) k *= 2; return k; };  // largest 2^i < n
function mth(leaves) {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeOf(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function auditPath(m, leaves) {  // RFC 6962 §2.1.1 PATH(m, D[n])
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...auditPath(m, leaves.slice(0, k)), mth(leaves.slice(k))]
               : [...auditPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

function mockLedger() {
  const origin = 'ledger.mock.example';
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const keyId = sha(Buffer.from(origin + '\n'), Buffer.of(1), pub).subarray(0, 4);
  const verifierKey = `${origin}+${keyId.toString('hex')}+${Buffer.concat([Buffer.of(1), pub]).toString('base64')}`;
  const entries = [];
  const acts = new Map();  // case number → items
  const at0 = Date.UTC(2026, 10, 22, 1, 30);
  const add = (caseNo, act, dept, i) => {
    // Shaped like ledger::public_entry: RFC 3339 time in UTC+8, department id, subject.
    const at = new Date(at0 + i * 60000 + 8 * 3600000).toISOString().replace('Z', '+08:00');
    const entry = Buffer.from(JSON.stringify({ act, at, dept, role: 'approver', subject: { type: 'case', id: caseNo }, v: 1 }));
    entries.push(entry);
    const item = { index: entries.length - 1, leaf_hash: leafOf(entry).toString('base64'), act, at: at0 + i * 60000 };
    acts.set(caseNo, [...(acts.get(caseNo) || []), item]);
  };
  for (let i = 0; i < 37; i++) add(`YW20261122${String(i).padStart(8, '0')}`, 'case.accepted', '市市场监督管理局', i);
  add('YW2026112200000001', 'case.granted', '市市场监督管理局', 40);
  add('YW2026112200000001', 'case.completed', '市市场监督管理局', 41);
  add('YW-TAMPERED', 'case.accepted', '区民政局', 42);
  add('YW-TAMPERED', 'case.granted', '区民政局', 43);
  const checkpointSize = entries.length;
  add('YW-PENDING', 'case.accepted', '区民政局', 44);  // logged after the checkpoint
  const leaves = entries.map(leafOf);
  const tampered = acts.get('YW-TAMPERED')[1].index;
  const served = (i) => i === tampered ? Buffer.from(entries[i].toString().replace('granted', 'denied')) : entries[i];

  const state = { badSignature: false };
  const checkpoint = () => {
    const text = `${origin}\n${checkpointSize}\n${mth(leaves.slice(0, checkpointSize)).toString('base64')}\n`;
    const sig = crypto.sign(null, Buffer.from(text), privateKey);
    if (state.badSignature) sig[5] ^= 1;
    return `${text}\n\u2014 ${origin} ${Buffer.concat([keyId, sig]).toString('base64')}\n`;
  };
  const json = (res, body, status = 200) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  const csp = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    if (p === '/verify' || p === '/verify/app.js') {
      const file = p === '/verify' ? 'index.html' : 'app.js';
      res.writeHead(200, { 'content-type': p === '/verify' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
                           'content-security-policy': csp });
      return res.end(fs.readFileSync(path.join(webDir, file)));
    }
    if (p === '/assets/common.css' || p === '/assets/common.js') {
      const css = p.endsWith('.css');
      res.writeHead(200, { 'content-type': css ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
                           'content-security-policy': csp });
      return res.end(fs.readFileSync(path.join(webDir, '..', css ? 'common.css' : 'common.js')));
    }
    // The entries here carry department names; the live server's carry ids, named from this list.
    if (p === '/api/v1/departments') return json(res, { departments: [] });
    if (p === '/ledger/checkpoint') { res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }); return res.end(checkpoint()); }
    if (p === '/api/v1/ledger/key') return json(res, { origin, verifier_key: verifierKey });
    if (p === '/api/v1/ledger/acts') return json(res, { items: acts.get(url.searchParams.get('subject_id')) || [] });
    let m = /^\/api\/v1\/ledger\/entries\/(\d+)$/.exec(p);
    if (m && +m[1] < entries.length) {
      const i = +m[1];
      return json(res, { index: i, entry: served(i).toString('base64'), leaf_hash: leafOf(served(i)).toString('base64') });
    }
    if (p === '/api/v1/ledger/proof/inclusion') {
      const i = +url.searchParams.get('index'), n = +url.searchParams.get('size');
      if (!(i >= 0 && i < n && n <= entries.length)) return json(res, { title: 'bad' }, 400);
      return json(res, { index: i, size: n, leaf_hash: leaves[i].toString('base64'),
                         proof: auditPath(i, leaves.slice(0, n)).map((h) => h.toString('base64')) });
    }
    json(res, { title: 'not found' }, 404);
  });
  return { server, state, checkpointSize };
}

// ---- the tests --------------------------------------------------------------------------------

let browser = null;
let mock = null;
let mockUrl = '';

before(async () => {
  if (skipReason) return;
  browser = await launch();
  mock = mockLedger();
  await new Promise((resolve) => mock.server.listen(0, '127.0.0.1', resolve));
  mockUrl = `http://127.0.0.1:${mock.server.address().port}`;
});
after(async () => {
  await browser?.close();
  mock?.server.close();
});

async function phonePage() {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
                                             isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return { page, problems, close: () => context.close() };
}

async function verifyReceipt(page, base, receipt) {
  await page.goto(`${base}/verify`);
  await page.fill('#receipt', receipt);
  await page.click('#go');
  await page.waitForFunction(() => !document.getElementById('go').disabled &&
                                   document.getElementById('status').textContent.trim() !== '' &&
                                   !/正在|Fetching/.test(document.getElementById('status').textContent));
  return page.$$eval('.card.act', (cards) => cards.map((c) => ({
    state: ['ok', 'bad', 'wait'].find((s) => c.classList.contains(s)),
    index: Number(c.dataset.index),
    text: c.textContent,
  })));
}

test('every act of a receipt verifies in the browser, signature included', { skip: skipReason || false }, async () => {
  const { page, problems, close } = await phonePage();
  const acts = await verifyReceipt(page, mockUrl, 'YW2026112200000001');
  assert.equal(acts.length, 3);
  for (const a of acts) assert.equal(a.state, 'ok', a.text);
  assert.match(acts[1].text, /准予许可 \(case\.granted\)/);
  assert.match(acts[1].text, /2026\/11\/22 10:10:00/);
  assert.match(acts[1].text, /市市场监督管理局/);
  assert.match(await page.textContent('#cp'), /检查点签名有效/);
  assert.match(await page.textContent('#status'), /3 项记录中 3 项核验通过/);
  // #17: the answer in words first, the technical proof one click away.
  const plain = await page.textContent('#plain-card');
  assert.match(plain, /这件事的 3 条记录都已公开，未被改动/);
  assert.match(plain, /市市场监督管理局 · 准予许可/);
  assert.doesNotMatch(plain, /case\.|哈希|root/, 'no engineering words in the plain view');
  assert.equal(await page.evaluate(() => document.getElementById('proof').open), false);
  await page.screenshot({ path: path.join(shots, 'ledger-page-zh.png'), fullPage: true });
  await page.click('#proof > summary');

  await page.click('#lang');
  assert.match(await page.textContent('#status'), /3 of 3 records verified/);
  assert.match(await page.textContent('#cp'), /Checkpoint signature valid/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.screenshot({ path: path.join(shots, 'ledger-page-en.png'), fullPage: true });
  await page.click('#lang');  // leave the stored preference at Chinese for the other tests
  // The page must not overflow a phone screen sideways.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  assert.deepEqual(problems, []);
  await close();
});

test('a tampered entry is shown as failed, with the reason', { skip: skipReason || false }, async () => {
  const { page, close } = await phonePage();
  const acts = await verifyReceipt(page, mockUrl, 'YW-TAMPERED');
  assert.deepEqual(acts.map((a) => a.state), ['ok', 'bad']);
  assert.match(acts[1].text, /条目已被篡改/);
  assert.match(acts[1].text, /case\.denied/);  // what the server now claims, shown as failed
  assert.match(await page.textContent('#plain-card'), /有 1 条记录与公开账本不符/);
  await page.screenshot({ path: path.join(shots, 'ledger-page-tampered.png'), fullPage: true });
  await close();
});

test('an act not yet in a checkpoint is pending, not verified', { skip: skipReason || false }, async () => {
  const { page, close } = await phonePage();
  const acts = await verifyReceipt(page, mockUrl, 'YW-PENDING');
  assert.deepEqual(acts.map((a) => a.state), ['wait']);
  assert.match(acts[0].text, new RegExp(`尚未纳入当前检查点（大小 ${mock.checkpointSize}）`));
  await close();
});

test('a checkpoint with a bad signature fails every act', { skip: skipReason || false }, async () => {
  const { page, close } = await phonePage();
  mock.state.badSignature = true;
  try {
    const acts = await verifyReceipt(page, mockUrl, 'YW2026112200000001');
    assert.ok(acts.length > 0 && acts.every((a) => a.state === 'bad'));
    assert.match(await page.textContent('#cp'), /检查点签名无效/);
  } finally {
    mock.state.badSignature = false;
    await close();
  }
});

test('unknown and malformed receipt numbers get a clear message', { skip: skipReason || false }, async () => {
  const { page, close } = await phonePage();
  assert.deepEqual(await verifyReceipt(page, mockUrl, 'YW0000'), []);
  assert.match(await page.textContent('#status'), /账本中没有该申报号的记录/);
  await page.fill('#receipt', '<script>');
  await page.click('#go');
  assert.match(await page.textContent('#status'), /只能包含字母、数字和连字符/);
  // A link from a receipt (?no=…) verifies at once.
  await page.goto(`${mockUrl}/verify?no=YW2026112200000001`);
  await page.waitForSelector('.card.act.ok', { state: 'attached' });
  await close();
});

const liveUrl = process.env.YIWANG_TEST_URL;
const liveSkip = skipReason ||
  prerequisite(!liveUrl && 'YIWANG_TEST_URL is not set (point it at a running yiwang server, e.g. `yiwang demo`)');
test('the page served by a running yiwang server verifies a receipt', { skip: liveSkip || false }, async () => {
  const { page, problems, close } = await phonePage();
  const receipt = process.env.YIWANG_TEST_RECEIPT;
  if (!receipt) {
    // Without a known case number, at least the served page, its CSP and the API wiring work.
    assert.deepEqual(await verifyReceipt(page, liveUrl, 'YW0000000000000000'), []);
    assert.match(await page.textContent('#status'), /没有该申报号的记录/);
  } else {
    const acts = await verifyReceipt(page, liveUrl, receipt);
    assert.ok(acts.length > 0, `no acts logged for ${receipt}`);
    for (const a of acts) assert.equal(a.state, 'ok', a.text);
    assert.match(await page.textContent('#cp'), /检查点签名有效/);
  }
  await page.screenshot({ path: path.join(shots, 'ledger-page-live.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await close();
});
