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
