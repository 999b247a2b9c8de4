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
	PRIMARY KEY (structure_id, learner, framework, competency)
) WITHOUT ROWID;

INSERT INTO level_histories (structure_id, learner, framework, competency, mn, mx, n)
	SELECT structure_id, learner, framework, competency, MIN(issued_at || level), MAX(issued_at || level), COUNT(*)
	FROM credential_levels WHERE revoked = 0 GROUP BY structure_id, learner, framework, competency;

CREATE TRIGGER level_histories_revoke AFTER UPDATE OF revoked ON credential_levels
	WHEN OLD.revoked != NEW.revoked BEGIN
	DELETE FROM level_histories WHERE structure_id = NEW.structure_id AND learner = NEW.learner
		AND framework = NEW.framework AND competency = NEW.competency;
	INSERT INTO level_histories (structure_id, learner, framework, competency, mn, mx, n)
		SELECT structure_id, learner, framework, competency, MIN(issued_at || level), MAX(issued_at || level), COUNT(*)
		FROM credential_levels WHERE structure_id = NEW.structure_id AND learner = NEW.learner
			AND framework = NEW.framework AND competency = NEW.competency AND revoked = 0
		GROUP BY structure_id, learner, framework, competency;
END;
