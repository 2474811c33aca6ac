-- DKIM keys published by Dns (DkimKeyPublished), one row per selector. The private key stays encrypted at rest
-- (AES-256-GCM under Dkim:EncryptionKey, see ServiceDefaults/Security/DkimKeyProtector.cs); the newest is signed with.
CREATE TABLE dkim_keys (
    service_id uuid NOT NULL,
    selector text NOT NULL,
    domain text NOT NULL,
    private_key_encrypted text NOT NULL,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (service_id, selector)
);
