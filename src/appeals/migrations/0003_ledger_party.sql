-- Phone callers' appeals filed before their merge key was keyed carry the unkeyed SHA-256 of the
-- phone as identity_key, and the public ledger committed to it. At start the key is replaced with
-- the keyed one; the value the ledger committed to is kept here, sealed, so that the appeal's
-- later entries commit to the same party ('' = the identity key is the ledger party).
ALTER TABLE appeals ADD COLUMN ledger_party TEXT NOT NULL DEFAULT '';
