-- Consent to the public board, the link to a city-management case, the classifier's class, the reply's quality check, and the
-- idempotency keys of submissions (a replayed submission is refused, not filed twice).
ALTER TABLE appeals ADD COLUMN public_consent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appeals ADD COLUMN suggested_label TEXT NOT NULL DEFAULT '';
ALTER TABLE appeals ADD COLUMN reply_check_json TEXT NOT NULL DEFAULT '';
-- The case another module opened for it (a grid event of 一网统管), '' when none.
ALTER TABLE appeals ADD COLUMN linked_ref TEXT NOT NULL DEFAULT '';
CREATE INDEX appeals_board ON appeals (public_consent, replied_at_ms);

-- Which appeal names which photo: who may read a photo is who may see its appeal.
CREATE TABLE appeal_photos (
  sha256 TEXT NOT NULL,
  appeal_id TEXT NOT NULL,
  PRIMARY KEY (sha256, appeal_id)
);

CREATE TABLE appeal_idempotency (
  identity_key TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  appeal_id TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (identity_key, idempotency_key)
);
