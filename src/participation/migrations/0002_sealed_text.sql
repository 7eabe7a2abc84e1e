-- Comments and answers are the citizen's own words, sealed at rest (core/field_cipher.h): the
-- duplicate check compares a keyed index of the comment's text instead of the text.
ALTER TABLE consultation_comments ADD COLUMN text_index TEXT NOT NULL DEFAULT '';
CREATE INDEX consultation_comments_text ON consultation_comments (consultation_id, text_index);
