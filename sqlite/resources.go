package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	"carnet/schema"
)

// resourcesSeeded is the setting that records that the starter catalogue
// was stored once: deleting every resource does not bring it back.
const resourcesSeeded = "resources_seeded"

// ResourceStore implements schema.ResourceStore. Resources are checked
// against the frameworks before they are stored.
type ResourceStore struct {
	db     *DB
	fws    *schema.Frameworks
	seeded atomic.Bool // the seeding was checked (or done) in this process
}

// NewResourceStore returns the resource catalogue of db, checked against
// fws.
func NewResourceStore(db *DB, fws *schema.Frameworks) *ResourceStore {
	return &ResourceStore{db: db, fws: fws}
}

// seed stores the starter catalogue the first time the catalogue is used
// on this database.
func (s *ResourceStore) seed(ctx context.Context) error {
	if s.seeded.Load() {
		return nil
	}
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		var v string
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, resourcesSeeded).Scan(&v)
		if err == nil && v != "" {
			return nil
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: resources seeded: %w", err)
		}
		cat, err := schema.StarterCatalogue(s.fws)
		if err != nil {
			return fmt.Errorf("sqlite: starter catalogue: %w", err)
		}
		for i := range cat.Resources {
			r := &cat.Resources[i]
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM resources WHERE id = ?`, r.ID).Scan(&n); err != nil {
				return fmt.Errorf("sqlite: seed resources: %w", err)
			} else if n > 0 {
				continue
			}
			if err := insertResource(ctx, tx, r, s.db.now()); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
			resourcesSeeded, s.db.now())
		if err != nil {
			return fmt.Errorf("sqlite: resources seeded: %w", err)
		}
		return nil
	})
	if err == nil {
		s.seeded.Store(true)
	}
	return err
}

func resourceJSON(r *schema.Resource) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("sqlite: resource %s: %w", r.ID, err)
	}
	return string(b), nil
}

// insertResource adds r at the end of the catalogue.
func insertResource(ctx context.Context, tx *sql.Tx, r *schema.Resource, at string) error {
	data, err := resourceJSON(r)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO resources (id, position, data, updated_by, updated_at)
		VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM resources), ?, ?, ?)`, r.ID, data, r.UpdatedBy, at)
	if isUnique(err) {
		return schema.Errorf(schema.ECONFLICT, "the id %q is already used by another resource", "l'identifiant %q est déjà pris par une autre ressource", r.ID)
	} else if err != nil {
		return fmt.Errorf("sqlite: create resource: %w", err)
	}
	return nil
}

func scanResource(row interface{ Scan(...any) error }) (*schema.Resource, error) {
	var id, data, by, at string
	if err := row.Scan(&id, &data, &by, &at); err != nil {
		return nil, err
	}
	var r schema.Resource
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return nil, fmt.Errorf("sqlite: resource %s: %w", id, err)
	}
	var d times
	r.ID, r.UpdatedBy, r.UpdatedAt = id, by, d.at(at)
	return &r, d.err
}

func errNoResource(id string) error {
	return schema.Errorf(schema.ENOTFOUND, "no resource %q in the catalogue", "aucune ressource %q dans le catalogue", id)
}

// ListResources implements schema.ResourceStore.
func (s *ResourceStore) ListResources(ctx context.Context) ([]*schema.Resource, error) {
	if err := s.seed(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, data, updated_by, updated_at FROM resources ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list resources: %w", err)
	}
	defer rows.Close()
	out := []*schema.Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindResource implements schema.ResourceStore.
func (s *ResourceStore) FindResource(ctx context.Context, id string) (*schema.Resource, error) {
	if err := s.seed(ctx); err != nil {
		return nil, err
	}
	r, err := scanResource(s.db.db.QueryRowContext(ctx, `SELECT id, data, updated_by, updated_at FROM resources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoResource(id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find resource: %w", err)
	}
	return r, nil
}

// CreateResource implements schema.ResourceStore. It sets r.UpdatedAt.
func (s *ResourceStore) CreateResource(ctx context.Context, r *schema.Resource) error {
	if err := r.Validate(s.fws); err != nil {
		return err
	}
	if err := s.seed(ctx); err != nil {
		return err
	}
	now := s.db.Now().UTC()
	if err := s.db.withTx(ctx, func(tx *sql.Tx) error { return insertResource(ctx, tx, r, formatTime(now)) }); err != nil {
		return err
	}
	r.UpdatedAt = now
	return nil
}

// UpdateResource implements schema.ResourceStore. It sets r.UpdatedAt.
func (s *ResourceStore) UpdateResource(ctx context.Context, r *schema.Resource) error {
	if err := r.Validate(s.fws); err != nil {
		return err
	}
	if err := s.seed(ctx); err != nil {
		return err
	}
	data, err := resourceJSON(r)
	if err != nil {
		return err
	}
	now := s.db.Now().UTC()
	res, err := s.db.db.ExecContext(ctx, `UPDATE resources SET data = ?, updated_by = ?, updated_at = ? WHERE id = ?`,
		data, r.UpdatedBy, formatTime(now), r.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update resource: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoResource(r.ID)
	}
	r.UpdatedAt = now
	return nil
}

// DeleteResource implements schema.ResourceStore.
func (s *ResourceStore) DeleteResource(ctx context.Context, id string) error {
	if err := s.seed(ctx); err != nil {
		return err
	}
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM resources WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete resource: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoResource(id)
	}
	return nil
}
