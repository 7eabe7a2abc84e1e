// The holder's wallet page (/wallet) in a real headless Chromium against a running yiwang server
// (YIWANG_TEST_URL, e.g. a demo): the demo citizen signs in, sees the certificates in her name,
// presents one disclosing only its name to a named verifier for a stated purpose, and the page's
// check of that presentation passes with exactly that claim disclosed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';

import { launch, skip as noBrowser } from './browser.mjs';
import { prerequisite } from './prerequisites.mjs';

const base = process.env.YIWANG_TEST_URL;
const shots = process.env.YIWANG_SCREENSHOT_DIR || os.tmpdir();
const skip = noBrowser || prerequisite(!base && 'YIWANG_TEST_URL is not set (point it at a running yiwang demo)');

test('the demo citizen presents only the name of a certificate, and it verifies', { skip }, async () => {
  const browser = await launch();
  // A failed step must not leave Chromium running: node would wait for it forever.
  try {
    await walkThrough(browser);
  } finally {
    await browser.close();
  }
});

async function walkThrough(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${base}/wallet`);
  await page.fill('#username', 'zhangsan');
  await page.fill('#password', 'yiwang-demo');
  await page.click('#login button[type=submit]');
  await page.waitForSelector('.card.cert');
  const cards = await page.$$('.card.cert.valid');
  // The demo citizen's own three (another test may have revoked one of them by now).
  assert.ok(cards.length >= 2, `the demo citizen holds several valid certificates (${cards.length})`);
  await page.screenshot({ path: path.join(shots, 'wallet-list.png'), fullPage: true });

  // #17: the demo issues no impossible duplicates (zhangsan held two valid 结婚证).
  const names = await page.$$eval('.card.cert.valid h2', (hs) => hs.map((h) => h.firstChild.textContent.trim()));
  assert.equal(new Set(names).size, names.length, `one valid certificate of each kind: ${names.join(', ')}`);

  // #17: a way back to the portal, and 适老化 as in the web app (the same preference).
  assert.equal(await page.getAttribute('[data-testid=page-home]', 'href'), '/');
  await page.click('#elder');
  assert.ok(await page.evaluate(() => document.documentElement.classList.contains('elder')));
  assert.equal(await page.evaluate(() => localStorage.getItem('yiwang.elder')), '1');
  const bodyFont = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.ok(bodyFont >= 20, `larger text in 适老化 mode (${bodyFont}px)`);
  await page.screenshot({ path: path.join(shots, 'wallet-list-elder.png'), fullPage: true });
  await page.click('#elder');

  // Every claim a holder may choose reads in words, never as a field name (item_name was raw).
  for (const card of cards) {
    await (await card.$('.present-open')).click();
    for (const label of await card.$$eval('fieldset label', (ls) => ls.map((l) => l.textContent.trim()))) {
      assert.match(label, /[\u4e00-\u9fff]/, `a claim label in Chinese: ${label}`);
    }
  }

  const first = cards[0];
  await (await first.$('.present-open')).click();
  for (const box of await first.$$('fieldset input[type=checkbox]')) {
    if ((await box.getAttribute('value')) !== 'name' && (await box.isChecked())) await box.uncheck();
  }
  await (await first.$('input.verifier')).fill('江宁银行秦淮支行');
  await (await first.$('input.purpose')).fill('开立个人账户');
  await (await first.$('button.make')).click();
  // A QR code for the verifier to scan; the text one tap away.
  await first.waitForSelector('figure.qr svg');
  const box = await (await first.$('figure.qr svg')).boundingBox();
  assert.ok(box.width >= 200 && box.width <= 390, `the code fits the phone (${box.width}px)`);
  await first.waitForSelector('textarea.presentation', { state: 'attached' });
  const presentation = await (await first.$('textarea.presentation')).inputValue();
  assert.equal(presentation.split('~').filter(Boolean).length, 2, 'the issuer JWT and one disclosure');
  await (await first.$('button.check')).click();
  await first.waitForSelector('.result.ok, .result.bad');
  const result = await (await first.$('.result')).textContent();
  assert.match(result, /核验通过/);
  assert.match(result, /: name$/);
  await page.screenshot({ path: path.join(shots, 'wallet-presented.png'), fullPage: true });
  assert.deepEqual(problems, []);
}
