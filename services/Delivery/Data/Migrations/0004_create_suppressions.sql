-- Why each recipient bounced (user unknown, mailbox full, policy, content, DNS...), and the per-service suppression
-- list: an address that hard-bounced is not sent to again until the customer removes it.
ALTER TABLE recipients ADD COLUMN bounce_class text;

CREATE TABLE suppressions (
    service_id uuid NOT NULL,
    address text NOT NULL,
    reason text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (service_id, address)
);
