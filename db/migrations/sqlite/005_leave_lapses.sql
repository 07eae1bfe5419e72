-- Carry-over and expiry of annual leave: days that lapse under the
-- company's policy are "expiry" entries of the ledger, and each employee's
-- account remembers the last day through which lapses are posted.

ALTER TABLE leave_accounts ADD COLUMN lapsed_through TEXT;  -- 'YYYY-MM-DD'; NULL: none posted yet

-- SQLite cannot alter a CHECK constraint: the ledger is rebuilt with the
-- new entry kind, its rows, index and append-only triggers kept.
CREATE TABLE leave_ledger_new (
  id           INTEGER PRIMARY KEY,
  employee_id  INTEGER NOT NULL REFERENCES employees (id),
  kind         TEXT NOT NULL CHECK (kind IN ('annual', 'additional')),
  entry        TEXT NOT NULL CHECK (entry IN ('opening', 'accrual', 'usage', 'return', 'adjustment', 'compensation', 'expiry')),
  centidays    INTEGER NOT NULL,
  effective_on TEXT NOT NULL,
  request_id   INTEGER REFERENCES requests (id),
  account_id   INTEGER,
  comment      TEXT,
  created_at   TEXT NOT NULL
);

INSERT INTO leave_ledger_new (id, employee_id, kind, entry, centidays, effective_on, request_id, account_id, comment, created_at)
  SELECT id, employee_id, kind, entry, centidays, effective_on, request_id, account_id, comment, created_at FROM leave_ledger;

DROP TABLE leave_ledger;

ALTER TABLE leave_ledger_new RENAME TO leave_ledger;

CREATE INDEX leave_ledger_employee ON leave_ledger (employee_id, kind, id);

CREATE TRIGGER leave_ledger_no_update BEFORE UPDATE ON leave_ledger
BEGIN
  SELECT RAISE(ABORT, 'leave_ledger is append-only');
END;

CREATE TRIGGER leave_ledger_no_delete BEFORE DELETE ON leave_ledger
BEGIN
  SELECT RAISE(ABORT, 'leave_ledger is append-only');
END;
