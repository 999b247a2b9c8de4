package sqlite_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

// TestResources: the starter set is stored on first use, once; resources
// round-trip, keep their place, and invalid ones are refused.
func TestResources(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "carnet.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	db.Now = func() time.Time { return at }
	fws := schema.NewFrameworks()
	s := sqlite.NewResourceStore(db, fws)
	starter, err := schema.StarterCatalogue(fws)
	if err != nil {
		t.Fatal(err)
	}

	list, err := s.ListResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(starter.Resources) {
		t.Fatalf("first use: %d resources, want the %d of the starter set", len(list), len(starter.Resources))
	}
	for i, r := range list {
		want := starter.Resources[i]
		want.UpdatedAt = at
		if !reflect.DeepEqual(*r, want) {
			t.Errorf("starter #%d:\n got %+v\nwant %+v", i, *r, want)
		}
	}

	// A new resource goes at the end and round-trips.
	r := &schema.Resource{ID: "atelier-bib", Name: schema.Text{"fr": "Ateliers de la bibliothèque", "en": "Library workshops"},
		URL: "https://bib.example.fr/ateliers", Provider: "Bibliothèque de Lille", Free: true, Languages: []string{"fr", "ar"},
		Covers: []schema.Coverage{{Framework: "digcomp-2.2", Competencies: []string{"1.1", "4.2"}, From: "1", To: "3"},
			{Framework: "cefr-fr", Competencies: []string{"REC.L"}, From: "A1", To: "A2"}},
		UpdatedBy: "admin@example.org"}
	if err := s.CreateResource(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindResource(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) || !got.UpdatedAt.Equal(at) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, r)
	}

	// An edit keeps the place.
	at = at.Add(time.Hour)
	first := *list[0]
	first.Free, first.UpdatedBy = false, "other@example.org"
	first.Name = schema.Text{"fr": "Pix (modifié)"}
	if err := s.UpdateResource(ctx, &first); err != nil {
		t.Fatal(err)
	}
	list, _ = s.ListResources(ctx)
	if list[0].ID != first.ID || list[0].Name["fr"] != "Pix (modifié)" || list[0].Free || list[0].UpdatedBy != "other@example.org" ||
		!list[0].UpdatedAt.Equal(at) || list[len(list)-1].ID != r.ID {
		t.Errorf("after update: first %+v, last %s", list[0], list[len(list)-1].ID)
	}

	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"duplicate id", s.CreateResource(ctx, &schema.Resource{ID: r.ID, Name: r.Name, URL: r.URL, Provider: "x", Languages: []string{"fr"}, Covers: r.Covers}), schema.ECONFLICT},
		{"http link", s.CreateResource(ctx, &schema.Resource{ID: "x", Name: r.Name, URL: "http://x.example", Provider: "x", Languages: []string{"fr"}, Covers: r.Covers}), schema.EINVALID},
		{"invalid update", s.UpdateResource(ctx, &schema.Resource{ID: r.ID, Name: r.Name, URL: r.URL, Provider: "x", Languages: []string{"french"}, Covers: r.Covers}), schema.EINVALID},
		{"find unknown", func() error { _, err := s.FindResource(ctx, "nope"); return err }(), schema.ENOTFOUND},
		{"update unknown", s.UpdateResource(ctx, &schema.Resource{ID: "nope", Name: r.Name, URL: r.URL, Provider: "x", Languages: []string{"fr"}, Covers: r.Covers}), schema.ENOTFOUND},
		{"delete unknown", s.DeleteResource(ctx, "nope"), schema.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := schema.ErrorCode(tc.err); got != tc.code {
				t.Errorf("code %q, want %q (%v)", got, tc.code, tc.err)
			}
		})
	}
	if got, _ := s.FindResource(ctx, r.ID); got.Provider != r.Provider {
		t.Errorf("a refused update changed the resource: %+v", got)
	}

	// Delete everything: the starter set does not come back, in this
	// process or after reopening.
	for _, x := range list {
		if err := s.DeleteResource(ctx, x.ID); err != nil {
			t.Fatal(err)
		}
	}
	if list, _ := s.ListResources(ctx); len(list) != 0 {
		t.Errorf("after deleting all: %d resources", len(list))
	}
	db.Close()
	db2, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if list, err := sqlite.NewResourceStore(db2, fws).ListResources(ctx); err != nil || len(list) != 0 {
		t.Errorf("after reopening: %d resources (%v), want none", len(list), err)
	}
}
