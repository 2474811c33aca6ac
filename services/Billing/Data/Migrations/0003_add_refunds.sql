-- A refund never changes an issued invoice's amount or number (rule 14); it is recorded beside it.
ALTER TABLE invoices ADD COLUMN refunded_at timestamptz;
ALTER TABLE invoices ADD COLUMN stripe_refund_id text;
