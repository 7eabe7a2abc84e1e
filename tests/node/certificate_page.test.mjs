// The page a certificate's QR code opens (/verify/certificates/<identifier>), in a real headless
// Chromium against a running yiwang server: YIWANG_TEST_URL, and YIWANG_TEST_CERTIFICATE naming a
// valid certificate and YIWANG_TEST_REVOKED a revoked one. The page shows the public record,
// checks the GB/T 36904 check character in the browser and lists the ledger acts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';

import { launch, skip as noBrowser } from './browser.mjs';
import { prerequisite } from './prerequisites.mjs';

const base = process.env.YIWANG_TEST_URL;
const shots = process.env.YIWANG_SCREENSHOT_DIR || os.tmpdir();
// tests/system/ledger_test.cpp starts the server and sets all three.
const skip = noBrowser || prerequisite(
  (!base && 'YIWANG_TEST_URL is not set (point it at a running yiwang server)') ||
  (!process.env.YIWANG_TEST_CERTIFICATE && 'YIWANG_TEST_CERTIFICATE is not set (a valid certificate\'s identifier)'));
const skipRevoked = skip || prerequisite(
  !process.env.YIWANG_TEST_REVOKED && 'YIWANG_TEST_REVOKED is not set (a revoked certificate\'s identifier)');

async function open(identifier, name) {
  const browser = await launch();
  try {
    return await look(browser, identifier, name);
  } finally {
    await browser.close();
  }
}

async function look(browser, identifier, name) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${base}/verify/certificates/${encodeURIComponent(identifier)}`);
  await page.waitForFunction(() => document.querySelector('#result .card') ||
                                   document.getElementById('status').className === 'error');
  await page.screenshot({ path: path.join(shots, `certificate-page-${name}.png`), fullPage: true });
  const result = {
    verdict: await page.textContent('#result').catch(() => ''),
    status: await page.textContent('#status'),
    acts: await page.textContent('#acts'),
    problems,
  };
  return result;
}

test('a valid certificate shows as valid with its ledger acts', { skip }, async () => {
  const r = await open(process.env.YIWANG_TEST_CERTIFICATE, 'valid');
  assert.match(r.verdict, /证照有效/);
  assert.match(r.verdict, /标识校验位正确/);
  assert.match(r.acts, /certificate\.issued/);
  assert.deepEqual(r.problems, []);
});

test('a revoked certificate shows as not valid', { skip: skipRevoked }, async () => {
  const r = await open(process.env.YIWANG_TEST_REVOKED, 'revoked');
  assert.match(r.verdict, /证照无效/);
  assert.match(r.verdict, /已吊销/);
});

test('an unknown identifier is reported as not found', { skip }, async () => {
  const r = await open('1.2.156.3005.2.X.Y.1.001.Z', 'unknown');
  assert.ok(/未找到|查询失败/.test(r.status), r.status);
});
