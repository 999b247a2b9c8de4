-- A signed trust list vouches for its issuers until its own expiry (exp):
-- kept here, so that a list whose publisher stopped answering does not
-- keep vouching from the stored copy. Empty for partners that speak for
-- their own site.
ALTER TABLE trusted_sources ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';
