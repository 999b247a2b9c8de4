// Package report is the bilan: the definitions of its figures, their
// aggregation from what the storage counts (Store, in package sqlite), the
// privacy rule that hides small counts, and the CSV export and SVG charts.
// It takes explicit inputs (the structures, the period, the framework):
// who may see which structures is decided by its caller. The PDF export is
// in report/pdf, the one other package that imports the PDF library.
//
// The definitions, for a period [From, To) and a set of structures:
//
//   - people accompanied: learners with at least one credential (one
//     assessment) issued in the period by those structures, whatever its
//     status since; new: those whose first credential ever from those
//     structures is in the period; returning: the others.
//   - assessments: credentials issued in the period (each credential is one
//     assessment); revoked, suspended: credentials whose revocation, or
//     current suspension, happened in the period, whenever issued.
//   - per competency, assessed: learners with a level on it in a credential
//     of the period that is not revoked; the level distribution counts each
//     of them once, at the level of their latest such credential in the
//     period.
//   - progression: among the learners assessed on a competency in the
//     period, those with at least two non-revoked assessments on it up to
//     the period's end (earlier periods included); progressed: their latest
//     level is above their first; by how many levels; and the median number
//     of days between those two assessments.
//   - continuity: credentials from other issuers (partners, or other
//     structures of the instance) attached in the period to learners of the
//     structures, by issuer; learners accompanied in the period whose path
//     spans two or more structures (at least one such credential attached,
//     at any time).
//   - verifications: verifications on this instance of credentials and
//     cards the structures issued, by day (counted per day, not per person).
//   - workshops (ateliers): a workshop is held in the period when the
//     first of its credentials was issued in it (a workshop not issued
//     yet is not counted); its credentials are those of its latest
//     issuance (one per participant issued, a credential issued by an
//     earlier issuance of the same grid included), whatever their status
//     since; participants: the distinct learners those credentials were
//     issued to, across the workshops held. By structure, and by partner
//     (the workshop's partner as typed, letter case and accents aside).
//   - next steps: for each learner and competency of the distribution, the
//     catalogue's resources for the level after theirs; most frequent first.
//   - previous period: the period of the same length just before (the
//     previous month, quarter or year for calendar periods).
//
// Privacy: a report is aggregates only, with no names. Every count of
// people or credentials between 1 and Threshold-1 is shown as "< 5" (with
// the threshold in place of 5); verifications count acts of verifiers, and
// workshops held count sessions, not people: both are shown as they are.
package report

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"carnet/schema"
)

// DefaultThreshold is the smallest count shown as a number.
const DefaultThreshold = 5

// Query is what a bilan covers.
type Query struct {
	StructureIDs []int64   // nil: the whole instance
	Framework    string    // "": every framework
	From, To     time.Time // the period, [From, To)
}

// Store counts what a bilan needs (sqlite.ReportStore).
type Store interface {
	// Figures counts everything of a query.
	Figures(ctx context.Context, q Query) (*Figures, error)
	// Headline counts the key figures only (the previous period).
	Headline(ctx context.Context, q Query) (*Headline, error)
	// AddVerifications adds tallies of verifications of the structures'
	// credentials: structure id -> day (YYYY-MM-DD) -> how many.
	AddVerifications(ctx context.Context, tally map[int64]map[string]int) error
}

// Headline holds the key figures of a period, as the store counts them.
type Headline struct {
	People, New                int
	Issued, Revoked, Suspended int
	Attached, MultiStructure   int
	Workshops                  WorkshopCount
}

// WorkshopCount counts the workshops held in a period, their participants
// and the credentials issued through them: all of them, or those of one
// structure (Key: its slug, Name: its name) or one partner (Key: the
// partner folded, Name: as typed).
type WorkshopCount struct {
	Key, Name                       string
	Held, Participants, Credentials int
}

// Figures is what the store counts for a period, before the privacy rule.
type Figures struct {
	Headline
	Assessed      []CompetencyCount // learners assessed per competency
	Levels        []LevelCount      // learners per competency at their latest level of the period
	Histories     []History         // learners assessed at least twice, by first and latest level
	Partners      []PartnerCount    // attached credentials by issuer
	Verifications []DayCount        // verifications by day
	Monthly       []MonthCount      // by month of the period
	// WorkshopsByStructure and WorkshopsByPartner break Headline.Workshops
	// down, most workshops first.
	WorkshopsByStructure, WorkshopsByPartner []WorkshopCount
	// Previous is the key figures of the previous period
	// (PreviousPeriod), when the store counts them with the period's;
	// nil: Build asks Headline.
	Previous *Headline
}

