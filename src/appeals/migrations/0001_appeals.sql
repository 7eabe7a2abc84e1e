-- Citizen appeals (12345 诉求). The current state of each appeal lives here; its history is the
-- `events` outbox (subject_type 'appeal').
-- Reals are DOUBLE PRECISION: PostgreSQL's REAL is 4 bytes and would round coordinates (SQLite reads
-- the name as REAL affinity).
CREATE TABLE appeals (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,                  -- web / mobile / phone / api
  type TEXT NOT NULL,                     -- consult / help / complaint / report / suggestion
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  location TEXT NOT NULL,
  lon DOUBLE PRECISION,
  lat DOUBLE PRECISION,
  photos_json TEXT NOT NULL,              -- JSON array of sha256
  anonymous INTEGER NOT NULL,             -- 0/1
  confidential INTEGER NOT NULL,          -- 0/1
  appellant_user_id TEXT NOT NULL,        -- '' for a phone caller without an account
  appellant_name TEXT NOT NULL,           -- '' when anonymous
  appellant_phone TEXT NOT NULL,          -- '' when anonymous
  -- Whose submissions merge and count against the rate limit: 'user:<id>' or 'phone:<sha256>'.
  identity_key TEXT NOT NULL,
  entered_by TEXT NOT NULL,
  state TEXT NOT NULL,
  dept_id TEXT NOT NULL,                  -- '' until dispatched
  suggested_dept TEXT NOT NULL,
  suggested_confidence DOUBLE PRECISION,
  returned_once INTEGER NOT NULL,
  return_reason TEXT NOT NULL,
  reply TEXT NOT NULL,
  callback_result TEXT NOT NULL,
  rating INTEGER,
  supervision_count INTEGER NOT NULL,
  merged_count INTEGER NOT NULL,
  limit_days INTEGER NOT NULL,            -- snapshotted from appeal_limits at intake
  created_at_ms BIGINT NOT NULL,
  last_submitted_at_ms BIGINT NOT NULL,
  dispatched_at_ms BIGINT,
  replied_at_ms BIGINT,
  closed_at_ms BIGINT,
  updated_at_ms BIGINT NOT NULL,
  revision BIGINT NOT NULL
);
CREATE INDEX appeals_identity ON appeals (identity_key, state, last_submitted_at_ms);
CREATE INDEX appeals_user ON appeals (appellant_user_id, created_at_ms);
CREATE INDEX appeals_dept ON appeals (dept_id, state);
CREATE INDEX appeals_created ON appeals (created_at_ms);

-- Every submission, merged or not: the rate limit counts these, and a merged repeat keeps its
-- own words here.
CREATE TABLE appeal_submissions (
  identity_key TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  appeal_id TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  similarity DOUBLE PRECISION
);
CREATE INDEX appeal_submissions_identity ON appeal_submissions (identity_key, at_ms);

-- Working-day limits per appeal type (editable by admins).
CREATE TABLE appeal_limits (
  type TEXT PRIMARY KEY,
  days INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
INSERT INTO appeal_limits (type, days, updated_by, updated_at_ms) VALUES
  ('consult', 3, '', 0), ('help', 3, '', 0), ('complaint', 13, '', 0),
  ('report', 13, '', 0), ('suggestion', 13, '', 0);
