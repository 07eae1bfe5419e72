-- Platform tables shared by every service: the transactional outbox, the
-- task queue and the consumers' processed-message log.
-- Times are timestamptz (UTC; sessions run with TimeZone=UTC). They have no
-- defaults: the application writes them from its clock, as on SQLite.

-- Exclusion constraints over (employee, daterange) in later migrations.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Events written in the same transaction as the change they announce; a
-- relay publishes them (oldest available first) and sets published_at.
CREATE TABLE outbox (
  id           TEXT PRIMARY KEY,            -- UUID
  topic        TEXT NOT NULL,
  payload      TEXT NOT NULL,               -- JSON
  headers      TEXT NOT NULL DEFAULT '{}',  -- JSON object
  available_at TIMESTAMPTZ NOT NULL,        -- not published before this
  created_at   TIMESTAMPTZ NOT NULL,
  published_at TIMESTAMPTZ
);

CREATE INDEX outbox_unpublished ON outbox (available_at) WHERE published_at IS NULL;

-- Work items of the in-process and distributed task queues. A worker claims
-- a 'queued' row whose available_at has passed by setting status 'running',
-- locked_by and locked_until; a retry puts it back to 'queued' with a later
-- available_at; 'dead' rows are poison messages kept for replay.
-- (queue, message_id) makes enqueueing the same message twice a no-op.
CREATE TABLE task_queue (
  id           TEXT PRIMARY KEY,  -- UUID
  message_id   TEXT NOT NULL,
  queue        TEXT NOT NULL,
  topic        TEXT NOT NULL,
  payload      TEXT NOT NULL,     -- JSON
  headers      TEXT,              -- JSON object
  status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  available_at TIMESTAMPTZ NOT NULL,
  locked_by    TEXT,
  locked_until TIMESTAMPTZ,
  last_error   TEXT,
  created_at   TIMESTAMPTZ NOT NULL,
  updated_at   TIMESTAMPTZ NOT NULL,
  UNIQUE (queue, message_id)
);

CREATE INDEX task_queue_ready ON task_queue (queue, status, available_at);

-- Idempotent consumers: a consumer records a message id in the same
-- transaction as its effect, and skips ids it has already recorded.
CREATE TABLE processed_messages (
  consumer     TEXT NOT NULL,
  message_id   TEXT NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (consumer, message_id)
);

-- Lets old entries be pruned by age.
CREATE INDEX processed_messages_processed_at ON processed_messages (processed_at);
