-- The learners' histories on each competency, summed up: for each
-- (structure, learner, framework, competency), the first and the latest
-- of its non-revoked level rows (issued_at || level, as the bilan compares
-- them) and how many there are. The bilan reads this instead of the level
-- rows for every history that ends before the period does (for the
-- current period, all of them), and the level rows only for the others.
-- Like credential_levels, it is kept by the bilan (sqlite.ReportStore
-- syncLevels, for the rows it adds) and by a trigger when a level row's
-- revocation changes: issuance writes nothing here.
CREATE TABLE level_histories (
	structure_id INTEGER NOT NULL,
	learner      TEXT NOT NULL,
	framework    TEXT NOT NULL,
	competency   TEXT NOT NULL,
	mn           TEXT NOT NULL, -- MIN(issued_at || level)
	mx           TEXT NOT NULL, -- MAX(issued_at || level)
	n            INTEGER NOT NULL,
	days         INTEGER NOT NULL, -- from the first to the latest, in whole days
	PRIMARY KEY (structure_id, learner, framework, competency)
) WITHOUT ROWID;

INSERT INTO level_histories (structure_id, learner, framework, competency, mn, mx, n, days)
	SELECT *, CAST(julianday(substr(mx, 1, 10)) - julianday(substr(mn, 1, 10)) AS INTEGER) FROM (
		SELECT structure_id, learner, framework, competency, MIN(issued_at || level) AS mn, MAX(issued_at || level) AS mx, COUNT(*)
		FROM credential_levels WHERE revoked = 0 GROUP BY structure_id, learner, framework, competency);
-- The histories by their end, for the network's periods (a structure's
-- are read from the primary key): covering what the bilan reads.
CREATE INDEX level_histories_end ON level_histories (mx, framework, competency, mn, n, days);

CREATE TRIGGER level_histories_revoke AFTER UPDATE OF revoked ON credential_levels
	WHEN OLD.revoked != NEW.revoked BEGIN
	DELETE FROM level_histories WHERE structure_id = NEW.structure_id AND learner = NEW.learner
		AND framework = NEW.framework AND competency = NEW.competency;
	INSERT INTO level_histories (structure_id, learner, framework, competency, mn, mx, n, days)
		SELECT *, CAST(julianday(substr(mx, 1, 10)) - julianday(substr(mn, 1, 10)) AS INTEGER) FROM (
			SELECT structure_id, learner, framework, competency, MIN(issued_at || level) AS mn, MAX(issued_at || level) AS mx, COUNT(*)
			FROM credential_levels WHERE structure_id = NEW.structure_id AND learner = NEW.learner
				AND framework = NEW.framework AND competency = NEW.competency AND revoked = 0
			GROUP BY structure_id, learner, framework, competency);
END;

-- The learners' paths, summed up: for each (structure, learner,
-- framework), the time of the first and of the latest of its level rows,
-- revoked or not (the people of a period count every credential). The
-- bilan reads this instead of the level rows to find the people of a
-- period and the new ones, and the level rows only for the paths that go
-- on after the period (for the previous period: the people of this one).
-- A revocation changes nothing here; syncLevels adds the new rows' times.
CREATE TABLE person_histories (
	structure_id INTEGER NOT NULL,
	learner      TEXT NOT NULL,
	framework    TEXT NOT NULL,
	first_at     TEXT NOT NULL,
	last_at      TEXT NOT NULL,
	PRIMARY KEY (structure_id, learner, framework)
) WITHOUT ROWID;

INSERT INTO person_histories (structure_id, learner, framework, first_at, last_at)
	SELECT structure_id, learner, framework, MIN(issued_at), MAX(issued_at)
	FROM credential_levels GROUP BY structure_id, learner, framework;
