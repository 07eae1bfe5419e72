-- Activity requests (vacations, business trips, sick leaves, dismissals, …),
-- their approval history, and leave balances kept as a ledger.
-- Dates are 'YYYY-MM-DD' text; instants are UTC text as in 001. Balances
-- are integer hundredths of a day ("centidays"), so that a month's accrual
-- of 28/12 days adds up to exactly 28.00 a year.

-- Request types are data: hr and admin add their own.
CREATE TABLE request_types (
  code            TEXT PRIMARY KEY,      -- e.g. 'vacation'
  name            TEXT NOT NULL,         -- Russian, shown to people
  kind            TEXT NOT NULL CHECK (kind IN ('absence', 'business_trip', 'sick_leave', 'work', 'overtime', 'dismissal')),
  t13_code        TEXT,                  -- letter code of the unified T-13 form, e.g. 'ОТ'
  t13_number      TEXT,                  -- its digit code, e.g. '09'
  approval_steps  TEXT NOT NULL,         -- comma-separated roles of the chain: 'manager', 'manager,hr', 'hr'
  notice_days     INTEGER NOT NULL DEFAULT 0 CHECK (notice_days BETWEEN 0 AND 365),
  min_days        INTEGER NOT NULL DEFAULT 1 CHECK (min_days >= 1),
  max_days        INTEGER CHECK (max_days IS NULL OR max_days >= min_days),
  balance_kind    TEXT CHECK (balance_kind IN ('annual', 'additional')),
  allow_past      INTEGER NOT NULL DEFAULT 0 CHECK (allow_past IN (0, 1)),
  exclusive       INTEGER NOT NULL DEFAULT 1 CHECK (exclusive IN (0, 1)),
  on_behalf       TEXT NOT NULL DEFAULT 'hr' CHECK (on_behalf IN ('none', 'manager', 'hr')),
  builtin         INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

CREATE TABLE requests (
  id                      INTEGER PRIMARY KEY,
  type                    TEXT NOT NULL REFERENCES request_types (code),
  employee_id             INTEGER NOT NULL REFERENCES employees (id),
  start_date              TEXT NOT NULL,
  end_date                TEXT,          -- NULL: a sick leave still open
  status                  TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'rejected', 'withdrawn', 'cancelled')),
  exclusive               INTEGER NOT NULL CHECK (exclusive IN (0, 1)),
  steps                   TEXT NOT NULL, -- the chain, copied from the type when submitted
  step                    INTEGER NOT NULL DEFAULT 0,    -- index of the current step in steps
  step_role               TEXT,          -- the current step's role while pending
  approver_employee_id    INTEGER,       -- who decides the current manager step; NULL: hr
  balance_kind            TEXT,
  charged_centidays       INTEGER NOT NULL DEFAULT 0,
  comment                 TEXT,
  destination             TEXT,
  purpose                 TEXT,
  travel_days             INTEGER,
  certificate_number      TEXT,
  hours                   INTEGER,
  warnings                TEXT NOT NULL DEFAULT '[]',
  created_by              INTEGER NOT NULL, -- user_accounts.id
  idempotency_key         TEXT,
  idempotency_fingerprint TEXT,
  version                 INTEGER NOT NULL DEFAULT 1,
  created_at              TEXT NOT NULL,
  updated_at              TEXT NOT NULL,
  CHECK (end_date IS NULL OR end_date >= start_date),
  UNIQUE (created_by, idempotency_key)
);

CREATE INDEX requests_employee ON requests (employee_id, start_date);
CREATE INDEX requests_pending ON requests (status, step_role, approver_employee_id);
CREATE UNIQUE INDEX requests_one_dismissal ON requests (employee_id)
  WHERE type = 'dismissal' AND status IN ('pending', 'approved');

CREATE TABLE request_history (
  id                INTEGER PRIMARY KEY,
  request_id        INTEGER NOT NULL REFERENCES requests (id),
  at                TEXT NOT NULL,
  account_id        INTEGER,
  actor_employee_id INTEGER,
  action            TEXT NOT NULL,
  from_status       TEXT,
  to_status         TEXT NOT NULL,
  step              INTEGER,
  comment           TEXT
);

CREATE INDEX request_history_request ON request_history (request_id, id);

-- One row per employee: the lock every change of his requests and balances
-- takes first, and how many months of service have had their accrual posted.
CREATE TABLE leave_accounts (
  employee_id     INTEGER PRIMARY KEY REFERENCES employees (id),
  accrued_months  INTEGER NOT NULL DEFAULT 0 CHECK (accrued_months >= 0),
  updated_at      TEXT NOT NULL
);

-- Every change of a balance, append-only: accrual, opening, usage and its
-- return, adjustment, compensation.
CREATE TABLE leave_ledger (
  id           INTEGER PRIMARY KEY,
  employee_id  INTEGER NOT NULL REFERENCES employees (id),
  kind         TEXT NOT NULL CHECK (kind IN ('annual', 'additional')),
  entry        TEXT NOT NULL CHECK (entry IN ('opening', 'accrual', 'usage', 'return', 'adjustment', 'compensation')),
  centidays    INTEGER NOT NULL,
  effective_on TEXT NOT NULL,
  request_id   INTEGER REFERENCES requests (id),
  account_id   INTEGER,
  comment      TEXT,
  created_at   TEXT NOT NULL
);

CREATE INDEX leave_ledger_employee ON leave_ledger (employee_id, kind, id);

CREATE TRIGGER leave_ledger_no_update BEFORE UPDATE ON leave_ledger
BEGIN
  SELECT RAISE(ABORT, 'leave_ledger is append-only');
END;

CREATE TRIGGER leave_ledger_no_delete BEFORE DELETE ON leave_ledger
BEGIN
  SELECT RAISE(ABORT, 'leave_ledger is append-only');
END;
