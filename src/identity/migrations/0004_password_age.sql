-- When the password was last set: officials' passwords expire (identity Options).
ALTER TABLE users ADD COLUMN password_changed_at_ms BIGINT NOT NULL DEFAULT 0;
UPDATE users SET password_changed_at_ms = created_at_ms;
