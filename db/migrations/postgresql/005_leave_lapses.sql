-- Carry-over and expiry of annual leave: days that lapse under the
-- company's policy are "expiry" entries of the ledger, and each employee's
-- account remembers the last day through which lapses are posted.

ALTER TABLE leave_accounts ADD COLUMN lapsed_through DATE;  -- NULL: none posted yet

ALTER TABLE leave_ledger DROP CONSTRAINT leave_ledger_entry_check;

ALTER TABLE leave_ledger ADD CONSTRAINT leave_ledger_entry_check
  CHECK (entry IN ('opening', 'accrual', 'usage', 'return', 'adjustment', 'compensation', 'expiry'));
