-- The outbound claim loop claims per provider only what that provider's lanes may send now (issue 19): each part of
-- the claim walks one provider's due recipients in due order, which this index gives without reading the others'.
CREATE INDEX recipients_due_by_provider ON recipients (provider, next_attempt_at) WHERE status = 'Queued' AND NOT held;
