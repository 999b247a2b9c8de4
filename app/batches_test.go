package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"carnet/app"
	"carnet/keys"
	"carnet/schema"
	"carnet/sqlite"
)

// newBatchApp is newApp with batches, on db (a new one when nil).
func newBatchApp(t testing.TB, dir string) *app.App {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(dir, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ks, err := keys.NewFileStore(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	fws := schema.NewFrameworks()
	a, err := app.New(context.Background(), app.Config{
		BaseURL: "https://carnet.example.org", Structures: sqlite.NewStructureStore(db), Users: sqlite.NewUserStore(db),
		Learners: sqlite.NewLearnerStore(db), Credentials: sqlite.NewCredentialStore(db), Audit: sqlite.NewAuditStore(db),
		Trust: sqlite.NewTrustStore(db), Imports: sqlite.NewImportStore(db), Resources: sqlite.NewResourceStore(db, fws),
		Batches: sqlite.NewBatchStore(db), Keys: ks, Frameworks: fws, Tx: db, StatusStore: db,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// batchMediator creates structure "main" (once) and a mediator of it.
func batchMediator(t testing.TB, ops *app.App) *app.Actor {
	t.Helper()
	ctx := context.Background()
	main, err := ops.Structures.FindStructure(ctx, "main")
	if err != nil {
		root := &app.Actor{User: &schema.User{NetworkAdmin: true}}
		if main, err = ops.CreateStructure(ctx, root, app.StructureInput{Slug: "main", Name: "Médiathèque"}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := ops.Users.FindUserByEmail(ctx, "med@example.org")
	if err != nil {
		u = &schema.User{Email: "med@example.org", Memberships: []schema.Membership{{StructureID: main.ID, Role: schema.RoleMediator}}}
		if err := ops.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		u, _ = ops.Users.FindUser(ctx, u.ID)
	}
	return &app.Actor{User: u}
}

// twelveRows is a 12-row file with 5 rows refused: an empty name, a level
// out of range, an unknown competency, a duplicate, no level at all.
const twelveRows = "nom;contact;notes;accord;1.1;1.2;4.2;9.9\n" +
	"Awa Diallo;;;;3;;;\n" + // 2
	"Éloïse Ndiaye;eloise@example.org;;oui;2;4;;\n" + // 3
	";;;;3;;;\n" + // 4: empty name
	"Karim Benali;;;;9;;;\n" + // 5: level 9
	"Lina Haddad;;;;;;2;\n" + // 6
	"Zoë Martin;;;;;;;3\n" + // 7: unknown competency 9.9
	"Awa Diallo;;;;1;;;\n" + // 8: duplicate of row 2
	"Nina Petit;;;;;;;\n" + // 9: no level
	"Paul Durand;;;;1;1;1;\n" + // 10
	"Inès Roche;;;;5;;;\n" + // 11
	"Tom Leroy;;;;;8;;\n" + // 12
	"Sami Kaci;;;;2;;;\n" // 13

var twelveFailed = map[int]string{4: "name", 5: "out of range", 7: "unknown competency", 8: "duplicate row", 9: "no level"}

// TestBatchCSV: a 12-row file with errors is issued row by row through
// the single issuance's operation; each refused row says why in English
// and French, each issued one verifies and is in the audit log; the same
// file sent again issues nothing twice, and the same Idempotency-Key
// answers the same batch.
func TestBatchCSV(t *testing.T) {
	ctx := context.Background()
	ops := newBatchApp(t, t.TempDir())
	med := batchMediator(t, ops)
	b, err := ops.CreateBatchCSV(ctx, med, "", "digcomp-2.2", "fr", []byte(twelveRows), "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Total != 12 || b.Done != 5 || b.Status != schema.BatchRunning {
		t.Errorf("created: %+v", b)
	}
	var seen []int
	if err := ops.RunBatch(ctx, b.ID, func(done, total int) { seen = append(seen, done) }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 7 || seen[6] != 12 {
		t.Errorf("progress %v", seen)
	}
	b, rows, err := ops.Batch(ctx, med, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != schema.BatchDone || b.Done != 12 {
		t.Errorf("after the run: %+v", b)
	}
	ids := map[int]string{}
	for _, r := range rows {
		want, bad := twelveFailed[r.Row]
		switch {
		case bad && (r.OK() || !strings.Contains(r.ErrMessage, want) || r.ErrMessageFR == "" || r.ErrMessageFR == r.ErrMessage):
			t.Errorf("row %d: %+v, want an error %q", r.Row, r, want)
		case !bad && !r.OK():
			t.Errorf("row %d not issued: %+v", r.Row, r)
		case !bad:
			ids[r.Row] = r.CredentialID
			if r.Name != "" || r.Contact != "" {
				t.Errorf("row %d keeps the name once done: %+v", r.Row, r)
			}
		}
	}
	if len(ids) != 7 {
		t.Fatalf("%d rows issued", len(ids))
	}
	events, _ := ops.Audit.ListAudit(ctx, schema.AuditFilter{Limit: 200})
	audited := map[string]bool{}
	for _, e := range events {
		if e.Action == schema.AuditIssue && e.ActorID == med.User.ID {
			audited[e.Object] = true
		}
	}
	for row, id := range ids {
		rec, err := ops.Credentials.FindCredential(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if res := ops.Verifier.Verify(ctx, []byte(rec.JWT)); !res.Valid {
			t.Errorf("row %d: credential does not verify: %s", row, res.Reason)
		}
		if !audited[id] {
			t.Errorf("row %d: no audit entry", row)
		}
	}
	if rec, _ := ops.Credentials.FindCredential(ctx, ids[3]); rec.LearnerName != "Éloïse Ndiaye" || len(rec.Results) != 2 {
		t.Errorf("row 3: %+v", rec)
	}
	count := func() int {
		list, err := ops.Credentials.ListCredentials(ctx, schema.CredentialFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	if n := count(); n != 7 {
		t.Fatalf("%d credentials", n)
	}
	// The same key and body: the same batch, nothing new.
	again, err := ops.CreateBatchCSV(ctx, med, "", "digcomp-2.2", "fr", []byte(twelveRows), "key-1")
	if err != nil || again.ID != b.ID {
		t.Errorf("retry with the same key: %v %v", again, err)
	}
	// The same key, another body: refused.
	if _, err := ops.CreateBatchCSV(ctx, med, "", "digcomp-2.2", "fr", []byte(twelveRows+"Autre;;;1;;;\n"), "key-1"); schema.ErrorCode(err) != schema.ECONFLICT {
		t.Errorf("the same key for another body: %v", err)
	}
	// The same file again without a key: a new batch whose rows answer
	// the credentials issued already.
	b2, err := ops.CreateBatchCSV(ctx, med, "", "digcomp-2.2", "fr", []byte(twelveRows), "")
	if err != nil || b2.ID == b.ID {
		t.Fatalf("the same file again: %v %v", b2, err)
	}
	if err := ops.RunBatch(ctx, b2.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, rows2, _ := ops.Batch(ctx, med, b2.ID)
	for _, r := range rows2 {
		if id, ok := ids[r.Row]; ok && r.CredentialID != id {
			t.Errorf("row %d again: %q, want %q", r.Row, r.CredentialID, id)
		}
	}
	if n := count(); n != 7 {
		t.Errorf("%d credentials after the same file again, want 7", n)
	}
	// Another mediator's structure does not see the batch.
	stranger := &app.Actor{User: &schema.User{ID: 999, Email: "x@example.org"}}
	if _, _, err := ops.Batch(ctx, stranger, b.ID); err != app.ErrNoAccess {
		t.Errorf("a stranger sees the batch: %v", err)
	}
	if _, err := ops.CreateBatchCSV(ctx, stranger, "", "digcomp-2.2", "fr", []byte(twelveRows), ""); err == nil {
		t.Error("a stranger created a batch")
	}
}

// TestBatchResumes: a batch stopped half-way (the process ended) is
// picked up by the next start where it stopped, and two processes
// running the same rows at once issue each row once.
func TestBatchResumes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ops := newBatchApp(t, dir)
	med := batchMediator(t, ops)
	var csv strings.Builder
	csv.WriteString("nom,1.1\n")
	for _, n := range []string{"Ana", "Bea", "Cleo", "Dina", "Emma", "Fanny", "Gael", "Hugo", "Ilan", "Jade"} {
		csv.WriteString(n + " Test,2\n")
	}
	b, err := ops.CreateBatchCSV(ctx, med, "", "digcomp-2.2", "", []byte(csv.String()), "")
	if err != nil {
		t.Fatal(err)
	}
	stop, cancel := context.WithCancel(ctx)
	err = ops.RunBatch(stop, b.ID, func(done, total int) {
		if done == 4 {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("the stopped run ended without error")
	}
	if b, _, _ = ops.Batch(ctx, med, b.ID); b.Done != 4 || b.Status != schema.BatchRunning {
		t.Fatalf("stopped: %+v", b)
	}
	// A restart: two instances on the same data resume at once.
	others := []*app.App{newBatchApp(t, dir), newBatchApp(t, dir)}
	var wg sync.WaitGroup
	for _, o := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, cancel := context.WithCancel(ctx)
			defer cancel()
			if err := o.ResumeBatches(run); err != nil {
				t.Error(err)
			}
			if _, err := o.WaitBatch(ctx, b.ID); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	b, rows, _ := ops.Batch(ctx, med, b.ID)
	if b.Status != schema.BatchDone || b.Done != 10 {
		t.Errorf("resumed: %+v", b)
	}
	list, _ := ops.Credentials.ListCredentials(ctx, schema.CredentialFilter{Limit: 100})
	if len(list) != 10 {
		t.Errorf("%d credentials for 10 rows", len(list))
	}
	for _, r := range rows {
		if !r.OK() {
			t.Errorf("row %d: %+v", r.Row, r)
		}
	}
}

// A row that keeps a contact or notes needs the learner's consent (the
// accord column, or "consent" in JSON), as a single learner does; the
// consent is kept on the learner's record.
func TestBatchConsent(t *testing.T) {
	ctx := context.Background()
	ops := newBatchApp(t, t.TempDir())
	med := batchMediator(t, ops)
	file := "nom;contact;notes;accord;1.1\n" +
		"Awa Diallo;awa@example.org;;;3\n" + // 2: a contact without consent
		"Bea Martin;;groupe du mardi;non;2\n" + // 3: notes, consent refused
		"Chloé Petit;chloe@example.org;;oui;2\n" + // 4: consent given
		"Dan Roy;;;;1\n" // 5: the name only
	b, err := ops.CreateBatchCSV(ctx, med, "", "digcomp-2.2", "fr", []byte(file), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := ops.RunBatch(ctx, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, rows, err := ops.Batch(ctx, med, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		switch r.Row {
		case 2, 3:
			if r.OK() || !strings.Contains(r.ErrMessageFR, "accord") {
				t.Errorf("row %d without consent: %+v, want refused", r.Row, r)
			}
		case 4, 5:
			if !r.OK() {
				t.Errorf("row %d: %+v, want issued", r.Row, r)
				continue
			}
			l, err := ops.Learners.FindLearner(ctx, r.LearnerID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Row == 4 && (l.Contact != "chloe@example.org" || l.ConsentAt.IsZero()) {
				t.Errorf("row 4's learner: contact %q consent %v", l.Contact, l.ConsentAt)
			}
		}
	}
}
