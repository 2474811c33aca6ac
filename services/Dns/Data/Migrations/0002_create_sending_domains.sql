-- What Dns knows of each service: its owner (from OrderPlaced, for the tenant check), its sending domain and its
-- dedicated IPs (from ReverseDnsRequested). Either event may arrive first, so every column but the key may wait.
CREATE TABLE services (
    service_id uuid PRIMARY KEY,
    customer_id uuid,
    order_id uuid,
    sending_domain text,
    ips text[] NOT NULL DEFAULT '{}',
    domain_verified_at timestamptz,
    decommissioned_at timestamptz
);
-- One live service hosts a domain's zone; a second order for the same domain does not overwrite the first's SPF.
CREATE UNIQUE INDEX services_live_domain ON services (sending_domain) WHERE decommissioned_at IS NULL;

-- DKIM keys per service; the private key only encrypted (see DkimKeyProtector). A rotated-out key stays
-- published until retire_at so mail signed before the rotation still verifies.
CREATE TABLE dkim_keys (
    service_id uuid NOT NULL REFERENCES services (service_id),
    selector text NOT NULL,
    public_key text NOT NULL,
    private_key_encrypted text NOT NULL,
    created_at timestamptz NOT NULL,
    retire_at timestamptz,
    PRIMARY KEY (service_id, selector)
);

-- Every rrset we published, so we can show it with its live state, re-check it for drift and remove it.
CREATE TABLE published_records (
    name text NOT NULL,
    type text NOT NULL,
    zone text NOT NULL,
    service_id uuid NOT NULL,
    value text NOT NULL,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (name, type)
);
CREATE INDEX published_records_service ON published_records (service_id);
