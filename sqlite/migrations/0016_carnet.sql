-- The learner's own carnet (issue 16): one private link per learner (the
-- SHA-256 of its secret; a new one replaces the old), the read-only share
-- links to one credential that the learner makes from it (expiring,
-- withdrawable), and the erasure requests they send to their structure.
CREATE TABLE carnet_links (
	learner_id TEXT PRIMARY KEY REFERENCES learners(id) ON DELETE CASCADE,
	hash       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);
CREATE TABLE carnet_shares (
	id            INTEGER PRIMARY KEY,
	learner_id    TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
	credential_id TEXT NOT NULL,
	hash          TEXT NOT NULL UNIQUE,
	created_at    TEXT NOT NULL,
	expires_at    TEXT NOT NULL,
	withdrawn_at  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX carnet_shares_learner ON carnet_shares (learner_id);
CREATE TABLE erasure_requests (
	learner_id   TEXT PRIMARY KEY REFERENCES learners(id) ON DELETE CASCADE,
	requested_at TEXT NOT NULL
);
