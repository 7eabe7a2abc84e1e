#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang in a build directory of their own and runs each
# on its seed corpus (docs/fuzzing.md).
#
#   scripts/fuzz.sh [--build-dir DIR] [--seconds N] [--jobs J] [--fresh] [TARGET…]
#
# Each target runs N seconds (default 600) with ASan and UBSan; a crash, a leak, a timeout or a
# broken invariant fails the run, leaving the input in DIR/artifacts/<target>/. New inputs the
# fuzzer finds go to DIR/corpus/<target>/ (kept between runs unless --fresh); the committed seeds
# in fuzz/corpus/<target>/ are only read. J is the build's parallelism (default nproc). The test
# suite's smoke run (ctest fuzz_smoke) is this script with --seconds 20 --fresh.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$(pwd)

build_dir=build-fuzz
seconds=600
jobs=$(nproc)
fresh=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --fresh) fresh=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done

clang=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$clang" ]; then
  echo "fuzz: clang++ is missing; scripts/install-deps.sh installs it (package clang)" >&2
  exit 1
fi
# libFuzzer's runtime is a separate Debian package (only recommended by clang).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
  >"$probe/probe.cpp"
if ! "$clang" -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" \
    >"$probe/log" 2>&1; then
  echo "fuzz: $clang cannot link -fsanitize=fuzzer: libFuzzer's runtime is missing;" \
    "scripts/install-deps.sh installs it (package libclang-rt-14-dev)" >&2
  cat "$probe/log" >&2
  exit 1
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  CC=${clang%++} CXX=$clang cmake -S "$source_dir" -B "$build_dir" -G Ninja -DYIWANG_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build_dir" -j "$jobs"

if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < "$build_dir/fuzz_targets.txt"
fi

failed=()
for t in "${targets[@]}"; do
  corpus="$build_dir/corpus/$t"
  artifacts="$build_dir/artifacts/$t"
  [ "$fresh" = 1 ] && rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  log="$build_dir/artifacts/$t.log"
  echo "fuzz: $t for ${seconds}s"
  # -timeout: one input may take at most 10 s; -rss_limit_mb: 2 GiB; the first corpus directory
  # receives new inputs, the seeds are read only.
  if "$build_dir/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$corpus" "$source_dir/fuzz/corpus/$t" >"$log" 2>&1; then
    # The last status line: executions, coverage (cov = edges, ft = features), corpus size.
    grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 | sed "s/^/fuzz: $t: /"
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" |
      sed "s/^/fuzz: $t: /"
  else
    echo "fuzz: $t FAILED; the input is in $artifacts/, the log in $log:" >&2
    grep -E 'ERROR|SUMMARY|fuzz invariant|what\(\)|Test unit written' "$log" | head -20 >&2
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s each without a finding"
