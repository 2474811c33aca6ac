-- Rule 4: sales schedule a requested demo, then mark it done. Received -> Scheduled (may be moved) -> Done; a request
-- can also be closed without a demo (Received -> Done). Done is final.
ALTER TABLE demo_requests ADD COLUMN scheduled_for timestamptz;
ALTER TABLE demo_requests ADD COLUMN handled_by uuid;
ALTER TABLE demo_requests ADD COLUMN updated_at timestamptz;
ALTER TABLE demo_requests ADD CONSTRAINT demo_requests_status CHECK (status IN ('Received', 'Scheduled', 'Done'));
