package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"carnet/places"
	"carnet/schema"
)

// PostcodeCentre implements places.Store.
func (s *PlaceStore) PostcodeCentre(ctx context.Context, postcode string) (float64, float64, bool, error) {
	var lat, lon sql.NullFloat64
	err := s.db.db.QueryRowContext(ctx, `SELECT AVG(latitude), AVG(longitude) FROM places WHERE code_postal = ? AND latitude IS NOT NULL`, postcode).Scan(&lat, &lon)
	if err != nil {
		return 0, 0, false, fmt.Errorf("sqlite: postcode centre: %w", err)
	}
	return lat.Float64, lon.Float64, lat.Valid && lon.Valid, nil
}

func scanOffers(rows *rows) ([]*places.Offer, error) {
	defer rows.Close()
	out := []*places.Offer{}
	for rows.Next() {
		var data, slug string
		var from, to int
		if err := rows.Scan(&data, &slug, &from, &to); err != nil {
			return nil, fmt.Errorf("sqlite: offers: %w", err)
		}
		var o places.Offer
		if err := json.Unmarshal([]byte(data), &o); err != nil {
			return nil, fmt.Errorf("sqlite: offer: %w", err)
		}
		o.Structure, o.FromRank, o.ToRank = slug, from, to
		out = append(out, &o)
	}
	return out, rows.Err()
}

const offerColumns = `o.data, s.slug, o.from_rank, o.to_rank FROM offers o JOIN structures s ON s.id = o.structure_id`

// ListOffers implements places.Store.
func (s *PlaceStore) ListOffers(ctx context.Context, structure string) ([]*places.Offer, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+offerColumns+` WHERE ? = '' OR s.slug = ? ORDER BY json_extract(o.data, '$.title'), o.id`, structure, structure)
	if err != nil {
		return nil, fmt.Errorf("sqlite: offers: %w", err)
	}
	return scanOffers(rows)
}

// CreateOffer implements places.Store.
func (s *PlaceStore) CreateOffer(ctx context.Context, o *places.Offer) error {
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("sqlite: offer: %w", err)
	}
	comps := "|"
	for _, c := range o.Competencies {
		comps += c + "|"
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		var sid int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM structures WHERE slug = ?`, o.Structure).Scan(&sid); errors.Is(err, sql.ErrNoRows) {
			return schema.Errorf(schema.ENOTFOUND, "no structure %q", "aucune structure %q", o.Structure)
		} else if err != nil {
			return fmt.Errorf("sqlite: create offer: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO offers (id, structure_id, framework, competencies, from_rank, to_rank, data, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, sid, o.Framework, comps, o.FromRank, o.ToRank, string(b), s.db.now())
		if isUnique(err) {
			return schema.Errorf(schema.ECONFLICT, "the offer id %q is taken", "l'identifiant d'offre %q est pris", o.ID)
		} else if err != nil {
			return fmt.Errorf("sqlite: create offer: %w", err)
		}
		return nil
	})
}

// DeleteOffer implements places.Store.
func (s *PlaceStore) DeleteOffer(ctx context.Context, structure, id string) error {
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM offers WHERE id = ? AND structure_id = (SELECT id FROM structures WHERE slug = ?)`, id, structure)
		if err != nil {
			return fmt.Errorf("sqlite: delete offer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return schema.Errorf(schema.ENOTFOUND, "no offer %q", "aucune offre %q", id)
		}
		return nil
	})
}

// OffersServing implements places.Store.
func (s *PlaceStore) OffersServing(ctx context.Context, framework, competency string, rank int) ([]*places.Offer, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+offerColumns+`
		WHERE o.framework = ? AND o.from_rank <= ? AND o.to_rank >= ? AND instr(o.competencies, ?) > 0 ORDER BY o.id`,
		framework, rank, rank, "|"+competency+"|")
	if err != nil {
		return nil, fmt.Errorf("sqlite: offers serving: %w", err)
	}
	return scanOffers(rows)
}
