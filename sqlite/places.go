package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"carnet/places"
	"carnet/schema"
)

// PlaceStore implements places.Store on the places table.
type PlaceStore struct{ db *DB }

// NewPlaceStore returns the places of db.
func NewPlaceStore(db *DB) *PlaceStore { return &PlaceStore{db: db} }

var _ places.Store = (*PlaceStore)(nil)

func placeJSON(p *places.Place) (string, error) {
	b, err := json.Marshal(p.Record())
	if err != nil {
		return "", fmt.Errorf("sqlite: place %s: %w", p.ID, err)
	}
	return string(b), nil
}

func scanPlace(data string) (*places.Place, error) {
	var r places.Record
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return nil, fmt.Errorf("sqlite: place: %w", err)
	}
	return r.Place(), nil
}

func coords(p *places.Place) (lat, lon any) {
	if p.HasCoordinates() {
		return *p.Latitude, *p.Longitude
	}
	return nil, nil
}

// StructurePlace implements places.Store.
func (s *PlaceStore) StructurePlace(ctx context.Context, slug string) (*places.Place, error) {
	var data string
	err := s.db.db.QueryRowContext(ctx, `SELECT p.data FROM places p JOIN structures s ON s.id = p.structure_id WHERE s.slug = ?`, slug).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: structure place: %w", err)
	}
	return scanPlace(data)
}

