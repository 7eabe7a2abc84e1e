-- The applicant's id number and phone are sealed at rest (core/field_cipher.h); cases are found by
-- the keyed index of the id number (the same index as identity's accounts).
ALTER TABLE cases ADD COLUMN applicant_id_index TEXT NOT NULL DEFAULT '';
DROP INDEX cases_item_applicant;
CREATE INDEX cases_item_applicant_index ON cases (item_code, applicant_id_index, state);
