-- Electronic certificates (电子证照, GB/T 36901–36905): types, certificates with the GB/T 36903
-- catalog fields, issuer keys, token status lists, uses by departments (用证) and holders'
-- presentations (consent records). History is the `events` outbox (subject_type 'certificate').

CREATE TABLE certificate_types (
  code TEXT PRIMARY KEY,                 -- 证照类型代码: defining body's USCC + 3 digits
  name TEXT NOT NULL UNIQUE,             -- items name their result / material types by this
  defining_body TEXT NOT NULL,
  dept_id TEXT NOT NULL,                 -- issuing department on this platform
  holder_kind TEXT NOT NULL,             -- citizen / business
  validity_years INTEGER NOT NULL,       -- 0 = 长期
  vct TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);

CREATE TABLE certificates (
  identifier TEXT PRIMARY KEY,           -- GB/T 36904
  number TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  type_code TEXT NOT NULL,
  type_name TEXT NOT NULL,
  issue_date TEXT NOT NULL,              -- YYYY-MM-DD
  issuer_name TEXT NOT NULL,
  issuer_uscc TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,                -- '' = 长期
  division_code TEXT NOT NULL,
  holder_name TEXT NOT NULL,
  holder_id TEXT NOT NULL,
  holder_id_type TEXT NOT NULL,          -- 111 公民身份号码, 001 统一社会信用代码
  holder_user_id TEXT NOT NULL,          -- '' when unknown
  item_code TEXT NOT NULL,
  case_id TEXT NOT NULL,                 -- '' for manual / imported
  data_json TEXT NOT NULL,
  status TEXT NOT NULL,                  -- valid / suspended / revoked / expired
  status_reason TEXT NOT NULL,
  status_list_id TEXT NOT NULL,
  status_index BIGINT NOT NULL,
  sd_jwt TEXT NOT NULL,
  issued_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX certificates_holder_id ON certificates (holder_id);
CREATE INDEX certificates_holder_user ON certificates (holder_user_id);
CREATE INDEX certificates_due ON certificates (status, valid_to);
CREATE UNIQUE INDEX certificates_status_slot ON certificates (status_list_id, status_index);
-- One result certificate per case: the follower that issues on completion is idempotent by it.
CREATE UNIQUE INDEX certificates_case ON certificates (case_id) WHERE case_id <> '';

-- Next serial per (type, issuer), so identifiers are sequential and never reused.
CREATE TABLE certificate_serials (
  type_code TEXT NOT NULL,
  issuer_uscc TEXT NOT NULL,
  next_serial BIGINT NOT NULL,
  PRIMARY KEY (type_code, issuer_uscc)
);

-- Departments' ES256 signing keys. The private key is kept here as PEM for the open-source
-- deployment; production keeps it in an HSM / KMS and stores only a handle and the public JWK.
-- Retired keys stay so that credentials they signed keep verifying.
CREATE TABLE issuer_keys (
  kid TEXT PRIMARY KEY,                  -- RFC 7638 thumbprint
  dept_id TEXT NOT NULL,
  private_pem TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  active INTEGER NOT NULL,               -- 1 = signs new credentials
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX issuer_keys_dept ON issuer_keys (dept_id, active);

-- Token status lists; the entries themselves are derived from certificates.status on read.
-- `revision` grows with every change of an entry, so a served token may be cached per revision.
CREATE TABLE status_lists (
  id TEXT PRIMARY KEY,                   -- "<dept>-<n>"
  dept_id TEXT NOT NULL,
  next_index BIGINT NOT NULL,
  capacity BIGINT NOT NULL,
  revision BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX status_lists_dept ON status_lists (dept_id, created_at_ms);

-- 用证 records: each annotated copy (加注件) handed to an official.
CREATE TABLE certificate_uses (
  id TEXT PRIMARY KEY,
  identifier TEXT NOT NULL,
  used_by TEXT NOT NULL,
  used_by_dept TEXT NOT NULL,
  use_cause TEXT NOT NULL,
  used_at_ms BIGINT NOT NULL,
  valid_until_ms BIGINT NOT NULL
);
CREATE INDEX certificate_uses_identifier ON certificate_uses (identifier, used_at_ms);

-- Holders' presentations: the consent record (what was disclosed, to whom, why).
CREATE TABLE certificate_presentations (
  id TEXT PRIMARY KEY,
  identifier TEXT NOT NULL,
  holder_user_id TEXT NOT NULL,
  verifier TEXT NOT NULL,
  purpose TEXT NOT NULL,
  claims_json TEXT NOT NULL,             -- names of the disclosed claims
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX certificate_presentations_identifier ON certificate_presentations (identifier);
