// Administration pages in headless Chromium, split among the three administrators (三员分立):
// the system administrator (admin) edits an item and publishes a new version (checked through the
// API), sees a server error at its field, dry-runs the 秒批 rules, creates a department, declares
// and removes a holiday, and is not offered the users page; the security administrator (anquan)
// creates an official with roles, changes them and disables the account, cannot change their own
// roles, and is refused a second administrator role on one account; the audit administrator (shenji) reads the audit
// trail, sees the hash chain verified and downloads an export. axe-core on every admin page in
// normal and 适老化 mode and once in English, the audit page on a phone too.
//
// Everything it changes is its own: a copy of a demo item under a fresh code, a fresh user,
// department and a date in a far-future year, so other tests on the same server are unaffected.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import fs from 'node:fs';

import {
  skip, withBrowser, openPage, goto, signIn, callApi, assertAccessible, screenshot, DESKTOP, PHONE, base,
} from './web.mjs';

const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`.toLowerCase();
// A demo item with a form, a workflow and 秒批 rules (高龄津贴申领).
const SOURCE_ITEM = '11329900MB0505001000';

let made = 0;
async function makeTestItem(admin) {
  made += 1;
  const source = await callApi(admin, 'GET', `/api/v1/items/${SOURCE_ITEM}`);
  const { version, item_type_name, published_at, published_at_ms, ...doc } = source;
  doc.code = `T${stamp}${made}`.toUpperCase().slice(0, 24);
  doc.name = `测试事项 ${stamp}-${made}`;
  const created = await callApi(admin, 'POST', '/api/v1/items', doc);
  assert.equal(created.version, 1);
  return created;
}

async function findUser(security, username) {
  for (let offset = 0; offset < 10000; offset += 200) {
    const { users } = await callApi(security, 'GET', `/api/v1/users?limit=200&offset=${offset}`);
    const user = users.find((u) => u.username === username);
    if (user || users.length < 200) return user ?? null;
  }
  return null;
}

// axe after moving the pointer off the page: a hovered Element Plus button is drawn in the
// lighter primary colour, which the theme does not darken (see the report).
async function checkA11y(page, label) {
  await page.mouse.move(0, 0);
  await assertAccessible(page, label);
}

// A valid 18-digit citizen ID (GB 11643 check digit) born on `birth` (YYYYMMDD).
function citizenId(birth) {
  const body = `329902${birth}123`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((acc, c, i) => acc + Number(c) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

// The text input of a field, whether the test id landed on the input itself (el-input) or on
// its wrapper (el-input-number, el-date-picker).
function inputOf(page, testid) {
  return page.locator(`:is(input, textarea)[data-testid="${testid}"], [data-testid="${testid}"] :is(input, textarea)`);
}

// Picks an option of an Element Plus select by its visible text.
async function choose(page, testid, text) {
  await page.locator(`[data-testid="${testid}"]`).first().click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
  // The list fades out after the choice; on a loaded machine it can still cover the next field.
  const open = page.locator('.el-select-dropdown:visible');
  if (await open.count()) await page.keyboard.press('Escape');
  await open.first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
}

test('admin edits an item, dry-runs its rules and publishes a new version', { skip }, async () => {
  const admin = await signIn('admin');
  const item = await makeTestItem(admin);
  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, user: 'admin' });
    await goto(page, `/admin/items/${item.code}`);
    await page.getByTestId('item-version').waitFor();
    assert.match(await page.getByTestId('item-version').innerText(), /1/);

    // A promised limit above the statutory one: the server's error shows at that field.
    const promised = inputOf(page, 'f-promised_limit');
    await promised.fill('99');
    await promised.press('Tab');
    await page.getByTestId('item-save').click();
    await page.getByTestId('save-error').waitFor();
    const fieldError = page.locator('[data-path="/promised_limit"] .adm-error');
    await fieldError.waitFor();
    assert.match(await fieldError.innerText(), /承诺时限/);
    await screenshot(page, 'admin-item-error');

    // A valid change: a shorter promised limit and a new FAQ.
    const newLimit = item.promised_limit > 1 ? item.promised_limit - 1 : 1;
    await promised.fill(String(newLimit));
    await promised.press('Tab');
    await page.getByTestId('faq-add').click();
    const question = `测试问题 ${stamp}？`;
    await inputOf(page, 'faq-question').last().fill(question);
    await inputOf(page, 'faq-answer').last().fill('测试回答。');

    // A rule without an id is caught before anything is sent.
    const rulesBefore = await page.getByTestId('rule-row').count();
    await page.getByTestId('rule-add').click();
    await page.getByTestId('item-save').click();
    const ruleError = page.locator(`[data-path="/instant_rules/rules/${rulesBefore}/id"] .adm-error`);
    await ruleError.waitFor();
    await page.getByTestId('rule-row').last().getByRole('button', { name: /删除/ }).first().click();
    assert.equal(await page.getByTestId('rule-row').count(), rulesBefore);

    await page.getByTestId('item-save').click();
    await page.waitForFunction(() => /第 2 版/.test(document.querySelector('[data-testid="item-version"]')?.textContent || ''));
    await checkA11y(page, 'item editor');
    await screenshot(page, 'admin-item-edit');

    const saved = await callApi(admin, 'GET', `/api/v1/items/${item.code}`);
    assert.equal(saved.version, 2);
    assert.equal(saved.promised_limit, newLimit);
    assert.equal(saved.faqs.length, item.faqs.length + 1);
    assert.equal(saved.faqs.at(-1).question, question);
    // Everything else came through the editor unchanged.
    for (const k of ['form', 'workflow', 'materials', 'instant_rules', 'legal_basis', 'service_objects', 'handling_forms', 'hours']) {
      assert.deepEqual(saved[k], item[k], k);
    }
    const v1 = await callApi(admin, 'GET', `/api/v1/items/${item.code}/versions/1`);
    assert.equal(v1.promised_limit, item.promised_limit);

    // Dry run of the published rules: an 85-year-old local passes, a 70-year-old fails on age.
    await inputOf(page, 'dry-form-applicant_name').fill('测试老人');
    await inputOf(page, 'dry-form-id_number').fill(citizenId('19400101'));
    await inputOf(page, 'dry-form-phone').fill('13800138000');
    await inputOf(page, 'dry-form-bank_name').fill('测试银行');
    await inputOf(page, 'dry-form-bank_account').fill('6222020200112233');
    await inputOf(page, 'dry-age').fill('85');
    await inputOf(page, 'dry-division').fill('329902');
    await inputOf(page, 'dry-open').fill('0');
    await page.getByTestId('dry-run').click();
    await page.getByTestId('dry-run-result').waitFor();
    assert.match(await page.getByTestId('dry-run-verdict').innerText(), /秒批/);
    assert.match(await page.getByTestId('outcome-age').innerText(), /通过/);
    await inputOf(page, 'dry-age').fill('70');
    await inputOf(page, 'dry-age').press('Tab');
    await page.getByTestId('dry-run').click();
    await page.waitForFunction(() => /未通过/.test(document.querySelector('[data-testid="outcome-age"]')?.textContent || ''));
    assert.match(await page.getByTestId('outcome-residence').innerText(), /通过/);
    await screenshot(page, 'admin-item-dryrun');

    // Version history shows the old promised limit as a difference.
    await choose(page, 'version-pick', 'v1');
    await page.getByTestId('version-load').click();
    await page.getByTestId('version-changed').waitFor();
    assert.match(await page.getByTestId('version-changed').innerText(), /承诺办结时限/);

    // Withdraw the test item from the list, which also keeps it out of the public portal.
    await goto(page, '/admin/items');
    await inputOf(page, 'item-search').fill(item.name);
    await inputOf(page, 'item-search').press('Enter');
    const toggle = page.getByTestId(`item-active-${item.code}`);
    await toggle.waitFor();
    await toggle.click();
    await page.locator('.el-message--success').first().waitFor();
    const withdrawn = await callApi(admin, 'GET', `/api/v1/items/${item.code}`);
    assert.equal(withdrawn.active, false);
    await screenshot(page, 'admin-items-withdrawn');

    assert.deepEqual(page.problems, []);
  });
});

test('the security administrator creates an official with roles and changes them, never their own', { skip }, async () => {
  const security = await signIn('anquan');
  const username = `t_off_${stamp}`;
  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, user: 'anquan' });
    await goto(page, '/admin');
    // The overview offers the security administrator their one section.
    await page.getByTestId('admin-card-users').waitFor();
    assert.equal(await page.getByTestId('admin-card-items').count(), 0);
    assert.equal(await page.getByTestId('admin-card-audit').count(), 0);

    await goto(page, '/admin/users');
    await page.getByTestId('user-new').click();
    await inputOf(page, 'user-username').fill(username);
    await inputOf(page, 'user-password').fill('Test-pass-2024!');
    await inputOf(page, 'user-display').fill(`测试审查员 ${stamp}`);
    await choose(page, 'user-dept', '民政局');
    await page.getByTestId('user-role-reviewer').click();
    await checkA11y(page, 'create-user dialog');
    await page.getByTestId('user-create').click();
    // The official's second factor is shown once, to hand over (once the create dialog has gone:
    // a fading dialog fails the contrast check).
    await page.getByTestId('user-dialog').waitFor({ state: 'hidden' });
    const secret = (await page.getByTestId('factor-secret').textContent()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await checkA11y(page, 'second-factor dialog');
    await page.getByTestId('factor-close').click();
    await page.getByTestId(`user-roles-${username}`).waitFor();

    let user = await findUser(security, username);
    assert.ok(user, 'the new user is listed');
    assert.equal(user.kind, 'official');
    assert.equal(user.dept_id, 'mzj');
    assert.deepEqual([...user.roles].sort(), ['clerk', 'reviewer']);

    await page.getByTestId(`user-roles-btn-${username}`).click();
    await page.getByTestId('roles-edit-clerk').click();
    await page.getByTestId('roles-edit-approver').click();
    await page.getByTestId('roles-save').click();
    await page.waitForFunction((u) => /决定/.test(document.querySelector(`[data-testid="user-roles-${u}"]`)?.textContent || ''), username);
    user = await findUser(security, username);
    assert.deepEqual([...user.roles].sort(), ['approver', 'reviewer']);

    // Two administrator roles on one account: the page warns, the server refuses, its message shows.
    await page.getByTestId(`user-roles-btn-${username}`).click();
    await page.getByTestId('roles-edit-admin').click();
    await page.getByTestId('roles-edit-auditor').click();
    await page.getByTestId('roles-clash').waitFor();
    await page.getByTestId('roles-save').click();
    await page.getByTestId('roles-error').waitFor();
    assert.ok((await page.getByTestId('roles-error').innerText()).trim().length > 0, 'the server says why');
    user = await findUser(security, username);
    assert.deepEqual([...user.roles].sort(), ['approver', 'reviewer'], 'refused roles are not stored');
    await page.keyboard.press('Escape');

    await page.getByTestId(`user-unlock-${username}`).click();
    await page.locator('.el-message--success').first().waitFor();
    await screenshot(page, 'admin-users');

    // Disabled after a confirmation: the list and the server say so.
    await page.getByTestId(`user-active-${username}`).click();
    await page.getByTestId('confirm-ok').click();
    await page.waitForFunction((u) => /已停用/.test(document.querySelector(`[data-testid="user-status-${u}"]`)?.textContent || ''), username);
    user = await findUser(security, username);
    assert.equal(user.active, false);

    // Their own row offers no role change.
    await inputOf(page, 'user-filter').fill('anquan');
    await page.getByTestId('user-self-anquan').waitFor();
    assert.equal(await page.getByTestId('user-roles-btn-anquan').count(), 0);
    assert.deepEqual(page.problems, []);
  });
});

test('the system administrator creates a department and is not offered the users', { skip }, async () => {
  const admin = await signIn('admin');
  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, user: 'admin' });
    await goto(page, '/admin');
    await page.getByTestId('admin-card-items').waitFor();
    assert.equal(await page.getByTestId('admin-card-users').count(), 0, 'no users card');
    assert.equal(await page.getByTestId('admin-nav-users').count(), 0, 'no users link');
    assert.equal(await page.getByTestId('admin-nav-audit').count(), 0, 'no audit link');
    // Typed in by hand, the users page sends the system administrator back to the overview.
    await goto(page, '/admin/users');
    await page.waitForURL((url) => url.pathname === '/admin' && url.searchParams.get('denied') === '1');

    // A department in a division picked from the division list.
    await goto(page, '/admin/departments');
    const deptId = `t-${stamp}`;
    await inputOf(page, 'dept-id').fill(deptId);
    await inputOf(page, 'dept-name').fill(`测试局 ${stamp}`);
    await choose(page, 'dept-division', '青溪区');
    await page.getByTestId('dept-create').click();
    await page.locator('.el-message--success').first().waitFor();
    const depts = (await callApi(admin, 'GET', '/api/v1/departments')).departments;
    const dept = depts.find((d) => d.id === deptId);
    assert.ok(dept, 'department created');
    assert.equal(dept.division_code, '329902');
    await screenshot(page, 'admin-departments');
    assert.deepEqual(page.problems, []);
  });
});

test('the audit administrator reads the trail, sees it verified and exports it', { skip }, async () => {
  const auditor = await signIn('shenji');
  // Something fresh in the trail to find: the system administrator withdraws a test item.
  const admin = await signIn('admin');
  const item = await makeTestItem(admin);
  await callApi(admin, 'PUT', `/api/v1/items/${item.code}/active`, { active: false });
  const integrity = await callApi(auditor, 'GET', '/api/v1/audit/integrity');
  assert.equal(integrity.verified, true, JSON.stringify(integrity));

  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, user: 'shenji' });
    await goto(page, '/admin');
    await page.getByTestId('admin-card-audit').waitFor();
    assert.equal(await page.getByTestId('admin-card-items').count(), 0);
    assert.equal(await page.getByTestId('admin-card-users').count(), 0);
    assert.equal(await page.getByTestId('admin-nav-users').count(), 0);

    await page.getByTestId('admin-card-audit').click();
    await page.waitForURL((url) => url.pathname === '/admin/audit');
    await page.locator('[data-testid^="audit-row-"]').first().waitFor();
    await page.getByTestId('audit-verified').waitFor();
    assert.match(await page.getByTestId('audit-verified').innerText(), /校验通过/);
    assert.match(await page.getByTestId('audit-checked').innerText(), /\d/);
    assert.match(await page.getByTestId('audit-head').innerText(), /^[0-9a-f]{8}…[0-9a-f]{8}$/);

    // Only the events of the test item.
    await inputOf(page, 'audit-subject-id').fill(item.code);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes(`subject_id=${item.code}`)),
      page.getByTestId('audit-search').click(),
    ]);
    const found = (await answer.json()).events;
    assert.ok(found.every((e) => e.subject_id === item.code), 'only the item\'s events');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="audit-row-"]').length === n, found.length);
    const types = await page.locator('[data-testid^="audit-row-"]').allInnerTexts();
    assert.ok(types.includes('item.published') && types.includes('item.deactivated'), `the item's creation and withdrawal (${types.join(', ')})`);
    await checkA11y(page, 'audit page');
    await screenshot(page, 'admin-audit');

    // The export of the default range (the last 30 days) downloads NDJSON with the chain hashes.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    assert.match(download.suggestedFilename(), /^audit-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.ndjson$/);
    const lines = fs.readFileSync(await download.path(), 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.length > 0, 'the export holds events');
    const last = JSON.parse(lines.at(-1));
    assert.ok(last.seq > 0 && typeof last.type === 'string', 'an event per line');
    assert.ok(typeof last.prev === 'string' && typeof last.chain === 'string', 'with its prev and chain hashes');
    assert.ok(lines.some((l) => JSON.parse(l).subject_id === item.code), 'the fresh events are exported');
    assert.deepEqual(page.problems, []);

    // The export answers only with the bearer token.
    const anonymous = await fetch(`${base}/api/v1/audit/export?from=2020-01-01&to=2020-01-02`);
    assert.equal(anonymous.status, 401);

    // On a phone, in 适老化 mode.
    const phone = await openPage(browser, { viewport: PHONE, elder: true, user: 'shenji' });
    await goto(phone, '/admin/audit');
    await phone.locator('[data-testid^="audit-row-"]').first().waitFor();
    await phone.getByTestId('audit-verified').waitFor();
    await checkA11y(phone, 'audit page (phone, 适老化)');
    await screenshot(phone, 'admin-audit-phone-elder');
    assert.deepEqual(phone.problems, []);
  });
});

