// Helpers for the web app's browser tests (web_*.test.mjs): pages in phone or desktop size, in
// Chinese or English and in normal or 适老化 mode; signing in; axe-core accessibility checks;
// screenshots kept as test artifacts (YIWANG_SCREENSHOT_DIR).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launch, skip as noBrowser } from './browser.mjs';
import { totpCode } from './totp.mjs';
import { maySkip, prerequisite } from './prerequisites.mjs';

export { maySkip };
export const base = process.env.YIWANG_TEST_URL;
// A missing browser or server fails the test files (prerequisites.mjs); with
// YIWANG_TESTS_MAY_SKIP=1 their tests are skipped instead.
export const skip = noBrowser || prerequisite(!base &&
  'YIWANG_TEST_URL is not set (tests/node/run-web-tests.sh starts a demo and sets it; ctest runs that as web_browser)');
export const password = 'yiwang-demo';
export const shotDir = process.env.YIWANG_SCREENSHOT_DIR || path.join(os.tmpdir(), 'yiwang-screenshots');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };
export const WALL = { width: 1920, height: 1080 };

// Runs `body(browser)` with a fresh Chromium that is closed whatever happens (a browser left
// running keeps node waiting forever).
export async function withBrowser(body) {
  const browser = await launch();
  try {
    return await body(browser);
  } finally {
    await browser.close();
  }
}

// A page with the visitor's preferences preset (lang 'zh'|'en', elder true|false) and, when
// `user` is given, already signed in as that demo account. Page errors are collected in
// page.problems; tests assert it stays empty.
export async function openPage(browser, { viewport = DESKTOP, lang = 'zh', elder = false, user = null } = {}) {
  const context = await browser.newContext({ viewport, locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
  let session = null;
  if (user) session = await signIn(user);
  await context.addInitScript(
    ({ lang, elder, session }) => {
      localStorage.setItem('yiwang.lang', lang);
      localStorage.setItem('yiwang.elder', elder ? '1' : '0');
      if (session && !sessionStorage.getItem('yiwang.token')) {
        sessionStorage.setItem('yiwang.token', session.token);
        sessionStorage.setItem('yiwang.user', JSON.stringify(session.user));
      }
    },
    { lang, elder, session },
  );
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(e.message));
  return page;
}

// Second factors: the demo's officials from demo-accounts.json (YIWANG_DEMO_ACCOUNTS, set by
// run-web-tests.sh), and officials a test creates (rememberSecret with the secret the create
// answer hands over once).
const secrets = new Map();
if (process.env.YIWANG_DEMO_ACCOUNTS && fs.existsSync(process.env.YIWANG_DEMO_ACCOUNTS)) {
  for (const a of JSON.parse(fs.readFileSync(process.env.YIWANG_DEMO_ACCOUNTS, 'utf8'))) {
    secrets.set(a.username, a.totp_secret);
  }
}
export function rememberSecret(username, secret) {
  secrets.set(username, secret);
}

// RFC 6238 codes (totp.mjs).
export { totpCode };

// Sessions of accounts with a second factor are kept for the run (a file shared by the test
// processes, YIWANG_TEST_SESSIONS): a code signs in once, so signing in again within the same
// 30 seconds would have to wait for the next one.
const sessionsFile = process.env.YIWANG_TEST_SESSIONS;
function keptSessions() {
  try {
    return sessionsFile ? JSON.parse(fs.readFileSync(sessionsFile, 'utf8')) : {};
  } catch {
    return {};
  }
}

// Logs in through the API: {token, user}.
export async function signIn(username, pass = password) {
  const secret = secrets.get(username);
  if (secret && keptSessions()[username]) return keptSessions()[username];
  for (let attempt = 0; ; attempt += 1) {
    const body = { username, password: pass };
    if (secret) body.totp = totpCode(secret);
    const response = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const reply = await response.json();
    if (response.status === 401 && secret && attempt < 2 && String(reply.type).endsWith('mfa-invalid')) {
      // This step's code was used already: the next step brings a new one.
      await new Promise((resolve) => setTimeout(resolve, 30000 - (Date.now() % 30000) + 200));
      continue;
    }
    assert.equal(response.status, 200, `login as ${username}: ${JSON.stringify(reply)}`);
    if (secret && sessionsFile) fs.writeFileSync(sessionsFile, JSON.stringify({ ...keptSessions(), [username]: reply }));
    return reply;
  }
}

// Calls the API as `session` (from signIn): parsed JSON, or throws with the problem text.
export async function callApi(session, method, apiPath, body) {
  const response = await fetch(`${base}${apiPath}`, {
    method,
    headers: { Authorization: `Bearer ${session.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${apiPath}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// An appeal once the AI dispatcher has seen it: dispatched by the classifier, or still accepted
// with its suggestion recorded for the human dispatcher. The classifier follows the event stream
// in the background, so a test that dispatches by hand waits for it first; a dispatch that loses
// that race is rightly refused with 409. Stops waiting after `ms` (a server without a model).
export async function afterClassifier(session, id, ms = 20000) {
  const until = Date.now() + ms;
  for (;;) {
    const got = await callApi(session, 'GET', `/api/v1/appeals/${id}`);
    const appeal = got.appeal || got;
    const seen = appeal.state !== 'accepted' || appeal.suggested_confidence != null;
    if (seen || Date.now() > until) return appeal;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function goto(page, route) {
  await page.goto(`${base}${route}`);
  await page.waitForLoadState('networkidle');
}

// axe-core with the WCAG 2.1 A/AA rules: fails on any serious or critical violation.
export async function assertAccessible(page, label) {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.equal(bad.length, 0, `${label}: accessibility violations\n  ${report.join('\n  ')}`);
}

export async function screenshot(page, name) {
  fs.mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true });
}
