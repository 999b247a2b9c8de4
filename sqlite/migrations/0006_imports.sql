-- Credentials from other structures (of this instance or a partner's)
-- attached to a learner: the input as given (verified again when the path
-- is shown), what it said when attached, and the last verification's
-- verdict. The rows hold the learner's name: erasure deletes them.
CREATE TABLE imports (
	id              INTEGER PRIMARY KEY,
	learner_id      TEXT NOT NULL REFERENCES learners(id),
	structure_id    INTEGER NOT NULL REFERENCES structures(id),
	kind            TEXT NOT NULL,
	input           TEXT NOT NULL,
	credential_id   TEXT NOT NULL,
	issuer_id       TEXT NOT NULL,
	issuer_name     TEXT NOT NULL DEFAULT '',
	learner_name    TEXT NOT NULL DEFAULT '',
	framework       TEXT NOT NULL DEFAULT '',
	levels          TEXT NOT NULL DEFAULT '[]',
	valid_from      TEXT NOT NULL DEFAULT '',
	valid_until     TEXT NOT NULL DEFAULT '',
	attached_by     INTEGER NOT NULL DEFAULT 0,
	attached_at     TEXT NOT NULL,
	last_status     TEXT NOT NULL DEFAULT '',
	last_checked_at TEXT NOT NULL DEFAULT '',
	UNIQUE (learner_id, credential_id)
);
