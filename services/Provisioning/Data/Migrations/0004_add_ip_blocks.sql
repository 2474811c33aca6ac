-- The pool is made of blocks (CIDR) an operator adds; each address remembers its block. The loopback blocks 0001
-- seeded are recorded as blocks too.
CREATE TABLE ip_blocks (
    cidr cidr PRIMARY KEY,
    added_at timestamptz NOT NULL DEFAULT now(),
    note text
);
INSERT INTO ip_blocks (cidr, note)
SELECT DISTINCT network(set_masklen(address, 24)), 'local loopback pool' FROM ip_addresses;

ALTER TABLE ip_addresses ADD COLUMN block cidr REFERENCES ip_blocks (cidr);
UPDATE ip_addresses SET block = network(set_masklen(address, 24));
ALTER TABLE ip_addresses ALTER COLUMN block SET NOT NULL;

-- Blocked: never handed out (listed on a blocklist, reserved, broken), with the reason an operator gave.
ALTER TABLE ip_addresses ADD COLUMN blocked_reason text;
ALTER TABLE ip_addresses ADD CONSTRAINT ip_addresses_blocked_reason CHECK ((state = 'blocked') = (blocked_reason IS NOT NULL));
