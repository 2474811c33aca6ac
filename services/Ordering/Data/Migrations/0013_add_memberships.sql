-- One login, several accounts (docs/teams.md): a login's role in an account is a membership, no longer a column of the
-- login. The account stays the customers row that opened it (every tenant key in every service is that id);
-- customers.account_id keeps naming the account whose invitation created a member's login (so staff lists of accounts,
-- account_id IS NULL, stay as they are).
CREATE TABLE memberships (
    login_id uuid NOT NULL REFERENCES customers (id),
    account_id uuid NOT NULL REFERENCES customers (id),
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'billing', 'read-only')),
    created_at timestamptz NOT NULL,
    -- A removed membership keeps its row (audit entries and keys name it); joining again reopens it.
    removed_at timestamptz,
    -- Tokens for this account issued until then end (removal, joining again); the login's own tokens_revoked_at ends all.
    tokens_revoked_at timestamptz,
    PRIMARY KEY (login_id, account_id)
);
CREATE INDEX memberships_account ON memberships (account_id) WHERE removed_at IS NULL;
-- Exactly one owner per account: a transfer demotes the old owner and promotes the new one in one transaction.
CREATE UNIQUE INDEX memberships_one_owner ON memberships (account_id) WHERE role = 'owner' AND removed_at IS NULL;

INSERT INTO memberships (login_id, account_id, role, created_at)
SELECT id, id, 'owner', created_at FROM customers WHERE role = 'customer' AND account_id IS NULL;
-- Co-owners made before the one-owner rule become admins (the account's own login keeps ownership).
INSERT INTO memberships (login_id, account_id, role, created_at, removed_at, tokens_revoked_at)
SELECT id, account_id, CASE WHEN team_role = 'owner' THEN 'admin' ELSE team_role END, created_at, removed_at, removed_at
FROM customers WHERE account_id IS NOT NULL;

ALTER TABLE customers DROP CONSTRAINT customers_member_has_role;
ALTER TABLE customers DROP COLUMN team_role;
ALTER TABLE customers DROP COLUMN removed_at;

-- An API key belongs to one membership: it acts on this account only (NULL for staff keys).
ALTER TABLE api_keys ADD COLUMN account_id uuid REFERENCES customers (id);
UPDATE api_keys k SET account_id = COALESCE(c.account_id, c.id) FROM customers c WHERE c.id = k.customer_id AND c.role = 'customer';

ALTER TABLE team_audit DROP CONSTRAINT team_audit_action_check;
ALTER TABLE team_audit ADD CONSTRAINT team_audit_action_check
    CHECK (action IN ('invited', 'invitation-revoked', 'joined', 'role-changed', 'removed', 'ownership-transferred'));
