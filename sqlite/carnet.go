package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"carnet/schema"
)

// The learner's own carnet: *LearnerStore implements schema.CarnetStore,
// as the links belong to the learner and go with their erasure.

var _ schema.CarnetStore = (*LearnerStore)(nil)

// SetCarnetLink implements schema.CarnetStore.
func (s *LearnerStore) SetCarnetLink(ctx context.Context, learnerID, hash string, at time.Time) error {
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO carnet_links (learner_id, hash, created_at) VALUES (?, ?, ?)
		ON CONFLICT (learner_id) DO UPDATE SET hash = excluded.hash, created_at = excluded.created_at`, learnerID, hash, formatTime(at))
	if err != nil {
		return fmt.Errorf("sqlite: set carnet link: %w", err)
	}
	return nil
}

// DeleteCarnetLink implements schema.CarnetStore.
func (s *LearnerStore) DeleteCarnetLink(ctx context.Context, learnerID string) error {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM carnet_links WHERE learner_id = ?`, learnerID)
	if err != nil {
		return fmt.Errorf("sqlite: delete carnet link: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.Errorf(schema.ENOTFOUND, "this learner has no private link", "cette personne n'a pas de lien personnel")
	}
	return nil
}

// HasCarnetLink implements schema.CarnetStore.
func (s *LearnerStore) HasCarnetLink(ctx context.Context, learnerID string) (time.Time, bool, error) {
	var at string
	err := s.db.db.QueryRowContext(ctx, `SELECT created_at FROM carnet_links WHERE learner_id = ?`, learnerID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	} else if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: find carnet link: %w", err)
	}
	var d times
	t := d.at(at)
	return t, true, d.err
}

var errNoCarnetLink = schema.Errorf(schema.ENOTFOUND, "no such link", "lien introuvable")

// FindCarnetLink implements schema.CarnetStore.
func (s *LearnerStore) FindCarnetLink(ctx context.Context, hash string) (string, error) {
	var id string
	err := s.db.db.QueryRowContext(ctx, `SELECT learner_id FROM carnet_links WHERE hash = ?`, hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoCarnetLink
	} else if err != nil {
		return "", fmt.Errorf("sqlite: find carnet link: %w", err)
	}
	return id, nil
}

// CreateShare implements schema.CarnetStore.
func (s *LearnerStore) CreateShare(ctx context.Context, sh *schema.CarnetShare, hash string) error {
	res, err := s.db.db.ExecContext(ctx, `INSERT INTO carnet_shares (learner_id, credential_id, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		sh.LearnerID, sh.CredentialID, hash, formatTime(sh.CreatedAt), formatTime(sh.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: create share: %w", err)
	}
	sh.ID, _ = res.LastInsertId()
	return nil
}

const shareCols = `id, learner_id, credential_id, created_at, expires_at, withdrawn_at`

func scanShare(row interface{ Scan(...any) error }) (*schema.CarnetShare, error) {
	var sh schema.CarnetShare
	var created, expires, withdrawn string
	if err := row.Scan(&sh.ID, &sh.LearnerID, &sh.CredentialID, &created, &expires, &withdrawn); err != nil {
		return nil, err
	}
	var d times
	sh.CreatedAt, sh.ExpiresAt, sh.WithdrawnAt = d.at(created), d.at(expires), d.at(withdrawn)
	return &sh, d.err
}

// FindShare implements schema.CarnetStore.
func (s *LearnerStore) FindShare(ctx context.Context, hash string) (*schema.CarnetShare, error) {
	sh, err := scanShare(s.db.db.QueryRowContext(ctx, `SELECT `+shareCols+` FROM carnet_shares WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoCarnetLink
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find share: %w", err)
	}
	return sh, nil
}

// ListShares implements schema.CarnetStore: newest first.
func (s *LearnerStore) ListShares(ctx context.Context, learnerID string) ([]*schema.CarnetShare, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+shareCols+` FROM carnet_shares WHERE learner_id = ? ORDER BY id DESC`, learnerID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list shares: %w", err)
	}
	defer rows.Close()
	out := []*schema.CarnetShare{}
	for rows.Next() {
		sh, err := scanShare(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list shares: %w", err)
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

// WithdrawShare implements schema.CarnetStore.
func (s *LearnerStore) WithdrawShare(ctx context.Context, learnerID string, id int64, at time.Time) error {
	res, err := s.db.db.ExecContext(ctx, `UPDATE carnet_shares SET withdrawn_at = ? WHERE id = ? AND learner_id = ? AND withdrawn_at = ''`,
		formatTime(at), id, learnerID)
	if err != nil {
		return fmt.Errorf("sqlite: withdraw share: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.Errorf(schema.ENOTFOUND, "no such share link, or already withdrawn", "lien de partage introuvable, ou déjà retiré")
	}
	return nil
}

// RequestErasure implements schema.CarnetStore.
func (s *LearnerStore) RequestErasure(ctx context.Context, learnerID string, at time.Time) error {
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO erasure_requests (learner_id, requested_at) VALUES (?, ?) ON CONFLICT (learner_id) DO NOTHING`,
		learnerID, formatTime(at))
	if err != nil {
		return fmt.Errorf("sqlite: request erasure: %w", err)
	}
	return nil
}

// ListErasureRequests implements schema.CarnetStore.
func (s *LearnerStore) ListErasureRequests(ctx context.Context, structureIDs []int64) ([]*schema.ErasureRequest, error) {
	query := `SELECT e.learner_id, l.name, l.structure_id, s.slug, e.requested_at FROM erasure_requests e
		JOIN learners l ON l.id = e.learner_id JOIN structures s ON s.id = l.structure_id WHERE l.erased_at = ''`
	var args []any
	if structureIDs != nil {
		query += ` AND l.structure_id IN (` + placeholders(len(structureIDs)) + `)`
		for _, id := range structureIDs {
			args = append(args, id)
		}
	}
	rows, err := s.db.db.QueryContext(ctx, query+` ORDER BY e.requested_at, e.rowid`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list erasure requests: %w", err)
	}
	defer rows.Close()
	out := []*schema.ErasureRequest{}
	for rows.Next() {
		var r schema.ErasureRequest
		var at string
		if err := rows.Scan(&r.LearnerID, &r.LearnerName, &r.StructureID, &r.Structure, &at); err != nil {
			return nil, fmt.Errorf("sqlite: list erasure requests: %w", err)
		}
		var d times
		r.RequestedAt = d.at(at)
		if d.err != nil {
			return nil, d.err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}
