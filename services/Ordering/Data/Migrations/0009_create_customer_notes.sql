-- Staff notes on a customer (what was agreed on the phone, why bank transfer was allowed...): shown on the staff's
-- customer page, never to the customer. Notes are added, never edited or deleted.
CREATE TABLE customer_notes (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    author_id uuid NOT NULL REFERENCES customers (id),
    text text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX customer_notes_customer ON customer_notes (customer_id, created_at DESC);
