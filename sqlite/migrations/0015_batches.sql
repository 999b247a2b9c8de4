-- Batches: lists of learners issued in one go (a CSV file, a JSON list, a
-- workshop), in the background. A row holds the learner's name only until
-- it is done (then its learner record, or its error, is what remains).
-- row_key is the hash of the row's file and number: a key is issued once
-- (the partial unique index), whichever batch carries it, so the same
-- file uploaded again issues nothing twice.
CREATE TABLE batches (
	id           TEXT PRIMARY KEY,
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	framework    TEXT NOT NULL,
	lang         TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	total        INTEGER NOT NULL,
	done         INTEGER NOT NULL DEFAULT 0,
	actor_id     INTEGER NOT NULL DEFAULT 0,
	token_id     INTEGER NOT NULL DEFAULT 0,
	actor_cli    TEXT NOT NULL DEFAULT '',
	ip           TEXT NOT NULL DEFAULT '',
	idem_key     TEXT NOT NULL DEFAULT '',
	body_hash    TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT '',
	error_fr     TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX batches_idem ON batches (structure_id, idem_key) WHERE idem_key != '';
CREATE INDEX batches_running ON batches (status) WHERE status = 'running';

CREATE TABLE batch_rows (
	batch_id       TEXT NOT NULL REFERENCES batches(id),
	row            INTEGER NOT NULL,
	structure_id   INTEGER NOT NULL,
	learner_id     TEXT NOT NULL DEFAULT '',
	name           TEXT NOT NULL DEFAULT '',
	contact        TEXT NOT NULL DEFAULT '',
	notes          TEXT NOT NULL DEFAULT '',
	levels         TEXT NOT NULL DEFAULT '[]',
	row_key        TEXT NOT NULL,
	done           INTEGER NOT NULL DEFAULT 0,
	credential_id  TEXT NOT NULL DEFAULT '',
	issued         INTEGER NOT NULL DEFAULT 0, -- 1: this row issued its credential_id (not an earlier batch)
	err_code       TEXT NOT NULL DEFAULT '',
	err_message    TEXT NOT NULL DEFAULT '',
	err_message_fr TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (batch_id, row)
);
CREATE UNIQUE INDEX batch_rows_issued ON batch_rows (structure_id, row_key) WHERE issued = 1;
CREATE INDEX batch_rows_pending ON batch_rows (batch_id, row) WHERE done = 0;

-- Workshops (ateliers): a group, its grid (participants and their levels,
-- as JSON) and its last issuance (a batch).
CREATE TABLE workshops (
	id           TEXT PRIMARY KEY,
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	title        TEXT NOT NULL,
	dates        TEXT NOT NULL DEFAULT '',
	partner      TEXT NOT NULL DEFAULT '',
	framework    TEXT NOT NULL,
	competencies TEXT NOT NULL DEFAULT '[]',
	participants TEXT NOT NULL DEFAULT '[]',
	batch_id     TEXT NOT NULL DEFAULT '',
	created_by   INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT NOT NULL
);
CREATE INDEX workshops_structure ON workshops (structure_id, created_at);
