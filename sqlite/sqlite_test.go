package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

func open(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStructures(t *testing.T) {
	ctx := context.Background()
	s := sqlite.NewStructureStore(open(t))
	st := &schema.Structure{Slug: "lille", Name: "Médiathèque Jean Lévy", URL: "https://bm.example.fr"}
	if err := s.CreateStructure(ctx, st); err != nil || st.ID == 0 {
		t.Fatalf("create: %v (id %d)", err, st.ID)
	}
	for _, tc := range []struct {
		name string
		st   schema.Structure
		code string
	}{
		{"duplicate slug", schema.Structure{Slug: "lille", Name: "Autre"}, schema.ECONFLICT},
		{"bad slug", schema.Structure{Slug: "Lille Sud", Name: "x"}, schema.EINVALID},
		{"no name", schema.Structure{Slug: "roubaix", Name: " "}, schema.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.CreateStructure(ctx, &tc.st); schema.ErrorCode(err) != tc.code {
				t.Errorf("err = %v, want %s", err, tc.code)
			}
		})
	}
	got, err := s.FindStructure(ctx, "lille")
	if err != nil || got.Name != st.Name || got.URL != st.URL || got.CreatedAt.IsZero() {
		t.Errorf("find: %+v %v", got, err)
	}
	if _, err := s.FindStructure(ctx, "nowhere"); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("find missing: %v", err)
	}
	list, _ := s.ListStructures(ctx)
	if len(list) != 1 {
		t.Errorf("list: %d", len(list))
	}
}

func TestCredentialsAndStatusIndexes(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	sqlite.NewStructureStore(db).CreateStructure(ctx, &schema.Structure{Slug: "lille", Name: "Lille"})
	cs := sqlite.NewCredentialStore(db)

	// A picker that proposes the same index twice: the store must skip it.
	seq := []int{42, 42, 7}
	pick := func(n int) (int, error) { v := seq[0]; seq = seq[1:]; return v, nil }
	l1, i1, err := cs.ReserveStatusIndex(ctx, "lille", pick)
	if err != nil || l1 != 1 || i1 != 42 {
		t.Fatalf("first reservation: %d/%d %v", l1, i1, err)
	}
	l2, i2, err := cs.ReserveStatusIndex(ctx, "lille", pick)
	if err != nil || l2 != 1 || i2 != 7 {
		t.Fatalf("second reservation: %d/%d %v (must skip taken index 42)", l2, i2, err)
	}
	if _, _, err := cs.ReserveStatusIndex(ctx, "nowhere", pick); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("unknown structure: %v", err)
	}

	rec := &schema.CredentialRecord{
		ID: "urn:uuid:1", Structure: "lille", SubjectID: "urn:uuid:s", LearnerName: "Олена Шевченко", Framework: "cefr-fr",
		Results:  []schema.LevelResult{{Competency: "REC.L", Level: "B1"}},
		IssuedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ValidUntil: time.Date(2028, 1, 2, 3, 4, 5, 0, time.UTC),
		JWT: "a.b.c", CardToken: "d.e.f", ShortCode: "K7QM-4XPA-9D", StatusList: l1, StatusIndex: i1,
	}
	if err := cs.CreateCredential(ctx, rec); err != nil {
		t.Fatal(err)
	}
	dup := *rec
	dup.ShortCode = "0000-0000-00"
	if err := cs.CreateCredential(ctx, &dup); schema.ErrorCode(err) != schema.ECONFLICT {
		t.Errorf("duplicate id: %v", err)
	}
	for _, find := range []func() (*schema.CredentialRecord, error){
		func() (*schema.CredentialRecord, error) { return cs.FindCredential(ctx, "urn:uuid:1") },
		func() (*schema.CredentialRecord, error) { return cs.FindCredentialByShortCode(ctx, "K7QM-4XPA-9D") },
	} {
		got, err := find()
		if err != nil {
			t.Fatal(err)
		}
		if got.LearnerName != rec.LearnerName || got.Structure != "lille" || !got.IssuedAt.Equal(rec.IssuedAt) ||
			!got.ValidUntil.Equal(rec.ValidUntil) || len(got.Results) != 1 || got.Results[0] != rec.Results[0] || !got.RevokedAt.IsZero() {
			t.Errorf("found %+v", got)
		}
	}
	if _, err := cs.FindCredentialByShortCode(ctx, "ZZZZ-ZZZZ-ZZ"); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("unknown short code: %v", err)
	}
}

// TestConcurrentReservations runs writers on separate connections: WAL and
// immediate transactions must serialise them without SQLITE_BUSY.
func TestConcurrentReservations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqlite.NewStructureStore(db).CreateStructure(ctx, &schema.Structure{Slug: "lille", Name: "Lille"})
	var mu sync.Mutex
	next := 0
	pick := func(n int) (int, error) { mu.Lock(); defer mu.Unlock(); next = (next + 7919) % n; return next, nil }
	var wg sync.WaitGroup
	seen := sync.Map{}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			other, err := sqlite.Open(filepath.Join(dir, "carnet.db")) // as another process would
			if err != nil {
				t.Error(err)
				return
			}
			defer other.Close()
			cs := sqlite.NewCredentialStore(other)
			for i := 0; i < 25; i++ {
				l, idx, err := cs.ReserveStatusIndex(ctx, "lille", pick)
				if err != nil {
					t.Error(err)
					return
				}
				if _, dup := seen.LoadOrStore([2]int{l, idx}, true); dup {
					t.Errorf("index %d/%d reserved twice", l, idx)
				}
			}
		}()
	}
	wg.Wait()
}

func TestSettingsAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "carnet.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.Setting(ctx, "base_url"); err != nil || v != "" {
		t.Errorf("unset setting: %q %v", v, err)
	}
	db.SetSetting(ctx, "base_url", "https://a.example")
	db.SetSetting(ctx, "base_url", "https://b.example")
	db.Close()
	db, err = sqlite.Open(path) // migrations run once
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Setting(ctx, "base_url"); v != "https://b.example" {
		t.Errorf("setting after reopen: %q", v)
	}
}
