-- The reputation watch (issue 20): every dedicated IP and sending domain of a live service looked up in the configured
-- DNS blocklists; one row per listing episode, open (delisted_at NULL) while the list still lists it.
CREATE TABLE blocklist_listings (
    id bigserial PRIMARY KEY,
    service_id uuid NOT NULL,
    subject text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('ip', 'domain')),
    zone text NOT NULL,
    answer text NOT NULL,
    listed_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    delisted_at timestamptz
);
-- At most one open listing per service, subject and list: replicas watching side by side record it once.
CREATE UNIQUE INDEX blocklist_listings_open ON blocklist_listings (service_id, subject, zone) WHERE delisted_at IS NULL;
CREATE INDEX blocklist_listings_service ON blocklist_listings (service_id, listed_at DESC);
