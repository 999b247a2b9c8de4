package sqlite_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

// fill stores n credentials of a structure "lille", with JWS-sized rows so
// that they span many pages.
func fill(t *testing.T, db *sqlite.DB, n int) {
	t.Helper()
	ctx := context.Background()
	if err := sqlite.NewStructureStore(db).CreateStructure(ctx, &schema.Structure{Slug: "lille", Name: "Lille"}); err != nil {
		t.Fatal(err)
	}
	cs := sqlite.NewCredentialStore(db)
	for i := 0; i < n; i++ {
		l, idx, err := cs.ReserveStatusIndex(ctx, "lille", func(n int) (int, error) { return i, nil })
		if err != nil {
			t.Fatal(err)
		}
		if err := cs.CreateCredential(ctx, credential(i, l, idx)); err != nil {
			t.Fatal(err)
		}
	}
}

func credential(i, list, idx int) *schema.CredentialRecord {
	return &schema.CredentialRecord{ID: fmt.Sprintf("urn:uuid:%d", i), Structure: "lille", SubjectID: "urn:uuid:s", LearnerName: "Personne",
		Framework: "digcomp-2.2", Results: []schema.LevelResult{{Competency: "1.1", Level: "3"}}, IssuedAt: time.Now(),
		JWT: strings.Repeat("x", 1500), CardToken: "c", ShortCode: fmt.Sprintf("CODE-%06d", i), StatusList: list, StatusIndex: idx}
}

// damage overwrites the middle pages of the database file with random
// bytes, as a failing disk or a stray write would.
func damage(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	const page = 4096
	pages := fi.Size() / page
	if pages < 10 {
		t.Fatalf("database too small to damage: %d pages", pages)
	}
	junk := make([]byte, page)
	for p := pages * 3 / 10; p < pages*7/10; p++ {
		rand.Read(junk)
		if _, err := f.WriteAt(junk, p*page); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckHealthyDatabase(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	fill(t, db, 20)
	for _, full := range []bool{false, true} {
		if problems, err := db.Check(ctx, full); err != nil || len(problems) != 0 {
			t.Errorf("check (full %v) of a healthy database: %v %v", full, problems, err)
		}
	}
	if err := db.Health(ctx); err != nil {
		t.Errorf("health: %v", err)
	}
}

// TestDamagedFileFoundAtOpen is defect 7 of issue 10, stopped: pages of a
// closed database overwritten, the next open (or its check) says damaged.
func TestDamagedFileFoundAtOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "carnet.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, 200)
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	damage(t, path)

	db, err = sqlite.Open(path)
	if err != nil {
		if !errors.Is(err, sqlite.ErrDamaged) {
			t.Fatalf("open of a damaged file: %v, want ErrDamaged", err)
		}
		return
	}
	defer db.Close()
	problems, err := db.Check(ctx, false)
	if err != nil || len(problems) == 0 {
		t.Fatalf("quick check of a damaged file: %v %v", problems, err)
	}
	if err := db.Health(ctx); !errors.Is(err, sqlite.ErrDamaged) {
		t.Errorf("health after a failed check: %v", err)
	}
}

// TestDamageUnderOpenDatabaseStopsWrites: pages overwritten while the
// database is open; once a check has seen it, every write is refused (the
// store methods in a transaction and the direct ones alike) with an error
// that says why.
func TestDamageUnderOpenDatabaseStopsWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "carnet.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fill(t, db, 200)
	if err := db.SetSetting(ctx, "probe", "before"); err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	damage(t, path)
	if problems, err := db.Check(ctx, false); err != nil || len(problems) == 0 {
		t.Fatalf("check after damage: %v %v", problems, err)
	}
	if err := db.Health(ctx); !errors.Is(err, sqlite.ErrDamaged) || schema.ErrorCode(err) != schema.EUNAVAILABLE {
		t.Errorf("health: %v", err)
	}
	cs := sqlite.NewCredentialStore(db)
	if err := cs.CreateCredential(ctx, credential(9999, 1, 9999)); !errors.Is(err, sqlite.ErrDamaged) {
		t.Errorf("a credential written into a damaged database: %v", err)
	}
	if err := sqlite.NewStructureStore(db).CreateStructure(ctx, &schema.Structure{Slug: "roubaix", Name: "Roubaix"}); !errors.Is(err, sqlite.ErrDamaged) {
		t.Errorf("a structure written into a damaged database: %v", err)
	}
	// A write outside a store transaction is stopped by the commit hook.
	if err := db.SetSetting(ctx, "probe", "after"); err == nil {
		t.Error("a setting written into a damaged database")
	}
	if v, err := db.Setting(ctx, "probe"); err == nil && v != "before" {
		t.Errorf("setting changed to %q", v)
	}
}

// TestDamageSeenOnReadStopsWrites: a read that meets a damaged page (no
// check has run) marks the database damaged, and writes stop at once.
func TestDamageSeenOnReadStopsWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "carnet.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Enough rows that the schema and the migrations' tables (made first,
	// at the start of the file) lie before the damaged middle.
	fill(t, db, 2000)
	db.Checkpoint(ctx)
	db.Close()
	damage(t, path)
	if db, err = sqlite.Open(path); err != nil {
		t.Fatalf("open (the damage is past the schema): %v", err)
	}
	defer db.Close()
	if db.Damaged() != nil {
		t.Fatal("damaged before any read")
	}
	cs := sqlite.NewCredentialStore(db)
	for i := 0; i < 2000 && db.Damaged() == nil; i++ {
		cs.FindCredential(ctx, fmt.Sprintf("urn:uuid:%d", i))
		cs.ListCredentials(ctx, schema.CredentialFilter{Limit: 1000})
	}
	if err := db.Damaged(); !errors.Is(err, sqlite.ErrDamaged) {
		t.Fatalf("reads over damaged pages did not mark the database damaged: %v", err)
	}
	if err := db.SetSetting(ctx, "probe", "after"); err == nil {
		t.Error("a setting written into a damaged database")
	}
}