test('admin declares a holiday in a future year and removes it', { skip }, async () => {
  const admin = await signIn('admin');
  // A Wednesday in a far-future year nobody else uses.
  const year = 2100 + Math.floor(Math.random() * 90);
  let date = '';
  for (let d = 10; d < 17 && !date; d++) {
    const candidate = `${year}-06-${d}`;
    if (new Date(`${candidate}T00:00:00Z`).getUTCDay() === 3) date = candidate;
  }
  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, user: 'admin' });
    await goto(page, '/admin/calendar');
    const input = inputOf(page, 'cal-date').first();
    await input.click();
    await input.fill(date);
    await input.press('Enter');
    await inputOf(page, 'cal-note').fill(`测试假日 ${stamp}`);
    await page.getByTestId('cal-declare').click();
    await page.getByTestId(`cal-day-${date}`).waitFor();
    let cal = await callApi(admin, 'GET', `/api/v1/calendar?year=${year}`);
    assert.deepEqual(cal.days.find((d) => d.date === date), { date, kind: 'holiday' });
    await screenshot(page, 'admin-calendar-declared');

    await page.getByTestId(`cal-remove-${date}`).click();
    await page.getByTestId(`cal-day-${date}`).waitFor({ state: 'detached' });
    cal = await callApi(admin, 'GET', `/api/v1/calendar?year=${year}`);
    assert.equal(cal.days.find((d) => d.date === date), undefined);
    assert.deepEqual(page.problems, []);
  });
});

