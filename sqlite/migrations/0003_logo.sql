-- A structure's logo (PNG or JPEG), shown on its cards and served at /s/SLUG/logo.
ALTER TABLE structures ADD COLUMN logo BLOB;
ALTER TABLE structures ADD COLUMN logo_type TEXT NOT NULL DEFAULT '';
