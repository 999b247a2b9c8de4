-- Offers that partner Carnets publish (/offres.json), kept with the places
-- they share (places whose source is the partner's): id is the partner's
-- offer id, place_id the standard id of its place. A fetch replaces the
-- source's offers; a place removed takes its offers with it. from_rank and
-- to_rank are the ranks of the levels in the framework's order here, NULL
-- when the framework or the levels are unknown here (kept, never matched);
-- competencies as in offers ("|1.1|1.2|"). data is the offer's JSON.
CREATE TABLE shared_offers (
	source       TEXT NOT NULL,
	id           TEXT NOT NULL,
	place_id     TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
	framework    TEXT NOT NULL,
	competencies TEXT NOT NULL,
	from_rank    INTEGER,
	to_rank      INTEGER,
	data         TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	PRIMARY KEY (source, id)
);
CREATE INDEX shared_offers_framework ON shared_offers (framework, from_rank, to_rank);
CREATE INDEX shared_offers_place ON shared_offers (place_id);
