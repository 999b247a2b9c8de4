-- The language of the cards a structure prints (issue 11): the learner's,
-- French by default. "fr" is French alone; "fr+en" French, then English
-- smaller (see card.Langs and card.LangOptions).
ALTER TABLE structures ADD COLUMN card_lang TEXT NOT NULL DEFAULT 'fr';