// CompetencyCount is a count of learners on a competency.
type CompetencyCount struct {
	Framework, Competency string
	N                     int
}

// LevelCount is a count of learners on a competency at a level.
type LevelCount struct {
	Framework, Competency, Level string
	N                            int
}

// History counts learners of the period assessed at least twice on a
// competency up to its end, by their first and latest levels and the days
// between those two assessments.
type History struct {
	Framework, Competency string
	First, Last           string
	Days                  int
	N                     int
}

// PartnerCount counts credentials attached from one issuer.
type PartnerCount struct {
	Issuer, Name string
	N            int
}

// DayCount is a count on one day (YYYY-MM-DD).
type DayCount struct {
	Day string `json:"day"`
	N   int    `json:"n"`
}

// MonthCount counts one month (YYYY-MM) of a period.
type MonthCount struct {
	Month  string
	People int
	Issued int
}

// Count is a figure as shown: a number, or "< 5" when it is small.
type Count struct {
	N         int
	Small     bool // between 1 and the threshold - 1: N is 0, hidden
	Threshold int
}

// MarshalJSON writes the number, or the string "< 5".
func (c Count) MarshalJSON() ([]byte, error) {
	if c.Small {
		return json.Marshal(c.String())
	}
	return []byte(strconv.Itoa(c.N)), nil
}

// String is the number, or "< 5".
func (c Count) String() string {
	if c.Small {
		return "< " + strconv.Itoa(c.Threshold)
	}
	return strconv.Itoa(c.N)
}

// Report is a bilan as shown and exported: the privacy rule applied.
type Report struct {
	From          string          `json:"from"` // YYYY-MM-DD
	To            string          `json:"to"`   // YYYY-MM-DD, the last day included
	Structure     string          `json:"structure,omitempty"`
	Framework     string          `json:"framework,omitempty"`
	Threshold     int             `json:"threshold"`
	People        Count           `json:"people"`
	New           Count           `json:"new"`
	Returning     Count           `json:"returning"`
	Assessments   Count           `json:"assessments"`
	Credentials   Credentials     `json:"credentials"`
	Workshops     Workshops       `json:"workshops"`
	Competences   []Competence    `json:"competences"`
	Continuity    Continuity      `json:"continuity"`
	Verifications Verifications   `json:"verifications"`
	Resources     []ResourceCount `json:"resources"`
	Monthly       []Month         `json:"monthly"`
	Previous      Previous        `json:"previous"`
}

// Credentials counts the credentials of a period.
type Credentials struct {
	Issued    Count `json:"issued"`
	Revoked   Count `json:"revoked"`
	Suspended Count `json:"suspended"`
}

// Workshops counts the group workshops (ateliers) held in the period.
type Workshops struct {
	Recorded     bool            `json:"recorded"`     // true: workshops are counted (false before Carnet recorded them)
	Sessions     Count           `json:"sessions"`     // workshops held (never "< 5": sessions, not people)
	Participants Count           `json:"participants"` // distinct learners issued a credential through them
	Credentials  Count           `json:"credentials"`  // credentials issued through them
	ByStructure  []WorkshopShare `json:"by_structure"`
	ByPartner    []WorkshopShare `json:"by_partner"`
}

// WorkshopShare is the workshops of one structure or one partner.
type WorkshopShare struct {
	Structure    string `json:"structure,omitempty"` // the structure's slug (by_structure)
	Name         string `json:"name"`                // the structure's name, or the partner as typed
	Sessions     Count  `json:"sessions"`
	Participants Count  `json:"participants"`
	Credentials  Count  `json:"credentials"`
}

// PreviousWorkshops is the workshops of the previous period.
type PreviousWorkshops struct {
	Sessions     Count `json:"sessions"`
	Participants Count `json:"participants"`
	Credentials  Count `json:"credentials"`
}

