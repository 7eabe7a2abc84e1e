// The soak's mixed load: citizens filing cases and appeals (诉求), officials moving cases, appeals
// and grid events along their workflows, grid supervisors and Open311 clients reporting, and
// readers. Each client is an async loop over its own kept-alive connection; when the server is
// killed they see connection errors and retry until it is back.
//
// A write is *acknowledged* only when the server answered 2xx with the record's id (for appeals
// also a 409 "replayed" naming the appeal a retried Idempotency-Key had filed): the AckBook keeps
// each record's highest acknowledged revision, its state at that revision and the government acts
// (ledger entries) acknowledged on it, and journals every acknowledgement to a JSON-lines file.
import fs from 'node:fs';

import { Client, TransportError } from './http.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- Randomness (seeded, so a run can be repeated) -------------------------------------------

export function rng(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (a) => a[Math.floor(next() * a.length)];
  next.between = (a, b) => a + next() * (b - a);
  return next;
}

// ---- Control: pause for quiet measurements, stop at the end, know when the server is down ----

export class Control {
  constructor() {
    this.paused = false;
    this.stopping = false;
    this.down = false;
    this.generation = 0; // increases at every kill: a request that spans one met the outage
    this.waiters = [];
  }
  // Before each operation: false once the load is to stop; waits while paused.
  async permit() {
    while (this.paused && !this.stopping) await new Promise((r) => this.waiters.push(r));
    return !this.stopping;
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
    this.flush();
  }
  stop() {
    this.stopping = true;
    this.flush();
  }
  flush() {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}

// ---- Bookkeeping -----------------------------------------------------------------------------

export class Stats {
  constructor() {
    this.ops = {};
  }
  of(op) {
    return (this.ops[op] ??= {
      attempts: 0,
      ok: 0,
      http: {},
      refused: 0, // connection refused: the request never reached a server
      in_doubt: 0, // sent, no answer, during an outage: may or may not have been applied
      unexpected_transport: 0, // no answer while no kill happened: a fault to look at
      latency_ms: [],
    });
  }
}

// State order per record kind, for "at least the acknowledged state".
const RANK = {
  case: { submitted: 0, correction: 0, in_review: 1, suspended: 1, granted: 2, denied: 2, not_accepted: 3, withdrawn: 3, completed: 3 },
  appeal: { accepted: 0, dispatched: 1, returned: 1, handling: 2, replied: 3, closed: 4, called_back: 5, rated: 6 },
  grid: { reported: 0, accepted: 1, rejected: 7, registered: 2, dispatched: 3, checking: 4, checked: 5, closed: 6 },
  open311: { open: 0, closed: 1 },
};
export function rank(kind, state) {
  return RANK[kind]?.[state] ?? -1;
}

export class AckBook {
  constructor(journalFile) {
    this.records = new Map(); // "kind:id" → record
    this.count = 0; // acknowledgements (a record acknowledged three times counts three)
    this.byKind = {};
    this.journal = fs.createWriteStream(journalFile, { flags: 'a' });
  }
  // One acknowledged write: `state` and `revision` as the 2xx answer gave them.
  record(kind, id, { state, revision = null, owner, act = null, via = 'answer', op, lifetime }) {
    const key = `${kind}:${id}`;
    let r = this.records.get(key);
    if (!r) {
      r = { kind, id, owner, state, revision, acts: [], first_at: Date.now(), lifetime };
      this.records.set(key, r);
    }
    if (revision === null || r.revision === null || revision >= r.revision) {
      r.state = state;
      r.revision = revision;
    }
    if (act && !r.acts.includes(act)) r.acts.push(act);
    this.count += 1;
    this.byKind[op] = (this.byKind[op] || 0) + 1;
    this.journal.write(`${JSON.stringify({ t: Date.now(), op, kind, id, state, revision, act, via, lifetime })}\n`);
    return r;
  }
  close() {
    return new Promise((r) => this.journal.end(r));
  }
}

// ---- The world the clients act in -------------------------------------------------------------

// Calls the server for operation `op`, keeping the statistics; returns the answer, or null when
// there was none (after a short back-off, so clients do not spin while the server is down).
export async function call(ctx, op, client, method, path, options = {}) {
  const s = ctx.stats.of(op);
  s.attempts += 1;
  const gen = ctx.control.generation;
  const t0 = performance.now();
  try {
    const r = await client.request(method, path, options);
    const ms = performance.now() - t0;
    if (s.latency_ms.length < 20000) s.latency_ms.push(ms);
    else s.latency_ms[ctx.random.int(20000)] = ms;
    s.http[r.status] = (s.http[r.status] || 0) + 1;
    if (r.status >= 200 && r.status < 300) s.ok += 1;
    if (r.status >= 500 && r.status !== 503) ctx.noteServerError(op, method, path, r);
    if (r.status === 503 || r.status === 429) {
      const after = Number(r.headers['retry-after']);
      await sleep(Math.min(Number.isFinite(after) && after > 0 ? after * 1000 : 1000, 5000));
    }
    return r;
  } catch (e) {
    if (!(e instanceof TransportError)) throw e;
    const outage = ctx.control.down || ctx.control.generation !== gen;
    if (e.code === 'ECONNREFUSED') s.refused += 1;
    else if (outage) s.in_doubt += 1;
    else {
      s.unexpected_transport += 1;
      ctx.noteTransport(op, method, path, e);
    }
    await sleep(150 + ctx.random.int(350));
    return null;
  }
}

// GB 11643 citizen id numbers with a valid check character.
export function citizenId(random) {
  const y = 1960 + random.int(40);
  const m = 1 + random.int(12);
  const d = 1 + random.int(28);
  const body = `329902${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(random.int(1000)).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(body[i]) * w[i];
  return body + '10X98765432'[sum % 11];
}

function phone(random) {
  return `139${String(random.int(1e8)).padStart(8, '0')}`;
}

const WORDS = ['门前', '小区', '路口', '菜场', '公园', '学校', '地铁站', '公交站', '河道', '桥下', '广场', '停车场'];
const STREETS = ['秦淮大道', '青溪路', '雨花西街', '栖霞北路', '长干里', '乌衣巷', '白鹭洲路', '龙蟠中路'];
const TOPICS = [
  '路灯晚上不亮，行人看不清路面',
  '夜间施工噪声很大，影响休息',
  '生活垃圾清运不及时，气味难闻',
  '人行道井盖松动，踩上去晃动',
  '绿化带被车辆压坏，泥土外露',
  '下雨后路面积水严重，车辆难行',
  '共享单车乱停放，堵住盲道',
  '小区外墙广告牌松动，担心掉落',
  '公交站台座椅损坏，老人没地方坐',
  '占道经营的摊位越来越多，通行困难',
];

// A form for `item` whose every field is valid (the catalog's rules: catalog/form.cpp).
export function makeForm(item, random, n) {
  const form = {};
  for (const f of item.form) {
    if (!f.required && random() < 0.5) continue;
    const label = f.label_zh || f.name;
    const max = f.max_length || 100;
    switch (f.type) {
      case 'integer': {
        const lo = f.min ?? 1;
        const hi = f.max ?? lo + 20;
        form[f.name] = Math.ceil(lo) + random.int(Math.max(1, Math.floor(hi) - Math.ceil(lo) + 1));
        break;
      }
      case 'number': {
        const lo = f.min ?? 1;
        const hi = f.max ?? lo + 100;
        form[f.name] = Math.round((lo + random() * (hi - lo)) * 100) / 100;
        break;
      }
      case 'boolean':
        form[f.name] = random() < 0.5;
        break;
      case 'date':
        form[f.name] = new Date(Date.now() - random.int(365) * 86400000).toISOString().slice(0, 10);
        break;
      case 'enum':
        form[f.name] = random.pick(f.options);
        break;
      case 'citizen_id':
        form[f.name] = citizenId(random);
        break;
      case 'phone':
        form[f.name] = phone(random);
        break;
      default: // string, text
        form[f.name] = `${label}（浸泡测试 ${n}）`.slice(0, max);
    }
  }
  return form;
}

// The optimistic check of an action: the revision last seen, when one was.
function revisionOf(view) {
  return view.revision == null ? {} : { expected_revision: view.revision };
}

// ---- The clients ------------------------------------------------------------------------------

// Citizens file cases for the items in ctx.items.
async function filer(ctx, client) {
  const { random } = ctx;
  while (await ctx.control.permit()) {
    const who = random.pick(ctx.citizens);
    const item = random.pick(ctx.items);
    const n = ++ctx.seq;
    const r = await call(ctx, 'case.file', client, 'POST', '/api/v1/cases', {
      token: who.token,
      body: { item_code: item.code, form: makeForm(item, random, n) },
    });
    if (r?.status === 201 && r.json?.id) {
      ctx.acks.record('case', r.json.id, { op: 'case.file', state: r.json.state, revision: r.json.revision, owner: who.username, lifetime: ctx.lifetime() });
      // The officials work a bounded set; the other cases stay submitted, as in real queues.
      if (ctx.openCases.size < ctx.pace.workingSet) ctx.openCases.set(r.json.id, caseView(r.json));
    } else if (r && r.status !== 201) ctx.refusal('case.file', r);
    await sleep(ctx.think());
  }
}

function caseView(c) {
  const step = c.current_step >= 0 && c.steps ? c.steps[c.current_step] : null;
  return { state: c.state, revision: c.revision, step: step ? step.kind : null, dept: step?.dept_ids?.[0] };
}

// What happens next to a case in `view`, and who does it (the demo's 市场监管 officials).
function nextCaseAction(view) {
  switch (view.state) {
    case 'submitted':
      return { action: 'accept', by: 'chuangkou', act: 'case.accepted' };
    case 'in_review':
      return view.step === 'decide'
        ? { action: 'grant', by: 'juece', act: 'case.granted' }
        : { action: 'approve', by: 'shencha', act: null };
    case 'granted':
      return { action: 'complete', by: 'chuangkou', act: 'case.completed' };
    default:
      return null;
  }
}

// Officials move the acknowledged cases along: accept → approve → grant → complete, each with
// the revision they saw (expected_revision), so an action that was applied but not answered
// before a kill is not applied twice.
async function caseOfficial(ctx, client) {
  const { random } = ctx;
  while (await ctx.control.permit()) {
    const ids = [...ctx.openCases.keys()];
    if (ids.length === 0) {
      await sleep(200);
      continue;
    }
    // Mostly the older cases, so some cases finish while new ones keep arriving.
    const id = ids[Math.floor(ids.length * random() * random())];
    const view = ctx.openCases.get(id);
    const next = nextCaseAction(view);
    if (!next) {
      ctx.openCases.delete(id);
      continue;
    }
    const official = ctx.officials[next.by];
    const op = `case.${next.action}`;
    const r = await call(ctx, op, client, 'POST', `/api/v1/cases/${id}/actions`, {
      token: official.token,
      body: { action: next.action, opinion: '浸泡测试：同意', ...revisionOf(view) },
    });
    if (r?.status === 200 && r.json?.id === id) {
      ctx.acks.record('case', id, { op, state: r.json.state, revision: r.json.revision, act: next.act, lifetime: ctx.lifetime() });
      ctx.openCases.set(id, caseView(r.json));
    } else if (r && (r.status === 409 || r.status === 412)) {
      // Someone (or an unanswered attempt of ours before a kill) moved it: read it again.
      const g = await call(ctx, 'case.get', client, 'GET', `/api/v1/cases/${id}`, { token: official.token });
      if (g?.status === 200) ctx.openCases.set(id, caseView(g.json));
    } else if (r) {
      ctx.refusal(op, r);
      ctx.openCases.delete(id); // not ours to move (another department's step, …)
    }
    await sleep(ctx.think());
  }
}

// Citizens submit appeals, at most `appealsPerHour` each (the server allows 10 an hour per
// person), with an Idempotency-Key that a retry after a lost answer repeats.
async function appellant(ctx, client) {
  const { random } = ctx;
  while (await ctx.control.permit()) {
    const now = Date.now();
    const ready = ctx.citizens.filter((c) => {
      c.appeals = (c.appeals || []).filter((t) => now - t < 3600000);
      return c.appeals.length < ctx.pace.appealsPerHour;
    });
    if (ready.length === 0) {
      await sleep(1000);
      continue;
    }
    const who = random.pick(ready);
    who.appeals.push(now);
    const n = ++ctx.seq;
    const street = random.pick(STREETS);
    const body = {
      channel: random() < 0.5 ? 'web' : 'mobile',
      type: random.pick(['complaint', 'help', 'suggestion', 'consult']),
      title: `${street}${random.pick(WORDS)}${n}号附近的问题`,
      text: `${street}${100 + random.int(800)}号${random.pick(WORDS)}：${random.pick(TOPICS)}；${random.pick(TOPICS)}。编号${n}-${random.int(1e6)}，请尽快处理。`,
      public_consent: random() < 0.5,
    };
    const key = `soak-${ctx.runId}-${n}`;
    for (let attempt = 0; attempt < 60 && !ctx.control.stopping; attempt += 1) {
      const r = await call(ctx, 'appeal.submit', client, 'POST', '/api/v1/appeals', {
        token: who.token,
        body,
        headers: { 'Idempotency-Key': key },
      });
      if (!r) continue; // no answer: the same key again
      if ((r.status === 201 || r.status === 200) && r.json?.id) {
        ctx.acks.record('appeal', r.json.id, { op: 'appeal.submit', state: r.json.state, revision: r.json.revision, owner: who.username, lifetime: ctx.lifetime(), via: r.json.merged ? 'merged' : 'answer' });
        if (ctx.openAppeals.size < ctx.pace.workingSet) ctx.openAppeals.set(r.json.id, { state: r.json.state, revision: r.json.revision, dept: r.json.dept_id });
      } else if (r.status === 409 && r.json?.code === 'replayed' && r.json.appeal_id) {
        // An earlier attempt was stored, its answer lost in a kill: the server names it.
        ctx.stats.of('appeal.submit').replayed = (ctx.stats.of('appeal.submit').replayed || 0) + 1;
        ctx.acks.record('appeal', r.json.appeal_id, { op: 'appeal.submit', state: 'accepted', revision: null, owner: who.username, lifetime: ctx.lifetime(), via: 'replay' });
        ctx.openAppeals.set(r.json.appeal_id, { state: 'unknown', revision: null });
      } else {
        ctx.refusal('appeal.submit', r);
      }
      break;
    }
    await sleep(ctx.pace.appealGapMs * (0.5 + random()));
  }
}

function nextAppealAction(v) {
  switch (v.state) {
    case 'accepted':
      return { action: 'dispatch', by: 'hotline', extra: { dept_id: 'scjg' } };
    case 'dispatched':
      return v.dept === 'scjg' ? { action: 'receive', by: 'chuangkou' } : null;
    case 'handling':
      return v.dept === 'scjg'
        ? {
            action: 'reply',
            by: 'chuangkou',
            act: 'appeal.replied',
            extra: {
              reply:
                '您好！您反映的问题我局已收到并安排执法人员现场核查，已责令相关单位限期整改，并将持续跟踪复查。如有疑问请拨打0259-12345。感谢您对我们工作的支持。',
              confirm_weak: true,
            },
          }
        : null;
    case 'replied':
      return { action: 'close', by: 'hotline' };
    default:
      return null;
  }
}

// The hotline dispatches appeals to 市场监管, whose clerk receives and replies; the hotline
// closes. An appeal the classifier sent elsewhere is left to that department.
async function appealOfficial(ctx, client) {
  const { random } = ctx;
  while (await ctx.control.permit()) {
    const ids = [...ctx.openAppeals.keys()];
    if (ids.length === 0) {
      await sleep(300);
      continue;
    }
    const id = ids[Math.floor(ids.length * random() * random())];
    let view = ctx.openAppeals.get(id);
    if (view.state === 'unknown') {
      const g = await call(ctx, 'appeal.get', client, 'GET', `/api/v1/appeals/${id}`, { token: ctx.officials.hotline.token });
      if (g?.status === 200) ctx.openAppeals.set(id, (view = { state: g.json.state, revision: g.json.revision, dept: g.json.dept_id }));
      else {
        await sleep(ctx.think());
        continue;
      }
    }
    const next = nextAppealAction(view);
    if (!next) {
      ctx.openAppeals.delete(id);
      continue;
    }
    const op = `appeal.${next.action}`;
    const r = await call(ctx, op, client, 'POST', `/api/v1/appeals/${id}/actions`, {
      token: ctx.officials[next.by].token,
      body: { action: next.action, ...revisionOf(view), ...(next.extra || {}) },
    });
    if (r?.status === 200 && r.json?.id === id) {
      ctx.acks.record('appeal', id, { op, state: r.json.state, revision: r.json.revision, act: next.act, lifetime: ctx.lifetime() });
      ctx.openAppeals.set(id, { state: r.json.state, revision: r.json.revision, dept: r.json.dept_id });
    } else if (r?.status === 409) {
      ctx.openAppeals.set(id, { state: 'unknown', revision: null });
    } else if (r) {
      ctx.refusal(op, r);
      ctx.openAppeals.delete(id);
    }
    await sleep(ctx.think());
  }
}

// Grid supervisors (监督员) report events at points inside the demo district's cells.
const GRID_CLASSES = ['0101', '0103', '0201', '0301', '0405', '0502', '0504'];
function gridPoint(random) {
  const n = random.int(1e6);
  return {
    lon: 118.78 + 0.004 * (n % 10) + 0.001 + 0.00002 * (n % 97),
    lat: 31.95 + 0.004 * (Math.floor(n / 10) % 6) + 0.001 + 0.00002 * (n % 89),
  };
}

async function gridReporter(ctx, client) {
  const { random } = ctx;
  while (await ctx.control.permit()) {
    const who = random.pick(ctx.supervisors);
    const n = ++ctx.seq;
    const r = await call(ctx, 'grid.report', client, 'POST', '/api/v1/grid/events', {
      token: who.token,
      body: {
        source: 'supervisor',
        class_code: random.pick(GRID_CLASSES),
        description: `巡查发现：${random.pick(TOPICS)}（浸泡测试 ${n}）`,
        location: gridPoint(random),
      },
    });
    if (r?.status === 201 && r.json?.id) {
      ctx.acks.record('grid', r.json.id, { op: 'grid.report', state: r.json.state, revision: r.json.revision, owner: who.username, lifetime: ctx.lifetime() });
      if (ctx.openGrid.size < ctx.pace.workingSet) ctx.openGrid.set(r.json.id, { state: r.json.state, revision: r.json.revision, suggested: r.json.suggested_dept });
    } else if (r) ctx.refusal('grid.report', r);
    await sleep(ctx.pace.gridGapMs * (0.5 + random()));
  }
}

function nextGridAction(v) {
  switch (v.state) {
    case 'reported':
      return { action: 'accept', by: 'grid.clerk' };
    case 'accepted':
      return { action: 'register', by: 'grid.chief' };
    case 'registered':
      return { action: 'dispatch', by: 'grid.dispatcher', extra: v.suggested ? { dept_id: v.suggested } : {} };
    default:
      return null;
  }
}

// The grid centre: 受理员 accepts, 值班长 registers (立案), 派遣员 dispatches.
async function gridOfficial(ctx, client) {
  const { random } = ctx;
  while (await ctx.control.permit()) {
    const ids = [...ctx.openGrid.keys()];
    if (ids.length === 0) {
      await sleep(300);
      continue;
    }
    const id = ids[Math.floor(ids.length * random() * random())];
    const view = ctx.openGrid.get(id);
    const next = view.state === 'unknown' ? null : nextGridAction(view);
    if (view.state !== 'unknown' && !next) {
      ctx.openGrid.delete(id);
      continue;
    }
    if (!next) {
      const g = await call(ctx, 'grid.get', client, 'GET', `/api/v1/grid/events/${id}`, { token: ctx.officials['grid.clerk'].token });
      if (g?.status === 200) ctx.openGrid.set(id, { state: g.json.state, revision: g.json.revision, suggested: g.json.suggested_dept });
      await sleep(ctx.think());
      continue;
    }
    const op = `grid.${next.action}`;
    const r = await call(ctx, op, client, 'POST', `/api/v1/grid/events/${id}/actions`, {
      token: ctx.officials[next.by].token,
      body: { action: next.action, ...revisionOf(view), ...(next.extra || {}) },
    });
    if (r?.status === 200 && r.json?.id === id) {
      ctx.acks.record('grid', id, { op, state: r.json.state, revision: r.json.revision, lifetime: ctx.lifetime() });
      ctx.openGrid.set(id, { state: r.json.state, revision: r.json.revision, suggested: r.json.suggested_dept });
    } else if (r?.status === 409) {
      ctx.openGrid.set(id, { state: 'unknown', revision: null });
    } else if (r) {
      ctx.refusal(op, r);
      ctx.openGrid.delete(id);
    }
    await sleep(ctx.think());
  }
}

// Open311 clients (the public, through an app with the demo API key) post service requests, each
// source address within the server's limit of 60 an hour per address.
async function open311Reporter(ctx) {
  const { random } = ctx;
  const clients = ctx.open311Addresses.map((a) => ({ address: a, client: ctx.newClient({ localAddress: a }), sent: [] }));
  while (await ctx.control.permit()) {
    const now = Date.now();
    const ready = clients.filter((c) => {
      c.sent = c.sent.filter((t) => now - t < 3600000);
      return c.sent.length < ctx.pace.open311PerHour;
    });
    if (ready.length === 0 || ctx.services.length === 0) {
      await sleep(1000);
      continue;
    }
    const c = random.pick(ready);
    c.sent.push(now);
    const p = gridPoint(random);
    const n = ++ctx.seq;
    const r = await call(ctx, 'open311.post', c.client, 'POST', '/open311/v2/requests.json', {
      body: {
        api_key: 'yiwang-demo-key',
        service_code: random.pick(ctx.services),
        lat: p.lat,
        long: p.lon,
        address_string: `${random.pick(STREETS)}${100 + random.int(800)}号`,
        description: `${random.pick(TOPICS)}（Open311 浸泡测试 ${n}）`,
      },
    });
    const item = Array.isArray(r?.json) ? r.json[0] : null;
    if (r?.status === 201 && item?.service_request_id) {
      ctx.acks.record('open311', item.service_request_id, { op: 'open311.post', state: 'open', revision: null, lifetime: ctx.lifetime() });
    } else if (r) ctx.refusal('open311.post', r);
    await sleep(ctx.pace.open311GapMs * (0.5 + random()));
  }
}

// Readers: the catalog, case and appeal lists, the public board, grid events, Open311, the
// cockpit, and the transparency ledger's checkpoint and tiles (each checkpoint seen is kept:
// sizes never shrink and one size has one root, across restarts too).
async function reader(ctx, client) {
  const { random } = ctx;
  const reads = [
    [3, 'read.items', () => ['GET', '/api/v1/items?limit=20']],
    [2, 'read.item', () => ['GET', `/api/v1/items/${random.pick(ctx.items).code}`]],
    [3, 'read.my_cases', () => { const c = random.pick(ctx.citizens); return ['GET', '/api/v1/cases?mine=true&limit=20', c.token]; }],
    [2, 'read.dept_cases', () => ['GET', '/api/v1/cases?limit=50', ctx.officials.shencha.token]],
    [2, 'read.case', () => {
      const ids = [...ctx.openCases.keys()];
      return ids.length ? ['GET', `/api/v1/cases/${random.pick(ids)}`, ctx.officials.chuangkou.token] : ['GET', '/api/v1/health'];
    }],
    [2, 'read.appeals', () => ['GET', '/api/v1/appeals?limit=20', ctx.officials.hotline.token]],
    [2, 'read.board', () => ['GET', '/api/v1/appeals/board?limit=20']],
    [2, 'read.grid_events', () => ['GET', '/api/v1/grid/events?limit=20', ctx.officials['grid.clerk'].token]],
    [1, 'read.open311', () => ['GET', '/open311/v2/requests.json']],
    [1, 'read.cockpit', () => ['GET', '/api/v1/cockpit/summary', ctx.officials.jiancha.token]],
    [3, 'read.checkpoint', () => ['GET', '/ledger/checkpoint']],
    [2, 'read.tile', () => ['GET', ctx.lastTilePath() || '/ledger/checkpoint']],
    [2, 'read.health', () => ['GET', '/api/v1/health']],
  ];
  const total = reads.reduce((s, [w]) => s + w, 0);
  while (await ctx.control.permit()) {
    let x = random() * total;
    let chosen = reads[0];
    for (const r of reads) {
      x -= r[0];
      if (x < 0) {
        chosen = r;
        break;
      }
    }
    const [, op, make] = chosen;
    const [method, path, token] = make();
    const t0 = Date.now();
    const r = await call(ctx, op, client, method, path, { token });
    const t1 = Date.now();
    if (r?.status === 200 && path === '/ledger/checkpoint') ctx.sawCheckpoint(r.text, t0, t1, ctx.lifetime());
    if (r?.status === 200 && path === '/api/v1/health' && r.json) ctx.sawEventSeq(r.json.last_event_seq, t0, t1);
    if (r && r.status >= 400 && !(path.startsWith('/ledger/tile') && r.status === 404)) ctx.refusal(op, r);
    await sleep(ctx.think());
  }
}

// Starts every client; returns a promise that settles when all have stopped.
export function startLoad(ctx, mix) {
  const loops = [];
  const add = (n, fn, needsClient = true) => {
    for (let i = 0; i < n; i += 1) {
      const client = needsClient ? ctx.newClient() : null;
      loops.push(fn(ctx, client));
    }
  };
  add(mix.filers, filer);
  add(mix.caseOfficials, caseOfficial);
  add(mix.appellants, appellant);
  add(mix.appealOfficials, appealOfficial);
  add(mix.gridReporters, gridReporter);
  add(mix.gridOfficials, gridOfficial);
  if (mix.open311) loops.push(open311Reporter(ctx));
  add(mix.readers, reader);
  return Promise.all(loops);
}

export { Client };
