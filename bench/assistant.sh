#!/usr/bin/env bash
# Issue #8 benchmark: the Q&A assistant with ≥ 100 items and ≥ 1,000 passages indexed (needs
# ../shared/data/service-items and ../shared/seeds). Prints the figures for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
echo "== machine"; nproc; grep -m1 'model name' /proc/cpuinfo || true
"$BUILD/bench/bench_assistant" --source "$PWD" --items "${ITEMS:-200}" --doc-items "${DOC_ITEMS:-1200}" \
  --threads "${THREADS:-2}" --seconds "${SECONDS_PER_RUN:-20}" 2>&1 | grep -v '^publish'
