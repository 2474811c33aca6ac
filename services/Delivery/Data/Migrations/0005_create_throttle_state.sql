-- What the adaptive throttling controller learned per dedicated IP x provider, saved every few seconds and on stop,
-- so a restarted process (or a new replica) starts from it instead of probing every ISP from scratch.
CREATE TABLE throttle_lanes (
    source_ip text NOT NULL,
    provider text NOT NULL,
    rate_per_minute double precision NOT NULL,
    connections integer NOT NULL,
    last_throttled_rate double precision,
    suspended_until timestamptz,
    saved_at timestamptz NOT NULL,
    PRIMARY KEY (source_ip, provider)
);

-- Dedicated IPs warming up: from the service's activation on, each follows the warm-up schedule.
CREATE TABLE ip_warmups (
    source_ip text PRIMARY KEY,
    service_id uuid NOT NULL,
    started_at timestamptz NOT NULL
);

-- Rule 18: every switch between managed and unmanaged relay, who made it and when.
CREATE TABLE relay_mode_changes (
    id bigserial PRIMARY KEY,
    service_id uuid NOT NULL,
    from_mode text NOT NULL,
    to_mode text NOT NULL,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL
);
CREATE INDEX relay_mode_changes_service ON relay_mode_changes (service_id, changed_at DESC);
