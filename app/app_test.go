package app_test

import (
	"context"
	"path/filepath"
	"testing"

	"carnet/app"
	"carnet/keys"
	"carnet/schema"
	"carnet/sqlite"
)

// newApp returns the operations of an instance on real SQLite and key
// files in a temporary directory, with no HTTP server.
func newApp(t *testing.T) (*app.App, *sqlite.DB) {
	t.Helper()
	dir := t.TempDir()
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
		Keys: ks, Frameworks: fws, Tx: db, StatusStore: db,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, db
}

// TestOperationsWithoutHTTP: a structure, a learner and a credential made
// through the operations alone, as a batch or the command line would:
// the rules (who may, what is valid) and the audit log are the same as
// through the pages.
func TestOperationsWithoutHTTP(t *testing.T) {
	ctx := context.Background()
	ops, _ := newApp(t)
	root := &schema.User{Email: "root@example.org", NetworkAdmin: true}
	if err := ops.Users.CreateUser(ctx, root); err != nil {
		t.Fatal(err)
	}
	admin := &app.Actor{User: root}
	for _, slug := range []string{"main", "annexe"} {
		if _, err := ops.CreateStructure(ctx, admin, app.StructureInput{Slug: slug, Name: "Structure " + slug}); err != nil {
			t.Fatal(err)
		}
	}
	main, _ := ops.Structures.FindStructure(ctx, "main")
	annexe, _ := ops.Structures.FindStructure(ctx, "annexe")
	med := &schema.User{Email: "med@example.org", Memberships: []schema.Membership{{StructureID: main.ID, Role: schema.RoleMediator}}}
	other := &schema.User{Email: "other@example.org", Memberships: []schema.Membership{{StructureID: annexe.ID, Role: schema.RoleMediator}}}
	for _, u := range []*schema.User{med, other} {
		if err := ops.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	// As a request finds them: read again, memberships with their slugs.
	med, _ = ops.Users.FindUser(ctx, med.ID)
	other, _ = ops.Users.FindUser(ctx, other.ID)
	mediator, stranger := &app.Actor{User: med}, &app.Actor{User: other}

	l, err := ops.CreateLearner(ctx, mediator, app.LearnerInput{Name: "Awa Diallo"})
	if err != nil {
		t.Fatal(err)
	}
	in := app.AssessmentInput{LearnerID: l.ID, Framework: "digcomp-2.2", Levels: map[string]any{"1.1": 3.0, "4.2": "2"}}
	// Authorise: a mediator of another structure does not see the learner.
	if _, err := ops.IssueCredential(ctx, stranger, in); err != app.ErrNoAccess {
		t.Errorf("issued by a mediator of another structure: %v", err)
	}
	// Validate: a level the framework does not have.
	bad := in
	bad.Levels = map[string]any{"1.1": 9.0}
	if _, err := ops.IssueCredential(ctx, mediator, bad); schema.ErrorCode(err) != schema.EINVALID {
		t.Errorf("level 9 issued: %v", err)
	}
	out, err := ops.IssueCredential(ctx, mediator, in)
	if err != nil {
		t.Fatal(err)
	}
	if res := ops.Verifier.Verify(ctx, []byte(out.JWT)); !res.Valid || res.Learner != "Awa Diallo" {
		t.Errorf("issued credential: valid=%v %s", res.Valid, res.Reason)
	}
	// Audit: who issued what, as through the pages.
	events, err := ops.Audit.ListAudit(ctx, schema.AuditFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		if e.Action == schema.AuditIssue {
			found = e.Object == out.Record.ID && e.ActorID == med.ID && e.Actor == med.Label() && e.StructureID == main.ID && e.Detail == "digcomp-2.2"
		}
	}
	if !found {
		t.Errorf("no audit entry of the issuance: %+v", events)
	}
	// The status change goes through the same rules.
	if _, err := ops.ChangeStatus(ctx, stranger, out.Record.ID, schema.AuditRevoke, "erreur"); err != app.ErrNoAccess {
		t.Errorf("revoked by a mediator of another structure: %v", err)
	}
	rec, err := ops.ChangeStatus(ctx, mediator, out.Record.ID, schema.AuditRevoke, "erreur de saisie")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status() != schema.StatusRevoked {
		t.Errorf("status %s after a revocation", rec.Status())
	}
}
