-- The dedicated-IP pool. An address belongs to at most one service: allocation claims free rows with
-- FOR UPDATE SKIP LOCKED, and the partial unique index below is the last line of defence.
CREATE TABLE ip_addresses (
    address inet PRIMARY KEY,
    state text NOT NULL DEFAULT 'free' CHECK (state IN ('free', 'allocated', 'quarantined', 'blocked')),
    service_id uuid,
    allocated_at timestamptz,
    quarantined_until timestamptz,
    CHECK ((state = 'allocated') = (service_id IS NOT NULL))
);

-- Locally the pool is loopback addresses, so the Delivery service can really bind to them.
INSERT INTO ip_addresses (address)
SELECT ('127.0.' || block || '.' || host)::inet FROM generate_series(1, 3) AS block, generate_series(1, 254) AS host;

CREATE TABLE servers (
    id text PRIMARY KEY,
    service_id uuid NOT NULL UNIQUE,
    order_id uuid NOT NULL,
    hostname text NOT NULL,
    ips text[] NOT NULL,
    setup_deadline timestamptz NOT NULL,
    provisioned_at timestamptz NOT NULL
);
