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

// BatchStore implements schema.BatchStore.
type BatchStore struct{ db *DB }

// NewBatchStore returns the batches of db.
func NewBatchStore(db *DB) *BatchStore { return &BatchStore{db: db} }

const batchCols = `id, structure_id, framework, lang, status, total, done, actor_id, token_id, actor_cli, ip, idem_key, body_hash,
	error, error_fr, created_at`

func scanBatch(row interface{ Scan(...any) error }) (*schema.Batch, error) {
	var b schema.Batch
	var created string
	if err := row.Scan(&b.ID, &b.StructureID, &b.Framework, &b.Lang, &b.Status, &b.Total, &b.Done, &b.ActorID, &b.TokenID,
		&b.ActorCLI, &b.IP, &b.IdemKey, &b.BodyHash, &b.Error, &b.ErrorFR, &created); err != nil {
		return nil, err
	}
	var d times
	b.CreatedAt = d.at(created)
	if d.err != nil {
		return nil, fmt.Errorf("sqlite: batch %s: %w", b.ID, d.err)
	}
	return &b, nil
}

// CreateBatch implements schema.BatchStore.
func (s *BatchStore) CreateBatch(ctx context.Context, b *schema.Batch, rows []*schema.BatchRow) (*schema.Batch, bool, error) {
	if b.CreatedAt.IsZero() {
		b.CreatedAt = s.db.Now().UTC()
	}
	var stored *schema.Batch
	created := false
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		if b.IdemKey != "" {
			old, err := scanBatch(tx.QueryRowContext(ctx, `SELECT `+batchCols+` FROM batches WHERE structure_id = ? AND idem_key = ?`,
				b.StructureID, b.IdemKey))
			if err == nil {
				stored = old
				return nil
			} else if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sqlite: find batch by key: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO batches (`+batchCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, b.StructureID, b.Framework, b.Lang, b.Status, b.Total, b.Done, b.ActorID, b.TokenID, b.ActorCLI, b.IP,
			b.IdemKey, b.BodyHash, b.Error, b.ErrorFR, formatTime(b.CreatedAt))
		if err != nil {
			return fmt.Errorf("sqlite: create batch: %w", err)
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO batch_rows (batch_id, row, structure_id, learner_id, name, contact, notes, levels,
			row_key, done, credential_id, err_code, err_message, err_message_fr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("sqlite: create batch rows: %w", err)
		}
		defer st.Close()
		for _, r := range rows {
			r.BatchID = b.ID
			lv, err := json.Marshal(levelsOrEmpty(r.Levels))
			if err != nil {
				return fmt.Errorf("sqlite: batch row levels: %w", err)
			}
			name, contact, notes := r.Name, r.Contact, r.Notes
			if r.Done { // refused already: the name stays for the error report, not the contact or notes
				contact, notes = "", ""
			}
			if _, err := st.ExecContext(ctx, r.BatchID, r.Row, b.StructureID, r.LearnerID, name, contact, notes, string(lv),
				r.Key, r.Done, r.CredentialID, r.ErrCode, r.ErrMessage, r.ErrMessageFR); err != nil {
				return fmt.Errorf("sqlite: create batch row %d: %w", r.Row, err)
			}
		}
		stored, created = b, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return stored, created, nil
}

func levelsOrEmpty(l []schema.LevelResult) []schema.LevelResult {
	if l == nil {
		return []schema.LevelResult{}
	}
	return l
}

// FindBatch implements schema.BatchStore.
func (s *BatchStore) FindBatch(ctx context.Context, id string) (*schema.Batch, error) {
	b, err := scanBatch(s.db.db.QueryRowContext(ctx, `SELECT `+batchCols+` FROM batches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, schema.Errorf(schema.ENOTFOUND, "no such batch", "ce lot n'existe pas")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find batch: %w", err)
	}
	return b, nil
}

const batchRowCols = `batch_id, row, learner_id, name, contact, notes, levels, row_key, done, credential_id, err_code, err_message, err_message_fr`

func (s *BatchStore) rows(ctx context.Context, query string, args ...any) ([]*schema.BatchRow, error) {
	rows, err := s.db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: batch rows: %w", err)
	}
	defer rows.Close()
	out := []*schema.BatchRow{}
	for rows.Next() {
		var r schema.BatchRow
		var levels string
		if err := rows.Scan(&r.BatchID, &r.Row, &r.LearnerID, &r.Name, &r.Contact, &r.Notes, &levels, &r.Key, &r.Done,
			&r.CredentialID, &r.ErrCode, &r.ErrMessage, &r.ErrMessageFR); err != nil {
			return nil, fmt.Errorf("sqlite: batch rows: %w", err)
		}
		if err := json.Unmarshal([]byte(levels), &r.Levels); err != nil {
			return nil, fmt.Errorf("sqlite: batch %s row %d: levels: %w", r.BatchID, r.Row, err)
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// BatchRows implements schema.BatchStore.
func (s *BatchStore) BatchRows(ctx context.Context, id string) ([]*schema.BatchRow, error) {
	return s.rows(ctx, `SELECT `+batchRowCols+` FROM batch_rows WHERE batch_id = ? ORDER BY row`, id)
}

// PendingBatchRows implements schema.BatchStore.
func (s *BatchStore) PendingBatchRows(ctx context.Context, id string, limit int) ([]*schema.BatchRow, error) {
	return s.rows(ctx, `SELECT `+batchRowCols+` FROM batch_rows WHERE batch_id = ? AND done = 0 ORDER BY row LIMIT ?`, id, limit)
}

// IssuedForKey implements schema.BatchStore.
func (s *BatchStore) IssuedForKey(ctx context.Context, structureID int64, key string) (string, error) {
	var id string
	const query = `SELECT credential_id FROM batch_rows WHERE structure_id = ? AND row_key = ? AND issued = 1`
	var err error
	if t := txOf(ctx); t != nil {
		err = t.tx.QueryRowContext(ctx, query, structureID, key).Scan(&id)
	} else {
		err = s.db.db.QueryRowContext(ctx, query, structureID, key).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("sqlite: issued for key: %w", err)
	}
	return id, nil
}

// FinishBatchRow implements schema.BatchStore. A row issued here (its
// credential new, not an earlier batch's) is marked issued: the unique
// index refuses a second one under its key, and the issuance that goes
// with it rolls back.
func (s *BatchStore) FinishBatchRow(ctx context.Context, r *schema.BatchRow, issued bool) error {
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		// The credential's time and learner, for the bilan (migration 0020).
		res, err := tx.ExecContext(ctx, `UPDATE batch_rows SET done = 1, learner_id = ?, credential_id = ?, issued = ?, err_code = ?,
			err_message = ?, err_message_fr = ?, name = CASE WHEN ? = '' THEN name ELSE '' END, contact = '', notes = '',
			cred_issued_at = COALESCE((SELECT c.issued_at FROM credentials c WHERE c.id = ?2), ''),
			cred_learner = COALESCE((SELECT COALESCE(c.learner_id, c.subject_id) FROM credentials c WHERE c.id = ?2), '')
			WHERE batch_id = ? AND row = ? AND done = 0`,
			r.LearnerID, r.CredentialID, issued, r.ErrCode, r.ErrMessage, r.ErrMessageFR, r.CredentialID, r.BatchID, r.Row)
		if isUnique(err) {
			return schema.Errorf(schema.ECONFLICT, "this row was issued already", "cette ligne a déjà été délivrée")
		} else if err != nil {
			return fmt.Errorf("sqlite: finish batch row: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return schema.Errorf(schema.ECONFLICT, "this row is done already", "cette ligne est déjà traitée")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET done = done + 1 WHERE id = ?`, r.BatchID); err != nil {
			return fmt.Errorf("sqlite: count batch row: %w", err)
		}
		r.Done = true
		return nil
	})
}

// EndBatch implements schema.BatchStore.
func (s *BatchStore) EndBatch(ctx context.Context, id, status, errEN, errFR string) error {
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batches SET status = ?, error = ?, error_fr = ? WHERE id = ?`, status, errEN, errFR, id)
		if err != nil {
			return fmt.Errorf("sqlite: end batch: %w", err)
		}
		// A preview deleted (expired) since it was read is not started.
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return schema.Errorf(schema.ENOTFOUND, "batch %s not found: an unconfirmed preview is deleted after a while; upload the file again",
				"lot %s introuvable : un aperçu non confirmé est supprimé au bout d'un moment ; déposez à nouveau le fichier", id)
		}
		return nil
	})
}

// RunningBatches implements schema.BatchStore.
func (s *BatchStore) RunningBatches(ctx context.Context) ([]*schema.Batch, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+batchCols+` FROM batches WHERE status = 'running' ORDER BY created_at`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: running batches: %w", err)
	}
	defer rows.Close()
	out := []*schema.Batch{}
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: running batches: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// DeletePendingBatches implements schema.BatchStore: one transaction, so
// a batch confirmed at the same moment is either started (and kept) or
// gone.
func (s *BatchStore) DeletePendingBatches(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		cutoff := formatTime(before)
		if _, err := tx.ExecContext(ctx, `DELETE FROM batch_rows WHERE batch_id IN
			(SELECT id FROM batches WHERE status = 'pending' AND created_at < ?)`, cutoff); err != nil {
			return fmt.Errorf("sqlite: delete pending batch rows: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM batches WHERE status = 'pending' AND created_at < ?`, cutoff)
		if err != nil {
			return fmt.Errorf("sqlite: delete pending batches: %w", err)
		}
		deleted, err := res.RowsAffected()
		n = int(deleted)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
