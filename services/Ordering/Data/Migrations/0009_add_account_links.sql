-- E-mail verification at sign-up (docs/portal.md: an unverified account may do everything; the portal asks for it).
ALTER TABLE customers ADD COLUMN email_verified_at timestamptz;
-- Staff accounts are created by an operator for an address they know.
UPDATE customers SET email_verified_at = created_at WHERE role <> 'customer';

-- Links mailed to a customer: a password reset (1 h) or an e-mail verification. The token itself is never stored:
-- it is derived from the row id with a server key when the mail is composed, and only its SHA-256 is kept to find
-- the row when the link is used. A link works once (used_at) and not after expires_at.
-- mail_status: Pending (to send, retried with back-off), Sent, Rejected (5xx from the smarthost), Expired (not sent
-- before the link expired, so it never will be).
CREATE TABLE account_links (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    purpose text NOT NULL CHECK (purpose IN ('password-reset', 'email-verification')),
    token_hash bytea NOT NULL UNIQUE,
    email text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    mail_status text NOT NULL DEFAULT 'Pending' CHECK (mail_status IN ('Pending', 'Sent', 'Rejected', 'Expired')),
    mail_attempts int NOT NULL DEFAULT 0,
    next_mail_at timestamptz,
    mailed_at timestamptz,
    mail_error text
);
CREATE INDEX account_links_to_mail ON account_links (next_mail_at) WHERE mail_status = 'Pending';
CREATE INDEX account_links_customer ON account_links (customer_id, purpose, created_at DESC);
