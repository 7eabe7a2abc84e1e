-- The outbox and audit trail. Append-only: rows are never updated or deleted.
-- seq is assigned by events::append (see events.cpp for how and why it differs per dialect).
-- PostgreSQL has its own copy, 0001_events.pg.sql: keep the two in step.
CREATE TABLE events (
  seq BIGINT PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  type TEXT NOT NULL,
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
