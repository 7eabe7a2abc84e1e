// The whole journey of issue #5 through the pages only, each person in their own browser window:
// a citizen applies on a phone → the window clerk accepts from the queue → the reviewer approves
// → the approver grants → the clerk completes (办结) → the citizen sees completion and rates it.
// A leader then finds it counted on the cockpit's completed total.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { PHONE, DESKTOP, skip, withBrowser, openPage, goto, signIn, callApi, screenshot } from './web.mjs';

const SOLE_TRADER = '11329900MB0201001000'; // 个体工商户设立登记: scjg's clerk, reviewer and approver
const PDF = { name: '材料.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n') };

async function citizenApplies(browser, businessName) {
  const page = await openPage(browser, { viewport: PHONE, user: 'zhangsan' });
  await goto(page, `/items/${SOLE_TRADER}`);
  await page.getByTestId('guide-apply').first().click();
  await page.waitForURL(`**/apply/${SOLE_TRADER}`);
  await page.getByTestId('apply-form').waitFor();
  await page.waitForLoadState('networkidle');
  await page.getByTestId('field-business_name').fill(businessName);
  await page.getByTestId('field-business_scope').fill('日用百货零售');
  await page.getByTestId('field-address').fill('江宁市秦淮大道1号');
  const phone = page.getByTestId('field-phone');
  if (!(await phone.inputValue())) await phone.fill('13905250000');
  const files = page.getByTestId('material-file');
  for (let i = 0; i < (await files.count()); i += 1) await files.nth(i).setInputFiles(PDF);
  await page.getByTestId('apply-submit').click();
  await page.getByTestId('apply-result').waitFor();
  const caseId = (await page.getByTestId('case-number').textContent()).trim();
  assert.equal(await page.getByTestId('case-state').getAttribute('data-state'), 'submitted');
  await screenshot(page, 'journey-1-applied');
  assert.deepEqual(page.problems, []);
  return { page, caseId };
}

async function officialActs(browser, user, caseId, action, opinion, state, shot) {
  const page = await openPage(browser, { viewport: DESKTOP, user });
  await goto(page, '/workbench');
  const row = page.locator(`[data-testid="queue-row"][data-case-id="${caseId}"]`);
  await row.waitFor();
  await row.locator('[data-testid="queue-open"]').click();
  await page.waitForURL(`**/workbench/cases/${caseId}`);
  await page.locator(`[data-testid="action-${action}"]`).click();
  if (opinion) await page.locator('[data-testid="opinion"]').fill(opinion);
  await page.locator('[data-testid="action-submit"]').click();
  await page.locator(`[data-testid="case-state"][data-state="${state}"]`).waitFor();
  await screenshot(page, shot);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}

test('citizen applies → clerk accepts → reviewer approves → approver grants → clerk completes → citizen rates', { skip }, async () => {
  const businessName = `张三杂货铺${Date.now() % 100000}`;
  await withBrowser(async (browser) => {
    const { page: citizen, caseId } = await citizenApplies(browser, businessName);

    await officialActs(browser, 'chuangkou', caseId, 'accept', '', 'in_review', 'journey-2-accepted');
    await officialActs(browser, 'shencha', caseId, 'approve', '材料齐全，符合法定形式', 'in_review', 'journey-3-reviewed');
    await officialActs(browser, 'juece', caseId, 'grant', '准予个体工商户设立登记', 'granted', 'journey-4-granted');
    await officialActs(browser, 'chuangkou', caseId, 'complete', '', 'completed', 'journey-5-completed');

    await goto(citizen, `/my/cases/${caseId}`);
    await citizen.locator('[data-testid="case-state"][data-state="completed"]').waitFor();
    const actions = await citizen.getByTestId('timeline-step').evaluateAll((els) => els.map((e) => e.dataset.action));
    for (const a of ['submit', 'accept', 'approve', 'grant', 'complete']) assert.ok(actions.includes(a), `${a} in ${actions}`);
    await citizen.getByTestId('rating-form').waitFor();
    await citizen.getByTestId('rating-star-5').click();
    await citizen.getByTestId('rating-comment').fill('网上办理很方便，窗口审核也快');
    await citizen.getByTestId('rating-submit').click();
    await citizen.getByTestId('rating-done').waitFor();
    await screenshot(citizen, 'journey-6-rated');
    assert.deepEqual(citizen.problems, []);

    // What the pages did is what the server holds.
    const me = await signIn('zhangsan');
    const stored = await callApi(me, 'GET', `/api/v1/cases/${caseId}`);
    assert.equal(stored.state, 'completed');
    // The rating is stored: a second one is refused as a conflict.
    await assert.rejects(callApi(me, 'POST', `/api/v1/cases/${caseId}/rating`, { level: 3 }), /409/);
    const history = await callApi(me, 'GET', `/api/v1/cases/${caseId}/history`);
    const byWhom = history.transitions.map((t) => [t.action, t.actor_username || t.actor_id || t.actor]);
    assert.ok(byWhom.length >= 5, JSON.stringify(byWhom));
  });
});
