-- Public participation: consultations (意见征集) with clause-level comments, and surveys (在线调查).
-- States stored are draft / open / concluded (consultations) and draft / open (surveys); "closed"
-- is read from closes_at_ms. History is the `events` outbox.
CREATE TABLE consultations (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  state TEXT NOT NULL,
  opens_at_ms BIGINT,                -- NULL: from publication
  closes_at_ms BIGINT NOT NULL,
  feedback_summary TEXT,             -- set at conclusion
  feedback_at_ms BIGINT,
  created_by TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  published_at_ms BIGINT,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX consultations_state ON consultations (state, closes_at_ms);
CREATE INDEX consultations_dept ON consultations (dept_id, state);

CREATE TABLE consultation_clauses (
  consultation_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  number TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (consultation_id, position),
  UNIQUE (consultation_id, number)
);

CREATE TABLE consultation_comments (
  id TEXT PRIMARY KEY,
  consultation_id TEXT NOT NULL,
  clause TEXT NOT NULL,              -- '' = the whole draft
  text TEXT NOT NULL,
  author_user_id TEXT NOT NULL,
  author_name TEXT NOT NULL,         -- masked when stored
  created_at_ms BIGINT NOT NULL,
  adopted INTEGER,                   -- NULL until decided, then 0/1
  reason TEXT,
  decided_at_ms BIGINT,
  decided_by TEXT
);
CREATE INDEX consultation_comments_by ON consultation_comments (consultation_id, created_at_ms);
CREATE INDEX consultation_comments_author ON consultation_comments (consultation_id, author_user_id);

CREATE TABLE surveys (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  state TEXT NOT NULL,
  closes_at_ms BIGINT NOT NULL,
  questions_json TEXT NOT NULL,      -- [{id, kind, text, options, min, max, required}]
  created_by TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  published_at_ms BIGINT,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX surveys_state ON surveys (state, closes_at_ms);

-- One response per account; identity keeps one account per verified person or business.
CREATE TABLE survey_responses (
  id TEXT PRIMARY KEY,
  survey_id TEXT NOT NULL,
  respondent_user_id TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  UNIQUE (survey_id, respondent_user_id)
);

-- One row per chosen option (single/multiple), scale point (num) or text answer (value):
-- results are GROUP BYs over this table.
CREATE TABLE survey_answers (
  response_id TEXT NOT NULL,
  survey_id TEXT NOT NULL,
  question_id TEXT NOT NULL,
  value TEXT NOT NULL,
  num BIGINT,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX survey_answers_q ON survey_answers (survey_id, question_id);
