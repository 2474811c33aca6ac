-- Issue 19 step 4: Delivery replicas share the ISPs. A lane (source IP or the default route x provider) is paced by one
-- replica at a time, the lease's owner; it renews the lease every few seconds, and when it stops renewing (stopped or
-- killed) another replica takes the lane over after expires_at and restores what the owner saved in throttle_lanes.
CREATE TABLE lane_leases (
    lane text NOT NULL,
    provider text NOT NULL,
    owner text NOT NULL,
    acquired_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (lane, provider)
);

-- A warming IP's daily cap holds across replicas exactly: the lane's owner reserves sends in small blocks
-- (reserved + n <= cap, one statement) before it sends them, and gives back what it did not use when it lets the lane
-- go. A killed owner's unused block stays reserved, so the day ends at most one block under its cap, never over it.
ALTER TABLE ip_warmup_sends ADD COLUMN reserved bigint NOT NULL DEFAULT 0;
