-- The DMARC policy the customer chose for the domain (none, quarantine, reject); none until they choose.
ALTER TABLE domain_claims ADD COLUMN dmarc_policy text NOT NULL DEFAULT 'none';
