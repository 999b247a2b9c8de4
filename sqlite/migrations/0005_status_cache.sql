-- The last verified copy of each status list this instance's verifier read
-- from another server (verifier.StatusStore): the list credential, the
-- validators of the answer that carried it (ETag, Last-Modified) for
-- conditional requests, and when its issuer last confirmed it. It answers,
-- marked stale, while that server is down. Lists this instance serves are
-- never kept here.
CREATE TABLE status_lists (
	url           TEXT PRIMARY KEY,
	jws           TEXT NOT NULL CHECK (length(CAST(jws AS BLOB)) <= 1048576), -- verifier.MaxStatusListDocument
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	checked_at    TEXT NOT NULL
);
