-- Why an address is suppressed becomes a type (HardBounce, Complaint, Manual, Unsubscribe) and what caused it (the
-- remote reply, the feedback report) moves to detail: the list can then be filtered and exported by reason. Rows made
-- before this carried the bounce reply, or 'added by the customer' for manual ones, in reason.
ALTER TABLE suppressions ADD COLUMN detail text;
UPDATE suppressions SET detail = reason,
                        reason = CASE WHEN reason = 'added by the customer' THEN 'Manual' ELSE 'HardBounce' END;
ALTER TABLE suppressions ADD CONSTRAINT suppressions_reason CHECK (reason IN ('HardBounce', 'Complaint', 'Manual', 'Unsubscribe'));

-- A recipient who complained (an ARF report matched to the recipient it was sent to) is an event of its own.
ALTER TABLE delivery_events DROP CONSTRAINT delivery_events_event_check;
ALTER TABLE delivery_events ADD CONSTRAINT delivery_events_event_check
    CHECK (event IN ('accepted', 'delivered', 'deferred', 'bounced', 'expired', 'complained'));
-- A complaint is recorded once per recipient, however many copies of the report arrive: the check reads this.
CREATE INDEX delivery_events_complaints ON delivery_events (recipient_id) WHERE event = 'complained';
