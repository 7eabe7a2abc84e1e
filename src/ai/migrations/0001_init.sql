-- AI dispatch: dispatchers' corrections of the classifier (training data for the next model) and
-- the serving model version, so that a restart serves the model an administrator chose.
CREATE TABLE ai_corrections (
  id TEXT PRIMARY KEY,
  text TEXT NOT NULL,
  label TEXT NOT NULL,
  created_by TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX ai_corrections_created ON ai_corrections (created_at_ms);

CREATE TABLE ai_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
