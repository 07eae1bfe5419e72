-- hr's edits of the production calendar, overlays on the shipped years
-- (data/calendar/ru): a federal edit (region '') replaces the kind of its
-- day for everyone, a regional one for the employees whose employees.region
-- is exactly `region`. One edit per region and day.

CREATE TABLE production_calendar_days (
  region     TEXT NOT NULL,  -- '': federal; else the exact text of employees.region
  day        TEXT NOT NULL,  -- 'YYYY-MM-DD'
  kind       TEXT NOT NULL CHECK (kind IN ('working', 'weekend', 'holiday', 'preholiday')),
  name       TEXT NOT NULL,
  account_id INTEGER,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (region, day)
);

-- Bumped by every write of production_calendar_days in its transaction:
-- replicas poll this one row to learn that their snapshot is stale.
CREATE TABLE production_calendar_revision (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL
);

INSERT INTO production_calendar_revision (id, revision) VALUES (1, 0);
