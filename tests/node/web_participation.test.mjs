// Participation in headless Chromium against a running yiwang demo (YIWANG_TEST_URL): a citizen
// comments on a clause of a draft policy from a phone; after the deadline the department decides
// and publishes the feedback, which everyone then reads with the decision and its reason. A
// survey is answered on a phone (required questions checked first) and its live results show
// the new response. An official starts a consultation from a pasted draft. axe-core checks every
// page, in 适老化 mode and in English too. Everything looked at is created here.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  PHONE, DESKTOP, skip, withBrowser, openPage, goto, signIn, callApi, assertAccessible, screenshot,
} from './web.mjs';

const rand = (n) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const inDays = (d) => new Date(Date.now() + d * 86400000).toISOString();

test('a consultation from a phone comment to the published feedback', { skip }, async () => {
  const clerk = await signIn('chuangkou');
  const title = `城市停车管理办法（征求意见稿）${rand(4)}`;
  const closesAt = Date.now() + 25000;
  const draft = await callApi(clerk, 'POST', '/api/v1/consultations', {
    title,
    summary: '为规范停车秩序，现公开征求意见。',
    closes_at: new Date(closesAt).toISOString(),
    clauses: [
      { number: '第一条', text: '为规范本市停车管理，制定本办法。' },
      { number: '第二条', text: '居住区周边道路夜间停车免费。' },
    ],
  });
  await callApi(clerk, 'POST', `/api/v1/consultations/${draft.id}/publish`);

  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: PHONE, user: 'zhangsan' });
    await goto(page, '/participate');
    const card = page.locator(`[data-testid=consultation-card][data-id="${draft.id}"]`);
    await card.waitFor();
    await assertAccessible(page, 'participate list');
    await screenshot(page, 'participate-phone');
    await card.getByRole('link', { name: title, exact: true }).click();

    await page.waitForURL(new RegExp(`/participate/consultations/${draft.id}$`));
    await page.getByTestId('consultation-title').waitFor();
    assert.equal(await page.getByTestId('consultation-state').getAttribute('data-state'), 'open');
    const clause = page.locator('[data-testid=clause][data-clause="第二条"]');
    await clause.getByTestId('comment-toggle').click();
    await clause.getByTestId('comment-send').click();
    await clause.getByTestId('comment-error').waitFor(); // empty: refused before sending
    await clause.getByTestId('comment-text').fill('建议免费时段延长到早上八点，方便上班族。');
    await assertAccessible(page, 'consultation with comment form');
    await screenshot(page, 'consultation-comment-phone');
    await clause.getByTestId('comment-send').click();
    await page.getByTestId('comment-sent').waitFor();
    await page.getByTestId('my-comment').first().waitFor();
    assert.match(await page.getByTestId('my-comments').textContent(), /早上八点/);
    assert.deepEqual(page.problems, []);
  });

  await sleep(Math.max(0, closesAt - Date.now() + 1500));

  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, user: 'chuangkou' });
    await goto(page, '/workbench/participation');
    const row = page.locator(`[data-testid=manage-consultation][data-id="${draft.id}"]`);
    await row.waitFor();
    await row.getByTestId('manage-handle').click();
    const comment = row.getByTestId('manage-comment').first();
    await comment.waitFor();
    assert.match(await comment.textContent(), /张\*/);
    assert.doesNotMatch(await comment.textContent(), /张三/);
    await assertAccessible(page, 'manage: handling comments');
    await screenshot(page, 'participation-manage-desktop');
    // Concluding with an undecided comment is refused and says so.
    await row.getByTestId('conclude-summary').fill('共收到意见 1 条，采纳 1 条。');
    await row.getByTestId('conclude-submit').click();
    await page.getByTestId('manage-error').waitFor();
    await comment.getByTestId('decide-adopt').check();
    await comment.getByTestId('decide-reason').fill('采纳，免费时段延长至早上七点半。');
    await comment.getByTestId('decide-save').click();
    await row.locator('.pa-adopted').first().waitFor();
    await row.getByTestId('conclude-summary').fill('共收到意见 1 条，采纳 1 条。');
    await row.getByTestId('conclude-submit').click();
    await page.getByTestId('manage-note').waitFor();
    assert.deepEqual(page.problems, []);
  });

  await withBrowser(async (browser) => {
    for (const [lang, elder] of [['zh', false], ['zh', true], ['en', false]]) {
      const page = await openPage(browser, { viewport: PHONE, lang, elder });
      await goto(page, `/participate/consultations/${draft.id}`);
      await page.getByTestId('consultation-feedback').waitFor();
      assert.equal(await page.getByTestId('consultation-state').getAttribute('data-state'), 'concluded');
      assert.match(await page.getByTestId('feedback-summary').textContent(), /采纳 1 条/);
      const pub = page.getByTestId('public-comment').first();
      assert.match(await pub.textContent(), /张\*/);
      assert.match(await pub.textContent(), /七点半/);
      assert.match(await pub.getByTestId('decision').textContent(), lang === 'zh' ? /采纳/ : /Adopted/);
      await assertAccessible(page, `consultation feedback ${lang}${elder ? ' elder' : ''}`);
      await screenshot(page, `consultation-feedback-${lang}${elder ? '-elder' : ''}`);
      assert.deepEqual(page.problems, []);
    }
  });
});

