package sqlite

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"carnet/schema"
)

func TestTimeFormatIsFixedWidthAndSorts(t *testing.T) {
	base := time.Date(2026, 12, 6, 1, 2, 5, 0, time.UTC)
	var texts []string
	for _, ns := range []int{0, 1, 100_000_000, 150_000_000, 500_000_000, 999_999_999} {
		texts = append(texts, formatTime(base.Add(time.Duration(ns))))
	}
	for i, s := range texts {
		if len(s) != len(timeLayout) {
			t.Errorf("%q is not fixed width", s)
		}
		if got, err := parseTime(s); err != nil || !got.Equal(base.Add(time.Duration([]int{0, 1, 100_000_000, 150_000_000, 500_000_000, 999_999_999}[i]))) {
			t.Errorf("parseTime(%q) = %v, %v", s, got, err)
		}
	}
	if !sort.StringsAreSorted(texts) {
		t.Errorf("text order is not time order: %q", texts)
	}
	if formatTime(time.Time{}) != "" {
		t.Error("zero time")
	}
	if got, err := parseTime(""); err != nil || !got.IsZero() {
		t.Errorf("empty: %v %v", got, err)
	}
	paris := time.FixedZone("CET", 3600)
	if formatTime(base.In(paris)) != formatTime(base) {
		t.Error("times are not stored in UTC")
	}
	for _, bad := range []string{"yesterday", "2026-12-06", "2026-12-06T01:02:05+01:00", "2026-12-06T01:02:05.1Z"} {
		if _, err := parseTime(bad); err == nil {
			t.Errorf("parseTime(%q) accepted", bad)
		}
	}
}

// TestTimeMigration rewrites times stored the old way (RFC 3339 with a
// variable fraction) as migration 0011 does on an existing database, and
// checks that they read back the same and sort as time.
func TestTimeMigration(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	old := map[string]time.Time{
		"a": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		"b": time.Date(2026, 1, 2, 3, 4, 5, 100_000_000, time.UTC),
		"c": time.Date(2026, 1, 2, 3, 4, 5, 150_000_000, time.UTC),
		"d": time.Date(2026, 1, 2, 3, 4, 5, 123_456_789, time.UTC),
	}
	for slug, at := range old {
		if _, err := db.db.Exec(`INSERT INTO structures (slug, name, created_at) VALUES (?, ?, ?)`, slug, slug, at.Format(time.RFC3339Nano)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.db.Exec(`INSERT INTO audit (at, action) VALUES (?, 'x'), ('', 'y'), ('not a time', 'z')`, old["c"].Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
	sql, err := migrationFS.ReadFile("migrations/0011_fixed_width_times.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.Exec(string(sql)); err != nil {
		t.Fatal(err)
	}
	st := NewStructureStore(db)
	for slug, at := range old {
		got, err := st.FindStructure(ctx, slug)
		if err != nil || !got.CreatedAt.Equal(at) {
			t.Errorf("%s after migration: %v %v, want %v", slug, got, err, at)
		}
	}
	rows, err := db.db.Query(`SELECT slug FROM structures ORDER BY created_at`)
	if err != nil {
		t.Fatal(err)
	}
	var order string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		order += s
	}
	rows.Close()
	if order != "abdc" {
		t.Errorf("order by created_at after migration: %s, want abdc", order)
	}
	var at string
	db.db.QueryRow(`SELECT at FROM audit WHERE action = 'x'`).Scan(&at)
	if at != "2026-01-02T03:04:05.150000000Z" {
		t.Errorf("audit time after migration: %q", at)
	}
	// What is not a time is not turned into one: reading it says so.
	if _, err := NewAuditStore(db).ListAudit(ctx, schema.AuditFilter{}); err == nil {
		t.Error("a stored time that is not one was read without error")
	}
}
