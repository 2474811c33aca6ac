-- Which account manager serves each customer (assigned in Ordering, learnt from AccountManagerAssigned): an
-- account manager sees and decides billing matters of their own customers only; operators see all.
CREATE TABLE account_managers (
    customer_id uuid PRIMARY KEY,
    account_manager_id uuid NOT NULL,
    assigned_at timestamptz NOT NULL
);
CREATE INDEX account_managers_manager ON account_managers (account_manager_id);
