-- Every message writes two delivery_events rows on the relay's and the outbound path's hot statements (accepted, then
-- delivered), and every row wrote an entry into four B-tree indexes. Two of them are not needed by any statement:
-- - delivery_events_service (service_id, occurred_at): a service's events are read through delivery_events_service_id
--   (service_id, id) by the webhooks, the per-service counts and a replay's window (whose time bounds the BRIN index
--   delivery_events_age narrows: the ids of a service's events in a time window, an occasional API call);
-- - the primary key: no statement looks an event up by id alone (the webhooks' cursors are per service, served by
--   delivery_events_service_id); the retention job deletes by ctid. The identity still numbers every event uniquely.
-- Two entries fewer per event, four per delivered message (relay benchmark, 20,000 messages: WAL records per run
-- 599,000 -> 531,000, the log's indexes 5.0 -> 3.1 MB).
DROP INDEX delivery_events_service;
ALTER TABLE delivery_events DROP CONSTRAINT delivery_events_pkey;
