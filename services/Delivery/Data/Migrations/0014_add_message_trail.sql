-- Finding one message (GET /api/services/{id}/messages): each event keeps the source IP it was tried from, a
-- recipient is found by its address within its service, a message by its service and arrival time, a message's
-- recipients by the message (the foreign key had no index: the search scanned the whole table) and a recipient's
-- events by the recipient. The search reads these indexes only; nothing is counted per request.
ALTER TABLE delivery_events ADD COLUMN source_ip text;
CREATE INDEX delivery_events_recipient ON delivery_events (recipient_id, occurred_at);
CREATE INDEX recipients_message ON recipients (message_id);
CREATE INDEX recipients_service_address ON recipients (service_id, lower(address));
CREATE INDEX messages_service_received ON messages (service_id, received_at DESC);
