package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"carnet/report"
	"carnet/schema"
)

// TestLevelHistoriesMatchDetail: the bilan's levels and progression read
// from level_histories (and the level rows for the histories that go on
// after the period) equal those counted from the level rows alone, for
// current, past and custom periods, per structure, framework or the whole
// instance, after new credentials and after revocations; and the previous
// period's key figures counted in the same pass as the period's equal
// those Headline counts on its own.
func TestLevelHistoriesMatchDetail(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewSource(14))
	var sts []*schema.Structure
	for i := 0; i < 3; i++ {
		st := &schema.Structure{Slug: fmt.Sprintf("bib-%d", i), Name: "Bib"}
		if err := NewStructureStore(db).CreateStructure(ctx, st); err != nil {
			t.Fatal(err)
		}
		sts = append(sts, st)
	}
	ls := NewLearnerStore(db)
	creds := NewCredentialStore(db)
	reports := NewReportStore(db)
	var ids []string
	n := 0
	issue := func(count int) {
		for i := 0; i < count; i++ {
			n++
			st := sts[rng.Intn(len(sts))]
			lid := fmt.Sprintf("L%d-%d", st.ID, rng.Intn(12))
			if rng.Intn(4) > 0 {
				ls.CreateLearner(ctx, &schema.Learner{ID: lid, StructureID: st.ID, Name: lid}) // an existing one fails: fine
			} else {
				lid = "" // a credential issued without a learner record (CLI)
			}
			fw := []string{"digcomp-2.2", "pix"}[rng.Intn(2)]
			var res []schema.LevelResult
			for _, c := range rng.Perm(4)[:1+rng.Intn(3)] {
				res = append(res, schema.LevelResult{Competency: fmt.Sprintf("%d.1", c+1), Level: fmt.Sprint(1 + rng.Intn(6))})
			}
			at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int63n(int64(3 * 365 * 24 * time.Hour))))
			if rng.Intn(8) == 0 { // several the same day, at the same time
				at = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
			}
			id := fmt.Sprintf("urn:uuid:%d", n)
			subject := "urn:uuid:s" + fmt.Sprint(rng.Intn(5))
			if lid != "" {
				subject = "urn:uuid:" + lid
			}
			if err := creds.CreateCredential(ctx, &schema.CredentialRecord{ID: id, Structure: st.Slug, LearnerID: lid, SubjectID: subject,
				Framework: fw, Results: res, IssuedAt: at, JWT: "x", CardToken: "y", ShortCode: fmt.Sprintf("S%d", n),
				StatusList: 1, StatusIndex: n}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
	}
	revoke := func(count int) {
		for i := 0; i < count; i++ {
			id := ids[rng.Intn(len(ids))]
			action := schema.AuditRevoke
			if rng.Intn(3) == 0 {
				action = schema.AuditSuspend // counted, but no change to the levels
			}
			creds.SetCredentialStatus(ctx, id, schema.StatusChange{Action: action, At: time.Now()})
		}
	}
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	periods := [][2]time.Time{{d("2024-01-01"), d("2025-01-01")}, {d("2025-01-01"), d("2026-01-01")}, {d("2026-01-01"), d("2027-01-01")},
		{d("2025-04-01"), d("2025-07-01")}, {d("2025-06-01"), d("2025-06-02")}, {d("2024-03-17"), d("2026-02-03")}, {d("2020-01-01"), d("2030-01-01")}}
	multi := 0     // comparisons with a multi-structure path
	workshops := 0 // comparisons with workshops in the previous period
	compare := func(step string) {
		t.Helper()
		if err := reports.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		for _, p := range periods {
			for _, scope := range []report.Query{{}, {StructureIDs: []int64{sts[0].ID}}, {StructureIDs: []int64{sts[1].ID, sts[2].ID}, Framework: "pix"}, {Framework: "digcomp-2.2"}} {
				q := scope
				q.From, q.To = p[0], p[1]
				name := fmt.Sprintf("%s %s–%s %v %q", step, p[0].Format(time.DateOnly), p[1].Format(time.DateOnly), q.StructureIDs, q.Framework)
				var fast, slow report.Figures
				err := reports.read(ctx, func(tx *sql.Tx) error {
					if err := levelsFrom(ctx, tx, q, &fast, false); err != nil {
						return err
					}
					return levelsFrom(ctx, tx, q, &slow, true)
				})
				if err != nil {
					t.Fatal(err)
				}
				norm(&fast)
				norm(&slow)
				if !reflect.DeepEqual(fast, slow) {
					t.Errorf("%s: from level_histories %+v, from the level rows %+v", name, fast, slow)
				}
				if len(slow.Assessed) == 0 && p[0].Year() < 2027 && p[1].Sub(p[0]) > 48*time.Hour {
					t.Errorf("%s: nothing assessed, the test compares nothing", name)
				}
				f, err := reports.Figures(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				pq := q
				pq.From, pq.To = report.PreviousPeriod(q.From, q.To)
				h, err := reports.Headline(ctx, pq)
				if err != nil {
					t.Fatal(err)
				}
				if h.Workshops.Held > 0 {
					workshops++
				}
				if f.Previous == nil || *f.Previous != *h {
					t.Errorf("%s: previous period %+v from the same pass, %+v on its own", name, f.Previous, h)
				}
				var ref report.Headline
				if err := reports.read(ctx, func(tx *sql.Tx) error { return peopleDetail(ctx, tx, q, &ref) }); err != nil {
					t.Fatal(err)
				}
				if ref.MultiStructure > 0 {
					multi++
				}
				if [3]int{f.People, f.New, f.MultiStructure} != [3]int{ref.People, ref.New, ref.MultiStructure} {
					t.Errorf("%s: people, new, multi-structure %v from person_histories, %v from the level rows", name,
						[3]int{f.People, f.New, f.MultiStructure}, [3]int{ref.People, ref.New, ref.MultiStructure})
				}
				own, err := reports.Headline(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if f.Headline != *own {
					t.Errorf("%s: key figures %+v with the previous period, %+v on their own", name, f.Headline, *own)
				}
			}
		}
	}
	issue(300)
	// Credentials attached: from a partner (multi-structure paths), or
	// one of the structure's own (not counted).
	imps := NewImportStore(db)
	for i, st := range sts {
		for j := 0; j < 6; j++ {
			lid := fmt.Sprintf("L%d-%d", st.ID, j)
			cid := fmt.Sprintf("urn:uuid:partner-%d-%d", i, j)
			if j%3 == 0 {
				var own string
				db.db.QueryRow(`SELECT id FROM credentials WHERE structure_id = ? LIMIT 1`, st.ID).Scan(&own)
				cid = own
			}
			imps.CreateImport(ctx, &schema.ImportedCredential{LearnerID: lid, StructureID: st.ID, Kind: "credential", Input: "x", CredentialID: cid,
				IssuerID: "did:web:partner.example", Framework: "digcomp-2.2", AttachedAt: time.Now()}) // a learner who does not exist fails: fine
		}
	}
	// Workshops, each issued through a batch naming a few of its
	// structure's credentials: the previous period's counted in the same
	// pass must equal Headline's (compared with the key figures below).
	wss, batches := NewWorkshopStore(db), NewBatchStore(db)
	for i := 0; i < 12; i++ {
		st := sts[i%len(sts)]
		var creds []string
		rows, _ := db.db.Query(`SELECT id FROM credentials WHERE structure_id = ? ORDER BY random() LIMIT 4`, st.ID)
		for rows.Next() {
			var id string
			rows.Scan(&id)
			creds = append(creds, id)
		}
		rows.Close()
		b := &schema.Batch{ID: fmt.Sprintf("b%d", i), StructureID: st.ID, Framework: "digcomp-2.2", Status: schema.BatchDone}
		var brs []*schema.BatchRow
		for j := range creds {
			brs = append(brs, &schema.BatchRow{Row: j + 1, Key: fmt.Sprintf("k%d-%d", i, j)})
		}
		if _, _, err := batches.CreateBatch(ctx, b, brs); err != nil {
			t.Fatal(err)
		}
		for j, r := range brs {
			r.CredentialID = creds[j]
			if err := batches.FinishBatchRow(ctx, r, true); err != nil {
				t.Fatal(err)
			}
		}
		w := &schema.Workshop{ID: fmt.Sprintf("w%d", i), StructureID: st.ID, Title: "A", Partner: []string{"", "P", "Q"}[i%3], Framework: "digcomp-2.2"}
		if err := wss.CreateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
		w.BatchID = b.ID
		if err := wss.UpdateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	compare("first")
	issue(100)
	revoke(60)
	compare("after new credentials and revocations")
	revoke(40)
	compare("after revocations only")
	if multi == 0 {
		t.Error("no multi-structure path: the test compares nothing there")
	}
	if workshops == 0 {
		t.Error("no workshop in a previous period: the test compares nothing there")
	}
}

// norm sorts what levelsFrom returns, whose order is the map's.
func norm(f *report.Figures) {
	sort.Slice(f.Assessed, func(i, j int) bool { return fmt.Sprint(f.Assessed[i]) < fmt.Sprint(f.Assessed[j]) })
	sort.Slice(f.Levels, func(i, j int) bool { return fmt.Sprint(f.Levels[i]) < fmt.Sprint(f.Levels[j]) })
	sort.Slice(f.Histories, func(i, j int) bool { return fmt.Sprint(f.Histories[i]) < fmt.Sprint(f.Histories[j]) })
}

// peopleDetail counts the people, new and multi-structure of q from the
// level rows alone: the reference people() is compared with.
func peopleDetail(ctx context.Context, tx *sql.Tx, q report.Query, h *report.Headline) error {
	from, to := formatTime(q.From), formatTime(q.To)
	hist := of(q, "h", true).with("h.issued_at < ?", to)
	var returning, multi sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*), SUM(g.first < ?), SUM(EXISTS (SELECT 1 FROM imports i WHERE i.learner_id = g.lrn AND `+foreign+`))
		FROM (SELECT h.learner AS lrn, MIN(h.issued_at) AS first, MAX(h.issued_at) AS last FROM credential_levels h WHERE `+hist.where+`
			GROUP BY h.structure_id, h.learner HAVING last >= ?) g`, append(append([]any{from}, hist.args...), from)...).Scan(&h.People, &returning, &multi)
	h.New, h.MultiStructure = h.People-int(returning.Int64), int(multi.Int64)
	return err
}
