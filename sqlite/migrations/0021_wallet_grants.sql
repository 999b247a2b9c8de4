-- OpenID for Verifiable Credential Issuance (issue 16): the short-lived,
-- single-use secrets of a wallet's pre-authorised code flow: the
-- pre-authorised code of a credential offer, the access token it buys and
-- the proof nonces. Only the SHA-256 of each secret is kept; a secret is
-- taken once (used_at set), and expired rows are swept when new ones come.
CREATE TABLE wallet_grants (
	hash          TEXT PRIMARY KEY,
	kind          TEXT NOT NULL, -- code, token, nonce
	credential_id TEXT NOT NULL DEFAULT '',
	learner_id    TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL,
	expires_at    TEXT NOT NULL,
	used_at       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX wallet_grants_expiry ON wallet_grants (expires_at);
