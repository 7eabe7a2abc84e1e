-- The holder's name and id number, the certificate's data and its SD-JWT (whose disclosures carry
-- them) are sealed at rest (core/field_cipher.h); holders are found by the keyed index of their
-- id number (the same index as identity's accounts and cases' applicants).
ALTER TABLE certificates ADD COLUMN holder_id_index TEXT NOT NULL DEFAULT '';
DROP INDEX certificates_holder_id;
CREATE INDEX certificates_holder_id_index ON certificates (holder_id_index);
