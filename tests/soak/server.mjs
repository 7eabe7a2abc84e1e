// The server under soak: starts `yiwang serve`, kills it with SIGKILL, stops it with SIGTERM,
// and reads its memory and open file handles from /proc. Every process it starts is one
// "lifetime", with its own log file; how each ended is recorded, so an exit the soak did not
// cause (a crash) shows up in the report.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { probe } from './http.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Server {
  // `args`: the serve command line after the binary; `dir`: where the logs go.
  constructor({ binary, args, env, dir, port }) {
    this.binary = binary;
    this.args = args;
    this.env = env;
    this.dir = dir;
    this.port = port;
    this.lifetimes = [];
    this.current = null;
  }

  get pid() {
    return this.current?.pid;
  }

  logFile(n) {
    return path.join(this.dir, `server-${n}.log`);
  }

  // Starts a new process and waits until /api/v1/health answers 200. Returns the lifetime.
  async start({ healthTimeoutMs = 180000, after } = {}) {
    const n = this.lifetimes.length + 1;
    const log = fs.openSync(this.logFile(n), 'a');
    const t0 = Date.now();
    const child = spawn(this.binary, this.args, { env: this.env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const life = {
      n,
      pid: child.pid,
      started_at: t0,
      healthy_at: null,
      startup_ms: null,
      recovery_ms: null, // from the kill that ended the previous lifetime to healthy
      ended_at: null,
      end: null, // 'killed' (by the soak), 'terminated' (SIGTERM by the soak), 'crashed'
      exit_code: null,
      exit_signal: null,
      expected: null,
    };
    life.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        life.ended_at = Date.now();
        life.exit_code = code;
        life.exit_signal = signal;
        if (life.expected === 'kill' && signal === 'SIGKILL') life.end = 'killed';
        else if (life.expected === 'term' && code === 0) life.end = 'terminated';
        else life.end = 'crashed';
        if (this.current === life) this.current = null;
        resolve(life);
      });
    });
    this.lifetimes.push(life);
    this.current = life;
    for (;;) {
      if (life.ended_at) throw new Error(`server exited while starting (${this.describeEnd(life)}); see ${this.logFile(n)}`);
      if ((await probe(this.port, '/api/v1/health')) === 200) break;
      if (Date.now() - t0 > healthTimeoutMs) {
        throw new Error(`server not healthy after ${healthTimeoutMs} ms; see ${this.logFile(n)}`);
      }
      await sleep(50);
    }
    life.healthy_at = Date.now();
    life.startup_ms = life.healthy_at - t0;
    if (after) life.recovery_ms = life.healthy_at - after;
    return life;
  }

  // SIGKILL, waiting until the process is gone. Returns the kill's time.
  async kill() {
    const life = this.current;
    if (!life) throw new Error('no server to kill');
    life.expected = 'kill';
    const at = Date.now();
    process.kill(life.pid, 'SIGKILL');
    await life.exited;
    return at;
  }

  // SIGTERM (graceful drain); the lifetime records whether it ended with status 0 in time.
  async terminate(timeoutMs = 60000) {
    const life = this.current;
    if (!life) return null;
    life.expected = 'term';
    process.kill(life.pid, 'SIGTERM');
    const ended = await Promise.race([life.exited, sleep(timeoutMs).then(() => null)]);
    if (!ended) {
      life.expected = 'kill';
      process.kill(life.pid, 'SIGKILL');
      await life.exited;
      life.end = 'crashed';
      life.note = `still running ${timeoutMs} ms after SIGTERM`;
    }
    return life;
  }

  describeEnd(life) {
    return life.exit_signal ? `signal ${life.exit_signal}` : `exit status ${life.exit_code}`;
  }

  // VmRSS, VmHWM (kB), threads and open file descriptors of the running server; null when gone.
  sample() {
    const pid = this.pid;
    if (!pid) return null;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const field = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [])[1]);
      const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
      // RssAnon is the heap and stacks; RssFile and RssShmem are mapped files (the binary, the
      // SQLite WAL index): reported apart so a growth can be told from a cache filling.
      return {
        rss_kb: field('VmRSS'),
        anon_kb: field('RssAnon'),
        file_kb: field('RssFile'),
        shmem_kb: field('RssShmem'),
        hwm_kb: field('VmHWM'),
        threads: field('Threads'),
        fds,
      };
    } catch {
      return null; // exited between the check and the read
    }
  }

  // What the open descriptors are, by kind (socket, the database files, …): for the report.
  describeFds() {
    const pid = this.pid;
    if (!pid) return null;
    const kinds = {};
    try {
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        let target;
        try {
          target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const kind = target.startsWith('socket:')
          ? 'socket'
          : target.startsWith('anon_inode:')
            ? target
            : target.startsWith('pipe:')
              ? 'pipe'
              : path.basename(target);
        kinds[kind] = (kinds[kind] || 0) + 1;
      }
    } catch {
      return null;
    }
    return kinds;
  }

  // The last lines of lifetime n's log.
  logTail(n, lines = 20) {
    try {
      return fs.readFileSync(this.logFile(n), 'utf8').trimEnd().split('\n').slice(-lines);
    } catch {
      return [];
    }
  }

  // Lines of the lifetimes' logs that speak of a failure inside the server (internal errors,
  // unhandled exceptions, sanitizer reports, aborts), up to `max` of them.
  problems(max = 50) {
    const pattern =
      /internal error|unhandled|terminate called|Assertion|Segmentation|Sanitizer|runtime error:|double free|corrupt|sequencer:|panic|abort/i;
    const out = [];
    const other = new Map(); // the remaining lines, by their text without ids and numbers
    let count = 0;
    for (const life of this.lifetimes) {
      let text = '';
      try {
        text = fs.readFileSync(this.logFile(life.n), 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        if (!pattern.test(line)) {
          const shape = line.replace(/[A-Z]{2}\d{8,}|\d+/g, '#').slice(0, 200);
          other.set(shape, (other.get(shape) || 0) + 1);
          continue;
        }
        count += 1;
        if (out.length < max) out.push({ lifetime: life.n, line: line.slice(0, 400) });
      }
    }
    const others = [...other.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([line, n]) => ({ line, n }));
    return { count, lines: out, other_lines: others };
  }
}
