-- When Delivery last switched the relay mode: a late RelayModeChanged never overwrites a newer one.
ALTER TABLE services ADD COLUMN relay_mode_changed_at timestamptz;
