// 公开审核 (publication review, /workbench/disclosure) in headless Chromium. The test makes its own
// held texts through the API: zhangsan (or a fresh citizen, see heldAppeal) files consented
// appeals whose text holds a digit run the redaction cannot classify; the hotline sends them to
// the market regulator (scjg) — through the classifier, by hand, or by return and arbitration
// when the classifier chose another department — and the demo clerk chuangkou (scjg) replies,
// which puts them on the public board, withheld, and in scjg's review queue. Then, as chuangkou:
// - on a 375 px phone: withholding without a reason is refused on the page; the draft is edited
//   and published; the board shows the edited text instead of the withheld marker;
// - on a desktop: a decision made stale by a colleague's (409) says so and reloads the list; a
//   text is withheld with a reason, which the withheld tab shows with who (a colleague by name)
//   and when; the board keeps the marker; then the decision is changed — the withheld text edited
//   and published — and the board shows it;
// - an official of a department without reviews sees the empty state; axe-core in normal and
//   适老化 mode, Chinese and English; no page errors, no horizontal scrolling on the phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  skip, base, withBrowser, openPage, goto, signIn, rememberSecret, afterClassifier, assertAccessible, screenshot, password, DESKTOP,
} from './web.mjs';

const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
const NARROW = { width: 375, height: 812 };
const DEPT = 'scjg';
const CLERK = 'chuangkou';
const WITHHELD = '内容待审核后公开 / withheld pending review';
const digits = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');
// Matters far apart, so that none is merged into another (same appellant), each with a digit run
// the redaction cannot classify (`run`: it stays in the draft).
const MATTERS = [
  { title: '网购商品退款迟迟不到账', text: (run) => `在网店买的电饭煲有质量问题，商家同意退款但一个月了还没到账，单号 ${run}，联系电话13812345678，请市场监管部门督促商家尽快退款。` },
  { title: '健身房转让后拒认会员卡', text: (run) => `健身房换了老板以后不认原来的会员卡，要求补交两千元才能继续使用，会员编号 ${run}，希望有关部门查处这种行为。` },
  { title: '理发店充值后突然关门', text: (run) => `小区门口的理发店上个月让大家充值办卡，现在突然关门，老板联系不上，收据编号 ${run}，请帮忙追回预付款。` },
];

