-- Users and authorization: the organisation (departments as a tree,
-- positions, work schedules, employees), accounts, roles as data, refresh
-- tokens, delegations, login throttling and the audit log.
-- Dates are 'YYYY-MM-DD' text; instants are UTC text as in 001.
-- Money is integer kopecks.

CREATE TABLE work_schedules (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('five_day', 'shift')),
  hours_per_week  INTEGER NOT NULL CHECK (hours_per_week BETWEEN 1 AND 40),
  shift_pattern   TEXT,             -- e.g. '2/2x12' for shift schedules
  created_at      TEXT NOT NULL
);

CREATE TABLE positions (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE departments (
  id               INTEGER PRIMARY KEY,
  parent_id        INTEGER REFERENCES departments (id),
  code             TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  head_employee_id INTEGER,           -- employees.id; checked by the service (the tables refer to each other)
  version          INTEGER NOT NULL DEFAULT 1,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);

CREATE INDEX departments_parent ON departments (parent_id);
CREATE INDEX departments_head ON departments (head_employee_id);

CREATE TABLE employees (
  id                    INTEGER PRIMARY KEY,
  personnel_number      TEXT NOT NULL UNIQUE,
  last_name             TEXT NOT NULL,
  first_name            TEXT NOT NULL,
  middle_name           TEXT,
  email                 TEXT NOT NULL UNIQUE,
  phone                 TEXT,
  position_id           INTEGER NOT NULL REFERENCES positions (id),
  department_id         INTEGER NOT NULL REFERENCES departments (id),
  hire_date             TEXT NOT NULL CHECK (hire_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  dismissal_date        TEXT CHECK (dismissal_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  employment_rate       INTEGER NOT NULL DEFAULT 100 CHECK (employment_rate BETWEEN 1 AND 100), -- percent of full time
  schedule_id           INTEGER NOT NULL REFERENCES work_schedules (id),
  region                TEXT,
  salary_kopecks        INTEGER NOT NULL CHECK (salary_kopecks >= 0),
  search_name           TEXT NOT NULL,  -- lower-case "last first middle" for search
  version               INTEGER NOT NULL DEFAULT 1,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL,
  CHECK (dismissal_date IS NULL OR dismissal_date >= hire_date)
);

CREATE INDEX employees_department ON employees (department_id, id);
CREATE INDEX employees_search_name ON employees (search_name);

CREATE TABLE user_accounts (
  id                  INTEGER PRIMARY KEY,
  employee_id         INTEGER UNIQUE REFERENCES employees (id),
  login               TEXT NOT NULL UNIQUE,
  password_hash       TEXT NOT NULL,   -- argon2id, libsodium's self-describing string
  disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  roles_version       INTEGER NOT NULL DEFAULT 1, -- bumped on every change of roles: tokens carry it
  password_changed_at TEXT NOT NULL,
  version             INTEGER NOT NULL DEFAULT 1,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);

CREATE TABLE roles (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  builtin     INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
  created_at  TEXT NOT NULL
);

CREATE TABLE role_permissions (
  role_id    INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  scope      TEXT NOT NULL CHECK (scope IN ('self', 'subtree', 'all')),
  PRIMARY KEY (role_id, permission)
);

CREATE TABLE account_roles (
  account_id INTEGER NOT NULL REFERENCES user_accounts (id) ON DELETE CASCADE,
  role_id    INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  PRIMARY KEY (account_id, role_id)
);

-- Opaque refresh tokens, stored as SHA-256 hashes; rotated on every use.
-- Reusing a used token revokes its whole family.
CREATE TABLE refresh_tokens (
  id          TEXT PRIMARY KEY,  -- UUID
  account_id  INTEGER NOT NULL REFERENCES user_accounts (id) ON DELETE CASCADE,
  family_id   TEXT NOT NULL,
  token_hash  TEXT NOT NULL UNIQUE,
  issued_at   TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT,
  revoked_at  TEXT
);

CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);

-- A manager's approvals over his subtree, delegated to a deputy for a date range.
CREATE TABLE delegations (
  id                  INTEGER PRIMARY KEY,
  manager_employee_id INTEGER NOT NULL REFERENCES employees (id),
  deputy_employee_id  INTEGER NOT NULL REFERENCES employees (id),
  starts_on           TEXT NOT NULL,
  ends_on             TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  revoked_at          TEXT,
  CHECK (ends_on >= starts_on),
  CHECK (deputy_employee_id <> manager_employee_id)
);

CREATE INDEX delegations_deputy ON delegations (deputy_employee_id, starts_on);

-- Failed logins in a row per key ('login:<name>' or 'ip:<address>'),
-- forgotten after a quiet period; blocked_until is set once there are too
-- many (auth/login_throttle.hpp has the rule).
CREATE TABLE login_throttle (
  key             TEXT PRIMARY KEY,
  failures        INTEGER NOT NULL,
  last_failure_at TEXT NOT NULL,
  blocked_until   TEXT
);

-- Append-only: every write, and every read of salary or personal data.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  account_id  INTEGER,
  action      TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id   TEXT,
  client      TEXT,
  request_id  TEXT,
  details     TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
