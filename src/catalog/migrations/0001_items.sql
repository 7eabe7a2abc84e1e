-- Service catalog (事项, GB/T 39046-2020). An item's versions are immutable; `items` points at the
-- current one and carries the columns other modules filter on in SQL.
CREATE TABLE items (
  code TEXT PRIMARY KEY,
  current_version INTEGER NOT NULL,
  name TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  item_type TEXT NOT NULL,
  case_type TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX items_dept ON items (dept_id);
CREATE INDEX items_type ON items (item_type);

CREATE TABLE item_versions (
  code TEXT NOT NULL,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL,
  published_at_ms BIGINT NOT NULL,
  published_by TEXT NOT NULL,
  PRIMARY KEY (code, version)
);

-- A.4 service objects of the current version, one row each.
CREATE TABLE item_service_objects (
  code TEXT NOT NULL,
  object TEXT NOT NULL,
  PRIMARY KEY (code, object)
);
CREATE INDEX item_service_objects_object ON item_service_objects (object);
