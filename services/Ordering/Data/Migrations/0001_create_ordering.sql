CREATE TABLE products (
    id text PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL,
    monthly_price_minor bigint NOT NULL CHECK (monthly_price_minor > 0),
    currency text NOT NULL,
    dedicated_ips int NOT NULL CHECK (dedicated_ips > 0),
    sort_order int NOT NULL DEFAULT 0
);

INSERT INTO products (id, name, description, monthly_price_minor, currency, dedicated_ips, sort_order) VALUES
  ('promta-starter', 'ProMTA Starter', 'Dedicated server, 1 dedicated IP, unlimited relay, managed throttling.', 14900, 'EUR', 1, 1),
  ('promta-business', 'ProMTA Business', 'Dedicated server, 4 dedicated IPs, unlimited relay, managed throttling.', 39900, 'EUR', 4, 2),
  ('promta-enterprise', 'ProMTA Enterprise', 'Dedicated server, 16 dedicated IPs, unlimited relay, managed throttling.', 119900, 'EUR', 16, 3);

CREATE TABLE customers (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL DEFAULT 'customer',
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX customers_email ON customers (lower(email));

CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    key_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);

CREATE TABLE orders (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    service_id uuid NOT NULL UNIQUE,
    product_id text NOT NULL REFERENCES products (id),
    idempotency_key text NOT NULL,
    request_hash bytea NOT NULL,
    status text NOT NULL,
    status_rank int NOT NULL,
    sending_domain text,
    special_requirements text,
    created_at timestamptz NOT NULL,
    UNIQUE (customer_id, idempotency_key)
);
CREATE INDEX orders_customer ON orders (customer_id, created_at DESC);

CREATE TABLE services (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    order_id uuid NOT NULL REFERENCES orders (id),
    product_id text NOT NULL REFERENCES products (id),
    status text NOT NULL,
    ips text[] NOT NULL DEFAULT '{}',
    hostname text,
    smtp_username text,
    relay_mode text NOT NULL DEFAULT 'managed',
    billing_day int,
    paid_through date,
    ends_on date,
    setup_deadline timestamptz,
    live_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX services_customer ON services (customer_id, created_at DESC);

CREATE TABLE order_timeline (
    id bigserial PRIMARY KEY,
    order_id uuid NOT NULL REFERENCES orders (id),
    status text NOT NULL,
    at timestamptz NOT NULL,
    detail text
);
CREATE INDEX order_timeline_order ON order_timeline (order_id, at, id);
