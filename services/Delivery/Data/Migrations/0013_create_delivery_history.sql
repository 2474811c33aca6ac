-- Delivery history for charts (issue 18): per service, provider and time bucket (minute, hour and day, in UTC), how
-- many recipients were delivered, deferred, bounced or expired. Counted once when the events are recorded, by a
-- statement-level trigger on delivery_events, so a history request reads at most one row per bucket and provider
-- instead of counting the event log, and no writer of delivery_events has to remember it. The trigger aggregates each
-- INSERT statement's rows (a group commit of many recipients is one upsert per provider and bucket), in key order so
-- concurrent writers lock shared rows in the same order. Old buckets are removed by the event retention job.
CREATE TABLE delivery_history (
    service_id uuid NOT NULL,
    step text NOT NULL CHECK (step IN ('minute', 'hour', 'day')),
    bucket timestamptz NOT NULL,
    provider text NOT NULL,
    delivered bigint NOT NULL DEFAULT 0,
    deferred bigint NOT NULL DEFAULT 0,
    bounced bigint NOT NULL DEFAULT 0,
    expired bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, step, bucket, provider)
);

CREATE INDEX delivery_history_age ON delivery_history (step, bucket);

-- search_path is fixed to this schema: the trigger runs inside whatever connection inserted the events.
CREATE FUNCTION delivery_history_count() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
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
    RETURN NULL;
END
$$;

CREATE TRIGGER delivery_history_on_insert AFTER INSERT ON delivery_events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION delivery_history_count();

-- The events already kept, counted once.
INSERT INTO delivery_history (service_id, step, bucket, provider, delivered, deferred, bounced, expired)
SELECT e.service_id, s.step, date_trunc(s.step, e.occurred_at, 'UTC'), e.provider,
       count(*) FILTER (WHERE e.event = 'delivered'), count(*) FILTER (WHERE e.event = 'deferred'),
       count(*) FILTER (WHERE e.event = 'bounced'), count(*) FILTER (WHERE e.event = 'expired')
FROM delivery_events e CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS s (step)
WHERE e.event IN ('delivered', 'deferred', 'bounced', 'expired')
GROUP BY 1, 2, 3, 4;
