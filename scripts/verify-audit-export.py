#!/usr/bin/env python3
"""Verifies an export of Yiwang's audit trail (GET /api/v1/audit/export) with nothing but SHA-256.

Usage: verify-audit-export.py EXPORT.ndjson [--head HEX] [--anchor SEQ:HEX ...]

Each line is one event with its raw fields, the chain hash of the event before it (`prev`) and its
own (`chain`). The chain hash is SHA-256 over prev (64 ASCII hex digits) followed by netstrings
("<byte length>:<bytes>,") of seq, at_ms, type, subject_type, subject_id, actor.user_id,
actor.role, actor.dept_id, reason, before_json, after_json and data_json (docs/audit.md).
Exit status 0 when every line verifies and links to the one before (and the last hash equals
--head when given), 1 otherwise, naming the first line that does not.

--anchor SEQ:HEX checks the export against the transparency ledger: Yiwang publishes the chain's
head as `audit.anchored` entries (details.sealed_through = SEQ, details.chain_head = HEX), and the
export's chain hash at that seq must be the one the public ledger holds.
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


def parse(argv: list):
    if len(argv) < 2 or len(argv) % 2 != 0:
        return None
    head, anchors = None, {}
    for flag, value in zip(argv[2::2], argv[3::2]):
        if flag == "--head":
            head = value
        elif flag == "--anchor" and ":" in value and value.split(":", 1)[0].isdigit():
            seq, hex_hash = value.split(":", 1)
            anchors[int(seq)] = hex_hash
        else:
            return None
    return argv[1], head, anchors


def main(argv: list) -> int:
    parsed = parse(argv)
    if parsed is None:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path, head, anchors = parsed
    prev = None
    count = 0
    with open(path, encoding="utf-8") as f:
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
            if e["seq"] in anchors:
                if anchors.pop(e["seq"]) != e["chain"]:
                    print(f"line {number} (seq {e['seq']}): the chain hash differs from the one "
                          "the ledger anchored", file=sys.stderr)
                    return 1
            prev = e["chain"]
            count += 1
    if head is not None and prev != head:
        print(f"the last chain hash {prev} is not the expected head {head}", file=sys.stderr)
        return 1
    if anchors:
        print(f"anchored seq {min(anchors)} is not in the export", file=sys.stderr)
        return 1
    print(f"{count} events verified; last chain hash {prev}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
