package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"carnet/report"
	"carnet/schema"
)

// workshopCounts is the workshops of one period: in all, by structure,
// by partner.
type workshopCounts struct {
	total                  report.WorkshopCount
	byStructure, byPartner []report.WorkshopCount
}

// workshopFigures counts the workshops held in each period (package
// report has the definitions) of q's structures and framework: a
// workshop's credentials are those its latest issuance
// (workshops.batch_id) names in its rows, and it is held when the first
// of them was issued. Each batch row keeps its credential's time and
// learner (migration 0020, FinishBatchRow), so that the credentials
// themselves are not read. The rows, one per credential of a workshop of
// the structures, are read once for all the periods.
func workshopFigures(ctx context.Context, tx *sql.Tx, q report.Query, periods ...[2]time.Time) ([]workshopCounts, error) {
	sc := of(q, "w", true)
	rows, err := tx.QueryContext(ctx, `SELECT w.id, s.slug, s.name, w.partner, r.cred_learner, r.credential_id,
			MIN(r.cred_issued_at) OVER (PARTITION BY w.id)
		FROM workshops w JOIN batch_rows r ON r.batch_id = w.batch_id AND r.credential_id != '' AND r.cred_issued_at != ''
		JOIN structures s ON s.id = w.structure_id
		WHERE w.batch_id != '' AND `+sc.where, sc.args...)
	if err != nil {
		return nil, fmt.Errorf("workshops: %w", err)
	}
	defer rows.Close()
	type tally struct {
		name                                 string
		workshops, participants, credentials map[string]bool
	}
	newTally := func(name string) *tally {
		return &tally{name: name, workshops: map[string]bool{}, participants: map[string]bool{}, credentials: map[string]bool{}}
	}
	type perPeriod struct {
		from, to               string
		all                    *tally
		byStructure, byPartner map[string]*tally
	}
	ps := make([]*perPeriod, len(periods))
	for i, p := range periods {
		ps[i] = &perPeriod{from: formatTime(p[0]), to: formatTime(p[1]), all: newTally(""), byStructure: map[string]*tally{}, byPartner: map[string]*tally{}}
	}
	for rows.Next() {
		var id, slug, name, partner, learner, cred string
		var held sql.NullString
		if err := rows.Scan(&id, &slug, &name, &partner, &learner, &cred, &held); err != nil {
			return nil, fmt.Errorf("workshops: %w", err)
		}
		partner = strings.TrimSpace(partner)
		for _, p := range ps {
			if !held.Valid || held.String < p.from || held.String >= p.to {
				continue
			}
			ts := []*tally{p.all}
			if p.byStructure[slug] == nil {
				p.byStructure[slug] = newTally(name)
			}
			ts = append(ts, p.byStructure[slug])
			if partner != "" {
				key := schema.Fold(partner)
				if p.byPartner[key] == nil {
					p.byPartner[key] = newTally(partner)
				} else if partner < p.byPartner[key].name { // one spelling, whatever the order of the rows
					p.byPartner[key].name = partner
				}
				ts = append(ts, p.byPartner[key])
			}
			for _, t := range ts {
				t.workshops[id], t.participants[learner], t.credentials[cred] = true, true, true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("workshops: %w", err)
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
	out := make([]workshopCounts, len(ps))
	for i, p := range ps {
		out[i] = workshopCounts{total: count("", p.all), byStructure: list(p.byStructure), byPartner: list(p.byPartner)}
	}
	return out, nil
}
