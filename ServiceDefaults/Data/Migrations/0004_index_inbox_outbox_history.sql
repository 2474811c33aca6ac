-- Retention (MessageHistoryRetention) deletes inbox rows and relayed outbox rows older than the retention period in
-- bounded batches: each batch finds its rows through these indexes instead of scanning the table.
CREATE INDEX inbox_messages_handled_at ON inbox_messages (handled_at);
CREATE INDEX outbox_messages_sent_at ON outbox_messages (sent_at) WHERE sent_at IS NOT NULL;
