-- The bilan (package report) reads these; issuing and verifying write
-- no more than a few small rows for them.
--
-- One row per level of each credential issued here, so that the level
-- distribution and the progression are read from an index instead of
-- parsing every credential's JSON. "learner" is the learner record, or
-- the credential subject for credentials issued without one (CLI).
-- "revoked" follows the credential: a revoked credential's levels do not
-- count in the distribution or the progression. The rows are not written
-- at issuance (a trigger with json_each tripled the cost of storing a
-- credential, and even a plain insert added a tenth: BENCHMARKS.md): the
-- bilan adds those of the credentials issued since the last one
-- (sqlite.ReportStore, the setting "credential_levels_upto" holding the
-- last credential rowid done) before it counts.
CREATE TABLE credential_levels (
	credential_id TEXT NOT NULL,
	competency    TEXT NOT NULL,
	structure_id  INTEGER NOT NULL,
	learner       TEXT NOT NULL,
	framework     TEXT NOT NULL,
	level         TEXT NOT NULL,
	issued_at     TEXT NOT NULL,
	revoked       INTEGER NOT NULL DEFAULT 0,
	-- The learners' histories on each competency, grouped, structure by
	-- structure: the bilan reads them in this order without sorting, and
	-- no second index slows the insert.
	PRIMARY KEY (structure_id, learner, framework, competency, issued_at, credential_id)
) WITHOUT ROWID;

CREATE TRIGGER credential_levels_revoke AFTER UPDATE OF revoked_at ON credentials
	WHEN (OLD.revoked_at = '') != (NEW.revoked_at = '') BEGIN
	UPDATE credential_levels SET revoked = NEW.revoked_at != ''
		WHERE structure_id = NEW.structure_id AND learner = COALESCE(NEW.learner_id, NEW.subject_id) AND framework = NEW.framework
		AND credential_id = NEW.id;
END;

INSERT OR IGNORE INTO credential_levels (credential_id, competency, structure_id, learner, framework, level, issued_at, revoked)
	SELECT c.id, json_extract(r.value, '$.competency'), c.structure_id, COALESCE(c.learner_id, c.subject_id),
		c.framework, json_extract(r.value, '$.level'), c.issued_at, c.revoked_at != ''
	FROM credentials c, json_each(c.results) r WHERE json_valid(c.results);
INSERT OR REPLACE INTO settings (key, value) SELECT 'credential_levels_upto', COALESCE(MAX(rowid), 0) FROM credentials;

-- Credentials by time, for the periods (of the network, and of a
-- structure: its entries are picked from the period's), covering what the
-- bilan reads so that it never reads the wide rows (the JWS and card
-- token); and the few revoked or suspended ones by when (partial
-- indexes: an issuance does not write them). One index more than before
-- on credentials: each costs every issuance (BENCHMARKS.md).
CREATE INDEX credentials_issued ON credentials (issued_at, structure_id, framework, learner_id, subject_id);
CREATE INDEX credentials_revoked ON credentials (structure_id, revoked_at, framework) WHERE revoked_at != '';
CREATE INDEX credentials_suspended ON credentials (structure_id, suspended_at, framework) WHERE suspended_at != '';
-- Attachments by structure and time.
CREATE INDEX imports_structure ON imports (structure_id, attached_at);

-- Verifications on this instance of its own credentials, by day and
-- structure. The verifier counts in memory and adds its tally here at
-- most once a minute (web/reports.go), so a verification writes nothing.
CREATE TABLE verification_counts (
	day          TEXT NOT NULL, -- YYYY-MM-DD, UTC
	structure_id INTEGER NOT NULL REFERENCES structures(id),
	n            INTEGER NOT NULL,
	PRIMARY KEY (structure_id, day)
) WITHOUT ROWID;

-- Learner search: the name and contact folded (lower case, no accents:
-- schema.Fold), filled by Carnet when it writes a learner; "" for erased
-- learners. The index walks a structure's learners newest first with the
-- folded text at hand, without reading the rows.
ALTER TABLE learners ADD COLUMN folded TEXT NOT NULL DEFAULT '';
UPDATE learners SET folded = carnet_fold(name) || char(10) || carnet_fold(contact) WHERE erased_at = '';
CREATE INDEX learners_search ON learners (structure_id, created_at, erased_at, folded);
DROP INDEX learners_structure; -- learners_search begins with its columns
CREATE INDEX learners_recent ON learners (created_at, erased_at, folded);
