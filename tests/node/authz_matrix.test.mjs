// The authorisation matrix (issue #16): every operation in docs/openapi.json, called with no
// token, as each role and as an official of an unrelated department, must answer what the policy
// table beside its routes says (src/<module>/access.tsv; format in docs/authorization.md).
//
// 1. Without a server: every documented operation has exactly one row and every row names a
//    documented operation, so a new route without a policy fails (openapi.test.mjs already forces
//    every served route into openapi.json); anonymous callers are refused with 401 wherever the
//    document asks for a bearer token.
// 2. Against a fresh demo on a throwaway database (ctest passes the binary as YIWANG_BINARY; or
//    YIWANG_TEST_URL and YIWANG_DEMO_ACCOUNTS name a running demo): each identity signs in once,
//    path parameters are filled with real demo objects (a case of department scjg filed by
//    zhangsan, its material, zhangsan's certificate issued by scjg, an appeal, a user, …), writes
//    that take a body carry an empty JSON object (so authorised callers get a validation error
//    and change nothing), and every mismatch is reported at once.
//
// YIWANG_AUTHZ_OBSERVED=FILE writes what the server answered as table rows (to start or review a
// table; never copy it over a table without reading the differences).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import { makeForm, rng } from '../soak/load.mjs';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { maySkip, missingMessage } from './prerequisites.mjs';
import { totpCode } from './totp.mjs';

const root = process.env.YIWANG_SOURCE_DIR ?? new URL('../..', import.meta.url).pathname;
const spec = JSON.parse(fs.readFileSync(path.join(root, 'docs/openapi.json'), 'utf8'));

// The identity columns, in table order, and the demo account each one signs in as.
const IDENTITIES = ['anonymous', 'citizen', 'business', 'clerk', 'reviewer', 'approver', 'supervisor',
  'admin', 'security_admin', 'auditor', 'other_dept'];
const ACCOUNTS = {
  citizen: 'zhangsan', business: 'qiye', clerk: 'chuangkou', reviewer: 'shencha', approver: 'juece',
  supervisor: 'jiancha', admin: 'admin', security_admin: 'anquan', auditor: 'shenji', other_dept: 'gaj.clerk',
};
const PASSWORD = 'yiwang-demo';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const OUTCOME = /^(ok|[1-5]\d\d)$/;

// ---- The tables ------------------------------------------------------------------------------

// Reads every src/*/access.tsv: {rows: [{method, path, expect: {identity: outcome}, finding, file,
// line}], problems: [text]}.
function readTables(srcDir = path.join(root, 'src')) {
  const rows = [];
  const problems = [];
  for (const module of fs.readdirSync(srcDir).sort()) {
    const file = path.join(srcDir, module, 'access.tsv');
    if (!fs.existsSync(file)) continue;
    const where = path.relative(root, file);
    let header = null;
    fs.readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
      const line = i + 1;
      const hash = text.search(/(^|\s)#/);
      const comment = hash < 0 ? '' : text.slice(hash).trim().replace(/^#\s*/, '');
      const content = (hash < 0 ? text : text.slice(0, hash)).replace(/\s+$/, '');
      if (!content) return;
      const fields = content.split('\t');
      if (!header) {
        const want = ['METHOD', 'PATH', ...IDENTITIES];
        if (fields.join('\t') !== want.join('\t')) {
          problems.push(`${where}:${line}: the header must be the columns ${want.join(' ')}`);
        }
        header = fields;
        return;
      }
      if (fields.length !== 2 + IDENTITIES.length) {
        problems.push(`${where}:${line}: ${fields.length} columns, want ${2 + IDENTITIES.length} (tab-separated)`);
        return;
      }
      const [method, route, ...outcomes] = fields;
      const bad = outcomes.filter((o) => !OUTCOME.test(o));
      if (bad.length) problems.push(`${where}:${line}: unknown outcome ${bad.join(', ')} (ok or a status code)`);
      const expect = Object.fromEntries(IDENTITIES.map((id, k) => [id, outcomes[k]]));
      rows.push({ method, path: route, expect, finding: /^FINDING/.test(comment) ? comment : '', file: where, line });
    });
    if (!header) problems.push(`${where}: no header line`);
  }
  return { rows, problems };
}