// Competence is the bilan of one competency.
type Competence struct {
	Framework string           `json:"framework"`
	Code      string           `json:"code"`
	Assessed  Count            `json:"assessed"`
	Levels    map[string]Count `json:"levels"`
	// LevelOrder is the framework's order of Levels' keys.
	LevelOrder    []string         `json:"-"`
	AssessedTwice Count            `json:"assessed_twice"`
	Progressed    Count            `json:"progressed"`
	ProgressedBy  map[string]Count `json:"progressed_by"` // levels moved up ("1", "2", …) -> learners
	MedianDays    *int             `json:"median_days"`   // null when none progressed or too few to show
}

// Continuity is the bilan of the paths across structures.
type Continuity struct {
	Attached       Count          `json:"attached"`
	ByPartner      []PartnerShare `json:"by_partner"`
	MultiStructure Count          `json:"multi_structure"`
}

// PartnerShare is the credentials attached from one issuer.
type PartnerShare struct {
	Issuer string `json:"issuer"`
	Name   string `json:"name"`
	N      Count  `json:"n"`
}

// Verifications counts the verifications of the structures' credentials.
type Verifications struct {
	Total int        `json:"total"`
	ByDay []DayCount `json:"by_day"`
}

// ResourceCount is how often a resource is a suggested next step.
type ResourceCount struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
	N    Count  `json:"n"`
}

// Month is one month of a period.
type Month struct {
	Month  string `json:"month"`
	People Count  `json:"people"`
	Issued Count  `json:"issued"`
}

// Previous is the key figures of the period before, for comparison.
type Previous struct {
	From           string `json:"from"`
	To             string `json:"to"`
	People         Count  `json:"people"`
	New            Count  `json:"new"`
	Issued         Count  `json:"issued"`
	Revoked        Count  `json:"revoked"`
	Suspended      Count  `json:"suspended"`
	Attached       Count  `json:"attached"`
	MultiStructure Count  `json:"multi_structure"`
	// Workshops is the previous period's workshops.
	Workshops PreviousWorkshops `json:"workshops"`
}

// Options are the inputs of Build beside the query.
type Options struct {
	Structure  string             // the structure's slug, shown; "" for the instance
	Frameworks *schema.Frameworks // level order and competencies
	Catalogue  *schema.Catalogue  // next steps; nil: none
	Lang       string             // resource names
	Threshold  int                // 0: DefaultThreshold
}

// Build counts the bilan of q and applies the privacy rule.
func Build(ctx context.Context, st Store, q Query, o Options) (*Report, error) {
	if !q.From.Before(q.To) {
		return nil, schema.Errorf(schema.EINVALID, "the period ends before it starts", "la période finit avant de commencer")
	}
	f, err := st.Figures(ctx, q)
	if err != nil {
		return nil, err
	}
	pq := q
	pq.From, pq.To = PreviousPeriod(q.From, q.To)
	prev := f.Previous
	if prev == nil {
		if prev, err = st.Headline(ctx, pq); err != nil {
			return nil, err
		}
	}
	return assemble(f, prev, q, pq, o), nil
}

// PreviousPeriod is the period before [from, to): the same number of
// calendar months when from and to start months, else the same length.
func PreviousPeriod(from, to time.Time) (time.Time, time.Time) {
	if from.Day() == 1 && to.Day() == 1 && isMidnight(from) && isMidnight(to) {
		months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month())
		return from.AddDate(0, -months, 0), from
	}
	return from.Add(-to.Sub(from)), from
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

