-- Ordering owns the catalogue and its prices (issue 17): each product is published to the other services (Billing
-- prices plan changes with it). This is the fingerprint of the version last published, so a changed name, price or
-- IP count is published again and an unchanged one is not.
ALTER TABLE products ADD COLUMN published_fingerprint text;

-- A service's product and IPs change after the order (issue 17 plan changes); the time of the newest change applied
-- keeps a late event from undoing a newer one.
ALTER TABLE services ADD COLUMN product_changed_at timestamptz;
ALTER TABLE services ADD COLUMN ips_changed_at timestamptz;

-- The extra dedicated IP add-on (issue 17): its net monthly price per IP for services of each product; NULL = the
-- product takes no extra IPs. 25.00 EUR is the local default; the business sets its own.
ALTER TABLE products ADD COLUMN extra_ip_price_minor bigint CHECK (extra_ip_price_minor > 0);
UPDATE products SET extra_ip_price_minor = 2500;
