#!/usr/bin/env bash
# A fresh clone stands alone (#17): `make demo`'s seeding from a copy of the repository's data
# with no ../shared beside it, then a count of what every area of the demo has. Fails when an
# area is empty (a demo that needs ../shared for its classifier, appeals or policy notes).
# usage: standalone.sh YIWANG_BINARY SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The checkout's data as a clone has it, in a tree with nothing beside it.
mkdir -p "$work/clone"
cp -r "$src/data" "$work/clone/data"
test ! -e "$work/shared"
"$bin" demo --db "$work/demo.db" --demo-data "$work/clone/data/demo" --cases 120 --no-serve \
  > "$work/seed.log" 2>&1 || { cat "$work/seed.log"; exit 1; }
cat "$work/seed.log"
count() { sqlite3 "$work/demo.db" "$1"; }
fail=0
check() {  # area, SQL count, minimum
  local n
  n=$(count "$2")
  printf '%-34s %6s (at least %s)\n' "$1" "$n" "$3"
  if [ "$n" -lt "$3" ]; then fail=1; fi
}
check "catalog items" "SELECT COUNT(*) FROM items" 40
check "cases" "SELECT COUNT(*) FROM cases" 100
check "certificates" "SELECT COUNT(*) FROM certificates" 5
check "appeals (12345)" "SELECT COUNT(*) FROM appeals" 150
check "appeals classified by the model" "SELECT COUNT(*) FROM appeals WHERE suggested_confidence IS NOT NULL" 100
check "consultations and surveys" "SELECT (SELECT COUNT(*) FROM consultations) + (SELECT COUNT(*) FROM surveys)" 2
check "grid events" "SELECT COUNT(*) FROM grid_events" 100
check "assistant policy documents" "SELECT COUNT(*) FROM assistant_documents" 5
check "ledger entries" "SELECT COUNT(*) FROM ledger_entries" 100
# The seeding log names no ../shared source.
if grep -q "shared" "$work/seed.log"; then echo "the seeding used ../shared"; fail=1; fi
exit $fail
