-- The timesheet (analytics): timekeepers' departments, corrections of days,
-- and closed months frozen as snapshots.
-- Hours are integer tenths; a month is 'YYYY-MM' text.

-- A timekeeper reads and corrects the timesheets of the departments he is
-- assigned to, and of their subtrees.
CREATE TABLE timekeeper_assignments (
  employee_id   BIGINT NOT NULL REFERENCES employees (id),
  department_id BIGINT NOT NULL REFERENCES departments (id),
  created_at    TEXT NOT NULL,
  PRIMARY KEY (employee_id, department_id)
);

-- A timekeeper's or hr's word on one day of one person: one or two T-13
-- codes with hours, replacing what the schedule and the requests say.
-- `period` is the month whose timesheet carries it: the day's own month, or,
-- when that month was already closed for the person, the first month after
-- it that was not (a correction of an earlier period). `automatic`: written
-- by the timesheet itself for a request approved, cancelled or closed after
-- the day's month was closed; a person's correction is never replaced by one.
CREATE TABLE timesheet_corrections (
  id           INTEGER PRIMARY KEY,
  employee_id  BIGINT NOT NULL REFERENCES employees (id),
  work_date    TEXT NOT NULL,
  period       TEXT NOT NULL,
  code1        TEXT NOT NULL,
  hours1       INTEGER NOT NULL CHECK (hours1 BETWEEN 0 AND 240),
  code2        TEXT,
  hours2       INTEGER CHECK (hours2 BETWEEN 0 AND 240),
  reason       TEXT NOT NULL,
  automatic    INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1)),
  account_id   BIGINT NOT NULL,
  version      INTEGER NOT NULL DEFAULT 1,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  UNIQUE (employee_id, work_date, period)
);

CREATE INDEX timesheet_corrections_period ON timesheet_corrections (period, employee_id);

-- Every closing of a month, for one department (with its subtree) or the
-- whole company (department_id NULL), and its reopening.
CREATE TABLE timesheet_closings (
  id             INTEGER PRIMARY KEY,
  period         TEXT NOT NULL,
  department_id  BIGINT REFERENCES departments (id),
  people         INTEGER NOT NULL,
  account_id     BIGINT NOT NULL,
  closed_at      TEXT NOT NULL,
  reopened_by    BIGINT,
  reopened_at    TEXT,
  reopen_reason  TEXT
);

CREATE INDEX timesheet_closings_period ON timesheet_closings (period, id);

-- A person's closed month, frozen: his row of the T-13 as it was computed
-- when the month was closed (days and norm as JSON, see
-- analytics/repository.cpp), and who he was then.
CREATE TABLE timesheet_snapshots (
  period            TEXT NOT NULL,
  employee_id       BIGINT NOT NULL REFERENCES employees (id),
  closing_id        BIGINT NOT NULL REFERENCES timesheet_closings (id),
  department_id     BIGINT NOT NULL,
  personnel_number  TEXT NOT NULL,
  name              TEXT NOT NULL,
  position          TEXT NOT NULL,
  days              TEXT NOT NULL,
  PRIMARY KEY (period, employee_id)
);

CREATE INDEX timesheet_snapshots_department ON timesheet_snapshots (period, department_id);

-- One row per month that has seen a correction or a closing: both take its
-- row lock first, so a correction never slips in while its month closes.
CREATE TABLE timesheet_locks (
  period   TEXT PRIMARY KEY,
  touched  BIGINT NOT NULL
);
