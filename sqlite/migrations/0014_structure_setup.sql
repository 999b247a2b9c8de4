-- A structure's choices for its mediators' day: the frameworks it assesses
-- against, in its order (the first opens the assessment; comma-separated
-- framework ids, empty: the built-in order), its postal address (printed
-- on cards beside its name), and when its first administrator confirmed
-- its profile on the setup page (empty: not yet).
ALTER TABLE structures ADD COLUMN frameworks TEXT NOT NULL DEFAULT '';
ALTER TABLE structures ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE structures ADD COLUMN set_up_at TEXT NOT NULL DEFAULT '';
