-- One relay account per service: the SMTP username, its password hash (set when the customer rotates it;
-- until then no password works), the dedicated IPs mail leaves from, and whether the relay accepts mail.
CREATE TABLE relay_accounts (
    service_id uuid PRIMARY KEY,
    order_id uuid NOT NULL,
    username text NOT NULL UNIQUE,
    password_hash text,
    source_ips text[] NOT NULL,
    status text NOT NULL CHECK (status IN ('Active', 'Suspended', 'Ended')),
    relay_mode text NOT NULL DEFAULT 'managed',
    activated_at timestamptz NOT NULL
);
