-- The first characters of a key identify it in lists without revealing it.
ALTER TABLE api_keys ADD COLUMN key_prefix text NOT NULL DEFAULT '';
