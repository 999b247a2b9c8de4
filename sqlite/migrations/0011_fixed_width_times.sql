-- Times were stored as RFC 3339 text with as few fraction digits as the
-- time needed ("…:05Z", "…:05.1Z", "…:05.123456789Z"), which does not sort
-- as time within a second: "…:05Z" sorts after "…:05.5Z", and "…:05.1Z"
-- after "…:05.15Z". From now on every time is written UTC with
-- all nine digits: 2006-01-02T15:04:05.000000000Z. This rewrites the rows
-- written before; what is not an RFC 3339 UTC time is left as it is, and
-- Carnet reports it when it reads it.

UPDATE structures SET created_at = substr(created_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 21, length(created_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(created_at) BETWEEN 20 AND 29 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE credentials SET issued_at = substr(issued_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(issued_at, 20, 1) = '.' THEN substr(issued_at, 21, length(issued_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(issued_at) BETWEEN 20 AND 29 AND issued_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE credentials SET valid_until = substr(valid_until, 1, 19) || '.' ||
	substr(CASE WHEN substr(valid_until, 20, 1) = '.' THEN substr(valid_until, 21, length(valid_until) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(valid_until) BETWEEN 20 AND 29 AND valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE credentials SET revoked_at = substr(revoked_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(revoked_at, 20, 1) = '.' THEN substr(revoked_at, 21, length(revoked_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(revoked_at) BETWEEN 20 AND 29 AND revoked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE credentials SET created_at = substr(created_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 21, length(created_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(created_at) BETWEEN 20 AND 29 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE credentials SET suspended_at = substr(suspended_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(suspended_at, 20, 1) = '.' THEN substr(suspended_at, 21, length(suspended_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(suspended_at) BETWEEN 20 AND 29 AND suspended_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE credentials SET erased_at = substr(erased_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(erased_at, 20, 1) = '.' THEN substr(erased_at, 21, length(erased_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(erased_at) BETWEEN 20 AND 29 AND erased_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE users SET created_at = substr(created_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 21, length(created_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(created_at) BETWEEN 20 AND 29 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE links SET expires_at = substr(expires_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(expires_at, 20, 1) = '.' THEN substr(expires_at, 21, length(expires_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(expires_at) BETWEEN 20 AND 29 AND expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE sessions SET created_at = substr(created_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 21, length(created_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(created_at) BETWEEN 20 AND 29 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE sessions SET expires_at = substr(expires_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(expires_at, 20, 1) = '.' THEN substr(expires_at, 21, length(expires_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(expires_at) BETWEEN 20 AND 29 AND expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE api_tokens SET created_at = substr(created_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 21, length(created_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(created_at) BETWEEN 20 AND 29 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE api_tokens SET last_used_at = substr(last_used_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(last_used_at, 20, 1) = '.' THEN substr(last_used_at, 21, length(last_used_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(last_used_at) BETWEEN 20 AND 29 AND last_used_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE learners SET consent_at = substr(consent_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(consent_at, 20, 1) = '.' THEN substr(consent_at, 21, length(consent_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(consent_at) BETWEEN 20 AND 29 AND consent_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE learners SET created_at = substr(created_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 21, length(created_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(created_at) BETWEEN 20 AND 29 AND created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE learners SET erased_at = substr(erased_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(erased_at, 20, 1) = '.' THEN substr(erased_at, 21, length(erased_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(erased_at) BETWEEN 20 AND 29 AND erased_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE audit SET at = substr(at, 1, 19) || '.' ||
	substr(CASE WHEN substr(at, 20, 1) = '.' THEN substr(at, 21, length(at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(at) BETWEEN 20 AND 29 AND at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE trusted_sources SET added_at = substr(added_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(added_at, 20, 1) = '.' THEN substr(added_at, 21, length(added_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(added_at) BETWEEN 20 AND 29 AND added_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE trusted_sources SET last_fetch_at = substr(last_fetch_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(last_fetch_at, 20, 1) = '.' THEN substr(last_fetch_at, 21, length(last_fetch_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(last_fetch_at) BETWEEN 20 AND 29 AND last_fetch_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE trusted_sources SET last_success_at = substr(last_success_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(last_success_at, 20, 1) = '.' THEN substr(last_success_at, 21, length(last_success_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(last_success_at) BETWEEN 20 AND 29 AND last_success_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE trusted_sources SET expires_at = substr(expires_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(expires_at, 20, 1) = '.' THEN substr(expires_at, 21, length(expires_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(expires_at) BETWEEN 20 AND 29 AND expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE status_lists SET checked_at = substr(checked_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(checked_at, 20, 1) = '.' THEN substr(checked_at, 21, length(checked_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(checked_at) BETWEEN 20 AND 29 AND checked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE imports SET valid_from = substr(valid_from, 1, 19) || '.' ||
	substr(CASE WHEN substr(valid_from, 20, 1) = '.' THEN substr(valid_from, 21, length(valid_from) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(valid_from) BETWEEN 20 AND 29 AND valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE imports SET valid_until = substr(valid_until, 1, 19) || '.' ||
	substr(CASE WHEN substr(valid_until, 20, 1) = '.' THEN substr(valid_until, 21, length(valid_until) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(valid_until) BETWEEN 20 AND 29 AND valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE imports SET attached_at = substr(attached_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(attached_at, 20, 1) = '.' THEN substr(attached_at, 21, length(attached_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(attached_at) BETWEEN 20 AND 29 AND attached_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE imports SET last_checked_at = substr(last_checked_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(last_checked_at, 20, 1) = '.' THEN substr(last_checked_at, 21, length(last_checked_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(last_checked_at) BETWEEN 20 AND 29 AND last_checked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE imports SET revoked_at = substr(revoked_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(revoked_at, 20, 1) = '.' THEN substr(revoked_at, 21, length(revoked_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(revoked_at) BETWEEN 20 AND 29 AND revoked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE resources SET updated_at = substr(updated_at, 1, 19) || '.' ||
	substr(CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(updated_at, 21, length(updated_at) - 21) ELSE '' END || '000000000', 1, 9) || 'Z'
	WHERE length(updated_at) BETWEEN 20 AND 29 AND updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
