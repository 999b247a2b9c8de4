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
	data         TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX places_lat_lon ON places (latitude, longitude);
CREATE INDEX places_lon ON places (longitude);
