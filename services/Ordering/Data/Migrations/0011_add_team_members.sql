-- Teams (docs/teams.md): a customer account has several logins. The account is the owner's customers row (every
-- tenant key - orders, services, invoices in other services - stays that id); a member is a customers row of its
-- own (own e-mail, password, tokens, API keys) that names the account it belongs to and its role there.
-- account_id NULL: the row is an account itself (a customer, whose login is its owner) or a staff member.
ALTER TABLE customers ADD COLUMN account_id uuid REFERENCES customers (id);
ALTER TABLE customers ADD COLUMN team_role text CHECK (team_role IN ('owner', 'admin', 'billing', 'read-only'));
ALTER TABLE customers ADD CONSTRAINT customers_member_has_role CHECK ((account_id IS NULL) = (team_role IS NULL));
-- A removed member keeps the row (their API keys and audit entries name it) but can no longer log in.
ALTER TABLE customers ADD COLUMN removed_at timestamptz;
CREATE INDEX customers_account ON customers (account_id) WHERE account_id IS NOT NULL;

-- An invitation is a mailed link like a password reset: only the token's hash is kept; it names the account
-- (customer_id), the role offered and who invited. Used once, expires.
ALTER TABLE account_links DROP CONSTRAINT account_links_purpose_check;
ALTER TABLE account_links ADD CONSTRAINT account_links_purpose_check
    CHECK (purpose IN ('password-reset', 'email-verification', 'team-invitation'));
ALTER TABLE account_links ADD COLUMN team_role text CHECK (team_role IN ('owner', 'admin', 'billing', 'read-only'));
ALTER TABLE account_links ADD COLUMN invited_by uuid REFERENCES customers (id);
ALTER TABLE account_links ADD CONSTRAINT account_links_invitation_role CHECK ((purpose = 'team-invitation') = (team_role IS NOT NULL));

-- What happened to the team, for the account's owners and admins to read.
CREATE TABLE team_audit (
    id uuid PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES customers (id),
    at timestamptz NOT NULL,
    actor_id uuid REFERENCES customers (id),
    action text NOT NULL CHECK (action IN ('invited', 'invitation-revoked', 'joined', 'role-changed', 'removed')),
    email text NOT NULL,
    role text,
    previous_role text
);
CREATE INDEX team_audit_account ON team_audit (account_id, at DESC, id DESC);
