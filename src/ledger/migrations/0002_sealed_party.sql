-- The party of a commitment (e.g. "111:<id number>") is personal data: `party` now holds its keyed
-- index (core/field_cipher.h), which keeps the primary key deterministic, and `party_sealed` the
-- party sealed at rest for the receipt. ledger::seal_at_rest converts rows of older versions.
ALTER TABLE ledger_commitments ADD COLUMN party_sealed TEXT NOT NULL DEFAULT '';
