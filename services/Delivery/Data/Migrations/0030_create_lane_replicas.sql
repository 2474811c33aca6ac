-- Issue 19: replicas spread the lanes by load. Each live Delivery replica has a heartbeat row, renewed with its lane
-- leases (same statement, same now() + ttl, so a killed replica's heartbeat and leases end at the same instant): the
-- replicas counted when a lane is asked for (a replica takes a free provider only below its fair share, ceil(providers
-- / live replicas)) and the ones a replica holding two providers more than another hands one of its providers to.
-- A replica holding no lane has a row too: that is how the others learn it wants a share.
CREATE TABLE lane_replicas (
    replica text PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
