package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"carnet/schema"
)

// ImportStore implements schema.ImportStore.
type ImportStore struct{ db *DB }

// NewImportStore returns the store of attached credentials of db.
func NewImportStore(db *DB) *ImportStore { return &ImportStore{db: db} }

// CreateImport implements schema.ImportStore.
func (s *ImportStore) CreateImport(ctx context.Context, imp *schema.ImportedCredential) error {
	levels := imp.Levels
	if levels == nil {
		levels = []schema.LevelResult{}
	}
	lv, err := json.Marshal(levels)
	if err != nil {
		return fmt.Errorf("sqlite: import levels: %w", err)
	}
	if imp.AttachedAt.IsZero() {
		imp.AttachedAt = s.db.Now().UTC()
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO imports (learner_id, structure_id, kind, input, credential_id, issuer_id, issuer_name,
			learner_name, framework, levels, valid_from, valid_until, attached_by, attached_at, last_status, last_checked_at, revoked_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			imp.LearnerID, imp.StructureID, imp.Kind, imp.Input, imp.CredentialID, imp.IssuerID, imp.IssuerName,
			imp.LearnerName, imp.Framework, string(lv), formatTime(imp.ValidFrom), formatTime(imp.ValidUntil), imp.AttachedBy,
			formatTime(imp.AttachedAt), imp.LastStatus, formatTime(imp.LastCheckedAt), formatTime(imp.RevokedAt))
		if isUnique(err) {
			return schema.Errorf(schema.ECONFLICT, "this credential is already attached to this learner",
				"cette attestation est déjà rattachée à cette personne")
		} else if err != nil {
			return fmt.Errorf("sqlite: create import: %w", err)
		}
		imp.ID, _ = res.LastInsertId()
		return nil
	})
}

const importCols = `id, learner_id, structure_id, kind, input, credential_id, issuer_id, issuer_name, learner_name, framework, levels,
	valid_from, valid_until, attached_by, attached_at, last_status, last_checked_at, revoked_at`

func scanImport(row interface{ Scan(...any) error }) (*schema.ImportedCredential, error) {
	var imp schema.ImportedCredential
	var levels, from, until, attached, checked, revoked string
	if err := row.Scan(&imp.ID, &imp.LearnerID, &imp.StructureID, &imp.Kind, &imp.Input, &imp.CredentialID, &imp.IssuerID,
		&imp.IssuerName, &imp.LearnerName, &imp.Framework, &levels, &from, &until, &imp.AttachedBy, &attached,
		&imp.LastStatus, &checked, &revoked); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(levels), &imp.Levels); err != nil {
		return nil, fmt.Errorf("sqlite: import %d: levels: %w", imp.ID, err)
	}
	var d times
	imp.ValidFrom, imp.ValidUntil, imp.AttachedAt, imp.LastCheckedAt = d.at(from), d.at(until), d.at(attached), d.at(checked)
	imp.RevokedAt = d.at(revoked)
	if d.err != nil {
		return nil, fmt.Errorf("sqlite: import %d: %w", imp.ID, d.err)
	}
	return &imp, nil
}

// ListImports implements schema.ImportStore.
func (s *ImportStore) ListImports(ctx context.Context, learnerID string) ([]*schema.ImportedCredential, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+importCols+` FROM imports WHERE learner_id = ? ORDER BY id`, learnerID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list imports: %w", err)
	}
	defer rows.Close()
	out := []*schema.ImportedCredential{}
	for rows.Next() {
		imp, err := scanImport(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list imports: %w", err)
		}
		out = append(out, imp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list imports: %w", err)
	}
	return out, nil
}

// UpdateImportStatus implements schema.ImportStore. The first revoked
// verdict sets revoked_at (when the information behind it was gathered,
// else now); nothing clears it.
func (s *ImportStore) UpdateImportStatus(ctx context.Context, id int64, status string, checkedAt time.Time) error {
	revokedAt := formatTime(checkedAt)
	if revokedAt == "" {
		revokedAt = s.db.now()
	}
	res, err := s.db.db.ExecContext(ctx, `UPDATE imports SET last_status = ?, last_checked_at = ?,
		revoked_at = CASE WHEN ? = ? AND revoked_at = '' THEN ? ELSE revoked_at END WHERE id = ?`,
		status, formatTime(checkedAt), status, schema.StatusRevoked, revokedAt, id)
	if err != nil {
		return fmt.Errorf("sqlite: update import: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoImport
	}
	return nil
}

// DeleteImport implements schema.ImportStore.
func (s *ImportStore) DeleteImport(ctx context.Context, id int64) error {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM imports WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete import: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoImport
	}
	return nil
}

var errNoImport = schema.Errorf(schema.ENOTFOUND, "no such attached credential", "attestation rattachée introuvable")
