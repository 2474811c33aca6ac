-- A domain's records are published by their own loop (DomainPublisher), not by the delegation check that first sees
-- the domain delegated: making its DKIM key (RSA 2048) costs ~0.2 s of CPU, and 20,000 domains delegated at once kept
-- the monitor's drift and propagation steps waiting for hours. The check only queues the domain here.
ALTER TABLE sending_domains ADD COLUMN publication_due_at timestamptz;
CREATE INDEX sending_domains_publication_due ON sending_domains (publication_due_at) WHERE publication_due_at IS NOT NULL;