async function request(session, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(session ? { Authorization: `Bearer ${session.token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, json, text };
}

let seq = 0;
// Accounts are the security administrator's to create (三员分立).
async function account(body) {
  seq += 1;
  const username = `dr${RUN}${seq}`;
  const r = await request(await signIn('anquan'), 'POST', '/api/v1/users', { username, password, ...body });
  assert.equal(r.status, 201, `create ${username}: ${r.text}`);
  if (r.json.second_factor) rememberSecret(username, r.json.second_factor.secret);
  return username;
}
const officials = new Map();
async function official(dept, roles = ['clerk']) {
  const key = `${dept}/${roles}`;
  if (!officials.has(key)) officials.set(key, await account({ kind: 'official', display_name: `审核测试${seq}`, dept_id: dept, roles }));
  return signIn(officials.get(key));
}

async function act(session, id, body) {
  const r = await request(session, 'POST', `/api/v1/appeals/${id}/actions`, body);
  assert.ok(r.status < 300, `${body.action} ${id}: ${r.status} ${r.text}`);
  return r.json;
}

// Files a consented appeal as zhangsan, brings it to scjg and has chuangkou reply. When zhangsan
// is over the hourly limit (the other page tests file as him too) or the appeal is merged into
// his earlier one (a rerun against the same server), a fresh citizen files it instead.
async function heldAppeal(matter, run) {
  const body = { channel: 'web', type: 'complaint', title: `${matter.title}（${RUN}）`, text: matter.text(run), location: '江宁市秦淮区', public_consent: true };
  let filed = await request(await signIn('zhangsan'), 'POST', '/api/v1/appeals', body);
  if (filed.status === 429 || filed.json?.merged) {
    const citizen = await account({ kind: 'citizen', display_name: '审核测试', id_number: idNumber(seq) });
    filed = await request(await signIn(citizen), 'POST', '/api/v1/appeals', body);
  }
  assert.equal(filed.status, 201, `file ${body.title}: ${filed.text}`);
  const id = filed.json.id;
  const hotline = await official('12345');
  const seen = await afterClassifier(hotline, id);
  if (seen.state === 'accepted') {
    await act(hotline, id, { action: 'dispatch', dept_id: DEPT, reason: '市场监管事项' });
  } else if (seen.dept_id !== DEPT) {
    // The classifier chose another department: it returns the appeal, the hotline arbitrates.
    await act(await official(seen.dept_id), id, { action: 'return', reason: '属于市场监管职责' });
    await act(hotline, id, { action: 'arbitrate', dept_id: DEPT, reason: '市场监管事项' });
  }
  const clerk = await signIn(CLERK);
  await act(clerk, id, { action: 'receive' });
  await act(clerk, id, {
    action: 'reply',
    reply: '您好：您反映的问题已收悉。经核查，情况属实，我局已约谈商家并责令限期整改。如有疑问请拨打12345热线联系我们。',
    confirm_weak: true,
  });
  return id;
}

// A valid GB 11643 citizen ID number: 17 digits and the check character.
function idNumber(n) {
  const body = `320102198${n % 10}0101${String(100 + (Date.now() % 900)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

async function boardEntry(id) {
  const r = await request(null, 'GET', `/api/v1/appeals/board?dept_id=${DEPT}&limit=100`);
  assert.equal(r.status, 200, r.text);
  const entry = r.json.appeals.find((a) => a.id === id);
  assert.ok(entry, `${id} is on the board`);
  return entry;
}

// The review of `id`'s text in `state`, waiting a little for it to appear.
async function reviewOf(session, id, state = 'pending') {
  for (let i = 0; ; i += 1) {
    for (let offset = 0; ; offset += 100) {
      const r = await request(session, 'GET', `/api/v1/disclosure/reviews?state=${state}&limit=100&offset=${offset}`);
      assert.equal(r.status, 200, `reviews as ${session.user.username}: ${r.text}`);
      const found = r.json.reviews.find((x) => x.subject_id === id && x.surface === 'appeal.text');
      if (found) return found;
      if (offset + 100 >= r.json.total) break;
    }
    assert.ok(i < 20, `no ${state} review of ${id}'s text`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// Once for the file: a failed setup fails every test without filing again.
let prepared = null;
const setup = () => (prepared ??= prepare());
async function prepare() {
  // Unbroken runs of 24 digits: longer than any card or ID number, so redact cannot classify them.
  // (A grouped run such as "7731 9920 0417 55" is taken for a card number and replaced.)
  const runs = MATTERS.map(() => `${1 + Math.floor(Math.random() * 9)}${digits(23)}`);
  const ids = [];
  for (const [i, m] of MATTERS.entries()) ids.push(await heldAppeal(m, runs[i]));
  for (const id of ids) assert.equal((await boardEntry(id)).text, WITHHELD, `${id}'s text is withheld on the board`);
  const clerk = await signIn(CLERK);
  for (const id of ids) assert.equal((await reviewOf(clerk, id)).dept_id, DEPT);
  return { ids, runs, clerk };
}

// The item of `id`'s text on the page's `tab` once loaded, loading further pages until it shows.
async function itemOf(page, id, tab = 'pending') {
  const item = page.locator(`[data-testid="review-item"][data-subject="${id}"][data-surface="appeal.text"]`);
  await page.locator(`[data-testid="disclosure-page"][data-tab="${tab}"][data-loading="false"]`).waitFor();
  assert.equal(await page.getByTestId('disclosure-error').count(), 0, 'the list loads');
  for (let i = 0; !(await item.count()); i += 1) {
    assert.ok(i < 20 && (await page.getByTestId('disclosure-more').count()), `${id} is on the ${tab} list`);
    const shown = await page.getByTestId('review-item').count();
    await page.getByTestId('disclosure-more').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="review-item"]').length > n, shown);
  }
  return item;
}

// Element Plus's messages fade in and out, and axe measures their contrast mid-fade: wait until
// they are gone before checking the page.
async function quiet(page) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 15_000 });
}

async function noSideScroll(page, label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${label}: ${overflow}px wider than the screen`);
}

test('on a phone: a withheld appeal text is edited and published, and the board shows it', { skip, timeout: 300_000 }, async () => {
  const { ids: [id], runs: [run], clerk } = await setup();
  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: NARROW, user: CLERK });
    await goto(page, '/workbench/disclosure');
    assert.equal((await page.locator('h1').textContent()).trim(), '公开审核');
    assert.equal(await page.getByTestId('disclosure-tab-pending').getAttribute('aria-pressed'), 'true');
    const nav = page.locator('nav a[href="/workbench/disclosure"]');
    assert.equal((await nav.textContent()).trim(), '公开审核');
    const item = await itemOf(page, id);
    assert.equal((await item.getByTestId('review-surface').textContent()).trim(), '诉求内容');
    assert.equal((await item.getByTestId('review-subject').textContent()).trim(), id);
    assert.match(await item.getByTestId('review-held-at').textContent(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.equal(await item.locator('[data-kind="unclassified_number"]').count(), 1, 'the unclassifiable number is named');
    assert.match(await item.locator('[data-kind="phone"]').textContent(), /电话/);
    const draft = await item.getByTestId('review-text').inputValue();
    assert.ok(draft.includes(run) && draft.includes('[电话]') && !draft.includes('13812345678'), `the draft: ${draft}`);
    await item.getByTestId('review-numbers').waitFor();
    await noSideScroll(page, 'pending list (375 px)');
    await assertAccessible(page, 'publication review (phone)');
    await screenshot(page, 'disclosure-1-pending-phone');

    // Withholding needs a reason: refused on the page, nothing sent.
    await item.getByTestId('review-withhold').click();
    await item.getByTestId('review-reason-error').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'review-reason');
    assert.equal((await reviewOf(clerk, id)).state, 'pending');

    // Edited and published, from the keyboard.
    const edited = draft.replace(run, '（单号已隐去）');
    await item.getByTestId('review-text').fill(edited);
    assert.equal(await item.getByTestId('review-numbers').count(), 0, 'no long number left');
    await item.getByTestId('review-publish').focus();
    await page.keyboard.press('Enter');
    await item.waitFor({ state: 'detached' });
    assert.match(await page.getByTestId('disclosure-status').textContent(), /已公开/);
    await screenshot(page, 'disclosure-2-published-phone');

    const review = await reviewOf(clerk, id, 'published');
    // The server passes the text through the redaction once more: nothing in it is personal, so
    // it is published as edited.
    assert.equal(review.published_text, edited.trim());
    assert.equal(review.decided_by, clerk.user.id);
    assert.ok(review.revision >= 1);
    const entry = await boardEntry(id);
    assert.notEqual(entry.text, WITHHELD, 'the board no longer withholds the text');
    assert.equal(entry.text, review.published_text, 'the board shows the edited text');
    assert.ok(!entry.text.includes(run));

    // The published tab: the text, who and when.
    await page.getByTestId('disclosure-tab-published').click();
    await page.waitForURL('**/workbench/disclosure?state=published');
    const done = await itemOf(page, id, 'published');
    assert.equal((await done.getByTestId('review-published-text').textContent()).trim(), review.published_text.trim());
    assert.match(await done.getByTestId('review-decided-by').textContent(), /本人/);
    await noSideScroll(page, 'published list (375 px)');
    await quiet(page);
    await assertAccessible(page, 'published list (phone)');
    assert.deepEqual(page.problems, []);
  });
});

test('on a desktop: a stale decision reloads the list; a text is withheld with a reason', { skip, timeout: 300_000 }, async () => {
  const { ids: [, id, raced], runs: [, run], clerk } = await setup();
  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, user: CLERK });
    await goto(page, '/workbench/disclosure');
    const item = await itemOf(page, id);
    const racedItem = await itemOf(page, raced);
    await assertAccessible(page, 'publication review (desktop)');
    await screenshot(page, 'disclosure-3-pending-desktop');

    // Another official of scjg decides first: the page's decision is stale (409), says so and
    // reloads the list, without the raced review.
    const colleague = await official(DEPT, ['reviewer']);
    const before = await reviewOf(colleague, raced);
    const first = await request(colleague, 'POST', `/api/v1/disclosure/reviews/${before.id}/decision`, { decision: 'withhold', reason: '涉及他人信息', revision: before.revision });
    assert.equal(first.status, 200, first.text);
    await racedItem.getByTestId('review-publish').click();
    await page.getByTestId('disclosure-status').filter({ hasText: '已由他人处理' }).waitFor();
    await racedItem.waitFor({ state: 'detached' });
    await page.locator('[data-testid="disclosure-page"][data-loading="false"]').waitFor();
    assert.equal(await item.count(), 1, 'the other review is still there');
    const stale = await request(clerk, 'POST', `/api/v1/disclosure/reviews/${before.id}/decision`, { decision: 'publish', text: '过期的决定', revision: before.revision });
    assert.equal(stale.status, 409, `a stale revision is refused: ${stale.text}`);

    // Withheld with a reason.
    const reason = '含有会员编号，删去后无法说明诉求';
    await item.getByTestId('review-reason').fill(reason);
    await item.getByTestId('review-withhold').click();
    await item.waitFor({ state: 'detached' });
    assert.match(await page.getByTestId('disclosure-status').textContent(), /不予公开/);
    const review = await reviewOf(clerk, id, 'withheld');
    assert.equal(review.reason, reason);
    assert.equal(review.decided_by, clerk.user.id);

    // The withheld tab: the reasons, who and when; the board keeps the marker.
    await page.getByTestId('disclosure-tab-withheld').click();
    const withheld = await itemOf(page, id, 'withheld');
    assert.equal((await withheld.getByTestId('review-reason-text').textContent()).trim(), reason);
    assert.match(await withheld.getByTestId('review-decided-by').textContent(), /本人/);
    const other = await itemOf(page, raced, 'withheld');
    assert.equal((await other.getByTestId('review-reason-text').textContent()).trim(), '涉及他人信息');
    assert.doesNotMatch(await other.getByTestId('review-decided-by').textContent(), /本人/);
    // The colleague is named, not shown as an account id.
    const racedReview = await reviewOf(clerk, raced, 'withheld');
    assert.ok(racedReview.decided_by_name, `the decider's name: ${JSON.stringify(racedReview)}`);
    assert.equal((await other.getByTestId('review-decided-by').textContent()).trim(), racedReview.decided_by_name);
    assert.equal((await boardEntry(id)).text, WITHHELD);
    assert.equal((await boardEntry(raced)).text, WITHHELD);
    await quiet(page);
    await assertAccessible(page, 'withheld list (desktop)');
    await screenshot(page, 'disclosure-4-withheld-desktop');

    // The decision changed: the withheld text is edited and published after all. It leaves the
    // withheld list, and the board shows it.
    const reconsider = withheld.getByTestId('review-reconsider');
    await reconsider.locator('summary').click();
    const box = reconsider.getByTestId('review-text');
    const draft = await box.inputValue();
    assert.ok(draft.includes(run), `the reconsidered text starts from the draft: ${draft}`);
    const edited = draft.replace(run, '（编号已隐去）');
    await box.fill(edited);
    await reconsider.getByTestId('review-publish').click();
    await withheld.waitFor({ state: 'detached' });
    assert.match(await page.getByTestId('disclosure-status').textContent(), /决定已更新/);
    const published = await reviewOf(clerk, id, 'published');
    assert.equal(published.published_text, edited.trim());
    assert.equal((await boardEntry(id)).text, published.published_text);
    assert.deepEqual(page.problems, []);
  });
});

test('a department without reviews sees the empty state; axe in 适老化 mode and English', { skip, timeout: 300_000 }, async () => {
  await setup();
  const dept = `dr${RUN}`;
  const made = await request(await signIn('admin'), 'POST', '/api/v1/departments', { id: dept, name: `公开审核测试部门${RUN}` });
  assert.equal(made.status, 201, made.text);
  const username = await account({ kind: 'official', display_name: '空队列', dept_id: dept, roles: ['reviewer'] });
  await withBrowser(async (browser) => {
    for (const [lang, elder, viewport] of [['zh', true, NARROW], ['en', false, DESKTOP], ['en', true, NARROW]]) {
      const label = `empty review list ${lang}${elder ? ' 适老化' : ''}`;
      const page = await openPage(browser, { viewport, lang, elder, user: username });
      await goto(page, '/workbench/disclosure');
      const empty = page.getByTestId('disclosure-empty');
      await empty.waitFor();
      assert.equal((await empty.textContent()).trim(), lang === 'zh' ? '暂无待审核内容' : 'Nothing waiting for review');
      assert.equal(await page.getByTestId('disclosure-count').getAttribute('data-total'), '0');
      await assertAccessible(page, label);
      if (viewport === NARROW) await noSideScroll(page, label);
      assert.deepEqual(page.problems, [], label);
      await page.context().close();
    }
    // chuangkou's withheld list (the reviews the tests above withheld) in 适老化 mode and English.
    for (const [lang, elder, viewport] of [['zh', true, NARROW], ['en', false, DESKTOP]]) {
      const label = `review list as ${CLERK} ${lang}${elder ? ' 适老化' : ''}`;
      const page = await openPage(browser, { viewport, lang, elder, user: CLERK });
      await goto(page, '/workbench/disclosure?state=withheld');
      await page.locator('[data-testid="disclosure-page"][data-tab="withheld"][data-loading="false"]').waitFor();
      await assertAccessible(page, label);
      if (viewport === NARROW) await noSideScroll(page, label);
      if (elder) await screenshot(page, 'disclosure-5-elder');
      assert.deepEqual(page.problems, [], label);
      await page.context().close();
    }
  });
});
