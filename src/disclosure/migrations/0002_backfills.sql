-- Texts made public before publication review existed: each source (appeals, open311,
-- consultations) holds its public texts once at start; a row here says it has.
CREATE TABLE disclosure_backfills (
  source TEXT PRIMARY KEY,
  done_at_ms BIGINT NOT NULL,
  held INTEGER NOT NULL
);
