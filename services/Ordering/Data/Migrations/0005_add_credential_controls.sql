-- Access tokens issued at or before this second stop working: "log out everywhere" and a password change set it.
ALTER TABLE customers ADD COLUMN tokens_revoked_at timestamptz;
-- An operator can disable a staff account: its password, tokens and API keys stop working until it is enabled again.
ALTER TABLE customers ADD COLUMN disabled_at timestamptz;
-- Staff API keys expire; customers' keys do not (NULL).
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
