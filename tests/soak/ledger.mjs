// The transparency ledger from outside, during and after the soak: the project's own verifier
// (`yiwang ledger verify`, which pins the log key and the last checkpoint it accepted in a state
// file, so each run also proves the log only grew since the previous one: no rollback, no fork
// across kills), the independent Go verifier when it is built (tests/ledger/go/ledgerverify,
// YIWANG_LEDGERVERIFY), and the checkpoints the readers saw.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// {origin, size, root} of a checkpoint note; null when it is not one.
export function parseCheckpoint(text) {
  const lines = String(text).split('\n');
  if (lines.length < 3 || !/^\d+$/.test(lines[1])) return null;
  return { origin: lines[0], size: Number(lines[1]), root: lines[2] };
}

// C2SP tile index path: 1234067 → x001/x234/067, 5 → 005.
export function tileIndexPath(n) {
  let s = String(n);
  while (s.length % 3) s = `0${s}`;
  const parts = s.match(/.{3}/g);
  return parts.map((p, i) => (i < parts.length - 1 ? `x${p}` : p)).join('/');
}

// The right-edge tile of a tree of `size` leaves: entry bundle or level-0 hash tile.
export function edgeTilePath(size, entries) {
  if (!size) return null;
  const index = Math.floor((size - 1) / 256);
  const width = size - index * 256;
  return `/ledger/tile/${entries ? 'entries' : '0'}/${tileIndexPath(index)}${width < 256 ? `.p/${width}` : ''}`;
}

// Checkpoints observed during the run. A rollback is a checkpoint whose request began after
// another's answer had arrived and that is smaller; a fork is one size with two roots.
export class CheckpointWatch {
  constructor() {
    this.bySize = new Map(); // size → root
    this.seen = []; // [answer time, running max size], in answer order
    this.rollbacks = [];
    this.forks = [];
    this.count = 0;
    this.last = null;
    this.largestByLifetime = new Map(); // lifetime → {size, text}: the last word before each kill
  }
  observe(text, requestedAt, answeredAt, lifetime) {
    const cp = parseCheckpoint(text);
    if (!cp) return;
    this.count += 1;
    const where = `lifetime ${lifetime}`;
    const largest = this.largestByLifetime.get(lifetime);
    if (!largest || cp.size > largest.size) this.largestByLifetime.set(lifetime, { size: cp.size, text });
    const known = this.bySize.get(cp.size);
    if (known && known !== cp.root && this.forks.length < 20) this.forks.push({ size: cp.size, roots: [known, cp.root], where });
    if (!known) this.bySize.set(cp.size, cp.root);
    const before = this.maxAnsweredBefore(requestedAt);
    if (before !== null && cp.size < before && this.rollbacks.length < 20) {
      this.rollbacks.push({ size: cp.size, earlier_size: before, at: answeredAt, where });
    }
    const prevMax = this.seen.length ? this.seen[this.seen.length - 1][1] : 0;
    this.seen.push([answeredAt, Math.max(prevMax, cp.size)]);
    if (!this.last || cp.size >= this.last.size) this.last = cp;
  }
  maxAnsweredBefore(t) {
    // Answers arrive in time order: binary search for the last one before t.
    let lo = 0;
    let hi = this.seen.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.seen[mid][0] < t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? null : this.seen[found][1];
  }
}

function run(file, args, timeoutMs = 600000) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({
        ok: !error,
        code: error ? (error.code ?? error.signal ?? 'error') : 0,
        stdout: String(stdout),
        stderr: String(stderr),
        ms: Date.now() - t0,
      });
    });
  });
}

export class LedgerVerifier {
  constructor({ binary, goVerifier, url, dir }) {
    this.binary = binary;
    this.goVerifier = goVerifier && fs.existsSync(goVerifier) ? goVerifier : null;
    this.url = url;
    this.dir = dir;
    this.stateFile = path.join(dir, 'ledger-verify.state');
    this.key = null;
    this.runs = []; // every run of either verifier
    this.saved = []; // checkpoint files the Go verifier saved, one per successful run
    this.busy = Promise.resolve();
  }

