-- Two more webhook event types (issue 16), recorded in the event log the dispatcher reads:
--   suppressed: a message was refused at RCPT because the address is on the service's suppression list (no message
--               was queued for it, so no message or recipient id), or a hard bounce or complaint has just put the
--               address on the list (the recipient that caused it);
--   paced:      our egress held a recipient back for its lane's pace, once per hold episode: recipients.paced says the
--               recipient's last hand-back was a hold, so the next hold of the same episode writes no event, and any
--               attempt at the ISP ends the episode.
ALTER TABLE delivery_events ALTER COLUMN message_id DROP NOT NULL;
ALTER TABLE delivery_events ALTER COLUMN recipient_id DROP NOT NULL;
ALTER TABLE delivery_events DROP CONSTRAINT delivery_events_event_check;
-- NOT VALID then VALIDATE: the check of the existing rows does not block the writers meanwhile.
ALTER TABLE delivery_events ADD CONSTRAINT delivery_events_event_check
    CHECK (event IN ('accepted', 'delivered', 'deferred', 'bounced', 'expired', 'complained', 'suppressed', 'paced')) NOT VALID;
ALTER TABLE delivery_events VALIDATE CONSTRAINT delivery_events_event_check;

-- A constant default: no table rewrite.
ALTER TABLE recipients ADD COLUMN paced boolean NOT NULL DEFAULT false;
