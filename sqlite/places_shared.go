package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
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

// OutsidePlaces implements places.Store: the postcode and commune are
// compared here, in Go, so that "évry" finds "Évry" (SQLite's lower()
// knows ASCII only); a place is decoded only when it matches.
func (s *PlaceStore) OutsidePlaces(ctx context.Context, q, service string, limit int) ([]places.Outside, bool, error) {
	query := `SELECT p.data, p.source, p.code_postal, COALESCE(json_extract(p.data, '$.commune'), '') FROM places p
		WHERE p.structure_id IS NULL`
	var args []any
	if service != "" {
		query += ` AND ('|' || p.services || '|') LIKE ? ESCAPE '\'`
		args = append(args, "%|"+likeEscape(service)+"|%")
	}
	query += ` ORDER BY json_extract(p.data, '$.nom'), p.id`
	rows, err := s.db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: outside places: %w", err)
	}
	defer rows.Close()
	lq := strings.ToLower(strings.TrimSpace(q))
	out := []places.Outside{}
	for rows.Next() {
		var data, source, cp, commune string
		if err := rows.Scan(&data, &source, &cp, &commune); err != nil {
			return nil, false, fmt.Errorf("sqlite: outside places: %w", err)
		}
		if lq != "" && !strings.HasPrefix(cp, lq) && !strings.Contains(strings.ToLower(commune), lq) {
			continue
		}
		if len(out) == limit {
			return out, true, nil
		}
		p, err := scanPlace(data)
		if err != nil {
			return nil, false, err
		}
		if service != "" && !slices.Contains(p.Services, service) {
			continue
		}
		out = append(out, places.Outside{Place: p, Source: source})
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("sqlite: outside places: %w", err)
	}
	return out, false, nil
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
