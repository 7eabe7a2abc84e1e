-- Open311 GeoReport v2: client keys and the requests submitted through the API.

-- Client API keys. Only the SHA-256 of the key is stored (keys are 192-bit random strings, so a
-- fast hash suffices, as for session tokens); the id is the first 16 hex digits of that hash.
CREATE TABLE open311_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at_ms BIGINT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  revoked_at_ms BIGINT
);

-- One row per request accepted through Open311, linking the grid event (the service request)
-- to the client key and the submitter's contact details. Contact data is personal: it is kept
-- here only, never returned by the GET endpoints and never written to events.
CREATE TABLE open311_requests (
  token TEXT PRIMARY KEY,                 -- 32 hex; also the grid event's external_ref suffix
  grid_event_id TEXT NOT NULL UNIQUE,     -- the service_request_id
  key_id TEXT NOT NULL,
  service_code TEXT NOT NULL,             -- as submitted (the grid may correct the class later)
  address_string TEXT NOT NULL,
  email TEXT NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  phone TEXT NOT NULL,
  device_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  requested_at_ms BIGINT NOT NULL
);
CREATE INDEX open311_requests_time ON open311_requests (requested_at_ms);
