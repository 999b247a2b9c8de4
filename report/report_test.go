package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"carnet/report"
	"carnet/schema"
	"carnet/sqlite"
)

// dataset is a small instance whose every figure is counted by hand in
// the comments of TestFigures.
type dataset struct {
	db      *sqlite.DB
	reports *sqlite.ReportStore
	a, b    *schema.Structure
	fws     *schema.Frameworks
	cat     *schema.Catalogue
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}

func newDataset(t *testing.T) *dataset {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d := &dataset{db: db, reports: sqlite.NewReportStore(db), fws: schema.NewFrameworks()}
	sts := sqlite.NewStructureStore(db)
	d.a = &schema.Structure{Slug: "bib-a", Name: "Bib A"}
	d.b = &schema.Structure{Slug: "bib-b", Name: "Bib B"}
	for _, st := range []*schema.Structure{d.a, d.b} {
		if err := sts.CreateStructure(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	learners := sqlite.NewLearnerStore(db)
	creds := sqlite.NewCredentialStore(db)
	imps := sqlite.NewImportStore(db)
	ls := map[string]*schema.Learner{}
	for _, x := range []struct{ id, st string }{{"L1", "a"}, {"L2", "a"}, {"L3", "a"}, {"L4", "a"}, {"L5", "a"}, {"L6", "a"}, {"M1", "b"}, {"M2", "b"}} {
		st := d.a
		if x.st == "b" {
			st = d.b
		}
		l := &schema.Learner{ID: x.id, StructureID: st.ID, Name: "Personne " + x.id}
		if err := learners.CreateLearner(ctx, l); err != nil {
			t.Fatal(err)
		}
		ls[x.id] = l
	}
	n := 0
	issue := func(learner string, st *schema.Structure, at string, levels ...string) string {
		t.Helper()
		n++
		c := &schema.CredentialRecord{ID: fmt.Sprintf("urn:uuid:c%d", n), Structure: st.Slug, Framework: "digcomp-2.2", IssuedAt: day(at),
			JWT: "jws", CardToken: "card", ShortCode: fmt.Sprintf("CODE%d", n), StatusList: 1, StatusIndex: n}
		if strings.HasPrefix(learner, "did:") {
			c.SubjectID = learner
		} else {
			c.LearnerID, c.SubjectID = learner, "urn:uuid:"+learner
		}
		for i := 0; i < len(levels); i += 2 {
			c.Results = append(c.Results, schema.LevelResult{Competency: levels[i], Level: levels[i+1]})
		}
		if err := creds.CreateCredential(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	status := func(id, action, at string) {
		t.Helper()
		if _, err := creds.SetCredentialStatus(ctx, id, schema.StatusChange{Action: action, Reason: "test", At: day(at)}); err != nil {
			t.Fatal(err)
		}
	}
	l1a := issue("L1", d.a, "2025-06-01", "1.1", "2")
	issue("L1", d.a, "2026-03-10", "1.1", "4", "2.1", "1")
	issue("L2", d.a, "2026-02-01", "1.1", "3")
	issue("L2", d.a, "2026-05-01", "1.1", "3")
	issue("L3", d.a, "2026-04-01", "1.1", "1")
	status(issue("L3", d.a, "2026-04-11", "1.1", "2"), schema.AuditRevoke, "2026-06-01")
	status(issue("L4", d.a, "2026-07-01", "2.1", "2"), schema.AuditSuspend, "2026-08-01")
	issue("L5", d.a, "2024-01-01", "1.1", "1")
	issue("L5", d.a, "2026-09-15", "1.1", "2")
	issue("L5", d.a, "2026-12-31T13:59:00Z", "1.1", "5")
	issue("L5", d.a, "2027-01-02", "1.1", "8")
	issue("L6", d.a, "2025-03-01", "1.1", "1")
	issue("did:example:cli", d.a, "2026-11-01", "2.1", "3")
	m1 := issue("M1", d.b, "2026-06-01", "1.1", "6")
	issue("M2", d.b, "2026-10-01", "1.1", "2")
	attach := func(learner string, st *schema.Structure, credID, issuer, name, at string) {
		t.Helper()
		if err := imps.CreateImport(ctx, &schema.ImportedCredential{LearnerID: learner, StructureID: st.ID, Kind: "credential", Input: "jws",
			CredentialID: credID, IssuerID: issuer, IssuerName: name, Framework: "digcomp-2.2", AttachedAt: day(at)}); err != nil {
			t.Fatal(err)
		}
	}
	attach("M1", d.b, l1a, "did:web:carnet.example:s:bib-a", "Bib A", "2026-06-02")
	attach("M1", d.b, "urn:uuid:x1", "did:web:partner.example", "Partenaire X", "2026-07-01")
	attach("M1", d.b, "urn:uuid:x0", "did:web:partner.example", "Partenaire X", "2025-07-01")
	attach("M2", d.b, m1, "did:web:carnet.example:s:bib-b", "Bib B", "2026-10-02") // its own structure's: not a partner's
	// Workshops: each names its credentials in the rows of its latest
	// issuance (a batch); credentials already in the dataset (c1 … c15, in
	// the order issued above), so that no other figure changes.
	wss, batches := sqlite.NewWorkshopStore(db), sqlite.NewBatchStore(db)
	nb := 0
	batch := func(st *schema.Structure, creds ...string) string {
		t.Helper()
		nb++
		b := &schema.Batch{ID: fmt.Sprintf("batch-%d", nb), StructureID: st.ID, Framework: "digcomp-2.2", Status: schema.BatchDone, Total: len(creds)}
		var rows []*schema.BatchRow
		for i := range creds {
			rows = append(rows, &schema.BatchRow{Row: i + 1, Name: "Personne", Key: fmt.Sprintf("key-%d-%d", nb, i)})
		}
		if _, _, err := batches.CreateBatch(ctx, b, rows); err != nil {
			t.Fatal(err)
		}
		for i, c := range creds {
			r := rows[i]
			// "c3:L2": the row names its learner, as a row of the app does
			// (its credential's, or another's: a grid changed since).
			c, r.LearnerID, _ = strings.Cut(c, ":")
			if c == "" { // refused
				r.ErrCode, r.ErrMessage = schema.EINVALID, "refused"
			} else {
				r.CredentialID = "urn:uuid:" + c
			}
			// A credential named twice: the second row answers the first's.
			issued := c != "" && !slices.ContainsFunc(creds[:i], func(x string) bool { return strings.HasPrefix(x+":", c+":") })
			if err := batches.FinishBatchRow(ctx, r, issued); err != nil {
				t.Fatal(err)
			}
		}
		return b.ID
	}
	workshop := func(id string, st *schema.Structure, partner, batchID string) {
		t.Helper()
		w := &schema.Workshop{ID: id, StructureID: st.ID, Title: "Atelier " + id, Partner: partner, Framework: "digcomp-2.2",
			Competencies: []string{"1.1"}, CreatedAt: day("2025-01-01")}
		if err := wss.CreateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
		w.BatchID = batchID
		if err := wss.UpdateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	workshop("w1", d.a, "France Travail", batch(d.a, "c3:L2", "c5:L1", "", "c2", "c3"))
	workshop("w2", d.a, " france travail", batch(d.a, "c4:L2", "c7:L4", "c6:L3"))
	workshop("w3", d.a, "", batch(d.a, "c12", "c9"))
	workshop("w4", d.a, "France Travail", "")     // not issued
	batch(d.a, "c9")                              // w5's first issuance, not its latest
	workshop("w5", d.a, "", batch(d.a, "c10:L1")) // a row naming another participant
	workshop("w6", d.b, "Mission locale", batch(d.b, "c14", "c15"))
	workshop("w7", d.a, "Mission locale", batch(d.a, "c11"))
	if err := d.reports.AddVerifications(ctx, map[int64]map[string]int{
		d.a.ID: {"2026-03-01": 3, "2026-03-02": 1, "2025-12-31": 7},
		d.b.ID: {"2026-03-01": 2},
	}); err != nil {
		t.Fatal(err)
	}
	d.cat = schema.CatalogueOf([]*schema.Resource{
		{ID: "r-1-1", Name: schema.Text{"fr": "Ressource 1.1"}, URL: "https://example.org/1",
			Covers: []schema.Coverage{{Framework: "digcomp-2.2", Competencies: []string{"1.1"}, From: "1", To: "8"}}},
		{ID: "r-2-1", Name: schema.Text{"fr": "Ressource 2.1"}, URL: "https://example.org/2",
			Covers: []schema.Coverage{{Framework: "digcomp-2.2", Competencies: []string{"2.1"}, From: "2", To: "3"}}},
	})
	return d
}

func (d *dataset) build(t *testing.T, ids []int64, threshold int) *report.Report {
	t.Helper()
	from, to, err := report.Period("2026-01-01", "2026-12-31", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(context.Background(), d.reports, report.Query{StructureIDs: ids, From: from, To: to},
		report.Options{Frameworks: d.fws, Catalogue: d.cat, Lang: "fr", Threshold: threshold})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// n is a count shown as a number.
func n(v int) report.Count { return report.Count{N: v, Threshold: 1} }

func TestFigures(t *testing.T) {
	d := newDataset(t)
	r := d.build(t, []int64{d.a.ID}, 1)
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %+v, want %+v", name, got, want)
		}
	}
	// Structure A, 2026. Credentials issued: L1 ×1, L2 ×2, L3 ×2, L4, L5 ×2
	// (2026-09-15 and 2026-12-31; not 2027-01-02), the CLI subject: 9.
	check("issued", r.Credentials.Issued, n(9))
	check("assessments", r.Assessments, n(9))
	// People: L1 L2 L3 L4 L5 and the CLI subject; new: L2 L3 L4 and the
	// CLI subject (L1 and L5 had credentials before 2026).
	check("people", r.People, n(6))
	check("new", r.New, n(4))
	check("returning", r.Returning, n(2))
	check("revoked", r.Credentials.Revoked, n(1))
	check("suspended", r.Credentials.Suspended, n(1))
	if len(r.Competences) != 2 {
		t.Fatalf("competences: %+v", r.Competences)
	}
	c11, c21 := r.Competences[0], r.Competences[1]
	check("1.1 code", c11.Framework+" "+c11.Code, "digcomp-2.2 1.1")
	// 1.1: L1 at 4, L2 at 3, L3 at 1 (its level-2 credential is revoked),
	// L5 at 5 (its latest of the period).
	check("1.1 assessed", c11.Assessed, n(4))
	for lvl, want := range map[string]int{"1": 1, "2": 0, "3": 1, "4": 1, "5": 1, "6": 0, "7": 0, "8": 0} {
		check("1.1 level "+lvl, c11.Levels[lvl], n(want))
	}
	check("1.1 level order", strings.Join(c11.LevelOrder, ","), "1,2,3,4,5,6,7,8")
	// Twice: L1 (2 then 4), L2 (3 then 3), L5 (1 in 2024, then 5); L3's
	// second is revoked. Up: L1 by 2 in 282 days, L5 by 4 in 1095 days.
	check("1.1 twice", c11.AssessedTwice, n(3))
	check("1.1 progressed", c11.Progressed, n(2))
	check("1.1 progressed by", c11.ProgressedBy, map[string]report.Count{"2": n(1), "4": n(1)})
	if c11.MedianDays == nil || *c11.MedianDays != 282 {
		t.Errorf("1.1 median days = %v, want 282", c11.MedianDays)
	}
	// 2.1: L1 at 1, L4 at 2 (suspended, not revoked), the CLI subject at 3.
	check("2.1 assessed", c21.Assessed, n(3))
	check("2.1 levels", [3]report.Count{c21.Levels["1"], c21.Levels["2"], c21.Levels["3"]}, [3]report.Count{n(1), n(1), n(1)})
	check("2.1 twice", c21.AssessedTwice, n(0))
	check("2.1 progressed", c21.Progressed, n(0))
	if c21.MedianDays != nil {
		t.Errorf("2.1 median days = %v, want none", *c21.MedianDays)
	}
	// Next steps: r-1-1 for the 4 learners of 1.1 (none at 8); r-2-1 for
	// 2.1's levels 1 and 2 (next 2 and 3), not 3 (next 4).
	check("resources", r.Resources, []report.ResourceCount{
		{ID: "r-1-1", Name: "Ressource 1.1", URL: "https://example.org/1", N: n(4)},
		{ID: "r-2-1", Name: "Ressource 2.1", URL: "https://example.org/2", N: n(2)},
	})
	// Nothing attached in A.
	check("attached", r.Continuity.Attached, n(0))
	check("multi", r.Continuity.MultiStructure, n(0))
	check("verifications", r.Verifications, report.Verifications{Total: 4, ByDay: []report.DayCount{{Day: "2026-03-01", N: 3}, {Day: "2026-03-02", N: 1}}})
	months := map[string][2]report.Count{}
	for _, m := range r.Monthly {
		months[m.Month] = [2]report.Count{m.People, m.Issued}
	}
	check("months", len(r.Monthly), 12)
	check("2026-04", months["2026-04"], [2]report.Count{n(1), n(2)})
	check("2026-12", months["2026-12"], [2]report.Count{n(1), n(1)})
	check("2026-06", months["2026-06"], [2]report.Count{n(0), n(0)})
	// 2025: L1 and L6, both new.
	check("previous", [4]any{r.Previous.From, r.Previous.To, r.Previous.People, r.Previous.New}, [4]any{"2025-01-01", "2025-12-31", n(2), n(2)})
	check("previous issued", r.Previous.Issued, n(2))
	check("period", r.From+" "+r.To, "2026-01-01 2026-12-31")
	// Workshops of A held in 2026 (their first credential in 2026): w1
	// (c2 L1, c3 L2, c5 L3 — its row names L1; a refused row, c3 named
	// twice), w2 (c4 L2,
	// c7 L4, c6 L3 revoked: issued all the same; held 2026-04-11) and w5
	// (c10 L5, its latest issuance; not c9, of its first). Not w3 (first
	// credential c12 in 2025), w4 (not issued), w7 (c11 in 2027).
	// Participants: L1 … L5; credentials: 7. By partner: w1 and w2, one
	// partner typed two ways.
	check("workshops", r.Workshops, report.Workshops{Recorded: true, Sessions: n(3), Participants: n(5), Credentials: n(7),
		ByStructure: []report.WorkshopShare{{Structure: "bib-a", Name: "Bib A", Sessions: n(3), Participants: n(5), Credentials: n(7)}},
		ByPartner:   []report.WorkshopShare{{Name: "France Travail", Sessions: n(2), Participants: n(4), Credentials: n(6)}}})
	// 2025: w3, held 2025-03-01, with both its credentials (c9 is of 2026).
	check("previous workshops", r.Previous.Workshops, report.PreviousWorkshops{Sessions: n(1), Participants: n(2), Credentials: n(2)})

	// Structure B: M1 and M2, new; M1's path spans A and a partner.
	rb := d.build(t, []int64{d.b.ID}, 1)
	check("B people", [3]report.Count{rb.People, rb.New, rb.Credentials.Issued}, [3]report.Count{n(2), n(2), n(2)})
	check("B attached", rb.Continuity.Attached, n(2))
	check("B partners", rb.Continuity.ByPartner, []report.PartnerShare{
		{Issuer: "did:web:carnet.example:s:bib-a", Name: "Bib A", N: n(1)},
		{Issuer: "did:web:partner.example", Name: "Partenaire X", N: n(1)},
	})
	check("B multi", rb.Continuity.MultiStructure, n(1))
	check("B previous attached", rb.Previous.Attached, n(1))
	check("B workshops", rb.Workshops, report.Workshops{Recorded: true, Sessions: n(1), Participants: n(2), Credentials: n(2),
		ByStructure: []report.WorkshopShare{{Structure: "bib-b", Name: "Bib B", Sessions: n(1), Participants: n(2), Credentials: n(2)}},
		ByPartner:   []report.WorkshopShare{{Name: "Mission locale", Sessions: n(1), Participants: n(2), Credentials: n(2)}}})

	// The whole instance.
	rn := d.build(t, nil, 1)
	check("network", [4]report.Count{rn.People, rn.New, rn.Credentials.Issued, rn.Continuity.Attached}, [4]report.Count{n(8), n(6), n(11), n(2)})
	check("network 1.1 assessed", rn.Competences[0].Assessed, n(6))
	check("network verifications", rn.Verifications.Total, 6)
	// A's three and B's w6; by structure and partner, most workshops first.
	check("network workshops", rn.Workshops, report.Workshops{Recorded: true, Sessions: n(4), Participants: n(7), Credentials: n(9),
		ByStructure: []report.WorkshopShare{
			{Structure: "bib-a", Name: "Bib A", Sessions: n(3), Participants: n(5), Credentials: n(7)},
			{Structure: "bib-b", Name: "Bib B", Sessions: n(1), Participants: n(2), Credentials: n(2)}},
		ByPartner: []report.WorkshopShare{
			{Name: "France Travail", Sessions: n(2), Participants: n(4), Credentials: n(6)},
			{Name: "Mission locale", Sessions: n(1), Participants: n(2), Credentials: n(2)}}})
	check("network previous workshops", rn.Previous.Workshops, report.PreviousWorkshops{Sessions: n(1), Participants: n(2), Credentials: n(2)})
	// Another framework: no workshop.
	from, to, _ := report.Period("2026-01-01", "2026-12-31", time.Now())
	rf, err := report.Build(context.Background(), d.reports, report.Query{Framework: "cefr-fr", From: from, To: to}, report.Options{Frameworks: d.fws, Threshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	check("cefr-fr workshops", [3]report.Count{rf.Workshops.Sessions, rf.Workshops.Participants, rf.Workshops.Credentials}, [3]report.Count{n(0), n(0), n(0)})
	// 2027: w7 (c11 of 2027-01-02).
	from, to, _ = report.Period("2027-01-01", "2027-12-31", time.Now())
	r27, err := report.Build(context.Background(), d.reports, report.Query{StructureIDs: []int64{d.a.ID}, From: from, To: to}, report.Options{Frameworks: d.fws, Threshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	check("2027 workshops", [3]report.Count{r27.Workshops.Sessions, r27.Workshops.Participants, r27.Workshops.Credentials}, [3]report.Count{n(1), n(1), n(1)})
	check("2027 previous workshops", r27.Previous.Workshops, report.PreviousWorkshops{Sessions: n(3), Participants: n(5), Credentials: n(7)})

	// Credentials issued or revoked after a bilan count in the next one:
	// the level rows are added then (not at issuance).
	creds := sqlite.NewCredentialStore(d.db)
	if err := creds.CreateCredential(context.Background(), &schema.CredentialRecord{ID: "urn:uuid:late", Structure: "bib-a", LearnerID: "L6",
		SubjectID: "urn:uuid:L6", Framework: "digcomp-2.2", IssuedAt: day("2026-12-01"), JWT: "jws", CardToken: "card", ShortCode: "LATE",
		StatusList: 1, StatusIndex: 999, Results: []schema.LevelResult{{Competency: "2.1", Level: "5"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := creds.SetCredentialStatus(context.Background(), "urn:uuid:c2", schema.StatusChange{Action: schema.AuditRevoke, At: day("2026-12-02")}); err != nil {
		t.Fatal(err)
	}
	r2 := d.build(t, []int64{d.a.ID}, 1)
	// L6 comes back (returning); L1's 2026 credential is revoked: 1.1
	// loses L1 and 2.1 swaps L1 for L6.
	check("after: people", [3]report.Count{r2.People, r2.Credentials.Issued, r2.Credentials.Revoked}, [3]report.Count{n(7), n(10), n(2)})
	check("after: 1.1 assessed", r2.Competences[0].Assessed, n(3))
	check("after: 2.1 levels", [4]report.Count{r2.Competences[1].Assessed, r2.Competences[1].Levels["1"], r2.Competences[1].Levels["5"], r2.Competences[1].Levels["3"]},
		[4]report.Count{n(3), n(0), n(1), n(1)})
}

// TestSmallCounts checks the privacy rule: counts from 1 to 4 are "< 5",
// zero and larger counts are numbers, and a median over fewer than 5
// learners is not shown.
func TestSmallCounts(t *testing.T) {
	d := newDataset(t)
	r := d.build(t, []int64{d.a.ID}, 0)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	want := map[string]any{"people": 6.0, "new": "< 5", "returning": "< 5", "threshold": 5.0}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	creds := m["credentials"].(map[string]any)
	if creds["issued"] != 9.0 || creds["revoked"] != "< 5" || creds["suspended"] != "< 5" {
		t.Errorf("credentials = %v", creds)
	}
	c11 := m["competences"].([]any)[0].(map[string]any)
	levels := c11["levels"].(map[string]any)
	if c11["assessed"] != "< 5" || levels["1"] != "< 5" || levels["2"] != 0.0 || c11["progressed"] != "< 5" || c11["median_days"] != nil {
		t.Errorf("1.1 = %v", c11)
	}
	// Workshops: 3 sessions (not people: shown), 5 participants, 7
	// credentials; France Travail's 4 participants hidden; 2025's w3 has 2.
	ws := m["workshops"].(map[string]any)
	if ws["recorded"] != true || ws["sessions"] != 3.0 || ws["participants"] != 5.0 || ws["credentials"] != 7.0 {
		t.Errorf("workshops = %v", ws)
	}
	if p := ws["by_partner"].([]any)[0].(map[string]any); p["name"] != "France Travail" || p["sessions"] != 2.0 || p["participants"] != "< 5" || p["credentials"] != 6.0 {
		t.Errorf("workshops by partner = %v", p)
	}
	if p := m["previous"].(map[string]any)["workshops"].(map[string]any); p["sessions"] != 1.0 || p["participants"] != "< 5" || p["credentials"] != "< 5" {
		t.Errorf("previous workshops = %v", p)
	}
	if strings.Contains(string(b), "Personne") || strings.Contains(string(b), "L1") {
		t.Errorf("a name in the report: %s", b)
	}
	// A higher threshold hides more.
	r10 := d.build(t, []int64{d.a.ID}, 10)
	if !r10.People.Small || r10.People.String() != "< 10" || r10.Credentials.Issued.String() != "< 10" {
		t.Errorf("threshold 10: people %v, issued %v", r10.People, r10.Credentials.Issued)
	}
}

// TestCSVFormula: a partner's name or a resource's that starts like a
// spreadsheet formula is written as text (a leading apostrophe), and the
// workshops' figures are in the CSV.
func TestCSVFormula(t *testing.T) {
	d := newDataset(t)
	ctx := context.Background()
	batches := sqlite.NewBatchStore(d.db)
	b := &schema.Batch{ID: "batch-f", StructureID: d.a.ID, Framework: "digcomp-2.2", Status: schema.BatchDone, Total: 1}
	row := &schema.BatchRow{Row: 1, Name: "Personne", Key: "key-f"}
	if _, _, err := batches.CreateBatch(ctx, b, []*schema.BatchRow{row}); err != nil {
		t.Fatal(err)
	}
	row.CredentialID = "urn:uuid:c13"
	if err := batches.FinishBatchRow(ctx, row, true); err != nil {
		t.Fatal(err)
	}
	w := &schema.Workshop{ID: "wf", StructureID: d.a.ID, Title: "Atelier", Partner: `=HYPERLINK("https://evil.example","x")`,
		Framework: "digcomp-2.2", Competencies: []string{"1.1"}}
	if err := sqlite.NewWorkshopStore(d.db).CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	w.BatchID = b.ID
	if err := sqlite.NewWorkshopStore(d.db).UpdateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	d.cat.Resources[0].Name = schema.Text{"fr": "@SUM(1+1)"}
	r := d.build(t, []int64{d.a.ID}, 0)
	var buf strings.Builder
	if err := report.WriteCSV(&buf, r, "fr", ';'); err != nil {
		t.Fatal(err)
	}
	csv := buf.String()
	for _, line := range []string{
		"chiffres clés;;;workshops;Ateliers tenus;4\r\n",
		"chiffres clés;;;workshop_participants;Participant·es aux ateliers;6\r\n",
		"chiffres clés;;;workshop_credentials;Attestations délivrées en atelier;8\r\n",
		"Période précédente;;;workshops;Ateliers tenus;1\r\n",
		"Période précédente;;;workshop_participants;Participant·es aux ateliers;< 5\r\n",
		"ateliers;;;structure_workshops;Bib A (bib-a) – Ateliers tenus;4\r\n",
		"ateliers;;;partner_workshop_participants;France Travail – Participant·es aux ateliers;< 5\r\n",
		`ateliers;;;partner_workshops;"'=HYPERLINK(""https://evil.example"",""x"") – Ateliers tenus";1` + "\r\n",
		"prochaines étapes;;;resource_r-1-1;'@SUM(1+1) (https://example.org/1);< 5\r\n",
	} {
		if !strings.Contains(csv, line) {
			t.Errorf("no line %q in\n%s", line, csv)
		}
	}
}