  // The log key as published at the first start, before any kill: every later run pins it.
  async pinKey(client) {
    const r = await client.request('GET', '/api/v1/ledger/key');
    if (r.status !== 200 || !r.json?.verifier_key) throw new Error(`GET /api/v1/ledger/key: ${r.status} ${r.text}`);
    this.key = r.json.verifier_key;
    return this.key;
  }

  // One round of both verifiers (serialised: they share the state files). `final` adds the full
  // tree rebuild and inclusion proofs of `entries`. Returns {own, go}.
  verify({ reason, lifetime, final = false, entries = [] }) {
    const job = this.busy.then(() => this.round({ reason, lifetime, final, entries }));
    this.busy = job.catch(() => {});
    return job;
  }

  async round({ reason, lifetime, final, entries }) {
    const args = ['ledger', 'verify', '--url', this.url, '--key', this.key, '--state', this.stateFile];
    if (final) args.push('--full');
    for (const e of entries) args.push('--entry', String(e));
    const own = await run(this.binary, args);
    const ownRun = {
      verifier: 'yiwang ledger verify',
      reason,
      lifetime,
      final,
      ok: own.ok,
      ms: own.ms,
      // "OK: <origin> size N verified (…)" or "FAILED: <why>"
      summary: (own.ok ? own.stdout : own.stderr).trim().split('\n').filter(Boolean).slice(-2).join(' | '),
      network: !own.ok && /network|connect|refused|reset/i.test(own.stderr),
    };
    const m = own.stdout.match(/size (\d+) verified/);
    if (m) ownRun.size = Number(m[1]);
    this.runs.push(ownRun);
    let goRun = null;
    if (this.goVerifier) {
      const n = this.saved.length + 1;
      const save = path.join(this.dir, `checkpoint-${String(n).padStart(3, '0')}.txt`);
      const goArgs = ['--key', this.key, '--save-checkpoint', save];
      const last = this.saved[this.saved.length - 1];
      if (last) goArgs.push('--old-checkpoint', last);
      if (!final) goArgs.push('--max-bundles', '4');
      goArgs.push(this.url);
      const go = await run(this.goVerifier, goArgs);
      goRun = {
        verifier: 'ledgerverify (Go)',
        reason,
        lifetime,
        final,
        ok: go.ok,
        ms: go.ms,
        summary: (go.ok ? go.stdout : go.stderr || go.stdout).trim().split('\n').filter(Boolean).slice(-1).join(' | '),
        network: !go.ok && /connect|refused|reset|EOF/i.test(go.stderr + go.stdout),
      };
      if (go.ok && fs.existsSync(save)) this.saved.push(save);
      this.runs.push(goRun);
    }
    return { own: ownRun, go: goRun };
  }

  // At the end: the final tree against the largest checkpoint the readers saw in each lifetime
  // (the last one before each kill), with the own verifier started from a state file holding it.
  async againstSeen(byLifetime) {
    const out = [];
    for (const [lifetime, { size, text }] of [...byLifetime.entries()].sort((a, b) => a[0] - b[0])) {
      const body = String(text).split('\n').slice(0, 3).join('\n');
      const file = path.join(this.dir, `seen-lifetime-${lifetime}.state`);
      fs.writeFileSync(file, `yiwang-ledger-state v1\nkey ${this.key}\n${body}\n`);
      const r = await run(this.binary, ['ledger', 'verify', '--url', this.url, '--key', this.key, '--state', file]);
      out.push({ lifetime, size, ok: r.ok, summary: (r.ok ? r.stdout : r.stderr).trim().split('\n').filter(Boolean).slice(-1)[0] });
    }
    return out;
  }

  // At the end: the final tree against every checkpoint the Go verifier saved during the run
  // (each must be a prefix of it). Empty when the Go verifier is not there.
  async againstSaved() {
    const out = [];
    if (!this.goVerifier) return out;
    for (const file of this.saved) {
      const r = await run(this.goVerifier, ['--key', this.key, '--old-checkpoint', file, '--max-bundles', '1', this.url]);
      out.push({ checkpoint: path.basename(file), size: parseCheckpoint(fs.readFileSync(file, 'utf8'))?.size, ok: r.ok, summary: (r.ok ? r.stdout : r.stderr || r.stdout).trim().split('\n').slice(-1)[0] });
    }
    return out;
  }
}
