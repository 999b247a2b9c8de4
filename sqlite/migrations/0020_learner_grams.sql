-- Learner search over many learners (issue 14): the trigrams of each
-- learner's folded text (learners.folded: name and contact folded, joined
-- by a line break), so that a search reads the learners holding the
-- rarest trigram of its text instead of comparing every learner's.
-- The text is padded with two line breaks (a search text never holds
-- one): every character starts a trigram, so a text of one or two
-- characters is the beginning of one.
--
-- learner_grams: one row per distinct trigram of a learner, keyed so that
-- a trigram's learners are read newest first (the order of the search's
-- results) and a learner is looked up under another trigram by its key.
-- learner_gram_counts: how many learners hold each trigram, to choose the
-- rarest. Triggers keep both when a learner is written (created, its name
-- or contact changed, erased: an erased learner's folded text is '',
-- deleted), whichever code writes it; a learner's write costs a few
-- dozen small rows more (BENCHMARKS.md). Triggers cannot use a recursive
-- WITH: gram_positions numbers the characters (a folded text holds at
-- most 2 × (120 + 300) + 1 characters: schema.MaxNameLength,
-- MaxContactLength, and schema.Fold writes two letters for one at most).
CREATE TABLE gram_positions (i INTEGER PRIMARY KEY);
WITH RECURSIVE p(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < 4096)
INSERT INTO gram_positions (i) SELECT i FROM p;

CREATE TABLE learner_grams (
	gram       TEXT NOT NULL,
	created_at TEXT NOT NULL,    -- the learner's
	learner    INTEGER NOT NULL, -- the learner's rowid
	PRIMARY KEY (gram, created_at, learner)
) WITHOUT ROWID;

CREATE TABLE learner_gram_counts (
	gram TEXT PRIMARY KEY,
	n    INTEGER NOT NULL
) WITHOUT ROWID;

INSERT OR IGNORE INTO learner_grams (gram, created_at, learner)
	SELECT substr(l.folded || char(10, 10), p.i, 3), l.created_at, l.rowid
	FROM learners l JOIN gram_positions p ON p.i <= length(l.folded)
	WHERE l.folded != '';
INSERT INTO learner_gram_counts (gram, n) SELECT gram, COUNT(*) FROM learner_grams GROUP BY gram;

CREATE TRIGGER learner_gram_counts_add AFTER INSERT ON learner_grams BEGIN
	INSERT INTO learner_gram_counts (gram, n) VALUES (NEW.gram, 1) ON CONFLICT (gram) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER learner_gram_counts_remove AFTER DELETE ON learner_grams BEGIN
	UPDATE learner_gram_counts SET n = n - 1 WHERE gram = OLD.gram;
END;

CREATE TRIGGER learner_grams_insert AFTER INSERT ON learners WHEN NEW.folded != '' BEGIN
	INSERT OR IGNORE INTO learner_grams (gram, created_at, learner)
		SELECT substr(NEW.folded || char(10, 10), p.i, 3), NEW.created_at, NEW.rowid
		FROM gram_positions p WHERE p.i <= length(NEW.folded);
END;
CREATE TRIGGER learner_grams_update AFTER UPDATE OF folded, created_at ON learners
	WHEN OLD.folded != NEW.folded OR OLD.created_at != NEW.created_at BEGIN
	DELETE FROM learner_grams WHERE created_at = OLD.created_at AND learner = OLD.rowid AND gram IN (
		SELECT substr(OLD.folded || char(10, 10), p.i, 3) FROM gram_positions p WHERE p.i <= length(OLD.folded));
	INSERT OR IGNORE INTO learner_grams (gram, created_at, learner)
		SELECT substr(NEW.folded || char(10, 10), p.i, 3), NEW.created_at, NEW.rowid
		FROM gram_positions p WHERE p.i <= length(NEW.folded);
END;
CREATE TRIGGER learner_grams_delete AFTER DELETE ON learners BEGIN
	DELETE FROM learner_grams WHERE created_at = OLD.created_at AND learner = OLD.rowid AND gram IN (
		SELECT substr(OLD.folded || char(10, 10), p.i, 3) FROM gram_positions p WHERE p.i <= length(OLD.folded));
END;

-- The bilan's workshops (issue 14): each row of a batch keeps the time
-- and the learner (learner id, or subject for a credential without a
-- learner record) of the credential it names, written with the row's
-- result (FinishBatchRow, in the issuance's transaction), so that the
-- bilan counts a workshop's credentials and participants from its batch
-- rows without reading the credentials (each row holds a signed document
-- of ~10 KB: reading them made the network's bilan twice as slow).
ALTER TABLE batch_rows ADD COLUMN cred_issued_at TEXT NOT NULL DEFAULT '';
ALTER TABLE batch_rows ADD COLUMN cred_learner TEXT NOT NULL DEFAULT '';
UPDATE batch_rows SET
	cred_issued_at = COALESCE((SELECT c.issued_at FROM credentials c WHERE c.id = batch_rows.credential_id), ''),
	cred_learner = COALESCE((SELECT COALESCE(c.learner_id, c.subject_id) FROM credentials c WHERE c.id = batch_rows.credential_id), '')
	WHERE credential_id != '';