test('admin pages pass axe in normal, 适老化 and English mode', { skip }, async () => {
  const admin = await signIn('admin');
  const item = await makeTestItem(admin);
  // Each page as the administrator whose it is (三员分立).
  const pages = [
    ['home', '/admin', 'admin-card-items', 'admin'],
    ['items', '/admin/items', 'item-table', 'admin'],
    ['item', `/admin/items/${item.code}`, 'item-save', 'admin'],
    ['item-new', '/admin/items/new', 'item-save', 'admin'],
    ['users', '/admin/users', 'user-table', 'anquan'],
    ['departments', '/admin/departments', 'dept-table', 'admin'],
    ['calendar', '/admin/calendar', 'cal-declare', 'admin'],
    ['audit', '/admin/audit', 'audit-table', 'shenji'],
  ];
  await withBrowser(async (browser) => {
    for (const [lang, elder] of [['zh', false], ['zh', true], ['en', false]]) {
      const tabs = {};
      for (const user of ['admin', 'anquan', 'shenji']) tabs[user] = await openPage(browser, { viewport: DESKTOP, lang, elder, user });
      for (const [name, route, testid, user] of pages) {
        if (lang === 'en' && !['item', 'home', 'users', 'calendar', 'audit'].includes(name)) continue;
        const page = tabs[user];
        await goto(page, route);
        await page.getByTestId(testid).first().waitFor();
        const label = `${name} (${lang}${elder ? ', 适老化' : ''})`;
        await checkA11y(page, label);
        await screenshot(page, `admin-${name}-${lang}${elder ? '-elder' : ''}`);
      }
      if (lang === 'en') {
        const page = tabs.admin;
        await goto(page, `/admin/items/${item.code}`);
        const text = await page.locator('main').innerText();
        assert.match(text, /Publish a new version/);
        assert.doesNotMatch(text, /发布新版本|基本信息/, 'no Chinese interface strings in English mode');
        await goto(tabs.shenji, '/admin/audit');
        await tabs.shenji.getByTestId('audit-verified').waitFor();
        assert.doesNotMatch(await tabs.shenji.locator('main').innerText(), /审计日志|校验通过|导出/, 'the audit page in English');
      }
      for (const page of Object.values(tabs)) assert.deepEqual(page.problems, [], label(lang, elder));
    }
  });
  await callApi(admin, 'PUT', `/api/v1/items/${item.code}/active`, { active: false });
});

