-- Login throttling replaces the account lock (login_guard.h), and second factors (TOTP).
CREATE TABLE login_failures (
  scope TEXT NOT NULL,                   -- pair | account | address
  username TEXT NOT NULL,                -- '' for scope address
  address TEXT NOT NULL,                 -- '' for scope account
  failures INTEGER NOT NULL,
  last_failure_ms BIGINT NOT NULL,
  PRIMARY KEY (scope, username, address)
);
CREATE INDEX login_failures_user ON login_failures (username);

-- Addresses an account has signed in from: the account-wide throttle does not hold them back.
CREATE TABLE login_addresses (
  user_id TEXT NOT NULL REFERENCES users (id),
  address TEXT NOT NULL,
  last_login_ms BIGINT NOT NULL,
  PRIMARY KEY (user_id, address)
);

-- One TOTP factor per account (RFC 6238). `secret` is the active one ('' when none); `pending`
-- a new secret waiting for its first code. `last_step` refuses a code used before (replay).
CREATE TABLE second_factors (
  user_id TEXT PRIMARY KEY REFERENCES users (id),
  secret TEXT NOT NULL DEFAULT '',
  pending TEXT NOT NULL DEFAULT '',
  last_step BIGINT NOT NULL DEFAULT 0,
  enabled_at_ms BIGINT NOT NULL DEFAULT 0
);

-- One-time recovery codes, stored as SHA-256 hex; a used code keeps its row with used_at_ms.
CREATE TABLE recovery_codes (
  user_id TEXT NOT NULL REFERENCES users (id),
  code_hash TEXT NOT NULL,
  used_at_ms BIGINT,
  PRIMARY KEY (user_id, code_hash)
);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until_ms;
