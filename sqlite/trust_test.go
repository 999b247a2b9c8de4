package sqlite_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

func TestTrustedSources(t *testing.T) {
	ctx := context.Background()
	s := sqlite.NewTrustStore(open(t))
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	key := json.RawMessage(`{"kty":"EC","crv":"P-256","x":"a","y":"b","kid":"did:web:example.org:s:a#k1"}`)
	ts := &schema.TrustedSource{Source: "https://partner.example.org", Name: "Partenaire", AddedBy: "admin@example.org",
		AddedAt: at, LastFetchAt: at, LastSuccessAt: at, ETag: `"v1"`, LastModified: "Sat, 01 Mar 2025 09:00:00 GMT", MaxAge: 2 * time.Hour, ExpiresAt: at.Add(7 * 24 * time.Hour),
		Issuers: []schema.TrustedSourceIssuer{{ID: "did:web:example.org:s:a", Name: "A", URL: "https://partner.example.org/.well-known/jwks.json", Keys: []json.RawMessage{key}}}}
	if err := s.CreateTrustedSource(ctx, ts); err != nil || ts.ID == 0 {
		t.Fatalf("create: %v (id %d)", err, ts.ID)
	}
	got, err := s.FindTrustedSource(ctx, ts.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ts) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, ts)
	}

	// A failed fetch keeps the last good issuers.
	got.LastFetchAt, got.LastError = at.Add(time.Hour), "partner.example.org answered 503"
	if err := s.UpdateTrustedSource(ctx, got); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListTrustedSources(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %d", err, len(list))
	}
	if l := list[0]; l.ETag != `"v1"` || l.MaxAge != 2*time.Hour || !l.NextRefresh().Equal(at.Add(time.Hour+15*time.Minute)) || l.LastError == "" || !l.LastSuccessAt.Equal(at) || !l.LastFetchAt.Equal(at.Add(time.Hour)) || len(l.Issuers) != 1 || string(l.Issuers[0].Keys[0]) != string(key) {
		t.Errorf("after update: %+v", l)
	}

	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"duplicate source", s.CreateTrustedSource(ctx, &schema.TrustedSource{Source: ts.Source, Name: "x"}), schema.ECONFLICT},
		{"find unknown", func() error { _, err := s.FindTrustedSource(ctx, 999); return err }(), schema.ENOTFOUND},
		{"update unknown", s.UpdateTrustedSource(ctx, &schema.TrustedSource{ID: 999}), schema.ENOTFOUND},
		{"delete unknown", s.DeleteTrustedSource(ctx, 999), schema.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := schema.ErrorCode(tc.err); got != tc.code {
				t.Errorf("code %q, want %q (%v)", got, tc.code, tc.err)
			}
		})
	}

	if err := s.DeleteTrustedSource(ctx, ts.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListTrustedSources(ctx); len(list) != 0 {
		t.Errorf("after delete: %d sources", len(list))
	}
}