func assemble(f *Figures, prev *Headline, q, pq Query, o Options) *Report {
	th := o.Threshold
	if th <= 0 {
		th = DefaultThreshold
	}
	c := func(n int) Count {
		if n > 0 && n < th {
			return Count{Small: true, Threshold: th}
		}
		return Count{N: n, Threshold: th}
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	r := &Report{From: day(q.From), To: day(q.To.AddDate(0, 0, -1)), Structure: o.Structure, Framework: q.Framework, Threshold: th,
		People: c(f.People), New: c(f.New), Returning: c(f.People - f.New), Assessments: c(f.Issued),
		Credentials: Credentials{Issued: c(f.Issued), Revoked: c(f.Revoked), Suspended: c(f.Suspended)},
		Workshops: Workshops{Recorded: true, Sessions: Count{N: f.Workshops.Held, Threshold: th},
			Participants: c(f.Workshops.Participants), Credentials: c(f.Workshops.Credentials),
			ByStructure: []WorkshopShare{}, ByPartner: []WorkshopShare{}},
		Competences: []Competence{}, Resources: []ResourceCount{}, Monthly: []Month{},
	}
	r.Previous = Previous{From: day(pq.From), To: day(pq.To.AddDate(0, 0, -1)), People: c(prev.People), New: c(prev.New), Issued: c(prev.Issued),
		Revoked: c(prev.Revoked), Suspended: c(prev.Suspended), Attached: c(prev.Attached), MultiStructure: c(prev.MultiStructure),
		Workshops: PreviousWorkshops{Sessions: Count{N: prev.Workshops.Held, Threshold: th}, Participants: c(prev.Workshops.Participants),
			Credentials: c(prev.Workshops.Credentials)}}
	share := func(w WorkshopCount, structure string) WorkshopShare {
		return WorkshopShare{Structure: structure, Name: w.Name, Sessions: Count{N: w.Held, Threshold: th},
			Participants: c(w.Participants), Credentials: c(w.Credentials)}
	}
	for _, w := range f.WorkshopsByStructure {
		r.Workshops.ByStructure = append(r.Workshops.ByStructure, share(w, w.Key))
	}
	for _, w := range f.WorkshopsByPartner {
		r.Workshops.ByPartner = append(r.Workshops.ByPartner, share(w, ""))
	}

	// Competencies, in framework order.
	type key struct{ fw, code string }
	assessed := map[key]int{}
	for _, a := range f.Assessed {
		assessed[key{a.Framework, a.Competency}] += a.N
	}
	levels := map[key]map[string]int{}
	for _, l := range f.Levels {
		k := key{l.Framework, l.Competency}
		if levels[k] == nil {
			levels[k] = map[string]int{}
		}
		levels[k][l.Level] += l.N
	}
	type prog struct {
		twice, up int
		by        map[int]int
		days      map[int]int
	}
	progs := map[key]*prog{}
	for _, h := range f.Histories {
		k := key{h.Framework, h.Competency}
		p := progs[k]
		if p == nil {
			p = &prog{by: map[int]int{}, days: map[int]int{}}
			progs[k] = p
		}
		p.twice += h.N
		fw, err := o.Frameworks.Get(h.Framework)
		if err != nil {
			continue
		}
		_, first, err1 := fw.Level(h.First)
		_, last, err2 := fw.Level(h.Last)
		if err1 != nil || err2 != nil || last <= first {
			continue
		}
		p.up += h.N
		p.by[last-first] += h.N
		p.days[h.Days] += h.N
	}
	keys := make([]key, 0, len(assessed))
	for k := range assessed {
		keys = append(keys, k)
	}
	order := func(k key) (string, int) {
		fw, err := o.Frameworks.Get(k.fw)
		if err != nil {
			return k.fw, 1 << 30
		}
		i := 0
		for _, a := range fw.Areas {
			for _, cp := range a.Competences {
				if cp.Code == k.code {
					return k.fw, i
				}
				i++
			}
		}
		return k.fw, 1 << 30
	}
	sort.Slice(keys, func(i, j int) bool {
		fi, oi := order(keys[i])
		fj, oj := order(keys[j])
		if fi != fj {
			return fi < fj
		}
		if oi != oj {
			return oi < oj
		}
		return keys[i].code < keys[j].code
	})
	next := map[string]int{}
	var cat []schema.Resource
	if o.Catalogue != nil {
		cat = o.Catalogue.Resources
	}
	for _, k := range keys {
		cp := Competence{Framework: k.fw, Code: k.code, Assessed: c(assessed[k]), Levels: map[string]Count{}, ProgressedBy: map[string]Count{}}
		fw, _ := o.Frameworks.Get(k.fw)
		if fw != nil {
			for _, l := range fw.Levels {
				cp.LevelOrder = append(cp.LevelOrder, l.ID)
				cp.Levels[l.ID] = c(levels[k][l.ID])
			}
		}
		for id, n := range levels[k] {
			if _, ok := cp.Levels[id]; !ok { // a level the framework no longer has
				cp.LevelOrder = append(cp.LevelOrder, id)
				cp.Levels[id] = c(n)
			}
			if fw != nil && o.Catalogue != nil {
				if _, rank, err := fw.Level(id); err == nil && rank+1 < len(fw.Levels) {
					for _, res := range o.Catalogue.Suggest(fw, k.code, fw.Levels[rank+1].ID) {
						next[res.ID] += n
					}
				}
			}
		}
		if p := progs[k]; p != nil {
			cp.AssessedTwice, cp.Progressed = c(p.twice), c(p.up)
			for by, n := range p.by {
				cp.ProgressedBy[strconv.Itoa(by)] = c(n)
			}
			if p.up > 0 && p.up >= th {
				m := median(p.days, p.up)
				cp.MedianDays = &m
			}
		} else {
			cp.AssessedTwice, cp.Progressed = c(0), c(0)
		}
		r.Competences = append(r.Competences, cp)
	}
	for _, res := range cat {
		if n := next[res.ID]; n > 0 {
			r.Resources = append(r.Resources, ResourceCount{ID: res.ID, Name: res.Name.In(o.Lang), URL: res.URL, N: c(n)})
		}
	}
	sort.SliceStable(r.Resources, func(i, j int) bool { return next[r.Resources[i].ID] > next[r.Resources[j].ID] })

	r.Continuity = Continuity{Attached: c(f.Attached), MultiStructure: c(f.MultiStructure), ByPartner: []PartnerShare{}}
	partners := append([]PartnerCount{}, f.Partners...)
	sort.SliceStable(partners, func(i, j int) bool { return partners[i].N > partners[j].N })
	for _, p := range partners {
		r.Continuity.ByPartner = append(r.Continuity.ByPartner, PartnerShare{Issuer: p.Issuer, Name: p.Name, N: c(p.N)})
	}
	r.Verifications.ByDay = []DayCount{}
	for _, d := range f.Verifications {
		r.Verifications.Total += d.N
		r.Verifications.ByDay = append(r.Verifications.ByDay, d)
	}
	byMonth := map[string]MonthCount{}
	for _, m := range f.Monthly {
		byMonth[m.Month] = m
	}
	for m := time.Date(q.From.Year(), q.From.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(q.To); m = m.AddDate(0, 1, 0) {
		mc := byMonth[m.Format("2006-01")]
		r.Monthly = append(r.Monthly, Month{Month: m.Format("2006-01"), People: c(mc.People), Issued: c(mc.Issued)})
	}
	return r
}

// median returns the middle value (the lower one for an even count) of n
// values given as value -> how many.
func median(counts map[int]int, n int) int {
	vals := make([]int, 0, len(counts))
	for v := range counts {
		vals = append(vals, v)
	}
	sort.Ints(vals)
	seen := 0
	for _, v := range vals {
		seen += counts[v]
		if 2*seen >= n {
			return v
		}
	}
	return 0
}

// ParseDay reads a YYYY-MM-DD date as midnight UTC.
func ParseDay(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, schema.Errorf(schema.EINVALID, "%q is not a date (YYYY-MM-DD)", "%q n'est pas une date (AAAA-MM-JJ)", s)
	}
	return t, nil
}

// Period reads the from and to dates of a request (to included) as the
// half-open period [from, to+1 day); both empty: the current calendar year.
func Period(from, to string, now time.Time) (time.Time, time.Time, error) {
	if from == "" && to == "" {
		y := now.UTC().Year()
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	if from == "" || to == "" {
		return time.Time{}, time.Time{}, schema.Errorf(schema.EINVALID, "give both from and to", "indiquez les deux dates, from et to")
	}
	f, err := ParseDay(from)
	if err != nil {
		return f, f, err
	}
	t, err := ParseDay(to)
	if err != nil {
		return f, t, err
	}
	if t.Before(f) {
		return f, t, schema.Errorf(schema.EINVALID, "the period ends before it starts", "la période finit avant de commencer")
	}
	if t.Sub(f) > 10*366*24*time.Hour {
		return f, t, schema.Errorf(schema.EINVALID, "a bilan covers ten years at most", "un bilan couvre dix ans au plus")
	}
	return f, t.AddDate(0, 0, 1), nil
}
