-- People: mediators, structure and network administrators.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL DEFAULT '',
	network_admin INTEGER NOT NULL DEFAULT 0,
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
);

-- A user's role in a structure.
CREATE TABLE memberships (
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	role         TEXT NOT NULL CHECK (role IN ('admin', 'mediator')),
	PRIMARY KEY (user_id, structure_id)
) WITHOUT ROWID;

-- One-time links (first login, invitations): only the hash of the secret.
CREATE TABLE links (
	hash         TEXT PRIMARY KEY,
	purpose      TEXT NOT NULL,
	user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
	email        TEXT NOT NULL DEFAULT '',
	structure_id INTEGER REFERENCES structures(id),
	role         TEXT NOT NULL DEFAULT '',
	created_by   INTEGER,
	expires_at   TEXT NOT NULL
);

-- Browser sessions: only the hash of the cookie.
CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- API bearer tokens: only the hash of the secret.
CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	hash         TEXT NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	last_used_at TEXT NOT NULL DEFAULT ''
);

-- Learners: a minimal record per structure.
CREATE TABLE learners (
	id           TEXT PRIMARY KEY,
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	name         TEXT NOT NULL,
	contact      TEXT NOT NULL DEFAULT '',
	notes        TEXT NOT NULL DEFAULT '',
	consent_at   TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	created_by   INTEGER,
	erased_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX learners_structure ON learners(structure_id, created_at);

ALTER TABLE credentials ADD COLUMN learner_id TEXT REFERENCES learners(id);
ALTER TABLE credentials ADD COLUMN issued_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE credentials ADD COLUMN suspended_at TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN suspend_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN erased_at TEXT NOT NULL DEFAULT '';
CREATE INDEX credentials_learner ON credentials(learner_id);
CREATE INDEX credentials_structure ON credentials(structure_id, created_at);

-- The audit log: who did what, when.
CREATE TABLE audit (
	id           INTEGER PRIMARY KEY,
	at           TEXT NOT NULL,
	actor_id     INTEGER NOT NULL DEFAULT 0,
	actor        TEXT NOT NULL DEFAULT '',
	structure_id INTEGER NOT NULL DEFAULT 0,
	action       TEXT NOT NULL,
	object       TEXT NOT NULL DEFAULT '',
	detail       TEXT NOT NULL DEFAULT '',
	ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_structure ON audit(structure_id, id);
