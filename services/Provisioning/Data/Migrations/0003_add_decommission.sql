-- Decommissioned servers stay as history; a quarantined address remembers whose it was (abuse reports name an IP
-- long after the service ended).
ALTER TABLE servers ADD COLUMN decommissioned_at timestamptz;
ALTER TABLE ip_addresses ADD COLUMN last_service_id uuid;
CREATE INDEX ip_addresses_quarantine ON ip_addresses (quarantined_until) WHERE state = 'quarantined';

-- A setup the datacenter kept refusing: operators see it with the reason, the order timeline shows the alert.
ALTER TABLE setups DROP CONSTRAINT setups_status_check;
ALTER TABLE setups ADD CONSTRAINT setups_status_check CHECK (status IN ('AwaitingReview', 'Done', 'Failed'));
ALTER TABLE setups ADD COLUMN failure text;
