// Keyboard only (WCAG 2.1.1): the skip link comes first and moves focus to the page; a citizen
// signs in, opens a case and switches to 适老化 mode without touching the mouse.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { skip, withBrowser, openPage, goto, DESKTOP } from './web.mjs';

// Presses Tab until `predicate(activeElement)` holds in the page; fails after `limit` presses.
async function tabTo(page, predicate, what, limit = 40) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate)) return;
  }
  assert.fail(`Tab never reached ${what}`);
}

test('a citizen signs in, opens a case and turns on 适老化 mode with the keyboard alone', { skip }, async () => {
  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP });
    await goto(page, '/login');

    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), '跳到主要内容');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => location.hash), '#main');

    await tabTo(page, () => document.activeElement?.name === 'username', 'the username field');
    await page.keyboard.type('zhangsan');
    await tabTo(page, () => document.activeElement?.name === 'password', 'the password field');
    await page.keyboard.type('yiwang-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/my/cases');
    await page.getByTestId('case-card').first().waitFor();

    await tabTo(page, () => Boolean(document.activeElement?.closest('[data-testid=case-card]')), 'a case card');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/my\/cases\/YW\d+$/);
    await page.getByTestId('case-timeline').waitFor();

    await tabTo(page, () => document.activeElement?.dataset?.testid === 'elder-toggle', 'the 适老化 switch');
    await page.keyboard.press('Enter');
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('elder')));
    assert.equal(await page.getByTestId('elder-toggle').getAttribute('aria-pressed'), 'true');
    assert.deepEqual(page.problems, []);
  });
});
