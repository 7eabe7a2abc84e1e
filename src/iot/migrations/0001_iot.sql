-- IoT sensing (物联感知). Times are unix ms; coordinates WGS 84 degrees (DOUBLE PRECISION because
-- PostgreSQL's REAL is 4 bytes).

-- Sensor inventory. alarm_state is the condition of the last reading; last_change_at_ms is when it
-- last changed (flapping ends flap_window_min after it).
CREATE TABLE iot_sensors (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  lon DOUBLE PRECISION NOT NULL,
  lat DOUBLE PRECISION NOT NULL,
  cell_code TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  component_code TEXT NOT NULL,
  state TEXT NOT NULL,                    -- online / offline
  last_seen_at_ms BIGINT,
  in_alarm INTEGER NOT NULL,
  flapping INTEGER NOT NULL,
  last_change_at_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX iot_sensors_state ON iot_sensors (state, last_seen_at_ms);

-- One rule per sensor kind.
CREATE TABLE iot_rules (
  kind TEXT PRIMARY KEY,
  op TEXT NOT NULL,                       -- gt / ge / lt / le / equals
  threshold DOUBLE PRECISION NOT NULL,
  match_value TEXT NOT NULL,
  unit TEXT NOT NULL,
  class_kind TEXT NOT NULL,               -- event / component
  class_code TEXT NOT NULL,
  dedup_window_min INTEGER NOT NULL,
  flap_changes INTEGER NOT NULL,
  flap_window_min INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
INSERT INTO iot_rules VALUES ('manhole_tilt', 'gt', 15, '', 'deg', 'component', '0103', 60, 4, 10, 1, 0);
INSERT INTO iot_rules VALUES ('water_level', 'gt', 0.3, '', 'm', 'event', '0405', 60, 4, 10, 1, 0);
INSERT INTO iot_rules VALUES ('smoke', 'ge', 2, '', '', 'event', '0406', 30, 4, 10, 1, 0);
INSERT INTO iot_rules VALUES ('parking_camera', 'equals', 0, 'illegal_parking', '', 'event', '0504', 30, 4, 10, 1, 0);

-- Every accepted message, so that a replay is recognised (exactly-once effects). Pruned after
-- the retention period; older messages are refused as stale.
CREATE TABLE iot_messages (
  sensor_id TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  received_at_ms BIGINT NOT NULL,
  PRIMARY KEY (sensor_id, msg_id)
);
CREATE INDEX iot_messages_at ON iot_messages (at_ms);

-- Over-threshold alarms and what became of them.
CREATE TABLE iot_alarms (
  id TEXT PRIMARY KEY,
  sensor_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  value DOUBLE PRECISION,
  value_text TEXT NOT NULL,
  unit TEXT NOT NULL,
  level INTEGER,
  at_ms BIGINT NOT NULL,
  received_at_ms BIGINT NOT NULL,
  outcome TEXT NOT NULL,                  -- pending / created / deduplicated / suppressed / failed
  event_id TEXT NOT NULL,
  attached_to TEXT NOT NULL,
  duplicates BIGINT NOT NULL,
  error TEXT NOT NULL
);
CREATE INDEX iot_alarms_sensor ON iot_alarms (sensor_id, received_at_ms);
CREATE INDEX iot_alarms_outcome ON iot_alarms (outcome, received_at_ms);

-- Alarm-state changes per sensor, for flapping detection (pruned after a day).
CREATE TABLE iot_transitions (
  sensor_id TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  in_alarm INTEGER NOT NULL
);
CREATE INDEX iot_transitions_sensor ON iot_transitions (sensor_id, at_ms);
