-- Partners this instance trusts (trust registry): the source as given, a
-- display name, the last fetch's outcome and the issuers (with their public
-- keys) of the last successful fetch, used while the partner is down.
CREATE TABLE trusted_sources (
	id              INTEGER PRIMARY KEY,
	source          TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL,
	added_by        TEXT NOT NULL DEFAULT '',
	added_at        TEXT NOT NULL,
	last_fetch_at   TEXT NOT NULL DEFAULT '',
	last_success_at TEXT NOT NULL DEFAULT '',
	last_error      TEXT NOT NULL DEFAULT '',
	issuers         TEXT NOT NULL DEFAULT '[]'
);
