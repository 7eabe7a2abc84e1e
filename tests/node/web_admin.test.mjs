// Administration pages in headless Chromium, as the demo admin: edit an item and publish a new
// version (checked through the API), a server error shown at its field, the 秒批 dry run, create
// an official with roles and change them, create a department, declare and remove a holiday;
// axe-core on every admin page in normal and 适老化 mode and once in English.
//
// Everything it changes is its own: a copy of a demo item under a fresh code, a fresh user,
// department and a date in a far-future year, so other tests on the same server are unaffected.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  skip, withBrowser, openPage, goto, signIn, callApi, assertAccessible, screenshot, DESKTOP,
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

async function findUser(admin, username) {
  for (let offset = 0; offset < 10000; offset += 200) {
    const { users } = await callApi(admin, 'GET', `/api/v1/users?limit=200&offset=${offset}`);
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

test('admin creates an official with roles, changes them, and creates a department', { skip }, async () => {
  const admin = await signIn('admin');
  const username = `t_off_${stamp}`;
  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: DESKTOP, user: 'admin' });
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

    let user = await findUser(admin, username);
    assert.ok(user, 'the new user is listed');
    assert.equal(user.kind, 'official');
    assert.equal(user.dept_id, 'mzj');
    assert.deepEqual([...user.roles].sort(), ['clerk', 'reviewer']);

    await page.getByTestId(`user-roles-btn-${username}`).click();
    await page.getByTestId('roles-edit-clerk').click();
    await page.getByTestId('roles-edit-approver').click();
    await page.getByTestId('roles-save').click();
    await page.waitForFunction((u) => /决定/.test(document.querySelector(`[data-testid="user-roles-${u}"]`)?.textContent || ''), username);
    user = await findUser(admin, username);
    assert.deepEqual([...user.roles].sort(), ['approver', 'reviewer']);

    await page.getByTestId(`user-unlock-${username}`).click();
    await page.locator('.el-message--success').first().waitFor();
    await screenshot(page, 'admin-users');

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
  const pages = [
    ['home', '/admin', 'admin-card-items'],
    ['items', '/admin/items', 'item-table'],
    ['item', `/admin/items/${item.code}`, 'item-save'],
    ['item-new', '/admin/items/new', 'item-save'],
    ['users', '/admin/users', 'user-table'],
    ['departments', '/admin/departments', 'dept-table'],
    ['calendar', '/admin/calendar', 'cal-declare'],
  ];
  await withBrowser(async (browser) => {
    for (const [lang, elder] of [['zh', false], ['zh', true], ['en', false]]) {
      const page = await openPage(browser, { viewport: DESKTOP, lang, elder, user: 'admin' });
      for (const [name, route, testid] of pages) {
        if (lang === 'en' && !['item', 'home', 'users', 'calendar'].includes(name)) continue;
        await goto(page, route);
        await page.getByTestId(testid).first().waitFor();
        const label = `${name} (${lang}${elder ? ', 适老化' : ''})`;
        await checkA11y(page, label);
        await screenshot(page, `admin-${name}-${lang}${elder ? '-elder' : ''}`);
      }
      if (lang === 'en') {
        await goto(page, `/admin/items/${item.code}`);
        const text = await page.locator('main').innerText();
        assert.match(text, /Publish a new version/);
        assert.doesNotMatch(text, /发布新版本|基本信息/, 'no Chinese interface strings in English mode');
      }
      assert.deepEqual(page.problems, [], label(lang, elder));
    }
  });
  await callApi(admin, 'PUT', `/api/v1/items/${item.code}/active`, { active: false });
});

function label(lang, elder) {
  return `page errors (${lang}${elder ? ', 适老化' : ''})`;
}
