-- Rule 4: no demo accounts; a prospect asks for a live demo that sales schedules. No account is created.
CREATE TABLE demo_requests (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL,
    company text,
    preferred_times text[] NOT NULL,
    status text NOT NULL DEFAULT 'Received',
    created_at timestamptz NOT NULL
);
CREATE INDEX demo_requests_created ON demo_requests (created_at DESC);
