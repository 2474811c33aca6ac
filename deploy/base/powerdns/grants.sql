-- The schema above is created by the superuser during bootstrap; PowerDNS connects as the database owner.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO powerdns;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO powerdns;
