-- Sending domains claimed by services (issue 14): a domain belongs to the service that claimed it first and proves it
-- by delegating it to our nameservers. Claims are written under an advisory lock that also guards the ancestor and
-- descendant check; the unique index is the backstop for the exact name.
CREATE TABLE domain_claims (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain text NOT NULL,
    service_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    order_id uuid NOT NULL,
    status text NOT NULL,
    claimed_at timestamptz NOT NULL,
    verified_at timestamptz,
    released_at timestamptz,
    release_reason text
);
CREATE UNIQUE INDEX domain_claims_live ON domain_claims (domain) WHERE released_at IS NULL;
CREATE INDEX domain_claims_service ON domain_claims (service_id);
CREATE INDEX domain_claims_pending ON domain_claims (claimed_at) WHERE status = 'Pending';
