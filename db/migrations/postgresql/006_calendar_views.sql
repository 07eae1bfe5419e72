-- Calendar views: a shift schedule repeats from an anchor date, a
-- request type may be confidential (colleagues without the right to a
-- person's personal data see "absent" instead of it in calendars), and
-- the iCalendar feeds of an account are behind a secret token.

ALTER TABLE work_schedules ADD COLUMN anchor_date DATE;  -- shift schedules: the first day of a working run
UPDATE work_schedules SET anchor_date = '2024-01-01' WHERE kind = 'shift' AND anchor_date IS NULL;

ALTER TABLE request_types ADD COLUMN confidential INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1));
UPDATE request_types SET confidential = 1
  WHERE code IN ('unpaid_leave', 'sick_leave', 'maternity_leave', 'parental_leave');

-- The secret token of an account's iCalendar feeds (calendar clients cannot
-- send a bearer token): one per account, stored as its SHA-256; rotating it
-- replaces the row, so the old URL stops working at once.
CREATE TABLE calendar_feeds (
  account_id  BIGINT PRIMARY KEY REFERENCES user_accounts (id),
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  TIMESTAMPTZ NOT NULL
);
