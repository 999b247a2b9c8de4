package schema

import (
	"sort"
	"time"
)

// PathEntry is one credential on a learner's path: issued here or brought
// from another structure, with what its last verification said.
type PathEntry struct {
	CredentialID string
	Issuer       string // issuer id (did:web)
	IssuerName   string
	Framework    string
	IssuedAt     time.Time
	ValidUntil   time.Time // zero: no expiry
	Levels       []LevelResult
	// Status is the verdict of the last verification: StatusActive when the
	// credential verified (signature, trusted issuer, dates, status list),
	// otherwise StatusRevoked, StatusSuspended or a verifier reason such as
	// "expired" or "unknown_issuer".
	Status     string
	VerifiedAt time.Time
}

// Counts reports whether the entry still counts towards current levels.
func (e *PathEntry) Counts(now time.Time) bool {
	return e.Status == StatusActive && (e.ValidUntil.IsZero() || now.Before(e.ValidUntil))
}

// CurrentLevel is the level a learner holds in one competency: the highest
// level among the credentials that still verify, and where it comes from.
type CurrentLevel struct {
	Competency string
	Level      string
	Rank       int // 0 for the framework's lowest level
	From       *PathEntry
}

// CurrentLevels returns, per competency of fw in the framework's order, the
// highest level attested by an entry of fw that still counts at now. A
// revoked, suspended, expired or no longer trusted credential does not
// count; between equal levels the most recent credential is named.
func CurrentLevels(fw *Framework, entries []PathEntry, now time.Time) []CurrentLevel {
	best := map[string]CurrentLevel{}
	for i := range entries {
		e := &entries[i]
		if e.Framework != fw.ID || !e.Counts(now) {
			continue
		}
		for _, l := range e.Levels {
			comp, _, err := fw.Competency(l.Competency)
			if err != nil {
				continue
			}
			_, rank, err := fw.Level(l.Level)
			if err != nil {
				continue
			}
			// A credential issued under a former code counts for the
			// competency's current code.
			cur, ok := best[comp.Code]
			if !ok || rank > cur.Rank || rank == cur.Rank && e.IssuedAt.After(cur.From.IssuedAt) {
				best[comp.Code] = CurrentLevel{Competency: comp.Code, Level: l.Level, Rank: rank, From: e}
			}
		}
	}
	var out []CurrentLevel
	for _, area := range fw.Areas {
		for _, c := range area.Competences {
			if cl, ok := best[c.Code]; ok {
				out = append(out, cl)
			}
		}
	}
	return out
}

// StartingLevels maps each competency to its current level: what a new
// assessment starts from.
func StartingLevels(current []CurrentLevel) map[string]string {
	m := make(map[string]string, len(current))
	for _, c := range current {
		m[c.Competency] = c.Level
	}
	return m
}

// NextStep is what to work on next in one competency.
type NextStep struct {
	Competency *Competency
	Current    *Level // nil when the competency was never attested
	Next       *Level // nil when the current level is the framework's highest
}

// NextSteps returns, for each competency of fw in order, the level after
// the current one (the first level when there is none yet). With
// onlyAttested, competencies without a current level are left out.
func NextSteps(fw *Framework, current []CurrentLevel, onlyAttested bool) []NextStep {
	held := map[string]CurrentLevel{}
	for _, c := range current {
		held[fw.CanonicalCode(c.Competency)] = c
	}
	var out []NextStep
	for ai := range fw.Areas {
		for ci := range fw.Areas[ai].Competences {
			comp := &fw.Areas[ai].Competences[ci]
			step := NextStep{Competency: comp}
			if cl, ok := held[comp.Code]; ok {
				step.Current = &fw.Levels[cl.Rank]
				if cl.Rank+1 < len(fw.Levels) {
					step.Next = &fw.Levels[cl.Rank+1]
				}
			} else if onlyAttested {
				continue
			} else if len(fw.Levels) > 0 {
				step.Next = &fw.Levels[0]
			}
			out = append(out, step)
		}
	}
	return out
}

// SortPath orders a learner's path newest first, for a timeline.
func SortPath(entries []PathEntry) {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].IssuedAt.After(entries[j].IssuedAt) })
}
