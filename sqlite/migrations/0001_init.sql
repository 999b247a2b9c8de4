-- Settings of the instance (base URL, …).
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- Structures: each one an issuer with its own keys and did:web.
CREATE TABLE structures (
	id         INTEGER PRIMARY KEY,
	slug       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	url        TEXT NOT NULL DEFAULT '',
	email      TEXT NOT NULL DEFAULT '',
	image_url  TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);

-- Reserved indexes of the Bitstring Status Lists of each structure.
CREATE TABLE status_entries (
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	list         INTEGER NOT NULL,
	idx          INTEGER NOT NULL,
	PRIMARY KEY (structure_id, list, idx)
) WITHOUT ROWID;

-- Issued credentials.
CREATE TABLE credentials (
	id            TEXT PRIMARY KEY,
	structure_id  INTEGER NOT NULL REFERENCES structures(id),
	subject_id    TEXT NOT NULL,
	learner_name  TEXT NOT NULL,
	framework     TEXT NOT NULL,
	results       TEXT NOT NULL, -- JSON [{"competency","level"}]
	issued_at     TEXT NOT NULL,
	valid_until   TEXT NOT NULL DEFAULT '',
	jwt           TEXT NOT NULL,
	card_token    TEXT NOT NULL,
	short_code    TEXT NOT NULL UNIQUE,
	status_list   INTEGER NOT NULL,
	status_index  INTEGER NOT NULL,
	revoked_at    TEXT NOT NULL DEFAULT '',
	revoke_reason TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL,
	UNIQUE (structure_id, status_list, status_index)
);
CREATE INDEX credentials_subject ON credentials(subject_id);
