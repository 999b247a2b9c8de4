package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"carnet/schema"
	"carnet/verifier"
)

// The database is the verifier's status list store.
var _ verifier.StatusStore = (*DB)(nil)

// LoadStatusList implements verifier.StatusStore: the copy kept for url, or
// nil, nil when there is none.
func (db *DB) LoadStatusList(ctx context.Context, url string) (*verifier.StoredStatusList, error) {
	l := &verifier.StoredStatusList{URL: url}
	var checked string
	err := db.db.QueryRowContext(ctx, `SELECT jws, etag, last_modified, checked_at FROM status_lists WHERE url = ?`, url).
		Scan(&l.JWS, &l.ETag, &l.LastModified, &checked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: load status list: %w", err)
	}
	if l.CheckedAt, err = parseTime(checked); err != nil {
		return nil, err
	}
	return l, nil
}

// statusListRetention is how long after its last confirmation a stored
// status list is kept: well past verifier.MaxStaleStatus, after which a
// copy no longer answers anyway.
const statusListRetention = 30 * 24 * time.Hour

// SaveStatusList implements verifier.StatusStore: it keeps l, replacing the
// copy kept for l.URL, and deletes the copies last confirmed more than
// statusListRetention before l.CheckedAt. Every checked_at is written by the
// verifier's clock and a save's CheckedAt is that clock's now, so the
// copies are aged by that clock, not the database's.
func (db *DB) SaveStatusList(ctx context.Context, l *verifier.StoredStatusList) error {
	switch {
	case l == nil || l.URL == "" || l.JWS == "":
		return schema.Errorf(schema.EINVALID, "a stored status list needs a URL and a list credential",
			"une liste de statut conservée doit avoir une URL et une attestation de liste")
	case len(l.JWS) > verifier.MaxStatusListDocument:
		return schema.Errorf(schema.EINVALID, "status list credential over %d bytes", "attestation de liste de statut de plus de %d octets",
			verifier.MaxStatusListDocument)
	case l.CheckedAt.IsZero():
		return schema.Errorf(schema.EINVALID, "a stored status list needs the time it was checked",
			"une liste de statut conservée doit dire quand elle a été vérifiée")
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO status_lists (url, jws, etag, last_modified, checked_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET jws = excluded.jws, etag = excluded.etag, last_modified = excluded.last_modified, checked_at = excluded.checked_at`,
		l.URL, l.JWS, l.ETag, l.LastModified, formatTime(l.CheckedAt))
	if err != nil {
		return fmt.Errorf("sqlite: save status list: %w", err)
	}
	// julianday compares instants, whatever the fractional seconds written.
	_, err = db.db.ExecContext(ctx, `DELETE FROM status_lists WHERE julianday(checked_at) < julianday(?)`,
		formatTime(l.CheckedAt.Add(-statusListRetention)))
	if err != nil {
		return fmt.Errorf("sqlite: prune status lists: %w", err)
	}
	return nil
}