test('a survey answered on a phone and its live results', { skip }, async () => {
  const clerk = await signIn('chuangkou');
  const survey = await callApi(clerk, 'POST', '/api/v1/surveys', {
    title: `个体工商户登记服务满意度调查${rand(4)}`,
    description: '请根据最近一次办事的感受作答。',
    closes_at: inDays(7),
    questions: [
      { id: 'q1', kind: 'single', text: '您是通过什么方式办理的？', options: ['网上办理', '窗口办理'], required: true },
      { id: 'q2', kind: 'multiple', text: '哪些环节需要改进？', options: ['材料准备', '排队等候', '进度查询'] },
      { id: 'q3', kind: 'scale', text: '总体满意度', min: 1, max: 5, required: true },
      { id: 'q4', kind: 'text', text: '其他建议' },
    ],
  });
  await callApi(clerk, 'POST', `/api/v1/surveys/${survey.id}/publish`);
  const business = await signIn('qiye');
  await callApi(business, 'POST', `/api/v1/surveys/${survey.id}/responses`, { answers: { q1: '窗口办理', q3: 3 } });

  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: PHONE, user: 'zhangsan', elder: true });
    await goto(page, `/participate/surveys/${survey.id}`);
    await page.getByTestId('survey-form').waitFor();
    await assertAccessible(page, 'survey form elder');
    // Required questions are checked before sending.
    await page.getByTestId('survey-submit').click();
    await page.getByTestId('survey-error').waitFor();
    await page.getByLabel('网上办理').check();
    await page.getByLabel('排队等候').check();
    await page.getByLabel('进度查询').check();
    await page.locator('[data-question=q3]').getByLabel('5', { exact: true }).check();
    await page.locator('[data-question=q4] textarea').fill('希望进度查询能推送短信，我的电话 13912345678');
    await screenshot(page, 'survey-phone-elder');
    await page.getByTestId('survey-submit').click();
    await page.getByTestId('survey-done').waitFor();

    await page.getByTestId('survey-results-link').click();
    await page.waitForURL(new RegExp(`/participate/surveys/${survey.id}/results$`));
    await page.getByTestId('results-count').waitFor();
    assert.equal(await page.getByTestId('results-count').getAttribute('data-count'), '2');
    const q1 = page.locator('[data-testid=result-question][data-question=q1]');
    assert.equal(await q1.locator('[data-testid=result-bar][data-label="网上办理"]').getAttribute('data-count'), '1');
    assert.equal(await q1.locator('[data-testid=result-bar][data-label="窗口办理"]').getAttribute('data-count'), '1');
    assert.match(await page.getByTestId('result-mean').textContent(), /4/);
    const sample = await page.getByTestId('result-sample').first().textContent();
    assert.match(sample, /推送短信/);
    assert.doesNotMatch(sample, /13912345678/);
    await assertAccessible(page, 'survey results elder');
    await screenshot(page, 'survey-results-phone-elder');

    // A second visit says it was answered and offers no form.
    await goto(page, `/participate/surveys/${survey.id}`);
    await page.getByTestId('survey-already').waitFor();
    assert.equal(await page.getByTestId('survey-form').count(), 0);
    assert.deepEqual(page.problems, []);
  });

  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, lang: 'en' });
    await goto(page, `/participate/surveys/${survey.id}/results`);
    await page.getByTestId('results-count').waitFor();
    await assertAccessible(page, 'survey results en');
    assert.deepEqual(page.problems, []);
  });
});

test('an official starts a consultation from a pasted draft and publishes it', { skip }, async () => {
  const title = `养犬管理规定（征求意见稿）${rand(4)}`;
  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, user: 'chuangkou' });
    await goto(page, '/workbench/participation');
    await page.getByTestId('manage-tab-newConsultation').click();
    await page.getByTestId('nc-title').fill(title);
    await page.getByTestId('nc-draft').fill('养犬管理规定\n第一条　为规范养犬行为，制定本规定。\n第二条　携犬出户应当束犬链。\n由成年人牵领。');
    await page.getByTestId('nc-split').click();
    assert.equal(await page.getByTestId('nc-clause').count(), 2);
    await assertAccessible(page, 'manage: new consultation');
    await page.getByTestId('nc-create').click();
    await page.getByTestId('manage-note').waitFor();
    const row = page.getByTestId('manage-consultation').filter({ hasText: title });
    await row.getByTestId('manage-publish').click();
    await row.getByTestId('manage-handle').waitFor();
    await assertAccessible(page, 'manage: consultations');
    assert.deepEqual(page.problems, []);
  });
  const list = await (await fetch(`${process.env.YIWANG_TEST_URL}/api/v1/consultations?state=open&limit=100`)).json();
  const created = list.consultations.find((c) => c.title === title);
  assert.ok(created, 'the published consultation is public');
  assert.equal(created.clause_count, 2);
});
