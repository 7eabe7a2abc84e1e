-- Supervision watches the acceptance step too (行政许可法 第三十二条: 5 working days to decide
-- acceptance): an alert row is on the acceptance clock or on the decision clock.
ALTER TABLE case_alerts ADD COLUMN clock TEXT NOT NULL DEFAULT 'decision';
