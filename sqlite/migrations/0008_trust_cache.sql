-- HTTP caching of trusted sources: the validators of the last answer
-- (ETag, Last-Modified) for conditional refreshes, and how long it said
-- it stays fresh (Cache-Control max-age, in seconds; 0 when it said
-- nothing), which sets when the next scheduled refresh is due.
ALTER TABLE trusted_sources ADD COLUMN etag TEXT NOT NULL DEFAULT '';
ALTER TABLE trusted_sources ADD COLUMN last_modified TEXT NOT NULL DEFAULT '';
ALTER TABLE trusted_sources ADD COLUMN max_age_s INTEGER NOT NULL DEFAULT 0;
