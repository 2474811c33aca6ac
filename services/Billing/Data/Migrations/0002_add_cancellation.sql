-- Rule 11: when a cancellation arrived, the last day it leaves paid, and whether it came too late to spare the
-- next period. The renewal scheduler never charges a period that starts after last_day.
ALTER TABLE billed_services ADD COLUMN cancelled_at timestamptz;
ALTER TABLE billed_services ADD COLUMN last_day date;
ALTER TABLE billed_services ADD COLUMN charged_again boolean;
