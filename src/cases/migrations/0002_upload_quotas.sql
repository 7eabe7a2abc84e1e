-- Upload quotas (#16): who uploaded from where, counted per day.
ALTER TABLE file_uploads ADD COLUMN remote_address TEXT NOT NULL DEFAULT '';
CREATE INDEX file_uploads_user_time ON file_uploads (user_id, uploaded_at_ms);
CREATE INDEX file_uploads_address_time ON file_uploads (remote_address, uploaded_at_ms);