// PutStructurePlace implements places.Store. The place's id must not be
// an imported place's or another structure's.
func (s *PlaceStore) PutStructurePlace(ctx context.Context, slug string, p *places.Place) error {
	data, err := placeJSON(p)
	if err != nil {
		return err
	}
	lat, lon := coords(p)
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		var sid int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM structures WHERE slug = ?`, slug).Scan(&sid); errors.Is(err, sql.ErrNoRows) {
			return schema.Errorf(schema.ENOTFOUND, "no structure %q", "aucune structure %q", slug)
		} else if err != nil {
			return fmt.Errorf("sqlite: put place: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM places WHERE structure_id = ? AND id <> ?`, sid, p.ID); err != nil {
			return fmt.Errorf("sqlite: put place: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO places (id, structure_id, source, latitude, longitude, services, code_postal, data, updated_at)
			VALUES (?, ?, '', ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude,
				services = excluded.services, code_postal = excluded.code_postal, data = excluded.data, updated_at = excluded.updated_at
			WHERE places.structure_id = excluded.structure_id`,
			p.ID, sid, lat, lon, strings.Join(p.Services, places.Sep), p.CodePostal, data, s.db.now())
		if err != nil {
			return fmt.Errorf("sqlite: put place: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return schema.Errorf(schema.ECONFLICT, "the place id %q is already used by another place", "l'identifiant de lieu %q est déjà pris par un autre lieu", p.ID)
		}
		return nil
	})
}

// NetworkPlaces implements places.Store; each place bears its structure's
// current name.
func (s *PlaceStore) NetworkPlaces(ctx context.Context) ([]*places.Place, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT p.data, s.name FROM places p JOIN structures s ON s.id = p.structure_id ORDER BY p.id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: network places: %w", err)
	}
	defer rows.Close()
	var out []*places.Place
	for rows.Next() {
		var data, name string
		if err := rows.Scan(&data, &name); err != nil {
			return nil, fmt.Errorf("sqlite: network places: %w", err)
		}
		p, err := scanPlace(data)
		if err != nil {
			return nil, err
		}
		p.Nom = name
		out = append(out, p)
	}
	return out, rows.Err()
}

// importBatch is the number of places written per transaction by Import.
const importBatch = 2000

// Import implements places.Store: the valid places of r are stored as
// imported ones (source names the file), a place with the id of an
// imported one replaces it; an id of a network structure's place is
// refused (reported), never overwritten.
func (s *PlaceStore) Import(ctx context.Context, r io.Reader, source string) (*places.Report, error) {
	var batch []*places.Place
	var clashes []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.db.withTx(ctx, func(tx *sql.Tx) error {
			st, err := tx.PrepareContext(ctx, `INSERT INTO places (id, structure_id, source, latitude, longitude, services, code_postal, data, updated_at)
				VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT(id) DO UPDATE SET source = excluded.source, latitude = excluded.latitude, longitude = excluded.longitude,
					services = excluded.services, code_postal = excluded.code_postal, data = excluded.data, updated_at = excluded.updated_at
				WHERE places.structure_id IS NULL`)
			if err != nil {
				return fmt.Errorf("sqlite: import places: %w", err)
			}
			defer st.Close()
			now := s.db.now()
			for _, p := range batch {
				data, err := placeJSON(p)
				if err != nil {
					return err
				}
				lat, lon := coords(p)
				res, err := st.ExecContext(ctx, p.ID, source, lat, lon, strings.Join(p.Services, places.Sep), p.CodePostal, data, now)
				if err != nil {
					return fmt.Errorf("sqlite: import place %s: %w", p.ID, err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					clashes = append(clashes, p.ID)
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	rep, err := places.Read(r, func(p *places.Place) error {
		batch = append(batch, p)
		if len(batch) >= importBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return rep, err
	}
	for _, id := range clashes {
		rep.Imported--
		rep.Rejected++
		if len(rep.Rejects) < places.MaxProblems {
			rep.Rejects = append(rep.Rejects, places.Problem{ID: id,
				Reason:   "the id is a Carnet structure's place here: not replaced",
				ReasonFR: "l'identifiant est celui du lieu d'une structure Carnet ici : non remplacé"})
		}
	}
	return rep, nil
}

// Nearest implements places.Store: a bounding box on the indexed
// coordinates, widened until limit places are found or maxKm is reached,
// then the exact haversine distance.
func (s *PlaceStore) Nearest(ctx context.Context, lat, lon, maxKm float64, limit int, service string) ([]places.Near, error) {
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return nil, schema.Errorf(schema.EINVALID, "invalid coordinates", "coordonnées invalides")
	}
	if limit <= 0 {
		limit = 10
	}
	if maxKm <= 0 || maxKm > 20000 {
		maxKm = 20000
	}
	for km := math.Min(5, maxKm); ; km = math.Min(km*4, maxKm) {
		found, err := s.within(ctx, lat, lon, km, service)
		if err != nil {
			return nil, err
		}
		var in []places.Near
		for _, n := range found {
			if n.Km <= km {
				in = append(in, n)
			}
		}
		if len(in) >= limit || km >= maxKm {
			sort.Slice(in, func(i, j int) bool {
				if in[i].Km != in[j].Km {
					return in[i].Km < in[j].Km
				}
				return in[i].Place.ID < in[j].Place.ID
			})
			if len(in) > limit {
				in = in[:limit]
			}
			return in, nil
		}
	}
}

// within returns the places in the box around (lat, lon) at km, with
// their distances.
func (s *PlaceStore) within(ctx context.Context, lat, lon, km float64, service string) ([]places.Near, error) {
	b := places.BoxAround(lat, lon, km)
	type span struct{ lo, hi float64 }
	spans := []span{{b.MinLon, b.MaxLon}}
	if b.MinLon < -180 {
		spans = []span{{b.MinLon + 360, 180}, {-180, b.MaxLon}}
	} else if b.MaxLon > 180 {
		spans = []span{{b.MinLon, 180}, {-180, b.MaxLon - 360}}
	}
	var out []places.Near
	for _, sp := range spans {
		q := `SELECT p.data, p.latitude, p.longitude, COALESCE(s.slug, ''), p.source FROM places p LEFT JOIN structures s ON s.id = p.structure_id
			WHERE p.latitude BETWEEN ? AND ? AND p.longitude BETWEEN ? AND ?`
		args := []any{b.MinLat, b.MaxLat, sp.lo, sp.hi}
		if service != "" {
			q += ` AND ('|' || p.services || '|') LIKE ? ESCAPE '\'`
			args = append(args, "%|"+likeEscape(service)+"|%")
		}
		rows, err := s.db.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: nearest places: %w", err)
		}
		for rows.Next() {
			var data, slug, source string
			var plat, plon float64
			if err := rows.Scan(&data, &plat, &plon, &slug, &source); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: nearest places: %w", err)
			}
			d := places.Distance(lat, lon, plat, plon)
			if d > km {
				continue // in the box's corner: decoded only when in the circle
			}
			p, err := scanPlace(data)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if service != "" && !slices.Contains(p.Services, service) {
				continue
			}
			out = append(out, places.Near{Ranked: places.Ranked{Place: p, Km: d}, Network: slug != "", Structure: slug, Source: source})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlite: nearest places: %w", err)
		}
	}
	return out, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
