-- The PTR name of each dedicated IP, in the order of source_ips (the pairs of ReverseDnsPropagated): outbound sessions
-- greet with the name of the IP they leave from, and the relay's Received header and bounce reports name the
-- service's first one, so receivers' forward-confirmed reverse DNS checks match. Empty for accounts made before it:
-- they fall back to Delivery:HeloName.
ALTER TABLE relay_accounts ADD COLUMN source_hostnames text[] NOT NULL DEFAULT '{}';