// The documented operations: [{method, path, signedIn}].
function documentedOperations() {
  const ops = [];
  for (const [route, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const security = op.security ?? spec.security ?? [];
      ops.push({
        method: method.toUpperCase(), path: route, signedIn: security.some((s) => Object.keys(s).length > 0),
        hasBody: Boolean(op.requestBody),
      });
    }
  }
  return ops;
}

const key = (o) => `${o.method} ${o.path}`;

test('every documented operation has exactly one row in a src/*/access.tsv, and every row an operation', () => {
  const { rows, problems } = readTables();
  const documented = new Map(documentedOperations().map((o) => [key(o), o]));
  const seen = new Map();
  for (const r of rows) {
    if (seen.has(key(r))) problems.push(`${r.file}:${r.line}: ${key(r)} has a row already (${seen.get(key(r))})`);
    seen.set(key(r), `${r.file}:${r.line}`);
    if (!documented.has(key(r))) problems.push(`${r.file}:${r.line}: ${key(r)} is not an operation of docs/openapi.json`);
  }
  for (const k of documented.keys()) {
    if (!seen.has(k)) problems.push(`${k}: no row in any src/<module>/access.tsv (add one beside the module's routes)`);
  }
  assert.deepEqual(problems, [], `the policy tables and docs/openapi.json disagree:\n  ${problems.join('\n  ')}`);
});

test('anonymous callers get 401 wherever the document asks for a token, and are let in where it does not', () => {
  const { rows } = readTables();
  const documented = new Map(documentedOperations().map((o) => [key(o), o]));
  const wrong = [];
  for (const r of rows) {
    const op = documented.get(key(r));
    if (!op) continue;
    const anonymous = r.expect.anonymous;
    if (op.signedIn && anonymous !== '401') wrong.push(`${r.file}:${r.line}: ${key(r)} needs a token but anonymous is ${anonymous}`);
    if (!op.signedIn && (anonymous === '401' || anonymous === '403')) {
      wrong.push(`${r.file}:${r.line}: ${key(r)} is public in docs/openapi.json but anonymous is ${anonymous}`);
    }
  }
  assert.deepEqual(wrong, [], wrong.join('\n'));
});

