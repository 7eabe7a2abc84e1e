-- Personal data sealed at rest (identity.h, core/field_cipher.h). Accounts are found by id number
-- through its keyed index; the sealed id_number itself is unique only by its random nonce.
ALTER TABLE users ADD COLUMN id_number_index TEXT;
CREATE UNIQUE INDEX users_kind_id_number_index ON users (kind, id_number_index);

-- The population registry, keyed by the index of the id number; id number, name and phone sealed.
-- Service::seal_at_rest moves the rows of the old clear-text population_registry here.
CREATE TABLE population_records (
  id_index TEXT PRIMARY KEY,
  id_number TEXT NOT NULL,
  name TEXT NOT NULL,
  phone TEXT NOT NULL
);
