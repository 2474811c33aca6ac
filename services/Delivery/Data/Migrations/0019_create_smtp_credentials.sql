-- Issue 20: a service has several SMTP credentials besides the one made when it went live (relay_accounts.username):
-- named, each revocable on its own, with when and from where it was last used. Only the password's hash is kept.
CREATE TABLE smtp_credentials (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL,
    name text NOT NULL,
    username text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL,
    created_by text NOT NULL,
    revoked_at timestamptz,
    revoked_by text,
    last_used_at timestamptz,
    last_used_ip text
);
-- A name is one live credential per service; a revoked one's name can be given again.
CREATE UNIQUE INDEX smtp_credentials_name ON smtp_credentials (service_id, lower(name)) WHERE revoked_at IS NULL;

ALTER TABLE relay_accounts ADD COLUMN last_used_at timestamptz, ADD COLUMN last_used_ip text;

-- Each new password of the primary username, for the service's audit log (who and when; never the password).
CREATE TABLE smtp_password_rotations (
    id bigserial PRIMARY KEY,
    service_id uuid NOT NULL,
    rotated_by text NOT NULL,
    rotated_at timestamptz NOT NULL
);
CREATE INDEX smtp_password_rotations_service ON smtp_password_rotations (service_id, rotated_at DESC);
