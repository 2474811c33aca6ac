-- Issue 20: an address leaving quarantine is looked up in the DNS blocklists first; a listed one stays quarantined
-- (and says why here) instead of handing a new customer a listed IP.
ALTER TABLE ip_addresses ADD COLUMN blocklisted text;
