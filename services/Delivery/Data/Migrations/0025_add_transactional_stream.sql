-- Issue 19 step 5: transactional mail is not stuck behind bulk. A named SMTP credential sends one stream (bulk by
-- default; the service's own username is always bulk), and each recipient carries the stream its message was accepted
-- in (the credential's, or transactional by the X-ProMTA-Stream header). Both defaults are constants: no table rewrite.
ALTER TABLE smtp_credentials ADD COLUMN stream text NOT NULL DEFAULT 'bulk' CHECK (stream IN ('bulk', 'transactional'));
-- No CHECK on recipients: validating one would read the whole queue at start-up; only MailStream's values are written.
ALTER TABLE recipients ADD COLUMN stream text NOT NULL DEFAULT 'bulk';
-- The claim takes a provider's due transactional recipients first, along this small index; its bulk part keeps walking
-- recipients_due_by_provider (0024) and skips the few transactional rows there.
CREATE INDEX recipients_due_transactional ON recipients (provider, next_attempt_at)
    WHERE status = 'Queued' AND NOT held AND stream = 'transactional';
