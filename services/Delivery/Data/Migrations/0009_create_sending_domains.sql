-- Issue 14: the domains each service may send as (MAIL FROM and From:, and any name below them). Verified ones come
-- from Dns (SendingDomainVerified) and go with SendingDomainReleased; staff may allow an extra one, audited below.
CREATE TABLE sending_domains (
    service_id uuid NOT NULL,
    domain text NOT NULL,
    source text NOT NULL,
    added_at timestamptz NOT NULL,
    added_by uuid,
    reason text,
    PRIMARY KEY (service_id, domain, source)
);

-- Every staff grant and revocation of an extra sender domain: who, when, why.
CREATE TABLE sender_domain_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id uuid NOT NULL,
    domain text NOT NULL,
    action text NOT NULL,
    staff_id uuid NOT NULL,
    reason text,
    at timestamptz NOT NULL
);
CREATE INDEX sender_domain_audit_service ON sender_domain_audit (service_id, at DESC);
