-- Notifications (notification service): who is told of what, as data; each
-- person's in-app feed with read marks; which events reach his mailbox; and
-- the record of every mail sent.

-- Recipient rules: an event (an outbox topic) is told to a kind of
-- recipient with a template, always in the feed and by mail as `mail` says:
-- 'always', 'optional' (unless the person turned it off), 'never'.
--   employee  the request's employee only
--   approver  the approver of the step now due and his active deputies; for
--             a step no manager decides (hr), everyone who approves for the
--             whole company
--   deputy    the deputy named by a delegation
--   managers  the head of every department
--   author    whoever the event names as the author (of a letter)
CREATE TABLE notification_rules (
  event     TEXT NOT NULL,
  recipient TEXT NOT NULL CHECK (recipient IN ('employee', 'approver', 'deputy', 'managers', 'author')),
  template  TEXT NOT NULL,
  mail      TEXT NOT NULL CHECK (mail IN ('always', 'optional', 'never')),
  PRIMARY KEY (event, recipient)
);

INSERT INTO notification_rules (event, recipient, template, mail) VALUES
  ('request.submitted', 'approver', 'request_submitted', 'optional'),
  ('request.step_approved', 'approver', 'request_submitted', 'optional'),
  ('request.approved', 'employee', 'request_approved', 'optional'),
  ('request.rejected', 'employee', 'request_rejected', 'optional'),
  ('request.cancelled', 'employee', 'request_cancelled', 'optional'),
  ('delegation.created', 'deputy', 'delegation_started', 'optional'),
  ('request.pending_too_long', 'approver', 'request_pending', 'optional'),
  ('vacation.starts_soon', 'employee', 'vacation_starts_soon', 'optional'),
  ('month.closing_soon', 'managers', 'month_closing_soon', 'optional'),
  ('resignation_letter.needs_corrections', 'author', 'letter_needs_corrections', 'always');

-- One row per event and recipient, whatever the number of deliveries of
-- the event: the unique key makes a redelivery a no-op. mail_status:
-- 'none' (feed only), 'pending' (a mail is queued), 'sent', 'failed' (the
-- server refused it for good).
CREATE TABLE notifications (
  id                    INTEGER PRIMARY KEY,
  event_id              TEXT NOT NULL,        -- the outbox message id, or the reminder's key
  event                 TEXT NOT NULL,
  recipient_employee_id BIGINT NOT NULL REFERENCES employees (id),
  request_id            BIGINT,
  template              TEXT NOT NULL,
  title                 TEXT NOT NULL,
  body                  TEXT NOT NULL,
  link                  TEXT,                 -- the API path of what it is about
  template_values       TEXT NOT NULL,        -- JSON: what the mail is rendered from
  created_at            TEXT NOT NULL,
  read_at               TEXT,
  mail_status           TEXT NOT NULL CHECK (mail_status IN ('none', 'pending', 'sent', 'failed')),
  mail_sent_at          TEXT,
  mail_error            TEXT,
  UNIQUE (event_id, recipient_employee_id)
);

CREATE INDEX notifications_feed ON notifications (recipient_employee_id, id);

-- A person's choice of the optional mails: a row turns one event's mail off
-- (or on again); no row = on.
CREATE TABLE notification_preferences (
  employee_id BIGINT NOT NULL REFERENCES employees (id),
  event       TEXT NOT NULL,
  mail        INTEGER NOT NULL CHECK (mail IN (0, 1)),
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (employee_id, event)
);
