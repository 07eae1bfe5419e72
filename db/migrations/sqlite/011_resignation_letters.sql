-- Resignation letters (the agent service): the scanned file as it came, what
-- the agent read in it, and the decision — the agent's or hr's.
-- A file lives in the database (base64, as report files do), so any replica
-- and any worker reads it.

-- Art. 71: during probation an employee resigns with 3 days' notice.
ALTER TABLE employees ADD COLUMN probation_end_date TEXT;

CREATE TABLE resignation_letters (
  id                 INTEGER PRIMARY KEY,
  employee_id        BIGINT NOT NULL REFERENCES employees (id),  -- whose letter it is
  uploaded_by        BIGINT NOT NULL,                            -- user_accounts.id
  idempotency_key    TEXT,
  received_on        TEXT NOT NULL,      -- in the company's time zone: art. 80 counts from it
  file_name          TEXT,
  media_type         TEXT NOT NULL,
  size_bytes         BIGINT NOT NULL,
  sha256             TEXT NOT NULL,
  content            TEXT NOT NULL,      -- the file, base64
  status             TEXT NOT NULL
                     CHECK (status IN ('processing', 'needs_corrections', 'accepted', 'failed')),
  attempts           INTEGER NOT NULL DEFAULT 0,  -- analyses started
  fields             TEXT,               -- JSON: the API's fields
  problems           TEXT NOT NULL DEFAULT '[]',  -- JSON: [{code, message}]
  analysis           TEXT,               -- JSON: extractor, evidence per field, dropped values, reasons
  ocr_text           TEXT,
  request_id         BIGINT,             -- the dismissal request made of it
  original_signature_required INTEGER NOT NULL DEFAULT 1 CHECK (original_signature_required IN (0, 1)),
  decided_by         BIGINT,             -- hr's account when hr decided; NULL: the agent
  decided_at         TEXT,
  decision_comment   TEXT,               -- hr's reason
  version            INTEGER NOT NULL DEFAULT 1,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  UNIQUE (uploaded_by, idempotency_key)
);

CREATE INDEX resignation_letters_employee ON resignation_letters (employee_id, id);
CREATE INDEX resignation_letters_status ON resignation_letters (status, id);
