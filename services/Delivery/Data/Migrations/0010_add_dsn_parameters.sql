-- RFC 3461 (the DSN extension): what the sender asked for at MAIL (RET=FULL|HDRS, ENVID) and at each RCPT (NOTIFY,
-- ORCPT). All optional: null means "not given", and the DSN job then behaves as before (failures reported, headers only).
ALTER TABLE messages ADD COLUMN dsn_ret text CHECK (dsn_ret IN ('FULL', 'HDRS')), ADD COLUMN dsn_envid text;
-- dsn_notify: 'NEVER' or a comma list of SUCCESS, FAILURE, DELAY; dsn_orcpt: "addr-type;address", decoded from xtext.
ALTER TABLE recipients ADD COLUMN dsn_notify text, ADD COLUMN dsn_orcpt text;
