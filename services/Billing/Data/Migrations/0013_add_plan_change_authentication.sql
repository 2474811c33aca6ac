-- An upgrade whose card asks for 3-D Secure (issue 17): the change waits for the customer to authenticate through the
-- pay link, like a first payment does; the plan changes only once Stripe reports the payment succeeded.
ALTER TABLE plan_changes DROP CONSTRAINT plan_changes_status_check;
ALTER TABLE plan_changes ADD CONSTRAINT plan_changes_status_check
    CHECK (status IN ('Applied', 'Scheduled', 'Declined', 'Withdrawn', 'AwaitingPayment'));
ALTER TABLE plan_changes ADD COLUMN payment_intent_id text;
ALTER TABLE plan_changes ADD COLUMN pay_url text;
CREATE UNIQUE INDEX plan_changes_payment_intent ON plan_changes (payment_intent_id) WHERE payment_intent_id IS NOT NULL;
-- one upgrade waiting for its payment per service at a time
CREATE UNIQUE INDEX plan_changes_one_awaiting ON plan_changes (service_id) WHERE status = 'AwaitingPayment';
