#!/usr/bin/env bash
# Runs the issue #3 and #4 benchmarks on this machine and prints the figures for
# docs/benchmarks.md: (c) durable ledger appends with 1 s checkpoints and the time from an append
# to the signed checkpoint covering it; (d) inclusion-proof requests over HTTP under wrk;
# (e) certificate issuances and presentation verifications.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
WORK=$(mktemp -d /tmp/yiwang-bench-ledger.XXXXXX)
PORT=${PORT:-18090}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== machine"; nproc; grep -m1 'model name' /proc/cpuinfo || true
echo "== (c) ledger appends, SQLite durable, checkpoint every 1000 ms"
for threads in 64 256; do
  "$BUILD/bench/bench_ledger" --threads "$threads" --seconds "$SECONDS_PER_RUN"
done

echo "== (d) inclusion proofs over HTTP (demo with 300 cases), wrk -t2 -c100"
"$BUILD/yiwang" demo --db "$WORK/demo.db" --no-serve > /dev/null
"$BUILD/yiwang" serve --db "$WORK/demo.db" --port "$PORT" --access-log - &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/ledger/checkpoint" > /dev/null && break; sleep 0.1; done
SIZE=$(curl -s "http://127.0.0.1:$PORT/ledger/checkpoint" | sed -n 2p)
echo "tree size $SIZE"
cat > "$WORK/proofs.lua" <<LUA
math.randomseed(42)
request = function()
  local i = math.random(0, $SIZE - 1)
  return wrk.format("GET", "/api/v1/ledger/proof/inclusion?index=" .. i .. "&size=$SIZE")
end
LUA
wrk -t2 -c100 -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/proofs.lua" "http://127.0.0.1:$PORT" \
  | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors' || true
echo "-- tiles: GET /ledger/tile/0/000 (a full tile when the tree has ≥ 256 entries)"
wrk -t2 -c100 -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$PORT/ledger/tile/0/000" \
  | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors' || true
kill %1 2>/dev/null || true

echo "== (e) certificates: issuance and verification, 16 threads"
"$BUILD/bench/bench_certificates" --threads 16 --seconds "$SECONDS_PER_RUN"
