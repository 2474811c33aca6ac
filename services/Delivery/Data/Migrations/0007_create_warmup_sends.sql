-- Messages each warming IP sent per provider and warm-up day (named by when it starts). Every replica adds its own
-- sends to the row, so the warm-up's daily cap holds across restarts and replicas.
CREATE TABLE ip_warmup_sends (
    source_ip text NOT NULL,
    provider text NOT NULL,
    day_starts_at timestamptz NOT NULL,
    sent bigint NOT NULL,
    PRIMARY KEY (source_ip, provider, day_starts_at)
);
