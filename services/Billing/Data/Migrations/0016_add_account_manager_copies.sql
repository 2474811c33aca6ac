-- The account manager hears of a customer's reputation trouble too (issue 20): Ordering's AccountManagerAssigned now
-- carries the manager's address (null for assignments announced before), and a notice can ask for a copy to them.
ALTER TABLE account_managers ADD COLUMN email text;
ALTER TABLE notifications ADD COLUMN copy_account_manager boolean NOT NULL DEFAULT false;
