#!/usr/bin/env bash
# The web app's browser tests (web_*.test.mjs) against a real server: starts `yiwang demo` with
# fresh data on a free port, serving the built web app, runs the tests one file at a time, and
# stops the server. Screenshots go to ARTIFACTS/screenshots, the server log to ARTIFACTS.
# Usage: run-web-tests.sh YIWANG_BINARY WEB_ROOT ARTIFACTS [test files…]
set -euo pipefail
binary=$1 web_root=$2 artifacts=$3
shift 3
cd "$(dirname "$0")"
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(web_*.test.mjs)

# Prerequisites first, before a demo starts for nothing (prerequisites.mjs): without Chromium or
# playwright-core the run fails, saying which is missing and how to install it; with
# YIWANG_TESTS_MAY_SKIP=1 it is skipped (exit 77, ctest's SKIP_RETURN_CODE for web_browser).
rc=0
node --input-type=module -e "const { skip } = await import('./browser.mjs'); process.exit(skip ? 77 : 0);" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
# The demo trains its classifier, files real appeals and imports the policy documents from
# ../shared beside the checkout (as CI has it); without them the tests would quietly take their
# no-classifier paths.
shared=$(cd ../.. && pwd)/../shared
for need in data/appeals/labelled.jsonl data/appeals/with-replies.jsonl seeds; do
  [ -e "$shared/$need" ] && continue
  what="missing test prerequisite: ../shared/$need (looked for $shared/$need): the demo these tests drive reads real data from ../shared beside the checkout, as CI provides it"
  if [ "${YIWANG_TESTS_MAY_SKIP:-}" = 1 ]; then
    echo "# YIWANG_TESTS_MAY_SKIP=1: $what; running against a demo without it"
  else
    echo "$what. (For a local run without it, YIWANG_TESTS_MAY_SKIP=1 runs the tests against a demo without it; never set it in CI.)" >&2
    exit 1
  fi
done

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$artifacts/screenshots"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$binary" demo --db "$work/demo.db" --port "$port" --cases 80 --web-root "$web_root" \
  >"$artifacts/web-server.log" 2>&1 &
server=$!
for _ in $(seq 1 1200); do
  curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "yiwang demo exited early:"; tail -20 "$artifacts/web-server.log"; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/" | grep -q '<div id="app">' || { echo "the web app is not served from $web_root"; exit 1; }

YIWANG_TEST_URL="http://127.0.0.1:$port" YIWANG_SCREENSHOT_DIR="$artifacts/screenshots" \
  YIWANG_DEMO_ACCOUNTS="$work/demo-accounts.json" YIWANG_TEST_SESSIONS="$work/sessions.json" \
  YIWANG_SMS_OUTBOX="$work/sms-outbox.log" \
  node --test --test-concurrency=1 "${files[@]}"