function label(lang, elder) {
  return `page errors (${lang}${elder ? ', 适老化' : ''})`;
}

// #17: staff menus wrapped into two rows (supervisor) and three (admin in English) at 1366 px.
test('staff menus stay on one row at 1366 px in both languages', { skip }, async () => {
  await withBrowser(async (browser) => {
    for (const user of ['admin', 'jiancha']) {
      for (const lang of ['zh', 'en']) {
        const page = await openPage(browser, { viewport: DESKTOP, user, lang });
        await goto(page, '/');
        await page.locator('.yw-nav-link').first().waitFor();
        const nav = await page.evaluate(() => {
          const links = [...document.querySelectorAll('.yw-nav-link')];
          const el = document.querySelector('.yw-nav');
          return {
            rows: new Set(links.map((l) => Math.round(l.getBoundingClientRect().top))).size,
            links: links.length,
            hidden: el.scrollWidth - el.clientWidth,
          };
        });
        assert.equal(nav.rows, 1, `${user} (${lang}): ${nav.links} links on one row`);
        assert.ok(nav.hidden <= 1, `${user} (${lang}): every link in view (${nav.hidden}px hidden)`);
        await screenshot(page, `staff-menu-${user}-${lang}`);
        await page.context().close();
      }
    }
  });
});
