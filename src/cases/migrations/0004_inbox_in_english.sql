-- Messages in both languages: the page shows the reader's ('' = the Chinese text only).
ALTER TABLE inbox ADD COLUMN title_en TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN body_en TEXT NOT NULL DEFAULT '';
