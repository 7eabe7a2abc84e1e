-- The transparency ledger (issue #3). Entries and complete-subtree nodes are write-once: rows are
-- only ever inserted, so any UPDATE or DELETE is tampering that Log::self_check and clients detect.
-- Binary values are lower-case hex (PostgreSQL TEXT cannot hold NUL bytes); entries are UTF-8 JSON.

-- The next index to assign. One row, updated by every append transaction: that row lock is what
-- makes indices dense and commit order equal index order on PostgreSQL.
CREATE TABLE ledger_head (
  id BIGINT PRIMARY KEY,
  next_index BIGINT NOT NULL
);
INSERT INTO ledger_head (id, next_index) VALUES (1, 0);

CREATE TABLE ledger_entries (
  idx BIGINT PRIMARY KEY,
  data TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);

-- Hash of the perfect subtree over leaves [idx << level, (idx + 1) << level); level 0 = leaf hashes.
-- Written together with the checkpoint that first covers them.
CREATE TABLE ledger_nodes (
  level BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (level, idx)
);

CREATE TABLE ledger_checkpoints (
  size BIGINT PRIMARY KEY,
  root TEXT NOT NULL,
  note TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);

-- Accepted witness cosignature lines (c2sp.org/tlog-cosignature), one per witness and checkpoint.
CREATE TABLE ledger_cosignatures (
  size BIGINT NOT NULL,
  witness TEXT NOT NULL,       -- "<name>+<8 hex key hash>"
  line TEXT NOT NULL,          -- the signature line without its trailing newline
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (size, witness)
);

-- Private: the salts that open the party commitments of public entries. Never served publicly;
-- only the party (through its receipt) gets its salt.
CREATE TABLE ledger_commitments (
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  party TEXT NOT NULL,
  salt TEXT NOT NULL,
  commitment TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (subject_type, subject_id, party)
);

-- Which entries are about which subject, for the public lookup and receipts.
CREATE TABLE ledger_acts (
  idx BIGINT PRIMARY KEY,
  event_seq BIGINT NOT NULL,
  act TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX ledger_acts_subject ON ledger_acts (subject_type, subject_id, idx);