// ---- The server ------------------------------------------------------------------------------

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A demo on a throwaway database (as run-web-tests.sh starts one), or the running one named by
// YIWANG_TEST_URL: {base, accounts (demo-accounts.json), stop()}.
async function startDemo() {
  if (process.env.YIWANG_TEST_URL) {
    const accounts = process.env.YIWANG_DEMO_ACCOUNTS;
    assert.ok(accounts && fs.existsSync(accounts), 'YIWANG_DEMO_ACCOUNTS names the demo-accounts.json of the demo at YIWANG_TEST_URL');
    return { base: process.env.YIWANG_TEST_URL, accounts, stop: async () => {} };
  }
  const binary = process.env.YIWANG_BINARY;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-authz-'));
  const port = await freePort();
  const log = fs.openSync(path.join(work, 'server.log'), 'w');
  const server = spawn(binary, ['demo', '--db', path.join(work, 'demo.db'), '--port', String(port), '--cases', '60',
    '--demo-data', path.join(root, 'data/demo')], { stdio: ['ignore', log, log] });
  let exited = null;
  server.on('exit', (code, signal) => { exited = `${code ?? signal}`; });
  // Should this process end abruptly (a ctest timeout), the demo goes with it.
  process.once('exit', () => exited === null && server.kill('SIGKILL'));
  const stop = async () => {
    if (exited === null) {
      const gone = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await gone;
    }
    fs.closeSync(log);
    if (!process.env.YIWANG_AUTHZ_KEEP) fs.rmSync(work, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 600_000;
  for (;;) {
    if (exited !== null) {
      const tail = fs.readFileSync(path.join(work, 'server.log'), 'utf8').split('\n').slice(-20).join('\n');
      await stop();
      throw new Error(`yiwang demo exited (${exited}) before serving:\n${tail}`);
    }
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error('yiwang demo did not answer /api/v1/health within 10 minutes');
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { base, accounts: path.join(work, 'demo-accounts.json'), stop };
}

// One call: {status, json, text}; `body` (when given) is sent as JSON. Redirects are answers,
// not followed.
async function call(base, token, method, route, body) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${base}${route}`, {
    method, headers, redirect: 'manual', body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a page, a tile, a PDF, XML)
  }
  return { status: response.status, json, text };
}

// Signs `username` in once (officials with a fresh TOTP code from demo-accounts.json): the token.
async function signIn(base, secrets, username) {
  for (let attempt = 0; ; attempt += 1) {
    const body = { username, password: PASSWORD };
    if (secrets.has(username)) body.totp = totpCode(secrets.get(username));
    const r = await call(base, null, 'POST', '/api/v1/auth/login', body);
    if (r.status === 401 && attempt < 2 && String(r.json?.type).endsWith('mfa-invalid')) {
      // This step's code was used already (a replay is refused): wait for the next one.
      await new Promise((resolve) => setTimeout(resolve, 30000 - (Date.now() % 30000) + 200));
      continue;
    }
    assert.equal(r.status, 200, `sign-in as ${username}: ${r.text}`);
    return r.json.token;
  }
}

// ---- Real demo objects for the path parameters -------------------------------------------------

const NONE = 'no-such-object';
// An item of scjg (个体工商户变更登记) a citizen files online without uploads.
const SCJG_ITEM = '11329900MB0201004000';

// The first array in a list answer ({items: […]}, {cases: […]}, …).
function listOf(json) {
  if (Array.isArray(json)) return json;
  for (const v of Object.values(json ?? {})) if (Array.isArray(v)) return v;
  return [];
}

// The objects the probes address, read through the API by identities allowed to read them.
// Whatever cannot be found is NONE (the answers then show it; `notes` says why).
async function findObjects(base, tokens) {
  const notes = [];
  // The answer of the first of `who` (an identity or a list) allowed to read `route`.
  const get = async (who, route) => {
    const statuses = [];
    for (const id of [who].flat()) {
      const r = await call(base, tokens[id], 'GET', route);
      if (r.status === 200) return r.json;
      statuses.push(`${id} ${r.status}`);
    }
    notes.push(`GET ${route}: ${statuses.join(', ')}`);
    return null;
  };
  const staff = ['admin', 'supervisor', 'clerk'];
  const o = { dept: 'scjg', date: '2026-10-01', index: '0', tile: '0/000', subjectType: 'case' };

  // A case zhangsan filed that scjg handles and gaj does not: preferably one of zwfw (the
  // supervisor's and administrators' department) with a joint step of scjg, accepted (so it has
  // a ledger receipt); else one of scjg.
  const mine = listOf(await get('citizen', '/api/v1/cases?limit=100'));
  const depts = (c) => [c.dept_id, ...(c.steps ?? []).flatMap((s) => s.dept_ids ?? [])];
  const rank = (c) => (c.dept_id === 'zwfw' && c.accepted_at ? 0 : c.dept_id === 'zwfw' ? 1 : 2);
  const candidates = mine.filter((c) => depts(c).includes('scjg') && !depts(c).includes('gaj'))
    .sort((a, b) => rank(a) - rank(b));
  let chosen = null;
  for (const c of candidates) {
    const full = await get('citizen', `/api/v1/cases/${c.id}`);
    if (!full) continue;
    chosen ??= full;
    if (full.materials?.some((m) => m.sha256)) {
      chosen = full;
      break;
    }
  }
  if (!chosen) {
    // The demo's cases depend on the day it runs: zhangsan files one of scjg and its clerk
    // accepts it (so it has a ledger receipt).
    const item = await get('citizen', `/api/v1/items/${SCJG_ITEM}`);
    const filed = item && await call(base, tokens.citizen, 'POST', '/api/v1/cases',
      { item_code: SCJG_ITEM, form: makeForm(item, rng(1), 1) });
    if (filed?.status === 201) {
      await call(base, tokens.clerk, 'POST', `/api/v1/cases/${filed.json.id}/actions`, { action: 'accept' });
      chosen = await get('citizen', `/api/v1/cases/${filed.json.id}`);
    } else {
      notes.push(`zhangsan could not file ${SCJG_ITEM}: ${filed?.status} ${filed?.text ?? ''}`);
    }
  }
  if (!chosen) notes.push('zhangsan has no case that scjg handles');
  o.caseId = chosen?.id ?? NONE;
  // A file only zhangsan may read: the case's material, or (the demo's cases have none) one
  // zhangsan uploads now and attaches to nothing.
  o.fileSha = chosen?.materials?.find((m) => m.sha256)?.sha256;
  if (!o.fileSha) {
    const r = await fetch(`${base}/api/v1/files`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.citizen}`, 'Content-Type': 'application/pdf' },
      body: '%PDF-1.4\n% authorisation matrix probe\n%%EOF\n',
    });
    const text = await r.text();
    if (r.status !== 201) notes.push(`POST /api/v1/files as citizen: ${r.status} ${text}`);
    o.fileSha = r.status === 201 ? JSON.parse(text).sha256 : '0'.repeat(64);
  }
  o.itemCode = chosen?.item_code ?? listOf(await get('citizen', '/api/v1/items?limit=1'))[0]?.code ?? NONE;
  o.itemVersion = String(chosen?.item_version ?? 1);

  // An inbox message of the supervisor's (only its owner may mark it read: the row's `ok`).
  o.inboxId = listOf(await get('supervisor', '/api/v1/inbox'))[0]?.id ?? NONE;
  // Rectification tasks: whether the demo's ratings opened one of scjg depends on the day it runs,
  // so the probe names none (every official is told 404); who may close one is ratings_test's.
  o.rectificationId = NONE;

  // zhangsan's certificate issued by scjg (the wallet), its type and status list.
  const wallet = listOf(await get('citizen', '/api/v1/wallet/certificates'));
  const cert = wallet.find((c) => c.dept_id === 'scjg') ?? wallet[0];
  if (!cert) notes.push('zhangsan holds no certificate');
  o.certificateId = cert?.identifier ?? NONE;
  o.certificateType = cert?.type_code ?? listOf(await get('citizen', '/api/v1/certificate-types'))[0]?.code ?? NONE;
  o.statusList = String(cert?.status_list?.id ?? NONE);

  // The users: citizen01 (a bystander: resetting its second factor or unlocking it harms nobody).
  o.userId = NONE;
  for (let offset = 0; o.userId === NONE; offset += 200) {
    const users = listOf(await get('security_admin', `/api/v1/users?limit=200&offset=${offset}`));
    if (!users.length) break;
    o.userId = users.find((u) => u.username === 'citizen01')?.id ?? NONE;
  }

  // An appeal of zhangsan's to scjg when there is one, else one of someone else's to scjg.
  const appeals = listOf(await get('citizen', '/api/v1/appeals?limit=200'))
    .concat(listOf(await get('supervisor', '/api/v1/appeals?limit=200')));
  o.appealId = (appeals.find((a) => a.dept_id === 'scjg') ?? appeals[0])?.id ?? NONE;
  o.limitType = listOf(await get(staff, '/api/v1/appeals/limits'))[0]?.type ?? 'complaint';

  // Participation: a consultation with a comment, a survey.
  const consultations = listOf(await get('citizen', '/api/v1/consultations'));
  o.consultationId = consultations[0]?.id ?? NONE;
  o.commentId = NONE;
  for (const c of consultations) {
    const comments = listOf(await get('admin', `/api/v1/consultations/${c.id}/comments`));
    if (comments.length) {
      o.consultationId = c.id;
      o.commentId = comments[0].id;
      break;
    }
  }
  o.surveyId = listOf(await get('citizen', '/api/v1/surveys'))[0]?.id ?? NONE;
  // A publication review of scjg when the demo's texts left one (else the probe names none).
  o.reviewId = listOf(await get('clerk', '/api/v1/disclosure/reviews'))[0]?.id ?? NONE;

  // The grid and sensors, as staff see them.
  const cell = listOf(await get(staff, '/api/v1/grid/cells'))[0]; // GeoJSON features
  o.cellCode = cell?.properties?.code ?? cell?.code ?? NONE;
  o.componentCode = listOf(await get(staff, '/api/v1/grid/components?limit=1'))[0]?.code ?? NONE;
  const gridClass = listOf(await get(staff, '/api/v1/grid/classes'))[0];
  o.classKind = gridClass?.kind ?? 'event';
  o.classCode = gridClass?.code ?? NONE;
  // A grid event neither zhangsan nor qiye reported (a reporter sees their own).
  const applicants = [(await get('citizen', '/api/v1/me'))?.id, (await get('business', '/api/v1/me'))?.id];
  o.gridEventId = listOf(await get(staff, '/api/v1/grid/events?limit=50'))
    .find((e) => !applicants.includes(e.reporter_user_id))?.id ?? NONE;
  o.sensorId = listOf(await get(staff, '/api/v1/iot/sensors'))[0]?.id ?? NONE;
  o.ruleKind = listOf(await get(staff, '/api/v1/iot/rules'))[0]?.kind ?? NONE;

  // Models of the classifier, documents of the assistant (administration reads).
  o.modelVersion = String(listOf(await get('admin', '/api/v1/ai/models'))[0]?.version ?? 1);
  o.documentId = listOf(await get('admin', '/api/v1/assistant/documents'))[0]?.id ?? NONE;

  // Open311: a service and a public request.
  o.serviceCode = listOf((await call(base, null, 'GET', '/open311/v2/services.json')).json)[0]?.service_code ?? NONE;
  o.requestId = listOf((await call(base, null, 'GET', '/open311/v2/requests.json')).json)[0]?.service_request_id ?? NONE;
  return { objects: o, notes };
}

