package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"carnet/schema"
)

// WorkshopStore implements schema.WorkshopStore.
type WorkshopStore struct{ db *DB }

// NewWorkshopStore returns the workshops of db.
func NewWorkshopStore(db *DB) *WorkshopStore { return &WorkshopStore{db: db} }

const workshopCols = `id, structure_id, title, dates, partner, framework, competencies, participants, batch_id, created_by, created_at`

func scanWorkshop(row interface{ Scan(...any) error }) (*schema.Workshop, error) {
	var w schema.Workshop
	var comps, parts, created string
	if err := row.Scan(&w.ID, &w.StructureID, &w.Title, &w.Dates, &w.Partner, &w.Framework, &comps, &parts, &w.BatchID,
		&w.CreatedBy, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(comps), &w.Competencies); err != nil {
		return nil, fmt.Errorf("sqlite: workshop %s: competencies: %w", w.ID, err)
	}
	if err := json.Unmarshal([]byte(parts), &w.Participants); err != nil {
		return nil, fmt.Errorf("sqlite: workshop %s: participants: %w", w.ID, err)
	}
	var d times
	w.CreatedAt = d.at(created)
	if d.err != nil {
		return nil, fmt.Errorf("sqlite: workshop %s: %w", w.ID, d.err)
	}
	return &w, nil
}

func workshopJSON(w *schema.Workshop) (comps, parts string, err error) {
	c := w.Competencies
	if c == nil {
		c = []string{}
	}
	p := w.Participants
	if p == nil {
		p = []schema.WorkshopParticipant{}
	}
	cb, err := json.Marshal(c)
	if err != nil {
		return "", "", err
	}
	pb, err := json.Marshal(p)
	return string(cb), string(pb), err
}

// CreateWorkshop implements schema.WorkshopStore.
func (s *WorkshopStore) CreateWorkshop(ctx context.Context, w *schema.Workshop) error {
	if w.CreatedAt.IsZero() {
		w.CreatedAt = s.db.Now().UTC()
	}
	comps, parts, err := workshopJSON(w)
	if err != nil {
		return fmt.Errorf("sqlite: workshop: %w", err)
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO workshops (`+workshopCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.ID, w.StructureID, w.Title, w.Dates, w.Partner, w.Framework, comps, parts, w.BatchID, w.CreatedBy, formatTime(w.CreatedAt)); err != nil {
			return fmt.Errorf("sqlite: create workshop: %w", err)
		}
		return nil
	})
}

// UpdateWorkshop implements schema.WorkshopStore.
func (s *WorkshopStore) UpdateWorkshop(ctx context.Context, w *schema.Workshop) error {
	_, parts, err := workshopJSON(w)
	if err != nil {
		return fmt.Errorf("sqlite: workshop: %w", err)
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE workshops SET participants = ?, batch_id = ? WHERE id = ?`, parts, w.BatchID, w.ID)
		if err != nil {
			return fmt.Errorf("sqlite: update workshop: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return schema.Errorf(schema.ENOTFOUND, "no such workshop", "cet atelier n'existe pas")
		}
		return nil
	})
}

// FindWorkshop implements schema.WorkshopStore.
func (s *WorkshopStore) FindWorkshop(ctx context.Context, id string) (*schema.Workshop, error) {
	w, err := scanWorkshop(s.db.db.QueryRowContext(ctx, `SELECT `+workshopCols+` FROM workshops WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, schema.Errorf(schema.ENOTFOUND, "no such workshop", "cet atelier n'existe pas")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find workshop: %w", err)
	}
	return w, nil
}

// ListWorkshops implements schema.WorkshopStore.
func (s *WorkshopStore) ListWorkshops(ctx context.Context, structureIDs []int64, limit int) ([]*schema.Workshop, error) {
	q := `SELECT ` + workshopCols + ` FROM workshops`
	args := []any{}
	if structureIDs != nil {
		if len(structureIDs) == 0 {
			return []*schema.Workshop{}, nil
		}
		q += ` WHERE structure_id IN (?` + strings.Repeat(`, ?`, len(structureIDs)-1) + `)`
		for _, id := range structureIDs {
			args = append(args, id)
		}
	}
	q += ` ORDER BY created_at DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list workshops: %w", err)
	}
	defer rows.Close()
	out := []*schema.Workshop{}
	for rows.Next() {
		w, err := scanWorkshop(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list workshops: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
