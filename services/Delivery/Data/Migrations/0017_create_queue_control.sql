-- Queue control (issue 20): a customer or operator holds a service's mail, for one provider lane or the whole service
-- (provider '*'), inspects the queue, purges or bounces by filter and asks deferred mail to go now; every action is
-- in the audit log.
CREATE TABLE queue_holds (
    service_id uuid NOT NULL,
    -- A recipients.provider value (Gmail, Yahoo, Outlook, Other), or '*' for the whole service.
    provider text NOT NULL,
    held_at timestamptz NOT NULL,
    held_by text NOT NULL,
    PRIMARY KEY (service_id, provider)
);

CREATE TABLE queue_actions (
    id bigserial PRIMARY KEY,
    service_id uuid NOT NULL,
    -- pause, resume, purge, bounce, requeue
    action text NOT NULL,
    filter jsonb NOT NULL,
    affected bigint NOT NULL,
    actor text NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX queue_actions_service ON queue_actions (service_id, occurred_at DESC);

-- A held recipient is parked out of the claim's index, so a customer holding a million messages costs the other
-- tenants' claims nothing (the claim would otherwise walk past every held row that is due). queue_holds stays the
-- truth: the claim also checks it, so a recipient queued in the instant a hold begins is never sent.
ALTER TABLE recipients ADD COLUMN held boolean NOT NULL DEFAULT false;
DROP INDEX recipients_due;
CREATE INDEX recipients_due ON recipients (next_attempt_at) WHERE status = 'Queued' AND NOT held;
-- The queue view and the filters read only what is queued for one service.
CREATE INDEX recipients_queued ON recipients (service_id, provider) WHERE status = 'Queued';

-- While a recipient is being sent (claimed until its lease ends) a purge or a requeue leaves it alone: its outcome
-- decides. Cleared by the attempt's completion; a crashed worker's claim simply runs out.
ALTER TABLE recipients ADD COLUMN claimed_until timestamptz;

-- A recipient removed from the queue by a purge is an event of its own (not a bounce: no ISP refused it). The list
-- also holds 'paced' and 'suppressed' (issue 16, migration 0016) so the two migrations agree in either history.
ALTER TABLE delivery_events DROP CONSTRAINT delivery_events_event_check;
ALTER TABLE delivery_events ADD CONSTRAINT delivery_events_event_check
    CHECK (event IN ('accepted', 'delivered', 'deferred', 'bounced', 'expired', 'complained', 'paced', 'suppressed', 'purged'));

-- A purged recipient is neither delivered nor bounced: no ISP saw it, and the bounce statistics must not count it.
ALTER TABLE recipients DROP CONSTRAINT recipients_status_check;
ALTER TABLE recipients ADD CONSTRAINT recipients_status_check CHECK (status IN ('Queued', 'Delivered', 'Bounced', 'Purged'));
