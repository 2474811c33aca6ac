-- The reputation panel (issue 20): per service, source IP and day (UTC), how many recipients were delivered, deferred,
-- bounced and complained about, so a customer sees each dedicated IP's acceptance and complaint trend. Counted by the
-- same statement-level trigger as delivery_history (one more upsert per INSERT statement, only for events that name
-- the IP they were sent from), so the panel reads at most one row per IP and day. Kept as long as the events.
CREATE TABLE source_ip_history (
    service_id uuid NOT NULL,
    source_ip text NOT NULL,
    day timestamptz NOT NULL,
    delivered bigint NOT NULL DEFAULT 0,
    deferred bigint NOT NULL DEFAULT 0,
    bounced bigint NOT NULL DEFAULT 0,
    complained bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, source_ip, day)
);

CREATE INDEX source_ip_history_age ON source_ip_history (day);

-- Complaints per sending domain are read from the events themselves: they are rare, and this index holds only them.
CREATE INDEX delivery_events_complaints_by_time ON delivery_events (service_id, occurred_at) WHERE event = 'complained';

CREATE OR REPLACE FUNCTION delivery_history_count() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO delivery_history AS h (service_id, step, bucket, provider, delivered, deferred, bounced, expired)
    SELECT e.service_id, s.step, date_trunc(s.step, e.occurred_at, 'UTC'), e.provider,
           count(*) FILTER (WHERE e.event = 'delivered'), count(*) FILTER (WHERE e.event = 'deferred'),
           count(*) FILTER (WHERE e.event = 'bounced'), count(*) FILTER (WHERE e.event = 'expired')
    FROM new_events e CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS s (step)
    WHERE e.event IN ('delivered', 'deferred', 'bounced', 'expired')
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (service_id, step, bucket, provider) DO UPDATE
        SET delivered = h.delivered + EXCLUDED.delivered, deferred = h.deferred + EXCLUDED.deferred,
            bounced = h.bounced + EXCLUDED.bounced, expired = h.expired + EXCLUDED.expired;

    INSERT INTO source_ip_history AS h (service_id, source_ip, day, delivered, deferred, bounced, complained)
    SELECT e.service_id, e.source_ip, date_trunc('day', e.occurred_at, 'UTC'),
           count(*) FILTER (WHERE e.event = 'delivered'), count(*) FILTER (WHERE e.event = 'deferred'),
           count(*) FILTER (WHERE e.event = 'bounced'), count(*) FILTER (WHERE e.event = 'complained')
    FROM new_events e
    WHERE e.source_ip IS NOT NULL AND e.event IN ('delivered', 'deferred', 'bounced', 'complained')
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (service_id, source_ip, day) DO UPDATE
        SET delivered = h.delivered + EXCLUDED.delivered, deferred = h.deferred + EXCLUDED.deferred,
            bounced = h.bounced + EXCLUDED.bounced, complained = h.complained + EXCLUDED.complained;
    RETURN NULL;
END
$$;

-- A complaint or late bounce recorded before this migration did not name the IP; take it from its recipient.
UPDATE delivery_events e SET source_ip = r.source_ip
FROM recipients r
WHERE e.source_ip IS NULL AND e.event IN ('complained', 'bounced') AND r.id = e.recipient_id AND r.source_ip IS NOT NULL;

-- The events already kept, counted once.
INSERT INTO source_ip_history (service_id, source_ip, day, delivered, deferred, bounced, complained)
SELECT e.service_id, e.source_ip, date_trunc('day', e.occurred_at, 'UTC'),
       count(*) FILTER (WHERE e.event = 'delivered'), count(*) FILTER (WHERE e.event = 'deferred'),
       count(*) FILTER (WHERE e.event = 'bounced'), count(*) FILTER (WHERE e.event = 'complained')
FROM delivery_events e
WHERE e.source_ip IS NOT NULL AND e.event IN ('delivered', 'deferred', 'bounced', 'complained')
GROUP BY 1, 2, 3;
