-- One account per person or business among the accounts whose id number a trusted channel
-- verified; a mere claim blocks nobody (else anyone could register a stranger's id number first
-- and keep its owner out). Lookups by id number keep a plain index.
DROP INDEX users_kind_id_number_index;
CREATE INDEX users_kind_id_number_index ON users (kind, id_number_index);
CREATE UNIQUE INDEX users_verified_id_number ON users (kind, id_number_index)
  WHERE assurance <> 'claimed';
