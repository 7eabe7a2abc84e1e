// The Q&A assistant's panel on the portal home page (issue #8), on a phone: a colloquial question
// finds the right item with its source linked, a follow-up asks for that item's materials, an
// answer is rated useful, a question outside government services hands over to 12345; axe-core
// in normal and 适老化 mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { PHONE, skip, withBrowser, openPage, goto, assertAccessible, screenshot } from './web.mjs';

async function ask(page, question) {
  const before = await page.getByTestId('assistant-answer').count();
  await page.locator('textarea[data-testid=assistant-input], [data-testid=assistant-input] textarea').fill(question);
  await page.getByTestId('assistant-send').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=assistant-answer]').length > n, before);
  return page.getByTestId('assistant-answer').nth(before);
}

for (const elder of [false, true]) {
  test(`the assistant answers with sources and hands over when unsure (${elder ? '适老化' : 'normal'})`, { skip }, async () => {
    await withBrowser(async (browser) => {
      const page = await openPage(browser, { viewport: PHONE, elder });
      await goto(page, '/');
      await page.getByTestId('assistant-panel').waitFor();

      const first = await ask(page, '我想开个小饭馆要办什么');
      const source = first.getByTestId('assistant-source').first();
      assert.match(await source.textContent(), /食品经营许可|餐馆/);
      assert.match(await source.locator('a').getAttribute('href'), /^\/items\/\d{4}/);

      const followUp = await ask(page, '需要带什么材料？');
      assert.match(await followUp.textContent(), /材料/);
      await followUp.getByTestId('assistant-useful').click();
      await followUp.getByTestId('assistant-useful').waitFor({ state: 'detached' });

      const offTopic = await ask(page, '今天晚上吃火锅还是烧烤好');
      await offTopic.getByTestId('assistant-handoff').waitFor();
      assert.match(await offTopic.getByTestId('assistant-handoff').textContent(), /12345/);

      await assertAccessible(page, `assistant panel${elder ? ' (适老化)' : ''}`);
      await screenshot(page, `assistant-${elder ? 'elder' : 'normal'}-phone`);
      assert.deepEqual(page.problems, []);
    });
  });
}
