// Memory and file handles of the server across the soak, judged at comparable points.
//
// Samples are taken every few seconds under load ("load") and at quiet probes ("quiet"): the
// clients pause, wait for their requests, close their connections, and after a second the
// server's open descriptors and RSS are read with nothing in flight. Quiet probes fall at the
// same offsets in every lifetime (warm-up, then every probe interval), so they compare like with
// like across kills and within the last, long lifetime.
//
// Tolerances (docs/soak.md explains them):
//   fd   every quiet probe within FD_SLACK of the run's first quiet probe (descriptors are
//        counted exactly: a leak of one per request or per restart shows at once), and under
//        load never more than the quiet count + one connection per client + FD_SLACK.
//   RSS  within the last lifetime, its last quiet probe at most RSS_GROWTH above its first quiet
//        probe after warm-up (or RSS_FLOOR_MB, whichever is larger); across lifetimes, the first
//        quiet probe of every lifetime in the second half of the run at most RSS_GROWTH (or
//        RSS_FLOOR_MB) above the median of those in the first half. Not the first lifetime alone:
//        it serves a database freshly seeded, a fraction of its later size, and a fresh server's
//        caches fill faster from a larger one (docs/soak.md); a growth per restart or with the
//        data that goes on through the run still shows.
export const FD_SLACK = 4;
export const RSS_GROWTH = 0.2;
export const RSS_FLOOR_MB = 16;

const mb = (kb) => Math.round((kb / 1024) * 10) / 10;

function median(values) {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

// Least-squares slope of y over x.
function slope(points) {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den ? num / den : 0;
}

// `fdSlack`: FD_SLACK on SQLite (a fixed pool of connections opened at start); on PostgreSQL
// FD_SLACK + 7, since the store opens its up to 8 connections on demand and keeps them.
export function analyse(samples, { warmupS, clients, fdSlack = FD_SLACK }) {
  const lifetimes = [...new Set(samples.map((s) => s.lifetime))].sort((a, b) => a - b);
  const per = lifetimes.map((n) => {
    const all = samples.filter((s) => s.lifetime === n);
    const load = all.filter((s) => s.phase === 'load' && s.since_start_s >= warmupS);
    const quiet = all.filter((s) => s.phase === 'quiet');
    return {
      lifetime: n,
      seconds: all.length ? Math.round(all[all.length - 1].since_start_s) : 0,
      samples: all.length,
      rss_mb_median: load.length ? mb(median(load.map((s) => s.rss_kb))) : null,
      rss_mb_max: all.length ? mb(Math.max(...all.map((s) => s.rss_kb))) : null,
      fds_median: load.length ? median(load.map((s) => s.fds)) : null,
      fds_max: all.length ? Math.max(...all.map((s) => s.fds)) : null,
      threads_max: all.length ? Math.max(...all.map((s) => s.threads)) : null,
      quiet: quiet.map((s) => ({ at_s: Math.round(s.since_start_s), rss_mb: mb(s.rss_kb), anon_mb: s.anon_kb != null ? mb(s.anon_kb) : null, file_mb: s.file_kb != null ? mb(s.file_kb) : null, shmem_mb: s.shmem_kb != null ? mb(s.shmem_kb) : null, fds: s.fds })),
    };
  });
  const checks = [];
  const quietAll = samples.filter((s) => s.phase === 'quiet');
  if (quietAll.length === 0) {
    checks.push({ name: 'fd count flat at quiet probes', ok: false, detail: 'no quiet probe was taken' });
    return { lifetimes: per, checks };
  }
  const fd0 = quietAll[0].fds;
  const fdMax = Math.max(...quietAll.map((s) => s.fds));
  const fdMin = Math.min(...quietAll.map((s) => s.fds));
  checks.push({
    name: 'fd count flat at quiet probes',
    ok: fdMax <= fd0 + fdSlack,
    detail: `first ${fd0}, min ${fdMin}, max ${fdMax} over ${quietAll.length} probes in ${new Set(quietAll.map((s) => s.lifetime)).size} lifetimes (tolerance +${fdSlack})`,
  });
  const loadMax = Math.max(...samples.filter((s) => s.phase === 'load').map((s) => s.fds));
  const bound = fdMax + clients + fdSlack;
  checks.push({
    name: 'fd count bounded under load',
    ok: loadMax <= bound,
    detail: `max ${loadMax} under load; bound ${bound} = quiet ${fdMax} + ${clients} client connections + ${fdSlack}`,
  });

  // RSS within the last lifetime that has at least two quiet probes.
  const withTwo = per.filter((p) => p.quiet.length >= 2);
  const last = withTwo[withTwo.length - 1];
  if (last) {
    const first = last.quiet[0];
    const end = last.quiet[last.quiet.length - 1];
    const allowed = Math.max(first.rss_mb * (1 + RSS_GROWTH), first.rss_mb + RSS_FLOOR_MB);
    const loadPoints = samples
      .filter((s) => s.lifetime === last.lifetime && s.phase === 'load' && s.since_start_s >= warmupS)
      .map((s) => [s.since_start_s / 3600, s.rss_kb / 1024]);
    checks.push({
      name: 'RSS flat within the last long lifetime',
      ok: end.rss_mb <= allowed,
      detail: `lifetime ${last.lifetime}: ${first.rss_mb} MB at ${first.at_s} s → ${end.rss_mb} MB at ${end.at_s} s (allowed ${Math.round(allowed * 10) / 10} MB: +${RSS_GROWTH * 100} % or +${RSS_FLOOR_MB} MB); trend under load ${Math.round(slope(loadPoints))} MB/h`,
    });
  } else {
    checks.push({ name: 'RSS flat within the last long lifetime', ok: false, detail: 'no lifetime had two quiet probes' });
  }
  // RSS at the first quiet probe of each lifetime: the second half against the first half.
  const firsts = per.filter((p) => p.quiet.length > 0).map((p) => ({ lifetime: p.lifetime, ...p.quiet[0] }));
  if (firsts.length >= 2) {
    const half = Math.ceil(firsts.length / 2);
    const base = median(firsts.slice(0, half).map((f) => f.rss_mb));
    const later = firsts.length > half ? firsts.slice(half) : firsts.slice(-1);
    const allowed = Math.max(base * (1 + RSS_GROWTH), base + RSS_FLOOR_MB);
    const worst = later.reduce((a, b) => (b.rss_mb > a.rss_mb ? b : a));
    checks.push({
      name: 'RSS flat across lifetimes',
      ok: worst.rss_mb <= allowed,
      detail: `first quiet probe of each lifetime: ${firsts.map((f) => f.rss_mb).join(', ')} MB; second half max ${worst.rss_mb} (lifetime ${worst.lifetime}) against the first half's median ${base}, allowed ${Math.round(allowed * 10) / 10}`,
    });
  }
  return { lifetimes: per, checks };
}