// The path of `route` with its parameters filled in from the demo objects.
function fill(route, o) {
  const param = (name) => {
    const under = (prefix) => route.startsWith(prefix);
    switch (name) {
      case 'id':
        if (under('/api/v1/cases/')) return o.caseId;
        if (under('/api/v1/inbox/')) return o.inboxId;
        if (under('/api/v1/rectifications/')) return o.rectificationId;
        if (under('/api/v1/users/')) return o.userId;
        if (under('/api/v1/assistant/documents/')) return o.documentId;
        if (under('/api/v1/appeals/')) return o.appealId;
        if (under('/api/v1/consultations/')) return o.consultationId;
        if (under('/api/v1/surveys/')) return o.surveyId;
        if (under('/api/v1/grid/events/')) return o.gridEventId;
        if (under('/api/v1/iot/sensors/')) return o.sensorId;
        if (under('/api/v1/status-lists/')) return o.statusList;
        if (under('/api/v1/disclosure/')) return o.reviewId;
        break;
      case 'code':
        if (under('/api/v1/items/')) return o.itemCode;
        if (under('/api/v1/certificate-types/')) return o.certificateType;
        if (under('/api/v1/grid/cells/')) return o.cellCode;
        if (under('/api/v1/grid/components/')) return o.componentCode;
        if (under('/api/v1/grid/classes/')) return o.classCode;
        break;
      case 'kind':
        return under('/api/v1/iot/') ? o.ruleKind : o.classKind;
      case 'version':
        return under('/api/v1/ai/') ? o.modelVersion : o.itemVersion;
      case 'file':
        if (under('/open311/v2/services/')) return `${o.serviceCode}.json`;
        if (under('/open311/v2/requests/')) return `${o.requestId}.json`;
        return `${NONE}.json`;
      case 'path...': return o.tile;
      case 'identifier': return o.certificateId;
      case 'sha256': return o.fileSha;
      case 'dept': return o.dept;
      case 'date': return o.date;
      case 'index': return o.index;
      case 'type': return o.limitType;
      case 'comment_id': return o.commentId;
      case 'subject_type': return o.subjectType;
      case 'subject_id': return o.caseId;
      default:
    }
    throw new Error(`${route}: no demo object for the parameter {${name}} (add one in fill())`);
  };
  return route.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(param(name)).replace(/%2F/g, '/'));
}

