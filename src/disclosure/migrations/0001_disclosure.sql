-- Publication review (公开审核): texts a public surface holds back until an official decides.
-- One row per (surface, subject); the draft is sealed at rest ("disclosure_reviews.draft:<id>").
CREATE TABLE disclosure_reviews (
  id TEXT PRIMARY KEY,
  surface TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  source_sha256 TEXT NOT NULL,
  draft TEXT NOT NULL,
  kinds TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending',
  published_text TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  decided_by TEXT NOT NULL DEFAULT '',
  held_at_ms BIGINT NOT NULL,
  decided_at_ms BIGINT,
  revision INTEGER NOT NULL DEFAULT 0,
  UNIQUE (surface, subject_id)
);
CREATE INDEX disclosure_reviews_queue ON disclosure_reviews (dept_id, state, held_at_ms);
