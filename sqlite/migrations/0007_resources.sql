-- The catalogue of self-training resources: each resource as JSON (checked
-- against the frameworks before it is stored), its place in the catalogue
-- and who saved it last. The starter set is stored on first use, and the
-- setting "resources_seeded" remembers it was.
CREATE TABLE resources (
	id         TEXT PRIMARY KEY,
	position   INTEGER NOT NULL,
	data       TEXT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX resources_position ON resources (position);
