#!/usr/bin/env node
// Soak test (issue #16, item 9; docs/soak.md): mixed load against a real `yiwang serve` for a
// long time, SIGKILL of the server every few minutes and a restart, and at the end: nothing
// acknowledged is lost, the transparency ledger verifies from outside, memory and file handles
// are flat, and the server's log has no failure other than the kills.
//
// usage: node tests/soak/soak.mjs --binary build/yiwang [--seconds N] [--dir DIR] [--report FILE]
//                                  [--seed N] [--keep] [--postgres CONNINFO]
//   --seconds N   length of the load (env YIWANG_SOAK_SECONDS; default 300)
//   --binary F    the yiwang binary (env YIWANG_BINARY)
//   --dir DIR     working directory: database, server logs, journal (default: a fresh temp dir)
//   --report F    the JSON report (default soak-report.json in the current directory)
//   --seed N      seed of the load's randomness (default: time-based)
//   --keep        keep DIR (default: kept when the soak fails, removed when it passes)
//   --postgres C  run on PostgreSQL: C is the libpq conninfo of a cluster (env
//                 YIWANG_SOAK_POSTGRES); the soak creates a database of its own there
// env: YIWANG_SOURCE_DIR (the checkout, for data/demo), YIWANG_LEDGERVERIFY (the Go verifier,
// optional). Exit status 0 when every check passed, 1 otherwise, 2 on bad usage.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client, inflight } from './http.mjs';
import { CheckpointWatch, LedgerVerifier, edgeTilePath, parseCheckpoint } from './ledger.mjs';
import { AckBook, Control, Stats, rng, sleep, startLoad } from './load.mjs';
import { FD_SLACK, analyse } from './metrics.mjs';
import { Server } from './server.mjs';
import { totpCode } from '../node/totp.mjs';
import { verifyActsLogged, verifyAcknowledged } from './verify.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

// ---- Options ----------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = {
    seconds: Number(process.env.YIWANG_SOAK_SECONDS || 300),
    binary: process.env.YIWANG_BINARY || '',
    dir: '',
    report: '',
    seed: Date.now() % 2147483647,
    keep: false,
    source: process.env.YIWANG_SOURCE_DIR || path.resolve(here, '../..'),
    goVerifier: process.env.YIWANG_LEDGERVERIFY || '',
    postgres: process.env.YIWANG_SOAK_POSTGRES || '',
  };
  for (let i = 2; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      i += 1;
      return argv[i];
    };
    if (a === '--seconds') o.seconds = Number(value());
    else if (a === '--binary') o.binary = value();
    else if (a === '--dir') o.dir = value();
    else if (a === '--report') o.report = value();
    else if (a === '--seed') o.seed = Number(value());
    else if (a === '--keep') o.keep = true;
    else if (a === '--postgres') o.postgres = value();
    else if (a === '--help' || a === '-h') usage(null);
    else usage(`unknown option ${a}`);
  }
  if (!o.binary) usage('--binary (or YIWANG_BINARY) is required');
  if (!Number.isFinite(o.seconds) || o.seconds < 60) usage('--seconds must be at least 60');
  // No check passes by skipping (README): a named Go verifier that is not there fails the run,
  // unless YIWANG_TESTS_MAY_SKIP=1 allows going on with the own verifier only.
  if (o.goVerifier && !fs.existsSync(o.goVerifier)) {
    const what = `the Go ledger verifier ${o.goVerifier} (YIWANG_LEDGERVERIFY) is missing: install golang-go and golang-golang-x-mod-dev (scripts/install-deps.sh) and build`;
    if (process.env.YIWANG_TESTS_MAY_SKIP !== '1') {
      console.error(`soak: ${what}; YIWANG_TESTS_MAY_SKIP=1 runs without it`);
      process.exit(1);
    }
    console.log(`# YIWANG_TESTS_MAY_SKIP=1: ${what}; the own verifier only`);
    o.goVerifier = '';
  }
  return o;
}

function usage(message) {
  const text = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(6, 19).map((l) => l.replace(/^\/\/ ?/, ''));
  if (message) console.error(`soak: ${message}`);
  console.error(text.join('\n'));
  process.exit(message ? 2 : 0);
}

