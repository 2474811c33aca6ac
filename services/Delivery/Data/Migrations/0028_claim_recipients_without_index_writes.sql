-- A delivered recipient was updated twice through every index of recipients: the claim moved next_attempt_at (the due
-- indexes' key) past the lease, the completion changed status. Now the claim writes only claimed_until, attempts and
-- last_attempt_at, which no index holds, so PostgreSQL writes the new version on the row's own page without an index
-- entry (HOT; the old version is pruned by the next reader) when the page has room for it. The relay inserts a group
-- of recipients together and a claim takes them together, so a page must hold every row's claimed version at once,
-- each 16 bytes larger than the row (the lease and the attempt's time): at 50 % a page filled by inserts has about
-- as much room left as its rows take, which the larger versions overrun (85 % of claims were HOT in QueueClaimTests);
-- 45 % leaves enough for rows of 70 bytes and more (ours are over 150). Only new pages are filled to this: nothing is
-- rewritten.
ALTER TABLE recipients SET (fillfactor = 45);

-- recipients_service_address (service_id, lower(address)) leads with the service too: the per-service statistics read
-- it as well, and every insert and completion writes one index entry fewer.
DROP INDEX recipients_service;
