-- Places on the national standard of lieux de médiation numérique: the
-- network's structures' (structure_id set, one each) and those imported
-- from the national dataset or a departmental extract (structure_id NULL),
-- for orientation only. id is the standard's id: a new import replaces the
-- imported place with the same id. data is the place in the standard's
-- flat JSON form; latitude and longitude are indexed for the nearest
-- queries (a bounding box first), services for filters ("|"-joined).
CREATE TABLE places (
	id           TEXT PRIMARY KEY,
	structure_id INTEGER UNIQUE REFERENCES structures(id) ON DELETE CASCADE,
	source       TEXT NOT NULL DEFAULT '',
	latitude     REAL,
	longitude    REAL,
	services     TEXT NOT NULL DEFAULT '',
	code_postal  TEXT NOT NULL DEFAULT '',
	data         TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX places_lat_lon ON places (latitude, longitude);
CREATE INDEX places_lon ON places (longitude);
CREATE INDEX places_code_postal ON places (code_postal);

-- Offers of the network's structures: a workshop or an individual service,
-- the framework competences (competencies: "|1.1|1.2|") and the range of
-- levels it serves (ranks in the framework's level order). data is the
-- offer's JSON.
CREATE TABLE offers (
	id           TEXT PRIMARY KEY,
	structure_id INTEGER NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
	framework    TEXT NOT NULL,
	competencies TEXT NOT NULL,
	from_rank    INTEGER NOT NULL,
	to_rank      INTEGER NOT NULL,
	data         TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX offers_framework ON offers (framework, from_rank, to_rank);
CREATE INDEX offers_structure ON offers (structure_id);
