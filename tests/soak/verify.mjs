// After the final clean restart: every acknowledged write is read back by its id, as its owner,
// and must be there with at least the acknowledged revision (and, at that same revision, the
// acknowledged state; in any case a state no earlier in its life cycle), and every acknowledged
// government act (case.accepted, case.granted, case.completed, appeal.replied) must be in the
// transparency ledger.
import { rank, sleep } from './load.mjs';

// Runs `fn` over `items` with at most `n` at once.
async function pool(items, n, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

function readBack(ctx, rec) {
  switch (rec.kind) {
    case 'case':
      return { path: `/api/v1/cases/${rec.id}`, token: ctx.tokenOf(rec.owner) };
    case 'appeal':
      return { path: `/api/v1/appeals/${rec.id}`, token: ctx.tokenOf(rec.owner) };
    case 'grid':
      return { path: `/api/v1/grid/events/${rec.id}`, token: ctx.officials['grid.clerk'].token };
    case 'open311':
      return { path: `/open311/v2/requests/${encodeURIComponent(rec.id)}.json` };
    default:
      throw new Error(`unknown kind ${rec.kind}`);
  }
}

// Reads one record; retries transport failures (the server is up, but be patient).
async function get(client, path, token) {
  for (let i = 0; ; i += 1) {
    try {
      return await client.request('GET', path, { token });
    } catch (e) {
      if (i >= 5) return { status: 0, text: String(e.message), json: null };
      await sleep(500);
    }
  }
}

export async function verifyAcknowledged(ctx, clients) {
  const records = [...ctx.acks.records.values()];
  const out = { records: records.length, present: 0, missing: [], regressed: [], errors: [], by_kind: {} };
  await pool(records, clients.length, async (rec, i) => {
    const client = clients[i % clients.length];
    const { path, token } = readBack(ctx, rec);
    const r = await get(client, path, token);
    const k = (out.by_kind[rec.kind] ??= { records: 0, present: 0, missing: 0, regressed: 0 });
    k.records += 1;
    if (r.status === 404) {
      k.missing += 1;
      if (out.missing.length < 200) out.missing.push({ kind: rec.kind, id: rec.id, acknowledged: { state: rec.state, revision: rec.revision, lifetime: rec.lifetime } });
      out.missing_count = (out.missing_count || 0) + 1;
      return;
    }
    if (r.status !== 200) {
      if (out.errors.length < 50) out.errors.push({ kind: rec.kind, id: rec.id, status: r.status, body: r.text.slice(0, 300) });
      out.error_count = (out.error_count || 0) + 1;
      return;
    }
    const doc = rec.kind === 'open311' ? r.json?.[0] : r.json;
    const state = rec.kind === 'open311' ? doc?.status : doc?.state;
    const revision = doc?.revision ?? null;
    let why = null;
    if (rank(rec.kind, state) < rank(rec.kind, rec.state) && rec.state !== 'unknown') why = 'state earlier than acknowledged';
    if (rec.revision !== null && revision !== null) {
      if (revision < rec.revision) why = 'revision lower than acknowledged';
      else if (revision === rec.revision && state !== rec.state) why = 'same revision, other state';
    }
    if (why) {
      k.regressed += 1;
      out.regressed_count = (out.regressed_count || 0) + 1;
      if (out.regressed.length < 200) out.regressed.push({ kind: rec.kind, id: rec.id, why, acknowledged: { state: rec.state, revision: rec.revision, lifetime: rec.lifetime }, found: { state, revision } });
      return;
    }
    k.present += 1;
    out.present += 1;
  });
  out.missing_count ??= 0;
  out.regressed_count ??= 0;
  out.error_count ??= 0;
  return out;
}

// Every acknowledged government act is in the ledger (GET /api/v1/ledger/acts, public), within
// the latest checkpoint. The ledger follower works asynchronously: waits up to `waitMs` for it.
export async function verifyActsLogged(ctx, clients, { waitMs = 120000, checkpointSize }) {
  const wanted = [...ctx.acks.records.values()].filter((r) => r.acts.length > 0);
  const pending = new Map(wanted.map((r) => [`${r.kind}:${r.id}`, r]));
  const indices = [];
  const started = Date.now();
  let beyondCheckpoint = 0;
  for (;;) {
    const round = [...pending.values()];
    await pool(round, clients.length, async (rec, i) => {
      const client = clients[i % clients.length];
      const r = await get(client, `/api/v1/ledger/acts?subject_type=${rec.kind}&subject_id=${encodeURIComponent(rec.id)}`);
      if (r.status !== 200 || !Array.isArray(r.json?.items)) return;
      const logged = new Map(r.json.items.map((a) => [a.act, a.index]));
      if (rec.acts.every((a) => logged.has(a))) {
        pending.delete(`${rec.kind}:${rec.id}`);
        for (const a of rec.acts) indices.push(logged.get(a));
      }
    });
    if (pending.size === 0 || Date.now() - started > waitMs) break;
    await sleep(2000);
  }
  const size = await checkpointSize();
  for (const i of indices) if (size !== null && i >= size) beyondCheckpoint += 1;
  const acts = wanted.reduce((s, r) => s + r.acts.length, 0);
  return {
    records_with_acts: wanted.length,
    acts,
    logged_records: wanted.length - pending.size,
    not_logged: [...pending.values()].slice(0, 100).map((r) => ({ kind: r.kind, id: r.id, acts: r.acts, lifetime: r.lifetime })),
    not_logged_count: pending.size,
    beyond_checkpoint: beyondCheckpoint,
    checkpoint_size: size,
    waited_ms: Date.now() - started,
    indices,
  };
}
