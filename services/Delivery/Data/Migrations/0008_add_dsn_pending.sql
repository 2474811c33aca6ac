-- A recipient that bounced or expired is flagged in the same statement as its final status; the DSN job then tells the
-- message's sender (RFC 3464), one report per message, and clears the flag in the transaction that queues the report.
ALTER TABLE recipients ADD COLUMN dsn_pending boolean NOT NULL DEFAULT false;
CREATE INDEX recipients_dsn_pending ON recipients (message_id) WHERE dsn_pending;
