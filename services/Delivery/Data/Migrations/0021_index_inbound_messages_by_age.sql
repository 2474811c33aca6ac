-- Issue 16: received reports are deleted after InboundRetention:Retention, oldest first in slices; the existing
-- indexes lead with service or kind.
CREATE INDEX inbound_messages_received_at ON inbound_messages (received_at);
