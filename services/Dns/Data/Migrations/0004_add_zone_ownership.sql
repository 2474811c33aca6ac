-- Which service created each customer zone in PowerDNS (issue 14): decommissioning deletes a zone only when this
-- service created it, never a zone someone else owns (the host zone, reverse zones, another customer's domain).
CREATE TABLE hosted_zones (
    zone text PRIMARY KEY,
    service_id uuid NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX hosted_zones_service ON hosted_zones (service_id);
-- The zones live services host today were created for them when their order was placed.
INSERT INTO hosted_zones (zone, service_id, created_at)
SELECT sending_domain || '.', service_id, now() FROM services WHERE sending_domain IS NOT NULL AND decommissioned_at IS NULL
ON CONFLICT (zone) DO NOTHING;
