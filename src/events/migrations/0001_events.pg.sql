-- The outbox and audit trail. Append-only: rows are never updated or deleted.
-- seq is assigned by events::append (see events.cpp for how and why it differs per dialect).
-- PostgreSQL copy of 0001_events.sql (keep the two in step). It differs in two places:
-- `type` compares bytewise (COLLATE "C") so that the prefix filter of events::list can be a range
-- scan on events_type: under a linguistic collation `type >= 'case.'` is not a prefix test;
-- seq values come from the sequence events_seq, taken under an advisory lock.
CREATE TABLE events (
  seq BIGINT PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  type TEXT COLLATE "C" NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  actor_user_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  actor_dept_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  data_json TEXT NOT NULL
);
CREATE INDEX events_subject ON events (subject_type, subject_id, seq);
CREATE INDEX events_type ON events (type, seq);

CREATE TABLE event_cursors (
  name TEXT PRIMARY KEY,
  position BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);

CREATE SEQUENCE events_seq;
