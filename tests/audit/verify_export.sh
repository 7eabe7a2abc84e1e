#!/bin/sh
# The outside auditor's check (scripts/verify-audit-export.py) accepts the export the API test took
# and refuses it with one event changed. $1: the script, $2: the export (written by test_api).
set -eu
script=$1
export_file=$2
[ -s "$export_file" ] || { echo "no export at $export_file (test_api writes it)"; exit 1; }
python3 "$script" "$export_file"
tampered=$(mktemp)
trap 'rm -f "$tampered"' EXIT
# Change one recorded opinion: 准予许可 (granted) → 不予许可 (refused).
sed 's/准予许可/不予许可/' "$export_file" > "$tampered"
cmp -s "$export_file" "$tampered" && { echo "the export has no 准予许可 to change"; exit 1; }
if python3 "$script" "$tampered" 2> "$tampered.err"; then
  echo "a tampered export verified"; exit 1
fi
grep -q "does not match its chain hash" "$tampered.err"
rm -f "$tampered.err"
echo "a tampered export is refused"