// Query parameters an operation checks before it comes to who calls it: without them every
// caller would get 400 and the probe would say nothing about authority (each such row notes it).
const QUERIES = {
  'GET /api/v1/audit/export': () => `?from=${daysAgo(1)}&to=${daysAgo(0)}`,
  'GET /api/v1/grid/indicators': () => `?by=dept&from=${daysAgo(30)}&to=${daysAgo(0)}`,
  'GET /api/v1/wallet/matches': (o) => `?item_code=${encodeURIComponent(o.itemCode)}`,
  // Open311 submissions carry the client's key (the spec's own credential, apart from the
  // platform's identities the rows are about); the empty body is then refused as bad input.
  'POST /open311/v2/requests.json': () => '?api_key=yiwang-demo-key',
  'POST /open311/v2/requests.xml': () => '?api_key=yiwang-demo-key',
};

function daysAgo(n) {
  return new Date(Date.now() + 8 * 3600_000 - n * 86400_000).toISOString().slice(0, 10); // Beijing date
}

function matches(expected, status) {
  if (expected === 'ok') return status < 500 && status !== 401 && status !== 403;
  return status === Number(expected);
}

// Runs `jobs` (functions returning promises) at most `width` at a time.
async function pool(jobs, width) {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: width }, async () => {
    while (queue.length) await queue.shift()();
  }));
}

