package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bilan "carnet/report"
	"carnet/schema"
	"carnet/sqlite"
)

// TestGenDemo fills a small demo network: the counts asked for, a bilan
// with figures, signed samples that verify, and no line in --help.
func TestGenDemo(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := carnet(t, "", "gen-demo", "--data", dir, "--structures", "3", "--learners", "60", "--credentials", "300", "--signed", "3")
	if code != exitOK || !strings.Contains(out, "3 structures, 60 learners, 300 credentials (3 signed)") {
		t.Fatalf("gen-demo: %d %q %q", code, out, errs)
	}
	if _, help, _ := carnet(t, "", "--help"); strings.Contains(help, "gen-demo") {
		t.Error("gen-demo is listed in --help")
	}
	if code, out, _ := carnet(t, "", "gen-demo", "--help"); code != exitOK || !strings.Contains(out, "Usage") {
		t.Errorf("gen-demo --help: %d %q", code, out)
	}
	db, err := sqlite.Open(filepath.Join(dir, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	r, err := bilan.Build(ctx, sqlite.NewReportStore(db), bilan.Query{From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		bilan.Options{Frameworks: schema.NewFrameworks(), Threshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.People.N != 63 || r.Credentials.Issued.N != 300 || len(r.Competences) == 0 || r.Verifications.Total == 0 {
		t.Errorf("bilan: people %v, issued %v, %d competencies, %d verifications", r.People, r.Credentials.Issued, len(r.Competences), r.Verifications.Total)
	}
	// A signed sample verifies with the instance's keys.
	list, err := sqlite.NewCredentialStore(db).ListCredentials(ctx, schema.CredentialFilter{Limit: 1000})
	if err != nil || len(list) != 300 {
		t.Fatalf("%d credentials, %v", len(list), err)
	}
	file := filepath.Join(t.TempDir(), "c.jwt")
	os.WriteFile(file, []byte(list[len(list)-1].JWT), 0o600)
	if code, out, errs := carnet(t, "", "verify", "--data", dir, file); code != exitOK {
		t.Errorf("verify a sample: %d %q %q", code, out, errs)
	}
}
