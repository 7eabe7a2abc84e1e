-- Cases (办件, GB/T 39046-2020 表5–8). The current state of each case lives here; its history is
-- the `events` outbox (subject_type 'case'), so there is one record of who did what.
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  item_code TEXT NOT NULL,
  item_version INTEGER NOT NULL,
  item_name TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  case_type TEXT NOT NULL,
  state TEXT NOT NULL,
  applicant_user_id TEXT NOT NULL,          -- '' when filed at the window for someone without an account
  applicant_kind TEXT NOT NULL,
  applicant_name TEXT NOT NULL,
  applicant_id_number TEXT NOT NULL,
  applicant_phone TEXT NOT NULL,
  applicant_division TEXT NOT NULL,
  channel TEXT NOT NULL,                    -- 'online' / 'window'
  filed_by TEXT NOT NULL,
  form_json TEXT NOT NULL,
  materials_json TEXT NOT NULL,
  steps_json TEXT NOT NULL,                 -- the workflow snapshot with approvals
  current_step INTEGER NOT NULL,            -- -1 outside review
  resume_state TEXT NOT NULL,               -- where correction / suspension returns to
  decision TEXT NOT NULL,
  decision_opinion TEXT NOT NULL,
  instant_rule TEXT NOT NULL,
  procedure_kind TEXT NOT NULL,             -- while suspended, else ''
  limit_days INTEGER NOT NULL,
  natural_days INTEGER NOT NULL,            -- 0/1
  submitted_at_ms BIGINT NOT NULL,
  accepted_at_ms BIGINT,
  decided_at_ms BIGINT,
  completed_at_ms BIGINT,
  updated_at_ms BIGINT NOT NULL,
  revision BIGINT NOT NULL,
  -- Whom the case waits on, kept with every change so that "my queue" is a filter on this row:
  -- the role and the departments (",a,b,") still to act on the current step; '' when none.
  waiting_role TEXT NOT NULL DEFAULT '',
  waiting_depts TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cases_applicant ON cases (applicant_user_id, submitted_at_ms);
CREATE INDEX cases_submitted ON cases (submitted_at_ms);
CREATE INDEX cases_state ON cases (state, submitted_at_ms);
-- 秒批 fact open_cases_same_item counts by id number: window filings may carry no account.
CREATE INDEX cases_item_applicant ON cases (item_code, applicant_id_number, state);

-- Departments a case is routed to (the item's department and every workflow step's), so that an
-- official's queue is one indexed query.
CREATE TABLE case_depts (
  case_id TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  submitted_at_ms BIGINT NOT NULL DEFAULT 0, -- copied from cases: queues list newest first by index
  PRIMARY KEY (dept_id, case_id)
);
CREATE INDEX case_depts_case ON case_depts (case_id);
CREATE INDEX case_depts_dept_time ON case_depts (dept_id, submitted_at_ms);

-- Uploaded files a case names (at filing or resubmission): who may download a file is decided
-- by who may see one of these cases.
CREATE TABLE case_files (
  sha256 TEXT NOT NULL,
  case_id TEXT NOT NULL,
  PRIMARY KEY (sha256, case_id)
);

-- Spans during which the statutory clock stops: 'correction' (补正) or a special procedure.
CREATE TABLE case_pauses (
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  start_ms BIGINT NOT NULL,
  end_ms BIGINT,
  PRIMARY KEY (case_id, seq)
);

-- Uploaded materials, content-addressed; the bytes live in files_dir/<aa>/<sha256>.
CREATE TABLE files (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  content_type TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at_ms BIGINT NOT NULL
);
CREATE TABLE file_uploads (
  sha256 TEXT NOT NULL,
  user_id TEXT NOT NULL,
  uploaded_at_ms BIGINT NOT NULL,
  PRIMARY KEY (sha256, user_id)
);

-- Edits to the built-in working-day calendar. day = days since 1970-01-01.
CREATE TABLE calendar_days (
  day INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,                       -- 'holiday' / 'workday' / 'default' (undoes a built-in exception)
  note TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);

-- 电子监察: one row per case under the clock once it first reached an alert. `raised_level` is the
-- highest level ever raised (each level is raised, and notified, once); `level` is the current
-- reading, which drops back when a pause or a calendar edit gives the case time again.
CREATE TABLE case_alerts (
  case_id TEXT PRIMARY KEY,
  dept_id TEXT NOT NULL,
  level TEXT NOT NULL,                      -- current: 'none' / 'yellow' / 'red'
  raised_level TEXT NOT NULL,               -- 'yellow' / 'red'
  remaining_days INTEGER NOT NULL,
  deadline TEXT NOT NULL,                   -- YYYY-MM-DD, '' while paused
  raised_at_ms BIGINT NOT NULL,             -- when raised_level was raised
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX case_alerts_dept ON case_alerts (dept_id, level);

CREATE TABLE supervision_meta (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);

CREATE TABLE inbox (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  read_at_ms BIGINT
);
CREATE INDEX inbox_user ON inbox (user_id, created_at_ms);

-- 好差评: one rating per case.
CREATE TABLE ratings (
  case_id TEXT PRIMARY KEY,
  item_code TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  level INTEGER NOT NULL,
  label TEXT NOT NULL,
  indicators_json TEXT NOT NULL,
  comment TEXT NOT NULL,
  rated_by TEXT NOT NULL,
  rated_at_ms BIGINT NOT NULL,
  rectification_id TEXT NOT NULL
);
CREATE INDEX ratings_dept ON ratings (dept_id);
CREATE INDEX ratings_item ON ratings (item_code);

CREATE TABLE rectifications (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  dept_id TEXT NOT NULL,
  status TEXT NOT NULL,                     -- 'open' / 'closed'
  opened_at_ms BIGINT NOT NULL,
  due_date TEXT NOT NULL,
  note TEXT NOT NULL,
  closed_at_ms BIGINT,
  closed_by TEXT NOT NULL
);
CREATE INDEX rectifications_dept ON rectifications (dept_id, status);
