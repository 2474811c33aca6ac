-- The DMARC policy the customer chose for the service's sending domain; NULL publishes Dns:DmarcPolicy.
ALTER TABLE services ADD COLUMN dmarc_policy text;
