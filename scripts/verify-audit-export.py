#!/usr/bin/env python3
"""Verifies an export of Yiwang's audit trail (GET /api/v1/audit/export) with nothing but SHA-256.

Usage: verify-audit-export.py EXPORT.ndjson [--head HEX]

Each line is one event with its raw fields, the chain hash of the event before it (`prev`) and its
own (`chain`). The chain hash is SHA-256 over prev (64 ASCII hex digits) followed by netstrings
("<byte length>:<bytes>,") of seq, at_ms, type, subject_type, subject_id, actor.user_id,
actor.role, actor.dept_id, reason, before_json, after_json and data_json (docs/audit.md).
Exit status 0 when every line verifies and links to the one before (and the last hash equals
--head when given), 1 otherwise, naming the first line that does not.
"""
import hashlib
import json
import sys


def netstring(text: str) -> bytes:
    raw = text.encode("utf-8")
    return str(len(raw)).encode("ascii") + b":" + raw + b","


def chain_hash(prev: str, e: dict) -> str:
    data = prev.encode("ascii") + netstring(str(e["seq"])) + netstring(str(e["at_ms"]))
    for field in ("type", "subject_type", "subject_id"):
        data += netstring(e[field])
    for field in ("user_id", "role", "dept_id"):
        data += netstring(e["actor"][field])
    for field in ("reason", "before_json", "after_json", "data_json"):
        data += netstring(e[field])
    return hashlib.sha256(data).hexdigest()


def main(argv: list) -> int:
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--head"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    prev = None
    count = 0
    with open(argv[1], encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            e = json.loads(line)
            if prev is not None and e["prev"] != prev:
                print(f"line {number} (seq {e['seq']}): does not follow the line before", file=sys.stderr)
                return 1
            if chain_hash(e["prev"], e) != e["chain"]:
                print(f"line {number} (seq {e['seq']}): the event does not match its chain hash",
                      file=sys.stderr)
                return 1
            prev = e["chain"]
            count += 1
    if len(argv) == 4 and prev != argv[3]:
        print(f"the last chain hash {prev} is not the expected head {argv[3]}", file=sys.stderr)
        return 1
    print(f"{count} events verified; last chain hash {prev}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