const binaryMissing = !process.env.YIWANG_TEST_URL && !process.env.YIWANG_BINARY &&
  'YIWANG_BINARY is not set (ctest passes the yiwang binary; or set YIWANG_TEST_URL and YIWANG_DEMO_ACCOUNTS for a running demo)';

test('every operation answers each identity as its policy row says', { skip: maySkip && binaryMissing, timeout: 900_000 }, async () => {
  assert.ok(!binaryMissing, binaryMissing && missingMessage(binaryMissing));
  const { rows, problems } = readTables();
  assert.deepEqual(problems, []);
  const started = Date.now();
  const demo = await startDemo();
  try {
    const seeded = Date.now();
    const secrets = new Map(JSON.parse(fs.readFileSync(demo.accounts, 'utf8')).map((a) => [a.username, a.totp_secret]));
    const tokens = { anonymous: null };
    await Promise.all(Object.entries(ACCOUNTS).map(async ([id, username]) => {
      tokens[id] = await signIn(demo.base, secrets, username);
    }));
    const { objects, notes } = await findObjects(demo.base, tokens);
    console.log(`# demo objects: ${JSON.stringify(objects)}`);
    for (const n of notes) console.log(`# note: ${n}`);

    // Reads run side by side; writes one at a time in table order, each identity in column order,
    // so that what one write changes is the same on every run; signing out comes last. An
    // operation that takes a body gets `{}`; one that takes none gets none (and acts: such
    // actions are harmless on the throwaway demo).
    const withBody = new Set(documentedOperations().filter((o) => o.hasBody).map(key));
    const got = new Map();
    const probe = (row, id) => async () => {
      const body = withBody.has(key(row)) ? {} : undefined;
      const query = QUERIES[key(row)]?.(objects) ?? '';
      const r = await call(demo.base, tokens[id], row.method, fill(row.path, objects) + query, body);
      got.set(`${key(row)} ${id}`, r);
    };
    const reads = rows.filter((r) => r.method === 'GET');
    const logout = rows.filter((r) => key(r) === 'POST /api/v1/auth/logout');
    const writes = rows.filter((r) => r.method !== 'GET' && !logout.includes(r));
    await pool(reads.flatMap((row) => IDENTITIES.map((id) => probe(row, id))), 8);
    for (const row of [...writes, ...logout]) for (const id of IDENTITIES) await probe(row, id)();

    const mismatches = [];
    const observed = [];
    for (const row of rows) {
      const statuses = IDENTITIES.map((id) => got.get(`${key(row)} ${id}`).status);
      observed.push([row.method, row.path, ...statuses].join('\t'));
      IDENTITIES.forEach((id, k) => {
        if (matches(row.expect[id], statuses[k])) return;
        const r = got.get(`${key(row)} ${id}`);
        const why = r.status >= 400 ? ` (${r.json?.detail ?? r.json?.title ?? r.text.slice(0, 80)})` : '';
        mismatches.push(`${key(row)}  ${id}: expected ${row.expect[id]}, got ${statuses[k]}${why}  [${row.file}:${row.line}]`);
      });
    }
    if (process.env.YIWANG_AUTHZ_OBSERVED) fs.writeFileSync(process.env.YIWANG_AUTHZ_OBSERVED, `${observed.join('\n')}\n`);
    console.log(`# ${rows.length} operations × ${IDENTITIES.length} identities = ${got.size} calls; ` +
      `demo ready in ${((seeded - started) / 1000).toFixed(1)} s, probes in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
    for (const r of rows.filter((x) => x.finding)) console.log(`# ${key(r)}: ${r.finding}`);
    assert.deepEqual(mismatches, [], `${mismatches.length} answers differ from the policy tables:\n  ${mismatches.join('\n  ')}`);
  } finally {
    await demo.stop();
  }
});
