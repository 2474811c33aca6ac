-- An upgrade's prorated charge is made like the other charges (issue 20): its intent is recorded and committed with
-- the service's row unlocked again, Stripe is called outside any transaction with the change's key, and the result
-- (the change applied, declined or waiting for 3-D Secure) is written in a second short transaction. While such an
-- intent is pending, renewals and other changes of the service wait for it; ChargeIntentRecovery completes it when
-- its worker died.
ALTER TABLE charge_intents DROP CONSTRAINT charge_intents_kind_check;
ALTER TABLE charge_intents ADD CONSTRAINT charge_intents_kind_check CHECK (kind IN ('FirstMonth', 'Renewal', 'PlanChange'));
