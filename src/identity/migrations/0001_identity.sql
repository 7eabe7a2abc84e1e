-- Identity: administrative divisions, departments, users (citizens, businesses, officials), sessions.
CREATE TABLE divisions (
  code TEXT PRIMARY KEY,                 -- GB/T 2260, 6 digits
  name TEXT NOT NULL,
  parent_code TEXT NOT NULL DEFAULT ''   -- '' for provinces
);
CREATE INDEX divisions_parent ON divisions (parent_code, code);

CREATE TABLE departments (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  uscc TEXT UNIQUE,                      -- NULL when unknown
  division_code TEXT NOT NULL DEFAULT '',
  parent_id TEXT NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,                    -- citizen | business | official
  display_name TEXT NOT NULL,
  id_number TEXT,                        -- GB 11643 / GB 32100; NULL when none (officials)
  division_code TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  dept_id TEXT NOT NULL DEFAULT '',
  roles TEXT NOT NULL DEFAULT '',        -- comma list of role names
  password_hash TEXT NOT NULL,           -- Argon2id, libsodium string format
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until_ms BIGINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  -- One account per person or business (NULLs do not collide).
  UNIQUE (kind, id_number)
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,           -- SHA-256 hex of the bearer token
  user_id TEXT NOT NULL REFERENCES users (id),
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  remote_address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id, expires_at_ms);
