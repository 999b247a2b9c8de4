package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

// TestImports: attached credentials round-trip, one per learner and
// credential, their status is updated, and erasing the learner deletes
// them, leaving no byte of them in the database or its write-ahead log.
func TestImports(t *testing.T) {
	ctx := context.Background()
	db, dir, st := openWithStructure(t)
	learners := sqlite.NewLearnerStore(db)
	for _, id := range []string{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"} {
		if err := learners.CreateLearner(ctx, &schema.Learner{ID: id, StructureID: st.ID, Name: "Zoé Importée"}); err != nil {
			t.Fatal(err)
		}
	}
	s := sqlite.NewImportStore(db)
	at := time.Date(2025, 4, 2, 9, 30, 0, 0, time.UTC)
	imp := &schema.ImportedCredential{LearnerID: "11111111-1111-4111-8111-111111111111", StructureID: st.ID, Kind: "credential",
		Input: "eyJhbGciOiJFUzI1NiJ9.SECRET-INPUT.sig", CredentialID: "urn:uuid:c1", IssuerID: "did:web:partner.example.org:s:a",
		IssuerName: "Médiathèque partenaire", LearnerName: "Zoé Importée", Framework: "digcomp-2.2",
		Levels:    []schema.LevelResult{{Competency: "1.1", Level: "3"}, {Competency: "4.2", Level: "2"}},
		ValidFrom: at.Add(-24 * time.Hour), ValidUntil: at.AddDate(2, 0, 0), AttachedBy: 7, AttachedAt: at,
		LastStatus: schema.StatusActive, LastCheckedAt: at}
	if err := s.CreateImport(ctx, imp); err != nil || imp.ID == 0 {
		t.Fatalf("create: %v (id %d)", err, imp.ID)
	}
	list, err := s.ListImports(ctx, imp.LearnerID)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %d", err, len(list))
	}
	if !reflect.DeepEqual(list[0], imp) {
		t.Errorf("round trip:\n got %+v\nwant %+v", list[0], imp)
	}
	// The same credential on another learner is another attachment.
	other := *imp
	other.ID, other.LearnerID = 0, "22222222-2222-4222-8222-222222222222"
	if err := s.CreateImport(ctx, &other); err != nil {
		t.Fatalf("same credential, other learner: %v", err)
	}
	dup := *imp
	dup.ID = 0
	if err := s.CreateImport(ctx, &dup); schema.ErrorCode(err) != schema.ECONFLICT {
		t.Errorf("duplicate: %v", err)
	}
	later := at.Add(time.Hour)
	if err := s.UpdateImportStatus(ctx, imp.ID, schema.StatusRevoked, later); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListImports(ctx, imp.LearnerID); list[0].LastStatus != schema.StatusRevoked || !list[0].LastCheckedAt.Equal(later) ||
		!list[0].RevokedAt.Equal(later) {
		t.Errorf("after update: %+v", list[0])
	}
	// A revocation is kept whatever the later verdicts say.
	for i, status := range []string{"unknown_issuer", schema.StatusActive, schema.StatusRevoked} {
		at := later.Add(time.Duration(i+1) * time.Hour)
		if err := s.UpdateImportStatus(ctx, imp.ID, status, at); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.ListImports(ctx, imp.LearnerID); list[0].LastStatus != status || !list[0].LastCheckedAt.Equal(at) || !list[0].RevokedAt.Equal(later) {
			t.Errorf("after %s: %+v", status, list[0])
		}
	}
	if err := s.UpdateImportStatus(ctx, 999, schema.StatusActive, later); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("update unknown: %v", err)
	}
	if err := s.DeleteImport(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteImport(ctx, other.ID); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("delete twice: %v", err)
	}
	if list, err := s.ListImports(ctx, "nobody"); err != nil || list == nil || len(list) != 0 {
		t.Errorf("list of nobody: %v %v", list, err)
	}

	if err := learners.EraseLearner(ctx, imp.LearnerID, later); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListImports(ctx, imp.LearnerID); len(list) != 0 {
		t.Errorf("imports left after erasure: %d", len(list))
	}
	// The other learner, not erased, still has the name: erase them too,
	// then nothing of either is left in the files.
	if err := learners.EraseLearner(ctx, other.LearnerID, later); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, name := range []string{"carnet.db", "carnet.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		for _, secret := range []string{"Zoé Importée", "SECRET-INPUT", "Médiathèque partenaire"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s still holds %q", name, secret)
			}
		}
	}
}

// TestDeleteLearner: a learner nothing refers to is deleted, name and all;
// one with an attachment is refused.
func TestDeleteLearner(t *testing.T) {
	ctx := context.Background()
	db, dir, st := openWithStructure(t)
	learners := sqlite.NewLearnerStore(db)
	lone := &schema.Learner{ID: "33333333-3333-4333-8333-333333333333", StructureID: st.ID, Name: "Yanis Supprimé"}
	held := &schema.Learner{ID: "44444444-4444-4444-8444-444444444444", StructureID: st.ID, Name: "Inès Rattachée"}
	for _, l := range []*schema.Learner{lone, held} {
		if err := learners.CreateLearner(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	imp := &schema.ImportedCredential{LearnerID: held.ID, StructureID: st.ID, Kind: "card", Input: "x", CredentialID: "urn:uuid:c2",
		IssuerID: "did:web:partner.example.org:s:a", LastStatus: schema.StatusActive}
	if err := sqlite.NewImportStore(db).CreateImport(ctx, imp); err != nil {
		t.Fatal(err)
	}
	if err := learners.DeleteLearner(ctx, lone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := learners.FindLearner(ctx, lone.ID); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("deleted learner found: %v", err)
	}
	if err := learners.DeleteLearner(ctx, lone.ID); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("delete twice: %v", err)
	}
	if err := learners.DeleteLearner(ctx, held.ID); err == nil {
		t.Error("a learner with an attachment was deleted")
	}
	if _, err := learners.FindLearner(ctx, held.ID); err != nil {
		t.Errorf("refused deletion lost the learner: %v", err)
	}
	db.Close()
	for _, name := range []string{"carnet.db", "carnet.db-wal"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); strings.Contains(string(b), "Yanis Supprimé") {
			t.Errorf("%s still holds the deleted name", name)
		}
	}
}

// openWithStructure opens a database file in a temp dir (returned, for
// tests that read the files) holding one structure.
func openWithStructure(t *testing.T) (*sqlite.DB, string, *schema.Structure) {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := &schema.Structure{Slug: "bib", Name: "Bibliothèque"}
	if err := sqlite.NewStructureStore(db).CreateStructure(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return db, dir, st
}
