-- Reports for accounting run as background jobs (analytics): a job is asked
-- for, a queue consumer builds the file and stores it here, its owner
-- downloads it until it expires. A file lives in the database, so any
-- replica serves it.

CREATE TABLE report_jobs (
  id              TEXT PRIMARY KEY,           -- a UUID
  account_id      BIGINT NOT NULL,            -- the owner: the only one who sees it
  client_address  TEXT NOT NULL,              -- whence it was asked for, for the audit log
  kind            TEXT NOT NULL CHECK (kind IN ('hours', 'absences', 'payroll')),
  format          TEXT NOT NULL CHECK (format IN ('json', 'xlsx', 'csv')),
  department_id   BIGINT,                     -- NULL: the whole company
  subtree         INTEGER NOT NULL DEFAULT 0 CHECK (subtree IN (0, 1)),
  period_from     TEXT NOT NULL,              -- 'YYYY-MM'
  period_to       TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  progress        INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  attempts        INTEGER NOT NULL DEFAULT 0,   -- runs started
  lease_until     TEXT,                -- a run's end at the latest (the queue's lease)
  error           TEXT,                       -- why it failed
  file_name       TEXT,
  size_bytes      BIGINT,
  content         TEXT,                       -- the file, base64
  idempotency_key TEXT,
  created_at      TEXT NOT NULL,
  started_at      TEXT,
  finished_at     TEXT,
  expires_at      TEXT NOT NULL,
  UNIQUE (account_id, idempotency_key)
);

CREATE INDEX report_jobs_owner ON report_jobs (account_id, created_at);
CREATE INDEX report_jobs_expiry ON report_jobs (expires_at);
