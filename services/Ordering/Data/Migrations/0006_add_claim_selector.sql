-- The DKIM selector Dns published for a verified claim (from DkimKeyPublished), shown by the domains API.
ALTER TABLE domain_claims ADD COLUMN dkim_selector text;
