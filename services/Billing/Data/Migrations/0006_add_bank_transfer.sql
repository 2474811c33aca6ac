-- Rule 8: bank transfer only for customers with more than one service, approved case by case by their account
-- manager. The approval and every change to it are audited (who, when, why).
CREATE TABLE bank_transfer_approvals (
    customer_id uuid PRIMARY KEY,
    approved_by uuid NOT NULL,
    approved_at timestamptz NOT NULL,
    reason text NOT NULL
);

CREATE TABLE bank_transfer_audit (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    action text NOT NULL CHECK (action IN ('Approved', 'Revoked')),
    actor uuid NOT NULL,
    at timestamptz NOT NULL,
    reason text NOT NULL
);
CREATE INDEX bank_transfer_audit_customer ON bank_transfer_audit (customer_id, at);

-- How an invoice is paid: by card (Stripe) or by bank transfer (marked paid by staff).
ALTER TABLE invoices ADD COLUMN payment_method text NOT NULL DEFAULT 'card';
