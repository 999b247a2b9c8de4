-- When an attached credential was first seen revoked. A revocation is
-- final: it holds even when a later verification says something else
-- (the issuer no longer trusted, its status list out of reach), so it is
-- kept apart from last_status, which says the last verification's verdict.
ALTER TABLE imports ADD COLUMN revoked_at TEXT NOT NULL DEFAULT '';
UPDATE imports SET revoked_at = CASE WHEN last_checked_at = '' THEN attached_at ELSE last_checked_at END WHERE last_status = 'revoked';
