package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"carnet/schema"
)

// TrustStore implements schema.TrustStore.
type TrustStore struct{ db *DB }

// NewTrustStore returns the trust store of db.
func NewTrustStore(db *DB) *TrustStore { return &TrustStore{db: db} }

func issuersJSON(list []schema.TrustedSourceIssuer) (string, error) {
	if list == nil {
		list = []schema.TrustedSourceIssuer{}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("sqlite: trusted issuers: %w", err)
	}
	return string(b), nil
}

// CreateTrustedSource implements schema.TrustStore.
func (s *TrustStore) CreateTrustedSource(ctx context.Context, ts *schema.TrustedSource) error {
	iss, err := issuersJSON(ts.Issuers)
	if err != nil {
		return err
	}
	if ts.AddedAt.IsZero() {
		ts.AddedAt = s.db.Now().UTC()
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO trusted_sources (source, name, added_by, added_at, last_fetch_at, last_success_at, last_error, issuers,
			etag, last_modified, max_age_s, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ts.Source, ts.Name, ts.AddedBy, formatTime(ts.AddedAt),
			formatTime(ts.LastFetchAt), formatTime(ts.LastSuccessAt), ts.LastError, iss, ts.ETag, ts.LastModified, int64(ts.MaxAge/time.Second),
			formatTime(ts.ExpiresAt))
		if isUnique(err) {
			return schema.Errorf(schema.ECONFLICT, "%s is already trusted", "%s est déjà dans les partenaires de confiance", ts.Source)
		} else if err != nil {
			return fmt.Errorf("sqlite: create trusted source: %w", err)
		}
		ts.ID, _ = res.LastInsertId()
		return nil
	})
}

const trustCols = `id, source, name, added_by, added_at, last_fetch_at, last_success_at, last_error, issuers, etag, last_modified, max_age_s, expires_at`

func scanTrustedSource(row interface{ Scan(...any) error }) (*schema.TrustedSource, error) {
	var ts schema.TrustedSource
	var added, fetched, success, iss, expires string
	var maxAge int64
	if err := row.Scan(&ts.ID, &ts.Source, &ts.Name, &ts.AddedBy, &added, &fetched, &success, &ts.LastError, &iss,
		&ts.ETag, &ts.LastModified, &maxAge, &expires); err != nil {
		return nil, err
	}
	ts.MaxAge = time.Duration(maxAge) * time.Second
	var d times
	ts.ExpiresAt = d.at(expires)
	ts.AddedAt, ts.LastFetchAt, ts.LastSuccessAt = d.at(added), d.at(fetched), d.at(success)
	if d.err != nil {
		return nil, fmt.Errorf("sqlite: trusted source %d: %w", ts.ID, d.err)
	}
	if err := json.Unmarshal([]byte(iss), &ts.Issuers); err != nil {
		return nil, fmt.Errorf("sqlite: trusted source %d: issuers: %w", ts.ID, err)
	}
	return &ts, nil
}

// FindTrustedSource implements schema.TrustStore.
func (s *TrustStore) FindTrustedSource(ctx context.Context, id int64) (*schema.TrustedSource, error) {
	ts, err := scanTrustedSource(s.db.db.QueryRowContext(ctx, `SELECT `+trustCols+` FROM trusted_sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, schema.Errorf(schema.ENOTFOUND, "no such trusted partner", "partenaire de confiance introuvable")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find trusted source: %w", err)
	}
	return ts, nil
}

// ListTrustedSources implements schema.TrustStore.
func (s *TrustStore) ListTrustedSources(ctx context.Context) ([]*schema.TrustedSource, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+trustCols+` FROM trusted_sources ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list trusted sources: %w", err)
	}
	defer rows.Close()
	out := []*schema.TrustedSource{}
	for rows.Next() {
		ts, err := scanTrustedSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ts)
	}
	return out, rows.Err()
}

// UpdateTrustedSource implements schema.TrustStore.
func (s *TrustStore) UpdateTrustedSource(ctx context.Context, ts *schema.TrustedSource) error {
	iss, err := issuersJSON(ts.Issuers)
	if err != nil {
		return err
	}
	res, err := s.db.db.ExecContext(ctx, `UPDATE trusted_sources SET name = ?, last_fetch_at = ?, last_success_at = ?, last_error = ?, issuers = ?,
		etag = ?, last_modified = ?, max_age_s = ?, expires_at = ? WHERE id = ?`, ts.Name, formatTime(ts.LastFetchAt), formatTime(ts.LastSuccessAt),
		ts.LastError, iss, ts.ETag, ts.LastModified, int64(ts.MaxAge/time.Second), formatTime(ts.ExpiresAt), ts.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update trusted source: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.Errorf(schema.ENOTFOUND, "no such trusted partner", "partenaire de confiance introuvable")
	}
	return nil
}

// DeleteTrustedSource implements schema.TrustStore.
func (s *TrustStore) DeleteTrustedSource(ctx context.Context, id int64) error {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM trusted_sources WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete trusted source: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.Errorf(schema.ENOTFOUND, "no such trusted partner", "partenaire de confiance introuvable")
	}
	return nil
}
