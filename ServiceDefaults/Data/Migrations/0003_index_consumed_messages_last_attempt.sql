-- Retention of consumed_messages (ConsumedMessagesRetention) deletes rows whose last attempt is older than the
-- retention period, in bounded batches: each batch finds its rows through this index instead of scanning the table.
CREATE INDEX consumed_messages_last_attempt ON consumed_messages (last_attempt_at);
