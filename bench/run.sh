#!/usr/bin/env bash
# Runs the issue #2 benchmarks on this machine and prints the figures for docs/benchmarks.md.
# (a) full case lifecycles over HTTP with durable writes; (b) the read API under wrk at 1,000
# connections, side by side with nginx serving a static file in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
WORK=$(mktemp -d /tmp/yiwang-bench.XXXXXX)
PORT=${PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== machine"; nproc; grep -m1 'model name' /proc/cpuinfo || true; free -g | head -2
"$BUILD/yiwang" demo --db "$WORK/bench.db" --no-serve --cases 0 > /dev/null
export YIWANG_DEMO_ACCOUNTS="$WORK/demo-accounts.json"  # officials' second factors
"$BUILD/yiwang" serve --db "$WORK/bench.db" --port "$PORT" --access-log - &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" > /dev/null && break; sleep 0.1; done

echo "== (a) lifecycles: submit → accept → approve → grant → complete, 64 client threads"
"$BUILD/bench/bench_lifecycle" --port "$PORT" --threads 64 --seconds "$SECONDS_PER_RUN"

ITEM=$(curl -s "http://127.0.0.1:$PORT/api/v1/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["code"])')
mkdir -p "$WORK/nginx/html"
curl -s "http://127.0.0.1:$PORT/api/v1/health" > "$WORK/nginx/html/static.json"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/nginx/html; }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
echo "== (b) read API vs nginx static, wrk -t2 -c1000 -d${SECONDS_PER_RUN}s"
echo "-- nginx static $(wc -c < "$WORK/nginx/html/static.json") bytes"
wrk -t2 -c1000 -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$NGINX_PORT/static.json" | grep -E 'Requests/sec|50%|99%|Socket errors' || true
echo "-- yiwang GET /api/v1/health"
wrk -t2 -c1000 -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$PORT/api/v1/health" | grep -E 'Requests/sec|50%|99%|Socket errors' || true
echo "-- yiwang GET /api/v1/items/$ITEM"
wrk -t2 -c1000 -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$PORT/api/v1/items/$ITEM" | grep -E 'Requests/sec|50%|99%|Socket errors' || true
