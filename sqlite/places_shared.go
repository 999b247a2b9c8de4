package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"carnet/places"
)

// The map's tile layer (a setting) and the places kept for orientation
// only, with their sources: imported files and partner Carnets.

// mapTilesSetting names the setting that holds the map's tile layer (JSON).
const mapTilesSetting = "map_tiles"

// MapTiles implements places.Store.
func (s *PlaceStore) MapTiles(ctx context.Context) (places.Tiles, error) {
	v, err := s.db.Setting(ctx, mapTilesSetting)
	if err != nil || v == "" {
		return places.DefaultTiles(), err
	}
	var t places.Tiles
	if err := json.Unmarshal([]byte(v), &t); err != nil || t.URL == "" {
		return places.DefaultTiles(), nil
	}
	return t, nil
}

// SetMapTiles implements places.Store.
func (s *PlaceStore) SetMapTiles(ctx context.Context, t places.Tiles) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("sqlite: map tiles: %w", err)
	}
	return s.db.SetSetting(ctx, mapTilesSetting, string(b))
}

// OutsidePlaces implements places.Store. The table is read in its order
// (rowid: the order of import; "+" keeps SQLite off the structure_id
// index, which would need a sort) until limit places match, never sorted
// whole, and a place's data is read only when it matches. A postcode, or
// a commune in ASCII, is compared by SQLite (LIKE ignores ASCII case);
// any other text here, in Go, so that "évry" finds "Évry" (SQLite's case
// folding knows ASCII only).
func (s *PlaceStore) OutsidePlaces(ctx context.Context, q, service string, limit int) ([]places.Outside, bool, error) {
	query := `SELECT p.rowid, p.source, p.code_postal, COALESCE(json_extract(p.data, '$.commune'), '') FROM places p
		WHERE +p.structure_id IS NULL`
	var args []any
	if service != "" {
		query += ` AND ('|' || p.services || '|') LIKE ? ESCAPE '\'`
		args = append(args, "%|"+likeEscape(service)+"|%")
	}
	lq := strings.ToLower(strings.TrimSpace(q))
	inGo, numeric := false, false
	switch {
	case lq == "":
	case strings.Trim(lq, "0123456789") == "":
		numeric = true
		// A range on the indexed column (":" follows "9"): only the
		// postcodes that start with q are read.
		query += ` AND p.code_postal >= ? AND p.code_postal < ?`
		args = append(args, lq, lq+":")
	case isASCII(lq):
		// The raw text first (no JSON parsed for the rows that do not
		// hold q at all), then the commune itself.
		query += ` AND (p.code_postal LIKE ? ESCAPE '\' OR (p.data LIKE ? ESCAPE '\' AND json_extract(p.data, '$.commune') LIKE ? ESCAPE '\'))`
		args = append(args, likeEscape(lq)+"%", "%"+likeEscape(lq)+"%", "%"+likeEscape(lq)+"%")
	default:
		inGo = true
	}
	if numeric {
		query += ` ORDER BY p.code_postal` // the index's order: no sort
	} else {
		query += ` ORDER BY p.rowid`
	}
	rows, err := s.db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: outside places: %w", err)
	}
	type hit struct {
		rowid  int64
		source string
	}
	var hits []hit
	more := false
	for rows.Next() {
		var h hit
		var cp, commune string
		if err := rows.Scan(&h.rowid, &h.source, &cp, &commune); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("sqlite: outside places: %w", err)
		}
		if inGo && !strings.HasPrefix(cp, lq) && !strings.Contains(strings.ToLower(commune), lq) {
			continue
		}
		if len(hits) == limit {
			more = true
			break
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("sqlite: outside places: %w", err)
	}
	out := []places.Outside{}
	for _, h := range hits {
		var data string
		if err := s.db.db.QueryRowContext(ctx, `SELECT data FROM places WHERE rowid = ?`, h.rowid).Scan(&data); err != nil {
			return nil, false, fmt.Errorf("sqlite: outside place: %w", err)
		}
		p, err := scanPlace(data)
		if err != nil {
			return nil, false, err
		}
		if service != "" && !slices.Contains(p.Services, service) {
			continue
		}
		out = append(out, places.Outside{Place: p, Source: h.source})
	}
	byName(out)
	return out, more, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func byName(l []places.Outside) {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Place.Nom < l[j].Place.Nom })
}

// ReplaceSource implements places.Store: every place the file lists is
// written (updated_at now), so those of the source written before it
// are the ones it no longer lists.
func (s *PlaceStore) ReplaceSource(ctx context.Context, r io.Reader, source string) (*places.Report, int, error) {
	start := s.db.now()
	rep, err := s.Import(ctx, r, source)
	if err != nil {
		return rep, 0, err
	}
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM places WHERE structure_id IS NULL AND source = ? AND updated_at < ?`, source, start)
	if err != nil {
		return rep, 0, fmt.Errorf("sqlite: replace places of %s: %w", source, err)
	}
	n, _ := res.RowsAffected()
	return rep, int(n), nil
}
