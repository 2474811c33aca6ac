-- The Message-ID header of a queued message (without the angle brackets), as the customer's software made it: a
-- customer searches by it (GET /messages?messageId=), and an ARF report whose ISP stripped our token header and the
-- VERP Return-Path is matched by the original's Message-ID within the service that hosts the reporting domain.
-- Null for messages queued before this and for a message without one. Per service: two customers may send the same id.
ALTER TABLE messages ADD COLUMN header_message_id text;
CREATE INDEX messages_service_header_message_id ON messages (service_id, header_message_id) WHERE header_message_id IS NOT NULL;

-- Retention (MessageRetention): finished messages are deleted by age. A message finished before the cutoff was
-- received before it, so the job walks messages by arrival; they arrive in time order, so a BRIN index serves that for
-- almost nothing on the relay's insert path (as delivery_events_age does). The webhooks' call log is trimmed by age too.
CREATE INDEX messages_age ON messages USING brin (received_at);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries USING brin (attempted_at);
