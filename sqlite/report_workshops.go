package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"carnet/report"
)

// workshopCounts is the workshops of one period: in all, by structure,
// by partner.
type workshopCounts struct {
	total                  report.WorkshopCount
	byStructure, byPartner []report.WorkshopCount
}

// workshopFigures counts the workshops held in each period (package
// report has the definitions) of q's structures and framework: in all
// for each, and by structure and by partner for the first. A workshop's
// credentials are those its latest issuance (workshops.batch_id) names
// in its rows, and it is held when the first of them was issued. Each
// batch row keeps its credential's time and learner (migration 0020,
// FinishBatchRow), so that the credentials themselves (each with a
// signed document of ~10 KB) are not read; the rows are read once for
// all the periods and counted in SQL.
func workshopFigures(ctx context.Context, tx *sql.Tx, q report.Query, periods ...[2]time.Time) ([]workshopCounts, error) {
	sc := of(q, "w", true)
	lo, hi := periods[0][0], periods[0][1]
	for _, p := range periods {
		lo, hi = minTime(lo, p[0]), maxTime(hi, p[1])
	}
	args := append(append([]any{}, sc.args...), formatTime(lo), formatTime(hi))
	counts := `COUNT(DISTINCT r.id), COUNT(DISTINCT r.learner), COUNT(DISTINCT r.cred)`
	var parts []string
	for i, p := range periods {
		parts = append(parts, fmt.Sprintf(`SELECT %d, '', '', %s FROM r WHERE held >= ? AND held < ?`, i, counts))
		args = append(args, formatTime(p[0]), formatTime(p[1]))
	}
	parts = append(parts,
		`SELECT -1, s.slug, s.name, `+counts+` FROM r JOIN structures s ON s.id = r.sid WHERE held >= ? AND held < ? GROUP BY r.sid`,
		`SELECT -2, pkey, MIN(partner), `+counts+` FROM r WHERE partner != '' AND held >= ? AND held < ? GROUP BY pkey`)
	first := []any{formatTime(periods[0][0]), formatTime(periods[0][1])}
	args = append(append(args, first...), first...)
	// Each workshop's time from its batch's rows (a few, by key), then the
	// rows of the workshops of the periods only.
	rows, err := tx.QueryContext(ctx, `WITH ws AS MATERIALIZED (
			SELECT w.id, w.batch_id, w.structure_id AS sid, trim(w.partner) AS partner,
				(SELECT MIN(b.cred_issued_at) FROM batch_rows b WHERE b.batch_id = w.batch_id AND b.credential_id != '' AND b.cred_issued_at != '') AS held
			FROM workshops w WHERE w.batch_id != '' AND `+sc.where+`),
		r AS MATERIALIZED (
			SELECT ws.id, ws.sid, ws.partner, ws.pkey, ws.held, b.cred_learner AS learner, b.credential_id AS cred
			FROM (SELECT *, carnet_fold(partner) AS pkey FROM ws WHERE held >= ? AND held < ?) ws
			JOIN batch_rows b ON b.batch_id = ws.batch_id AND b.credential_id != '' AND b.cred_issued_at != '')
		`+strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, fmt.Errorf("workshops: %w", err)
	}
	defer rows.Close()
	out := make([]workshopCounts, len(periods))
	out[0].byStructure, out[0].byPartner = []report.WorkshopCount{}, []report.WorkshopCount{}
	for rows.Next() {
		var kind int
		var c report.WorkshopCount
		if err := rows.Scan(&kind, &c.Key, &c.Name, &c.Held, &c.Participants, &c.Credentials); err != nil {
			return nil, fmt.Errorf("workshops: %w", err)
		}
		switch kind {
		case -1:
			out[0].byStructure = append(out[0].byStructure, c)
		case -2:
			out[0].byPartner = append(out[0].byPartner, c)
		default:
			out[kind].total = report.WorkshopCount{Held: c.Held, Participants: c.Participants, Credentials: c.Credentials}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("workshops: %w", err)
	}
	for _, l := range [][]report.WorkshopCount{out[0].byStructure, out[0].byPartner} {
		sort.Slice(l, func(i, j int) bool {
			if l[i].Held != l[j].Held {
				return l[i].Held > l[j].Held
			}
			return l[i].Key < l[j].Key
		})
	}
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
