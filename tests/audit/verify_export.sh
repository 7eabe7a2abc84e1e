#!/bin/sh
# The outside auditor's check (scripts/verify-audit-export.py) accepts the export the API test took
# and refuses it with one event changed; it checks the export against the chain head the public
# ledger anchored ($2.anchor, "SEQ:HEX" from the ledger's audit.anchored entry) and refuses another
# head. $1: the script, $2: the export (both files written by test_api).
set -eu
script=$1
export_file=$2
[ -s "$export_file" ] || { echo "no export at $export_file (test_api writes it)"; exit 1; }
[ -s "$export_file.anchor" ] || { echo "no anchor at $export_file.anchor (test_api writes it)"; exit 1; }
anchor=$(cat "$export_file.anchor")
python3 "$script" "$export_file" --anchor "$anchor"
seq=${anchor%%:*}
if python3 "$script" "$export_file" --anchor "$seq:$(printf '%064d' 0)" 2> /dev/null; then
  echo "an export verified against a head the ledger did not anchor"; exit 1
fi
echo "the export agrees with the ledger's anchor $anchor"
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
