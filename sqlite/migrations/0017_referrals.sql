-- Referrals: a mediator sends a learner somewhere to continue ("orienté
-- vers …", on a date): an offer of the network, a place (of the network
-- or imported), or a place named by hand. No free text about the learner:
-- the learner's erasure leaves the counts of the reports intact.
CREATE TABLE referrals (
	id           INTEGER PRIMARY KEY,
	learner_id   TEXT NOT NULL REFERENCES learners(id),
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	framework    TEXT NOT NULL DEFAULT '',
	competency   TEXT NOT NULL DEFAULT '',
	level        TEXT NOT NULL DEFAULT '',
	target       TEXT NOT NULL,
	offer_id     TEXT NOT NULL DEFAULT '',
	place_id     TEXT NOT NULL DEFAULT '',
	referred_on  TEXT NOT NULL, -- YYYY-MM-DD
	created_at   TEXT NOT NULL,
	created_by   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX referrals_learner ON referrals(learner_id, referred_on);
CREATE INDEX referrals_structure ON referrals(structure_id, referred_on);
