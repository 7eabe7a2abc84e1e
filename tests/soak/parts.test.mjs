// The soak's detectors on made-up inputs: a soak that cannot see a rollback, a lost write's
// state or a leak would pass for the wrong reason.
import assert from 'node:assert/strict';
import test from 'node:test';

import { CheckpointWatch, edgeTilePath, parseCheckpoint, tileIndexPath } from './ledger.mjs';
import { citizenId, makeForm, rank, rng } from './load.mjs';
import { analyse } from './metrics.mjs';

const note = (size, root = `root${size}`) => `ledger.yiwang.example.gov.cn\n${size}\n${root}\n\n— ledger.yiwang.example.gov.cn sig\n`;

test('tile paths as docs/formats/ledger.md writes them', () => {
  assert.equal(tileIndexPath(1234067), 'x001/x234/067');
  assert.equal(tileIndexPath(5), '005');
  assert.equal(edgeTilePath(10, true), '/ledger/tile/entries/000.p/10');
  assert.equal(edgeTilePath(256, false), '/ledger/tile/0/000');
  assert.equal(edgeTilePath(257, false), '/ledger/tile/0/001.p/1');
  assert.deepEqual(parseCheckpoint(note(10)), { origin: 'ledger.yiwang.example.gov.cn', size: 10, root: 'root10' });
});

test('a smaller checkpoint read after a larger one was answered is a rollback', () => {
  const w = new CheckpointWatch();
  w.observe(note(10), 0, 5, 1);
  w.observe(note(12), 6, 8, 1);
  w.observe(note(11), 7, 9, 1); // asked before 12 was answered: reordering, not a rollback
  assert.equal(w.rollbacks.length, 0);
  w.observe(note(11), 20, 21, 2); // asked after 12 was answered
  assert.equal(w.rollbacks.length, 1);
  w.observe(note(12, 'other'), 30, 31, 2);
  assert.equal(w.forks.length, 1);
  assert.equal(w.largestByLifetime.get(1).size, 12);
});

test('life-cycle ranks order states', () => {
  assert.ok(rank('case', 'completed') > rank('case', 'in_review'));
  assert.ok(rank('appeal', 'replied') > rank('appeal', 'handling'));
  assert.ok(rank('grid', 'dispatched') > rank('grid', 'reported'));
});

test('generated citizen ids carry a valid GB 11643 check character', () => {
  const r = rng(7);
  for (let i = 0; i < 100; i += 1) {
    const id = citizenId(r);
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const sum = [...id.slice(0, 17)].reduce((s, c, k) => s + Number(c) * w[k], 0);
    assert.equal(id[17], '10X98765432'[sum % 11]);
  }
});

test('forms respect the field rules', () => {
  const item = {
    form: [
      { name: 'n', type: 'integer', required: true, min: 2, max: 3 },
      { name: 'e', type: 'enum', required: true, options: ['a'] },
      { name: 's', type: 'string', required: true, max_length: 5 },
      { name: 'p', type: 'phone', required: true },
    ],
  };
  const f = makeForm(item, rng(3), 1);
  assert.ok(f.n >= 2 && f.n <= 3);
  assert.equal(f.e, 'a');
  assert.ok(f.s.length <= 5);
  assert.match(f.p, /^1[3-9]\d{9}$/);
});

function samples({ fdLeak = 0, rssLeak = 0 }) {
  const out = [];
  for (let life = 1; life <= 3; life += 1) {
    for (let t = 0; t <= 120; t += 2) {
      const grow = life === 3 ? t : 0;
      out.push({ lifetime: life, phase: t % 30 === 10 ? 'quiet' : 'load', since_start_s: t, rss_kb: 100000 + rssLeak * grow, fds: 30 + (t % 30 === 10 ? 0 : 10) + Math.floor(fdLeak * grow), threads: 70 });
    }
  }
  return out;
}

test('flat resources pass, leaks fail', () => {
  const flat = analyse(samples({}), { warmupS: 8, clients: 15 });
  assert.ok(flat.checks.every((c) => c.ok), JSON.stringify(flat.checks));
  const fd = analyse(samples({ fdLeak: 0.1 }), { warmupS: 8, clients: 15 });
  assert.ok(!fd.checks.find((c) => c.name === 'fd count flat at quiet probes').ok);
  const rss = analyse(samples({ rssLeak: 400 }), { warmupS: 8, clients: 15 });
  assert.ok(!rss.checks.find((c) => c.name === 'RSS flat within the last long lifetime').ok);
});
