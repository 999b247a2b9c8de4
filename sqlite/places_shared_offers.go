package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"carnet/places"
)

// The network's offers as open data, and the offers partner Carnets
// publish, kept with the places they share (shared_offers).

// NetworkOffers implements places.Store.
func (s *PlaceStore) NetworkOffers(ctx context.Context) ([]places.PublishedOffer, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT o.data, p.id FROM offers o JOIN places p ON p.structure_id = o.structure_id ORDER BY p.id, o.id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: network offers: %w", err)
	}
	defer rows.Close()
	out := []places.PublishedOffer{}
	for rows.Next() {
		var data, placeID string
		if err := rows.Scan(&data, &placeID); err != nil {
			return nil, fmt.Errorf("sqlite: network offers: %w", err)
		}
		var o places.Offer
		if err := json.Unmarshal([]byte(data), &o); err != nil {
			return nil, fmt.Errorf("sqlite: offer: %w", err)
		}
		out = append(out, o.Publish(placeID))
	}
	return out, rows.Err()
}

// ReplaceSharedOffers implements places.Store.
func (s *PlaceStore) ReplaceSharedOffers(ctx context.Context, source string, list []*places.SharedOffer) (int, []string, error) {
	var orphans []string
	removed := 0
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		old := map[string]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM shared_offers WHERE source = ?`, source)
		if err != nil {
			return fmt.Errorf("sqlite: shared offers: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: shared offers: %w", err)
			}
			old[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: shared offers: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM shared_offers WHERE source = ?`, source); err != nil {
			return fmt.Errorf("sqlite: shared offers: %w", err)
		}
		// Only at a place of the same source: never at a network
		// structure's place, an imported one or another partner's.
		st, err := tx.PrepareContext(ctx, `INSERT INTO shared_offers (source, id, place_id, framework, competencies, from_rank, to_rank, data, updated_at)
			SELECT ?, ?, p.id, ?, ?, ?, ?, ?, ? FROM places p WHERE p.id = ? AND p.structure_id IS NULL AND p.source = ?
			ON CONFLICT(source, id) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("sqlite: shared offers: %w", err)
		}
		defer st.Close()
		now := s.db.now()
		for _, o := range list {
			b, err := json.Marshal(&o.Offer)
			if err != nil {
				return fmt.Errorf("sqlite: shared offer: %w", err)
			}
			comps := "|"
			for _, c := range o.Competencies {
				comps += c + "|"
			}
			var from, to any
			if o.Matched() {
				from, to = o.FromRank, o.ToRank
			}
			res, err := st.ExecContext(ctx, source, o.ID, o.Framework, comps, from, to, string(b), now, o.PlaceID, source)
			if err != nil {
				return fmt.Errorf("sqlite: shared offer %s: %w", o.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				orphans = append(orphans, o.ID)
				continue
			}
			delete(old, o.ID)
		}
		removed = len(old)
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return removed, orphans, nil
}

const sharedOfferColumns = `o.data, o.source, o.place_id, COALESCE(o.from_rank, -1), COALESCE(o.to_rank, -1), p.data
	FROM shared_offers o JOIN places p ON p.id = o.place_id AND p.source = o.source AND p.structure_id IS NULL`

func scanSharedOffers(rows *rows) ([]*places.SharedOffer, error) {
	defer rows.Close()
	out := []*places.SharedOffer{}
	for rows.Next() {
		var data, placeData string
		o := &places.SharedOffer{}
		if err := rows.Scan(&data, &o.Source, &o.PlaceID, &o.FromRank, &o.ToRank, &placeData); err != nil {
			return nil, fmt.Errorf("sqlite: shared offers: %w", err)
		}
		from, to := o.FromRank, o.ToRank
		if err := json.Unmarshal([]byte(data), &o.Offer); err != nil {
			return nil, fmt.Errorf("sqlite: shared offer: %w", err)
		}
		o.FromRank, o.ToRank, o.Structure = from, to, ""
		p, err := scanPlace(placeData)
		if err != nil {
			return nil, err
		}
		o.Place = p
		out = append(out, o)
	}
	return out, rows.Err()
}

// SharedOffersServing implements places.Store: the offers that serve the
// level are found with their places' coordinates only, ranked in Go, and
// only the first limit are read whole (a partner may publish thousands).
func (s *PlaceStore) SharedOffersServing(ctx context.Context, framework, competency string, rank int, lat, lon float64, limit int) ([]*places.SharedOffer, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT o.rowid, p.latitude, p.longitude
		FROM shared_offers o JOIN places p ON p.id = o.place_id AND p.source = o.source AND p.structure_id IS NULL
		WHERE o.framework = ? AND o.from_rank <= ? AND o.to_rank >= ? AND instr(o.competencies, ?) > 0 ORDER BY o.rowid`,
		framework, rank, rank, "|"+competency+"|")
	if err != nil {
		return nil, fmt.Errorf("sqlite: shared offers serving: %w", err)
	}
	type hit struct {
		rowid int64
		km    float64 // +Inf without coordinates or origin
	}
	var hits []hit
	for rows.Next() {
		var h hit
		var plat, plon sql.NullFloat64
		if err := rows.Scan(&h.rowid, &plat, &plon); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: shared offers serving: %w", err)
		}
		h.km = math.Inf(1)
		if plat.Valid && plon.Valid && !math.IsNaN(lat) && !math.IsNaN(lon) {
			h.km = places.Distance(lat, lon, plat.Float64, plon.Float64)
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: shared offers serving: %w", err)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].km < hits[j].km })
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	out := []*places.SharedOffer{}
	for _, h := range hits {
		rows, err := s.db.db.QueryContext(ctx, `SELECT `+sharedOfferColumns+` WHERE o.rowid = ?`, h.rowid)
		if err != nil {
			return nil, fmt.Errorf("sqlite: shared offer: %w", err)
		}
		l, err := scanSharedOffers(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, nil
}

// SharedOffers implements places.Store.
func (s *PlaceStore) SharedOffers(ctx context.Context, source string) ([]*places.SharedOffer, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+sharedOfferColumns+` WHERE ? = '' OR o.source = ? ORDER BY o.place_id, o.id`, source, source)
	if err != nil {
		return nil, fmt.Errorf("sqlite: shared offers: %w", err)
	}
	return scanSharedOffers(rows)
}