// The schedule, scaled to the length of the run: kills every few minutes in an hour (150–330 s
// apart), proportionally more often in shorter runs; the last quarter (at least a minute, or
// half of a run under two minutes) runs without kills, so the last lifetime is long enough to
// judge memory within it.
function plan(seconds) {
  const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, x));
  const finalS = Math.max(0.25 * seconds, Math.min(60, 0.5 * seconds));
  const gapMin = clamp(seconds / 24, 20, 150);
  return {
    seconds,
    kill_window_s: seconds - finalS,
    kill_gap_s: [gapMin, 2.2 * gapMin],
    restart_delay_s: [0.2, 2],
    warmup_s: clamp(seconds / 30, 8, 60),
    probe_every_s: clamp(seconds / 15, 15, 120),
    sample_every_s: seconds > 900 ? 5 : 2,
    verify_every_s: clamp(seconds / 10, 20, 120),
  };
}

function execFileP(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, (error, stdout, stderr) => (error ? reject(new Error(`${file}: ${stderr || error.message}`)) : resolve(stdout)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function signIn(client, username, secret) {
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const body = { username, password: 'yiwang-demo' };
    if (secret) body.totp = totpCode(secret);
    const r = await client.request('POST', '/api/v1/auth/login', { body });
    if (r.status === 200 && r.json?.token) return r.json.token;
    if (r.status === 401 && secret && String(r.json?.type).endsWith('mfa-invalid')) {
      await sleep(30000 - (Date.now() % 30000) + 200); // this step's code is spent
      continue;
    }
    throw new Error(`login ${username}: ${r.status} ${r.text.slice(0, 300)}`);
  }
  throw new Error(`login ${username}: no usable one-time code`);
}

const pct = (values, p) => {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  return Math.round(v[Math.min(v.length - 1, Math.floor(p * v.length))] * 10) / 10;
};

// ---- The run ----------------------------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv);
  const schedule = plan(o.seconds);
  const dir = o.dir ? path.resolve(o.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-soak-'));
  fs.mkdirSync(dir, { recursive: true });
  const reportFile = path.resolve(o.report || 'soak-report.json');
  const db = path.join(dir, 'soak.db');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const random = rng(o.seed);
  const say = (line) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
  say(`dir ${dir}, port ${port}, ${o.seconds} s, seed ${o.seed}; schedule ${JSON.stringify(schedule)}`);

  // PostgreSQL: a fresh database on the given cluster. The demo takes the store from the
  // environment; --db still says where the ledger key and demo-accounts.json go.
  let postgres = '';
  if (o.postgres) {
    const name = `yiwang_soak_${process.pid}_${o.seed}`;
    await execFileP('psql', [o.postgres, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`]);
    postgres = `${o.postgres} dbname=${name}`;
    say(`PostgreSQL database ${name}`);
  }
  const storeEnv = postgres ? { ...process.env, YIWANG_POSTGRES: postgres } : process.env;

  // Seed once: the demo's data (accounts, catalog, grid, Open311 key), then serve that database.
  const seedStart = Date.now();
  const demoArgs = ['demo', '--db', db, '--port', String(port), '--no-serve', '--cases', '60', '--demo-data', path.join(o.source, 'data/demo')];
  const seeded = await new Promise((resolve) => {
    const log = fs.openSync(path.join(dir, 'demo-seed.log'), 'a');
    const p = spawn(o.binary, demoArgs, { stdio: ['ignore', log, log], env: storeEnv });
    p.on('exit', (code) => resolve(code));
    p.on('error', () => resolve(-1));
  });
  if (seeded !== 0) throw new Error(`yiwang demo --no-serve failed (${seeded}); see ${path.join(dir, 'demo-seed.log')}`);
  const seedMs = Date.now() - seedStart;
  say(`seeded in ${(seedMs / 1000).toFixed(1)} s`);
  const secrets = new Map(JSON.parse(fs.readFileSync(path.join(dir, 'demo-accounts.json'), 'utf8')).map((a) => [a.username, a.totp_secret]));

  const server = (running = new Server({
    binary: o.binary,
    args: ['serve', '--db', db, ...(postgres ? ['--postgres', postgres] : []), '--port', String(port), '--access-log', '-', '--web-root', ''],
    env: process.env,
    dir,
    port,
  }));
  const control = new Control();
  const stats = new Stats();
  const acks = new AckBook(path.join(dir, 'acknowledged.jsonl'));
  const checkpoints = new CheckpointWatch();
  const clients = [];
  const samples = [];
  const findings = { refusals: {}, server_errors: [], transport: [], event_seq_rollbacks: [] };
  const kills = [];
  const restartFailures = [];
  const runId = `${o.seed}`;
  let lastSeq = { seq: -1, at: 0 };

  await server.start();
  say(`lifetime 1 healthy in ${server.lifetimes[0].startup_ms} ms`);
  const setup = new Client(port);
  const ledger = new LedgerVerifier({ binary: o.binary, goVerifier: o.goVerifier, url, dir });
  await ledger.pinKey(setup);

  // Sign every account in once; the sessions are in the database and outlive the kills.
  const citizenNames = ['zhangsan', ...Array.from({ length: 24 }, (_, i) => `citizen${String(i + 1).padStart(2, '0')}`)];
  const officialNames = ['chuangkou', 'shencha', 'juece', 'jiancha', '12345.clerk', 'grid.clerk', 'grid.chief', 'grid.dispatcher', 'grid.jdy01', 'grid.jdy02'];
  const tokens = new Map();
  for (const u of [...citizenNames, ...officialNames]) tokens.set(u, await signIn(setup, u, secrets.get(u)));
  const officials = Object.fromEntries(officialNames.map((u) => [u, { username: u, token: tokens.get(u) }]));
  officials.hotline = officials['12345.clerk'];

  // Items the demo citizens may file without uploads: 市场监管's, for natural persons, handled by
  // the demo officials (review → decide), forms of types the load can fill.
  const items = [];
  for (const code of ['11329900MB0201001000', '11329900MB0201004000']) {
    const r = await setup.request('GET', `/api/v1/items/${code}`);
    if (r.status !== 200) throw new Error(`GET /api/v1/items/${code}: ${r.status}`);
    items.push(r.json);
  }
  const services = ((await setup.request('GET', '/open311/v2/services.json')).json || []).map((s) => s.service_code);

  const ctx = {
    control,
    stats,
    acks,
    random,
    seq: 0,
    runId,
    items,
    services,
    officials,
    citizens: citizenNames.map((u) => ({ username: u, token: tokens.get(u) })),
    supervisors: ['grid.jdy01', 'grid.jdy02'].map((u) => officials[u]),
    open311Addresses: ['127.0.0.21', '127.0.0.22', '127.0.0.23'],
    pace: {
      appealsPerHour: 8, // the server allows 10 per person and hour
      appealGapMs: o.seconds <= 600 ? 1500 : Math.max(1500, (0.9 * 3600000) / (citizenNames.length * 8)),
      open311PerHour: 50, // the server allows 60 per address and hour
      open311GapMs: o.seconds <= 600 ? 1000 : (0.9 * 3600000) / (3 * 50),
      gridGapMs: 400,
      workingSet: 400, // open records the officials pick from
    },
    think: () => 10 + random.int(80), // ms between one client's requests
    lifetime: () => server.current?.n ?? null,
    openCases: new Map(),
    openAppeals: new Map(),
    openGrid: new Map(),
    newClient: (opts) => {
      const c = new Client(port, opts);
      clients.push(c);
      return c;
    },
    tokenOf: (u) => tokens.get(u),
    refusal: (op, r) => {
      const key = `${op} ${r.status} ${r.json?.type ? String(r.json.type).split(/[:/]/).pop() : ''}`.trim();
      const f = (findings.refusals[key] ??= { count: 0, example: r.text.slice(0, 300) });
      f.count += 1;
    },
    noteServerError: (op, method, p, r) => {
      if (findings.server_errors.length < 50) findings.server_errors.push({ op, method, path: p, status: r.status, body: r.text.slice(0, 300), lifetime: server.current?.n });
    },
    noteTransport: (op, method, p, e) => {
      if (findings.transport.length < 50) findings.transport.push({ op, method, path: p, error: e.message, lifetime: server.current?.n });
    },
    sawCheckpoint: (text, t0, t1, where) => checkpoints.observe(text, t0, t1, where),
    sawEventSeq: (seq, t0, t1) => {
      // The event sequence only grows: across kills too.
      if (seq < lastSeq.seq && t0 > lastSeq.at && findings.event_seq_rollbacks.length < 20) {
        findings.event_seq_rollbacks.push({ seq, earlier: lastSeq.seq, lifetime: server.current?.n });
      }
      if (seq >= lastSeq.seq) lastSeq = { seq, at: t1 };
    },
    lastTilePath: () => edgeTilePath(checkpoints.last?.size, random() < 0.5),
  };
  const mix = { filers: 3, caseOfficials: 2, appellants: 1, appealOfficials: 1, gridReporters: 1, gridOfficials: 1, open311: 1, readers: 3 };
  const connections = mix.filers + mix.caseOfficials + mix.appellants + mix.appealOfficials + mix.gridReporters + mix.gridOfficials + mix.readers + ctx.open311Addresses.length;

  // Ledger verification rounds; a round that overlapped a kill and failed on the network is
  // inconclusive (the next one covers it), any other failure is a finding.
  const verifyRound = async (reason) => {
    const gen = control.generation;
    const r = await ledger.verify({ reason, lifetime: server.current?.n });
    for (const run of [r.own, r.go].filter(Boolean)) {
      run.inconclusive = !run.ok && (run.network || control.generation !== gen || control.down);
      if (!run.ok && !run.inconclusive) say(`LEDGER ${run.verifier} FAILED (${reason}): ${run.summary}`);
    }
    return r;
  };
  await verifyRound('first start');

  // Samples and quiet probes.
  const sample = (phase) => {
    const s = server.sample();
    const life = server.current;
    if (!s || !life) return null;
    const rec = { t: Date.now(), lifetime: life.n, phase, since_start_s: (Date.now() - life.started_at) / 1000, ...s };
    samples.push(rec);
    return rec;
  };
  // The database's size when each lifetime starts (memory follows the data a little).
  const dbBytes = () => {
    try {
      return fs.statSync(db).size + (fs.existsSync(`${db}-wal`) ? fs.statSync(`${db}-wal`).size : 0);
    } catch {
      return null;
    }
  };
  server.lifetimes[0].db_bytes = dbBytes();
  const quietProbe = async () => {
    control.pause();
    const until = Date.now() + 10000;
    while (inflight.count > 0 && Date.now() < until) await sleep(20);
    await Promise.race([ledger.busy, sleep(10000)]);
    for (const c of clients) c.reset();
    setup.reset();
    await sleep(1500);
    const s = sample('quiet');
    if (s) s.fd_kinds = server.describeFds();
    control.resume();
    return s;
  };

  // ---- Load with kills ----
  const t0 = Date.now();
  const elapsed = () => (Date.now() - t0) / 1000;
  const gap = () => random.between(...schedule.kill_gap_s);
  // The first kill falls inside the kill window even in a short run.
  let nextKill = Math.min(gap(), Math.max(schedule.warmup_s + 5, 0.8 * schedule.kill_window_s));
  let lifeStart = elapsed();
  let nextProbe = lifeStart + schedule.warmup_s;
  let nextSample = 0;
  let nextVerify = schedule.verify_every_s;
  const verifications = [];
  say(`load: ${JSON.stringify(mix)}; first kill at ${nextKill.toFixed(0)} s`);
  const load = startLoad(ctx, mix);
  let progressAt = 0;

  while (elapsed() < o.seconds) {
    const now = elapsed();
    if (now >= nextSample) {
      sample('load');
      nextSample = now + schedule.sample_every_s;
    }
    if (now >= nextProbe && nextKill - now > 5) {
      const s = await quietProbe();
      if (s) say(`quiet probe (lifetime ${s.lifetime}, ${s.since_start_s.toFixed(0)} s): rss ${(s.rss_kb / 1024).toFixed(1)} MB, fds ${s.fds}`);
      nextProbe = elapsed() + schedule.probe_every_s;
    }
    if (now >= nextVerify) {
      verifications.push(verifyRound('periodic'));
      nextVerify = now + schedule.verify_every_s;
    }
    if (now >= nextKill && now < schedule.kill_window_s) {
      control.down = true;
      control.generation += 1;
      const life = server.current;
      const inflightAtKill = inflight.count;
      const killedAt = await server.kill();
      // Connections to the dead process are useless; no request may pick one up after the restart.
      for (const c of clients) c.reset();
      const acked = acks.count;
      kills.push({ at_s: Math.round(now), lifetime: life.n, lived_s: Math.round((killedAt - life.started_at) / 1000), inflight: inflightAtKill });
      await sleep(1000 * random.between(...schedule.restart_delay_s));
      let next;
      try {
        next = await server.start({ after: killedAt });
      } catch (e) {
        // A server that does not come back after a kill is a finding: record it, try once more.
        restartFailures.push({ kill: kills.length, error: e.message, log_tail: server.logTail(server.lifetimes.length) });
        say(`RESTART FAILED after kill ${kills.length}: ${e.message}`);
        next = await server.start({ after: killedAt });
      }
      control.down = false;
      next.db_bytes = dbBytes();
      kills[kills.length - 1].recovery_ms = next.recovery_ms;
      say(`kill ${kills.length}: lifetime ${life.n} after ${kills[kills.length - 1].lived_s} s (${acked} acknowledged so far); lifetime ${next.n} healthy ${next.recovery_ms} ms after the kill`);
      verifications.push(verifyRound(`after kill ${kills.length}`));
      lifeStart = elapsed();
      nextProbe = lifeStart + schedule.warmup_s;
      const g = gap();
      nextKill = lifeStart + g < schedule.kill_window_s ? lifeStart + g : Infinity;
    }
    if (now - progressAt >= 30) {
      progressAt = now;
      const s = samples[samples.length - 1];
      say(`${now.toFixed(0)} s: ${acks.count} acknowledged (${acks.records.size} records), checkpoint ${checkpoints.last?.size ?? '-'}, rss ${s ? (s.rss_kb / 1024).toFixed(1) : '-'} MB, fds ${s?.fds ?? '-'}`);
    }
    await sleep(250);
  }
  await quietProbe(); // the end of the last long lifetime, same conditions as the others
  control.stop();
  await load;
  await Promise.all(verifications);
  await acks.close();
  const loadSeconds = elapsed();
  say(`load stopped after ${loadSeconds.toFixed(0)} s: ${acks.count} acknowledged writes on ${acks.records.size} records; ${kills.length} kills`);

  // ---- Final clean restart ----
  const lastLoaded = server.current;
  await server.terminate();
  say(`lifetime ${lastLoaded.n} stopped with SIGTERM: ${lastLoaded.end} (${server.describeEnd(lastLoaded)})`);
  const final = await server.start();
  say(`lifetime ${final.n} (final, clean restart) healthy in ${final.startup_ms} ms`);
  const readers = Array.from({ length: 6 }, () => new Client(port));
  const acked = await verifyAcknowledged(ctx, readers);
  say(`read back ${acked.records} records: ${acked.present} present, ${acked.missing_count} missing, ${acked.regressed_count} regressed, ${acked.error_count} unreadable`);
  const checkpointSize = async () => {
    const r = await setup.request('GET', '/ledger/checkpoint');
    const t = Date.now();
    if (r.status !== 200) return null;
    checkpoints.observe(r.text, t, t, final.n);
    return parseCheckpoint(r.text)?.size ?? null;
  };
  const logged = await verifyActsLogged(ctx, readers, { checkpointSize });
  say(`ledger: ${logged.logged_records}/${logged.records_with_acts} records have all ${logged.acts} acknowledged acts logged`);
  const sampleEntries = [];
  for (let i = 0; i < Math.min(16, logged.indices.length); i += 1) sampleEntries.push(logged.indices[random.int(logged.indices.length)]);
  const finalLedger = await ledger.verify({ reason: 'final', lifetime: final.n, final: true, entries: [...new Set(sampleEntries)].filter((i) => logged.checkpoint_size === null || i < logged.checkpoint_size) });
  const againstSaved = await ledger.againstSaved();
  const againstSeen = await ledger.againstSeen(checkpoints.largestByLifetime);
  const finalTerm = await server.terminate();

  // ---- Judgement ----
  const resources = analyse(samples, { warmupS: schedule.warmup_s, clients: connections, fdSlack: postgres ? FD_SLACK + 7 : FD_SLACK });
  const recoveries = kills.map((k) => k.recovery_ms).filter((x) => x != null);
  const crashes = server.lifetimes.filter((l) => l.end === 'crashed');
  const problems = server.problems();
  const ledgerRuns = ledger.runs;
  const ledgerFailed = ledgerRuns.filter((r) => !r.ok && !r.inconclusive);
  const unexpectedTransport = Object.values(stats.ops).reduce((s, x) => s + x.unexpected_transport, 0);
  const serverErrors = Object.values(stats.ops).reduce((s, x) => s + Object.entries(x.http).filter(([k]) => Number(k) >= 500 && Number(k) !== 503).reduce((a, [, v]) => a + v, 0), 0);
  const checks = [
    { name: 'kills and restarts', ok: kills.length >= 1 && recoveries.length === kills.length && restartFailures.length === 0, detail: `${kills.length} kills, ${recoveries.length} restarts healthy, ${restartFailures.length} failed first` },
    { name: 'no acknowledged write lost', ok: acked.missing_count === 0 && acked.regressed_count === 0 && acked.error_count === 0, detail: `${acked.present}/${acked.records} records as acknowledged (${acks.count} acknowledgements); missing ${acked.missing_count}, regressed ${acked.regressed_count}, unreadable ${acked.error_count}` },
    { name: 'acknowledged government acts in the ledger', ok: logged.not_logged_count === 0 && logged.beyond_checkpoint === 0, detail: `${logged.acts} acts on ${logged.records_with_acts} records; not logged ${logged.not_logged_count}; beyond the checkpoint ${logged.beyond_checkpoint}` },
    { name: 'ledger verifies (own verifier, pinned key and state, during and after)', ok: ledgerFailed.filter((r) => r.verifier.startsWith('yiwang')).length === 0 && finalLedger.own.ok, detail: `${ledgerRuns.filter((r) => r.verifier.startsWith('yiwang')).length} runs, ${ledgerRuns.filter((r) => r.verifier.startsWith('yiwang') && r.ok).length} ok, ${ledgerRuns.filter((r) => r.inconclusive).length} inconclusive (kill during the run); final --full: ${finalLedger.own.summary}` },
    ...(ledger.goVerifier
      ? [{ name: 'ledger verifies (Go ledgerverify, each saved checkpoint a prefix)', ok: ledgerFailed.filter((r) => !r.verifier.startsWith('yiwang')).length === 0 && finalLedger.go?.ok && againstSaved.every((x) => x.ok), detail: `${againstSaved.length} saved checkpoints; final: ${finalLedger.go?.summary}` }]
      : []),
    { name: 'checkpoints seen never roll back or fork', ok: checkpoints.rollbacks.length === 0 && checkpoints.forks.length === 0 && againstSeen.every((x) => x.ok), detail: `${checkpoints.count} checkpoints read, largest ${checkpoints.last?.size}; rollbacks ${checkpoints.rollbacks.length}, forks ${checkpoints.forks.length}; the final tree extends the last one seen in each of ${againstSeen.length} lifetimes: ${againstSeen.filter((x) => x.ok).length} ok` },
    { name: 'event sequence never rolls back', ok: findings.event_seq_rollbacks.length === 0, detail: `last seen ${lastSeq.seq}` },
    { name: 'no crash other than the kills; clean SIGTERM stops', ok: crashes.length === 0 && finalTerm?.end === 'terminated' && lastLoaded.end === 'terminated', detail: `${server.lifetimes.length} lifetimes: ${server.lifetimes.map((l) => l.end).join(', ')}` },
    { name: 'server log without failures', ok: problems.count === 0, detail: `${problems.count} lines` },
    { name: 'no 5xx answers (503 aside) and no transport error outside kills', ok: serverErrors === 0 && unexpectedTransport === 0, detail: `5xx ${serverErrors}, unexpected transport errors ${unexpectedTransport}` },
    ...resources.checks,
  ];
  const ok = checks.every((c) => c.ok);

  const ops = Object.fromEntries(
    Object.entries(stats.ops)
      .sort()
      .map(([k, v]) => [k, { attempts: v.attempts, ok: v.ok, http: v.http, refused: v.refused, in_doubt: v.in_doubt, unexpected_transport: v.unexpected_transport, replayed: v.replayed, p50_ms: pct(v.latency_ms, 0.5), p99_ms: pct(v.latency_ms, 0.99) }]),
  );
  const report = {
    ok,
    run: { store: postgres ? 'postgres' : 'sqlite', seconds: o.seconds, load_seconds: Math.round(loadSeconds), seed: o.seed, dir, port, binary: o.binary, started: new Date(t0).toISOString(), seed_ms: seedMs, schedule, mix, cpus: os.cpus().length, loadavg: os.loadavg() },
    checks,
    acknowledged: { acknowledgements: acks.count, records: acks.records.size, by_op: acks.byKind, by_kind: acked.by_kind, missing: acked.missing, regressed: acked.regressed, unreadable: acked.errors },
    kills,
    startup_ms: pct(server.lifetimes.map((l) => l.startup_ms).filter((x) => x != null), 0.5),
    recovery_ms: { min: recoveries.length ? Math.min(...recoveries) : null, median: pct(recoveries, 0.5), max: recoveries.length ? Math.max(...recoveries) : null },
    lifetimes: server.lifetimes.map(({ exited, ...l }) => l),
    resources,
    ledger: { key: ledger.key, runs: ledgerRuns, final: finalLedger, against_saved: againstSaved, against_seen: againstSeen, acts: { ...logged, indices: undefined }, checkpoints: { read: checkpoints.count, largest: checkpoints.last?.size, rollbacks: checkpoints.rollbacks, forks: checkpoints.forks } },
    operations: ops,
    findings: { ...findings, restart_failures: restartFailures, log_problems: problems },
  };
  fs.writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'samples.jsonl'), samples.map((x) => JSON.stringify(x)).join('\n') + '\n');

  // ---- Summary ----
  const rows = [
    ['duration', `${Math.round(loadSeconds)} s of load (${o.seconds} s asked), seed ${o.seed}`],
    ['writes acknowledged', `${acks.count} on ${acks.records.size} records (${Object.entries(acks.byKind).map(([k, v]) => `${k} ${v}`).join(', ')})`],
    ['requests', `${Object.values(stats.ops).reduce((s, x) => s + x.attempts, 0)} (in doubt during kills ${Object.values(stats.ops).reduce((s, x) => s + x.in_doubt, 0)}, refused while down ${Object.values(stats.ops).reduce((s, x) => s + x.refused, 0)})`],
    ['kills / restarts', `${kills.length} / ${server.lifetimes.length - 1}`],
    ['recovery (kill → healthy)', recoveries.length ? `min ${Math.min(...recoveries)} ms, median ${pct(recoveries, 0.5)} ms, max ${Math.max(...recoveries)} ms (with a 0.2–2 s restart delay)` : '-'],
    ['start-up (spawn → healthy)', (() => { const s = server.lifetimes.map((l) => l.startup_ms).filter((x) => x != null); return `min ${Math.min(...s)} ms, median ${pct(s, 0.5)} ms, max ${Math.max(...s)} ms over ${s.length} starts`; })()],
    ['read back', `${acked.present}/${acked.records} present as acknowledged`],
    ['ledger', `size ${logged.checkpoint_size}; ${logged.logged_records}/${logged.records_with_acts} records' acts logged; final verify ${finalLedger.own.ok ? 'OK' : 'FAILED'}`],
    ...resources.lifetimes.map((l) => [`lifetime ${l.lifetime} (${l.seconds} s)`, `rss median ${l.rss_mb_median ?? '-'} MB max ${l.rss_mb_max} MB; fds median ${l.fds_median ?? '-'} max ${l.fds_max}; quiet ${l.quiet.map((q) => `${q.rss_mb} MB/${q.fds} fd@${q.at_s}s`).join(' ') || '-'}`]),
  ];
  console.log('\nSoak summary');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(28)} ${v}`);
  console.log('\nChecks');
  for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  console.log(`\nreport: ${reportFile}`);
  if (postgres && ok && !o.keep) {
    await execFileP('psql', [o.postgres, '-qc', `DROP DATABASE IF EXISTS ${postgres.split('dbname=').pop()}`]).catch(() => {});
  }
  if (ok && !o.keep && !o.dir) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`kept: ${dir}`);
  process.exit(ok ? 0 : 1);
}

// The server of this run: killed if the soak itself ends early (an error, a signal, a timeout).
let running = null;
process.on('exit', () => {
  if (running?.pid) {
    try {
      process.kill(running.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(1));

main().catch((e) => {
  console.error(`soak: ${e.stack || e}`);
  if (running) console.error(`server logs: ${running.dir}`);
  process.exit(1);
});
