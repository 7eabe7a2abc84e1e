-- Q&A assistant (智能问答): policy documents added by administrators, split into passages that keep
-- their section and position, and citizens' feedback on answers. Item guides are read from the
-- catalog; the search index is in memory, rebuilt from these tables and the catalog at start.
CREATE TABLE assistant_documents (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  format TEXT NOT NULL,
  source TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  version INTEGER NOT NULL,
  passages INTEGER NOT NULL,
  chars INTEGER NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE INDEX assistant_documents_sha ON assistant_documents (sha256);

CREATE TABLE assistant_passages (
  doc_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  section TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (doc_id, position)
);

CREATE TABLE assistant_feedback (
  id TEXT PRIMARY KEY,
  question TEXT NOT NULL,
  answer_ref TEXT NOT NULL,
  useful INTEGER NOT NULL,
  comment TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX assistant_feedback_ref ON assistant_feedback (answer_ref, useful);
