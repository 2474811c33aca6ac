-- Each customer may have an account manager (a staff member), who sees and serves that customer.
ALTER TABLE customers ADD COLUMN account_manager_id uuid REFERENCES customers (id);
CREATE INDEX customers_account_manager ON customers (account_manager_id);
