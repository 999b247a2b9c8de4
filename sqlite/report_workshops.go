package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"carnet/report"
	"carnet/schema"
)

// workshopFigures counts the workshops held in q's period (package report
// has the definitions): a workshop's credentials are those its latest
// issuance (workshops.batch_id) names in its rows, and it is held when
// the first of them was issued. Workshops are few (a structure holds a
// few a week), so the rows (one per credential of a workshop of the
// structures) are read and counted here.
func workshopFigures(ctx context.Context, tx *sql.Tx, q report.Query) (report.WorkshopCount, []report.WorkshopCount, []report.WorkshopCount, error) {
	var total report.WorkshopCount
	sc := of(q, "w", true)
	args := append(sc.args, formatTime(q.From), formatTime(q.To))
	rows, err := tx.QueryContext(ctx, `SELECT x.id, s.slug, s.name, x.partner, x.learner, x.credential FROM (
			SELECT w.id, w.structure_id, w.partner, COALESCE(c.learner_id, c.subject_id) AS learner, c.id AS credential,
				MIN(c.issued_at) OVER (PARTITION BY w.id) AS held
			FROM workshops w
			JOIN batch_rows r ON r.batch_id = w.batch_id AND r.credential_id != ''
			JOIN credentials c ON c.id = r.credential_id
			WHERE w.batch_id != '' AND `+sc.where+`) x
		JOIN structures s ON s.id = x.structure_id
		WHERE x.held >= ? AND x.held < ?`, args...)
	if err != nil {
		return total, nil, nil, fmt.Errorf("workshops: %w", err)
	}
	defer rows.Close()
	type tally struct {
		name                                 string
		workshops, participants, credentials map[string]bool
	}
	newTally := func(name string) *tally {
		return &tally{name: name, workshops: map[string]bool{}, participants: map[string]bool{}, credentials: map[string]bool{}}
	}
	all := newTally("")
	byStructure, byPartner := map[string]*tally{}, map[string]*tally{}
	for rows.Next() {
		var id, slug, name, partner, learner, cred string
		if err := rows.Scan(&id, &slug, &name, &partner, &learner, &cred); err != nil {
			return total, nil, nil, fmt.Errorf("workshops: %w", err)
		}
		ts := []*tally{all}
		if byStructure[slug] == nil {
			byStructure[slug] = newTally(name)
		}
		ts = append(ts, byStructure[slug])
		if partner = strings.TrimSpace(partner); partner != "" {
			key := schema.Fold(partner)
			if byPartner[key] == nil {
				byPartner[key] = newTally(partner)
			} else if partner < byPartner[key].name { // one spelling, whatever the order of the rows
				byPartner[key].name = partner
			}
			ts = append(ts, byPartner[key])
		}
		for _, t := range ts {
			t.workshops[id], t.participants[learner], t.credentials[cred] = true, true, true
		}
	}
	if err := rows.Err(); err != nil {
		return total, nil, nil, fmt.Errorf("workshops: %w", err)
	}
	count := func(key string, t *tally) report.WorkshopCount {
		return report.WorkshopCount{Key: key, Name: t.name, Held: len(t.workshops), Participants: len(t.participants), Credentials: len(t.credentials)}
	}
	list := func(m map[string]*tally) []report.WorkshopCount {
		out := []report.WorkshopCount{}
		for k, t := range m {
			out = append(out, count(k, t))
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Held != out[j].Held {
				return out[i].Held > out[j].Held
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	return count("", all), list(byStructure), list(byPartner), nil
}
