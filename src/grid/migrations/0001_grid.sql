-- Grid city management (一网统管). Coordinates are WGS 84 degrees; DOUBLE PRECISION because
-- PostgreSQL's REAL is 4 bytes (SQLite reads the name as REAL affinity). Times are unix ms.

-- Unit grid cells (单元网格). The geometry is the imported GeoJSON geometry object, compact.
CREATE TABLE grid_cells (
  code TEXT PRIMARY KEY,                  -- 15 digits
  name TEXT NOT NULL,
  division_code TEXT NOT NULL,
  street_code TEXT NOT NULL,              -- code[0..9)
  street_name TEXT NOT NULL,
  community_code TEXT NOT NULL,           -- code[0..12)
  community_name TEXT NOT NULL,
  supervisors_json TEXT NOT NULL,         -- JSON array of usernames
  geometry_json TEXT NOT NULL,
  min_lon DOUBLE PRECISION NOT NULL,
  min_lat DOUBLE PRECISION NOT NULL,
  max_lon DOUBLE PRECISION NOT NULL,
  max_lat DOUBLE PRECISION NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX grid_cells_street ON grid_cells (street_code);

-- Who supervises which cell (denormalised from supervisors_json for "is a supervisor" checks).
CREATE TABLE grid_supervisors (
  username TEXT NOT NULL,
  cell_code TEXT NOT NULL,
  PRIMARY KEY (username, cell_code)
);

-- Counters: 'cells_revision' changes with every import, so that in-memory indexes know when to
-- rebuild (also across processes sharing a PostgreSQL store).
CREATE TABLE grid_meta (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO grid_meta (name, value) VALUES ('cells_revision', 0);

-- Components (部件).
CREATE TABLE grid_components (
  code TEXT PRIMARY KEY,                  -- 16 digits
  class_code TEXT NOT NULL,               -- code[6..10)
  type TEXT NOT NULL,
  dept_id TEXT NOT NULL,                  -- owner department
  lon DOUBLE PRECISION NOT NULL,
  lat DOUBLE PRECISION NOT NULL,
  state TEXT NOT NULL,                    -- normal / damaged / missing / removed
  cell_code TEXT NOT NULL,                -- '' outside every cell
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX grid_components_lat ON grid_components (lat, lon);
CREATE INDEX grid_components_cell ON grid_components (cell_code);

-- Event and component classes with default department and per-step limits (working minutes).
-- Seeded from data/grid/classes.tsv by migration 2 (generated in code); editable by admins.
CREATE TABLE grid_classes (
  kind TEXT NOT NULL,                     -- event / component
  code TEXT NOT NULL,                     -- major 2 + minor 2
  major_name TEXT NOT NULL,
  minor_name TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  register_min INTEGER NOT NULL,
  dispatch_min INTEGER NOT NULL,
  dispose_min INTEGER NOT NULL,
  check_min INTEGER NOT NULL,
  close_min INTEGER NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (kind, code)
);

-- Grid events (案卷): current state; the history is grid_steps plus the events outbox.
CREATE TABLE grid_events (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  reporter_user_id TEXT NOT NULL,
  external_ref TEXT NOT NULL,
  kind TEXT NOT NULL,
  class_code TEXT NOT NULL,
  description TEXT NOT NULL,
  photos_json TEXT NOT NULL,
  lon DOUBLE PRECISION NOT NULL,
  lat DOUBLE PRECISION NOT NULL,
  cell_code TEXT NOT NULL,
  community_code TEXT NOT NULL,
  street_code TEXT NOT NULL,
  component_code TEXT NOT NULL,
  state TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  suggested_dept TEXT NOT NULL,
  suggestion_basis TEXT NOT NULL,
  feedback TEXT NOT NULL,
  reason TEXT NOT NULL,
  rework_count INTEGER NOT NULL,
  send_back_count INTEGER NOT NULL,
  evaluation INTEGER,
  total_limit_min INTEGER NOT NULL,       -- dispatch + dispose + check + close, at registration
  reported_at_ms BIGINT NOT NULL,
  registered_at_ms BIGINT,
  dispatched_at_ms BIGINT,
  fed_back_at_ms BIGINT,
  closed_at_ms BIGINT,
  closed_on_time INTEGER,                 -- 0/1 once closed
  updated_at_ms BIGINT NOT NULL,
  revision BIGINT NOT NULL
);
CREATE INDEX grid_events_reported ON grid_events (reported_at_ms);
CREATE INDEX grid_events_state ON grid_events (state);
CREATE INDEX grid_events_cell ON grid_events (cell_code);
CREATE INDEX grid_events_dept ON grid_events (dept_id, state);
-- Sensors, the 12345 link and Open311 find the event they reported before (retries).
CREATE INDEX grid_events_external ON grid_events (external_ref);
-- Which event names which photo (report, feedback and check evidence): who may read a photo is
-- who may see its event.
CREATE TABLE grid_photos (
  sha256 TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (sha256, event_id)
);

-- One row per timed step instance (a rework or a re-dispatch opens a new one).
CREATE TABLE grid_steps (
  event_id TEXT NOT NULL,
  n INTEGER NOT NULL,
  step TEXT NOT NULL,                     -- register / dispatch / dispose / check / close
  dept_id TEXT NOT NULL,
  started_at_ms BIGINT NOT NULL,
  ended_at_ms BIGINT,
  limit_min INTEGER NOT NULL,
  used_min INTEGER NOT NULL,              -- final once ended
  outcome TEXT NOT NULL,                  -- '' open; done / rejected / sent_back / rework
  actor_user_id TEXT NOT NULL,
  PRIMARY KEY (event_id, n)
);
