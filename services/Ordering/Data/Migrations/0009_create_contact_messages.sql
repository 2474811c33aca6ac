-- The portal's contact form (/contact): a visitor's or customer's message to staff, listed on the staff page until
-- someone marks it answered (they answer by e-mail). Kept like demo requests: nothing is deleted.
CREATE TABLE contact_messages (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL,
    topic text NOT NULL CHECK (topic IN ('sales', 'billing', 'support', 'no-card', 'other')),
    message text NOT NULL,
    status text NOT NULL DEFAULT 'Received' CHECK (status IN ('Received', 'Answered')),
    created_at timestamptz NOT NULL,
    answered_at timestamptz,
    answered_by uuid
);
CREATE INDEX contact_messages_created ON contact_messages (created_at DESC);
