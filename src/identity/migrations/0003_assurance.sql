-- Identity assurance: a self-registered id number is claimed until a trusted channel verifies it.
ALTER TABLE users ADD COLUMN assurance TEXT NOT NULL DEFAULT 'claimed';  -- claimed | verified | in_person
ALTER TABLE users ADD COLUMN verified_method TEXT NOT NULL DEFAULT '';   -- counter | sms
ALTER TABLE users ADD COLUMN verified_at_ms BIGINT NOT NULL DEFAULT 0;

-- The population registry (人口库) remote verification matches against: id number, name and
-- the phone the code goes to. Loaded by the data bureau; the demo seeds its own people.
CREATE TABLE population_registry (
  id_number TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  phone TEXT NOT NULL
);

-- The pending one-time code of a remote verification, as SHA-256 of user id and code.
CREATE TABLE verification_codes (
  user_id TEXT PRIMARY KEY REFERENCES users (id),
  code_hash TEXT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  sent_at_ms BIGINT NOT NULL,
  day TEXT NOT NULL,                     -- Beijing date of the sends counted
  sends INTEGER NOT NULL
);
