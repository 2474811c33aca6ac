-- Many sending domains per service (issue 14): each with its own delegation state, DMARC policy and DKIM keys.
-- A domain is hosted for one service at a time (the primary key); a released domain's row is deleted.
CREATE TABLE sending_domains (
    domain text PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES services (service_id),
    dmarc_policy text,
    delegated_at timestamptz,
    delegation_seen text[] NOT NULL DEFAULT '{}',
    delegation_checked_at timestamptz,
    delegation_attempts int NOT NULL DEFAULT 0,
    delegation_next_check_at timestamptz,
    added_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sending_domains_service ON sending_domains (service_id);
CREATE INDEX sending_domains_delegation_due ON sending_domains (delegation_next_check_at);
INSERT INTO sending_domains (domain, service_id, dmarc_policy, delegated_at, delegation_seen, delegation_checked_at, delegation_attempts,
                             delegation_next_check_at)
SELECT sending_domain, service_id, dmarc_policy, domain_verified_at, delegation_seen, delegation_checked_at, delegation_attempts,
       delegation_next_check_at
FROM services WHERE sending_domain IS NOT NULL AND decommissioned_at IS NULL;

-- DKIM keys per domain: a service with two domains signs each with its own key.
ALTER TABLE dkim_keys ADD COLUMN domain text;
UPDATE dkim_keys k SET domain = s.sending_domain FROM services s WHERE s.service_id = k.service_id;
DELETE FROM dkim_keys WHERE domain IS NULL;
ALTER TABLE dkim_keys ALTER COLUMN domain SET NOT NULL;

-- The columns the one-domain-per-service model kept on services are superseded by sending_domains.
DROP INDEX services_live_domain;
ALTER TABLE services DROP COLUMN sending_domain, DROP COLUMN domain_verified_at, DROP COLUMN delegation_seen,
    DROP COLUMN delegation_checked_at, DROP COLUMN delegation_attempts, DROP COLUMN delegation_next_check_at, DROP COLUMN dmarc_policy;
