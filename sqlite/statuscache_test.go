package sqlite_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
	"carnet/verifier"
)

func TestStatusListStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "carnet.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://partner.example.org/s/lille/status/1"
	if l, err := db.LoadStatusList(ctx, url); l != nil || err != nil {
		t.Fatalf("nothing stored: %+v, %v; want nil, nil", l, err)
	}
	at := time.Date(2026, 3, 14, 9, 30, 0, 123456789, time.UTC)
	want := &verifier.StoredStatusList{URL: url, JWS: "eyJhbGciOiJFUzI1NiJ9.e30.sig", ETag: `W/"abc"`, LastModified: "Sat, 14 Mar 2026 09:00:00 GMT", CheckedAt: at}
	if err := db.SaveStatusList(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := db.LoadStatusList(ctx, url); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip: %+v, %v\nwant %+v", got, err, want)
	}
	// Saving again replaces: a 304 updates the time, a new list everything.
	want = &verifier.StoredStatusList{URL: url, JWS: "eyJhbGciOiJFUzI1NiJ9.e30.sig2", CheckedAt: at.Add(time.Hour)}
	if err := db.SaveStatusList(ctx, want); err != nil {
		t.Fatal(err)
	}
	other := &verifier.StoredStatusList{URL: url + "/suspension", JWS: "x.y.z", ETag: `"1"`, CheckedAt: at}
	if err := db.SaveStatusList(ctx, other); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Kept across a restart.
	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, w := range []*verifier.StoredStatusList{want, other} {
		if got, err := db.LoadStatusList(ctx, w.URL); err != nil || !reflect.DeepEqual(got, w) {
			t.Errorf("after reopening: %+v, %v\nwant %+v", got, err, w)
		}
	}

	for name, l := range map[string]*verifier.StoredStatusList{
		"nil":            nil,
		"no URL":         {JWS: "a.b.c", CheckedAt: at},
		"no JWS":         {URL: url, CheckedAt: at},
		"no checked_at":  {URL: url, JWS: "a.b.c"},
		"JWS over 1 MiB": {URL: url, JWS: strings.Repeat("a", verifier.MaxStatusListDocument+1), CheckedAt: at},
	} {
		if err := db.SaveStatusList(ctx, l); schema.ErrorCode(err) != schema.EINVALID {
			t.Errorf("%s: %v, want %s", name, err, schema.EINVALID)
		}
	}
	if got, err := db.LoadStatusList(ctx, url); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("refused saves changed the copy: %+v, %v", got, err)
	}
	// The largest list credential fits.
	big := &verifier.StoredStatusList{URL: url, JWS: strings.Repeat("a", verifier.MaxStatusListDocument), CheckedAt: at}
	if err := db.SaveStatusList(ctx, big); err != nil {
		t.Errorf("1 MiB list credential: %v", err)
	}
}

// TestStatusListPrune: saving a list deletes the copies last confirmed
// more than 30 days before it (past verifier.MaxStaleStatus, they no longer
// answer); the others, the one saved and a copy refreshed in time stay.
func TestStatusListPrune(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	save := func(url string, checked time.Time) {
		t.Helper()
		if err := db.SaveStatusList(ctx, &verifier.StoredStatusList{URL: url, JWS: "a.b.c", CheckedAt: checked}); err != nil {
			t.Fatal(err)
		}
	}
	const base = "https://partner.example.org/s/lille/status/"
	save(base+"old", at)
	save(base+"refreshed", at)
	save(base+"edge", at.Add(24*time.Hour).Add(500*time.Millisecond)) // exactly 30 days before the last save
	save(base+"recent", at.Add(29*24*time.Hour))
	save(base+"refreshed", at.Add(30*24*time.Hour))
	for _, u := range []string{"old", "refreshed", "edge", "recent"} {
		if l, err := db.LoadStatusList(ctx, base+u); l == nil || err != nil {
			t.Fatalf("%s pruned too early: %v", u, err)
		}
	}
	save(base+"new", at.Add(31*24*time.Hour).Add(500*time.Millisecond))
	for u, kept := range map[string]bool{"old": false, "refreshed": true, "edge": true, "recent": true, "new": true} {
		l, err := db.LoadStatusList(ctx, base+u)
		if err != nil || (l != nil) != kept {
			t.Errorf("%s: stored %+v, %v; want kept %v", u, l, err, kept)
		}
	}
	if 30*24*time.Hour <= verifier.MaxStaleStatus {
		t.Errorf("copies are pruned before MaxStaleStatus (%v)", verifier.MaxStaleStatus)
	}
}
