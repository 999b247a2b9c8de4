package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"carnet/places"
	"carnet/schema"
	"carnet/sqlite"
)

// sourcePlaces replaces the places of a source with list (as a partner's
// fetch does).
func sourcePlaces(t *testing.T, s *sqlite.PlaceStore, source string, list ...*places.Place) int {
	t.Helper()
	var buf bytes.Buffer
	if err := places.WriteJSON(&buf, list); err != nil {
		t.Fatal(err)
	}
	_, removed, err := s.ReplaceSource(context.Background(), &buf, source)
	if err != nil {
		t.Fatal(err)
	}
	return removed
}

func sharedOffer(t *testing.T, fws *schema.Frameworks, source, id, placeID, framework, from, to string, comps ...string) *places.SharedOffer {
	t.Helper()
	p := places.PublishedOffer{ID: id, PlaceID: placeID, Title: "Offre " + id, Kind: places.KindWorkshop, Framework: framework,
		Competencies: comps, From: from, To: to, Price: "Gratuit"}
	o, err := p.Shared(fws, source)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// sharedIDs lists the offers' ids, sorted ("!" and the error on an error).
func sharedIDs(l []*places.SharedOffer, err error) string {
	if err != nil {
		return "!" + err.Error()
	}
	var out []string
	for _, o := range l {
		out = append(out, o.ID)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestSharedOffers: a partner's offers are stored only at the places of
// the same partner (never at a network structure's, an imported file's or
// another partner's), replaced as a whole at each fetch, matched by
// framework, competency and level rank (never when unknown here), and
// leave with their place. NetworkOffers publishes the network's offers at
// a described place, with the place's id.
func TestSharedOffers(t *testing.T) {
	db, _ := openPlaces(t)
	ctx := context.Background()
	s := sqlite.NewPlaceStore(db)
	fws := schema.NewFrameworks()
	const num = "Maîtrise des outils numériques du quotidien"

	// The network: a structure with its place and an offer, another
	// without a place.
	sts := sqlite.NewStructureStore(db)
	for _, slug := range []string{"bib", "asso"} {
		if err := sts.CreateStructure(ctx, &schema.Structure{Slug: slug, Name: "S " + slug}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutStructurePlace(ctx, "bib", place("did:web:here:bib", 49.25, 4.03, num)); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"bib", "asso"} {
		o := &places.Offer{ID: "o-" + slug, Structure: slug, Title: "Atelier", Kind: places.KindWorkshop, Framework: "digcomp-2.2",
			Competencies: []string{"1.1"}, From: "3", To: "3", Price: "Gratuit"}
		if err := o.Validate(fws); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateOffer(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := s.NetworkOffers(ctx)
	if err != nil || len(pub) != 1 || pub[0].ID != "o-bib" || pub[0].PlaceID != "did:web:here:bib" || pub[0].Competencies[0] != "1.1" {
		t.Fatalf("network offers: %v %+v", err, pub)
	}

	// Places of two partners and of an imported file.
	const a, b = "carnet:https://a.example.org", "carnet:https://b.example.org"
	sourcePlaces(t, s, a, place("a-1", 49.26, 4.04, num), place("a-2", 48.85, 2.35, num))
	sourcePlaces(t, s, b, place("b-1", 49.27, 4.05, num))
	importPlaces(t, s, []*places.Place{place("imp-1", 49.28, 4.06, num)})

	list := []*places.SharedOffer{
		sharedOffer(t, fws, a, "x-1", "a-1", "digcomp-2.2", "3", "4", "1.1", "2.1"),
		sharedOffer(t, fws, a, "x-2", "a-2", "digcomp-9", "3", "3", "1.1"),   // unknown framework: kept, not matched
		sharedOffer(t, fws, a, "x-3", "a-1", "digcomp-2.2", "Z", "Z", "1.1"), // unknown level: kept, not matched
		sharedOffer(t, fws, a, "x-4", "b-1", "digcomp-2.2", "3", "3", "1.1"),
		sharedOffer(t, fws, a, "x-5", "imp-1", "digcomp-2.2", "3", "3", "1.1"),
		sharedOffer(t, fws, a, "x-6", "did:web:here:bib", "digcomp-2.2", "3", "3", "1.1"),
		sharedOffer(t, fws, a, "x-7", "nowhere", "digcomp-2.2", "3", "3", "1.1"),
		sharedOffer(t, fws, a, "x-8", "a-2", "digcomp-2.2", "3", "3", "1.1"),
	}
	removed, orphans, err := s.ReplaceSharedOffers(ctx, a, list)
	if err != nil || removed != 0 || strings.Join(orphans, " ") != "x-4 x-5 x-6 x-7" {
		t.Fatalf("replace: %d %v %v", removed, orphans, err)
	}
	if got := sharedIDs(s.SharedOffers(ctx, a)); got != "x-1 x-2 x-3 x-8" {
		t.Errorf("stored: %s", got)
	}
	all, _ := s.SharedOffers(ctx, "")
	for _, o := range all {
		if o.Source != a || o.Place == nil || o.Place.ID != o.PlaceID || o.Structure != "" || (o.ID == "x-1" || o.ID == "x-8") != o.Matched() {
			t.Errorf("read back: %+v", o)
		}
	}
	// Matched by framework, competency and rank (levels 3 and 4: ranks 2, 3).
	for _, c := range []struct {
		fw, comp string
		rank     int
		want     string
	}{
		{"digcomp-2.2", "1.1", 2, "x-1 x-8"}, {"digcomp-2.2", "2.1", 3, "x-1"}, {"digcomp-2.2", "1.1", 1, ""},
		{"digcomp-2.2", "1.1", 4, ""}, {"digcomp-2.2", "1", 2, ""}, {"digcomp-9", "1.1", 2, ""}, {"digcomp-2.2", "1.2", 2, ""},
	} {
		if got := sharedIDs(s.SharedOffersServing(ctx, c.fw, c.comp, c.rank, math.NaN(), math.NaN(), 0)); got != c.want {
			t.Errorf("serving %s %s %d: %q, want %q", c.fw, c.comp, c.rank, got, c.want)
		}
	}
	// The nearest first, limit of them: x-8 in Paris, x-1 in Reims.
	for _, c := range []struct {
		lat, lon float64
		limit    int
		want     string
	}{{48.86, 2.35, 0, "x-8 x-1"}, {49.25, 4.03, 0, "x-1 x-8"}, {48.86, 2.35, 1, "x-8"}, {49.25, 4.03, 1, "x-1"}} {
		l, err := s.SharedOffersServing(ctx, "digcomp-2.2", "1.1", 2, c.lat, c.lon, c.limit)
		var got []string
		for _, o := range l {
			got = append(got, o.ID)
		}
		if err != nil || strings.Join(got, " ") != c.want {
			t.Errorf("from %v,%v limit %d: %v %v, want %s", c.lat, c.lon, c.limit, got, err, c.want)
		}
	}
	// The network's own offers are untouched.
	if own, err := s.ListOffers(ctx, ""); err != nil || len(own) != 2 {
		t.Errorf("network offers: %v %d", err, len(own))
	}

	// Another partner's replace leaves a's alone; a's replace, with
	// fewer, removes the others without duplicates.
	if removed, _, err := s.ReplaceSharedOffers(ctx, b, []*places.SharedOffer{sharedOffer(t, fws, b, "x-1", "b-1", "digcomp-2.2", "3", "3", "1.1")}); err != nil || removed != 0 {
		t.Fatal(removed, err)
	}
	if removed, orphans, err := s.ReplaceSharedOffers(ctx, a, list[:1]); err != nil || removed != 3 || len(orphans) != 0 {
		t.Fatalf("replace with fewer: %d %v %v", removed, orphans, err)
	}
	if got := sharedIDs(s.SharedOffers(ctx, a)); got != "x-1" {
		t.Errorf("after replace: %s", got)
	}
	if got := sharedIDs(s.SharedOffers(ctx, b)); got != "x-1" {
		t.Errorf("b's: %s", got)
	}
	if got := sharedIDs(s.SharedOffersServing(ctx, "digcomp-2.2", "1.1", 2, math.NaN(), math.NaN(), 0)); got != "x-1 x-1" {
		t.Errorf("both partners' serving: %s", got)
	}

	// A place that another source takes over (an imported file with its
	// id) no longer carries the partner's offers.
	importPlaces(t, s, []*places.Place{place("b-1", 49.27, 4.05, num)})
	if got := sharedIDs(s.SharedOffers(ctx, b)); got != "" {
		t.Errorf("offers at a place taken over: %s", got)
	}
	// A place the partner no longer shares takes its offers with it.
	if removed := sourcePlaces(t, s, a, place("a-2", 48.85, 2.35, num)); removed != 1 {
		t.Fatalf("removed %d places", removed)
	}
	if got := sharedIDs(s.SharedOffers(ctx, "")); got != "" {
		t.Errorf("offers outlive their place: %s", got)
	}
}

// BenchmarkPlacesSharedOffers: a partner's largest accepted answer
// (MaxPartnerOffers, 20,000 offers at 2,000 places) replaced at once, and
// the orientation's query of the partners' offers for a next level among
// them; figures in BENCHMARKS.md.
func BenchmarkPlacesSharedOffers(b *testing.B) {
	db, _ := openPlaces(b)
	s := sqlite.NewPlaceStore(db)
	fws := schema.NewFrameworks()
	const src = "carnet:https://a.example.org"
	ps := synthetic(2000)
	var buf bytes.Buffer
	if err := places.WriteJSON(&buf, ps); err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.ReplaceSource(context.Background(), &buf, src); err != nil {
		b.Fatal(err)
	}
	comps := []string{"1.1", "1.2", "2.1", "2.2", "3.1", "4.2", "5.1"}
	var list []*places.SharedOffer
	for i := 0; i < 20000; i++ {
		from := 1 + i%7
		p := places.PublishedOffer{ID: fmt.Sprintf("o-%d", i), PlaceID: ps[i%len(ps)].ID, Title: "Atelier", Kind: places.KindWorkshop,
			Framework: "digcomp-2.2", Competencies: []string{comps[i%7], comps[(i%7+1+(i/7)%6)%7]}, From: fmt.Sprint(from), To: fmt.Sprint(from + 1),
			Schedule: "mardi 14 h – 16 h", Price: "Gratuit"}
		o, err := p.Shared(fws, src)
		if err != nil {
			b.Fatal(err)
		}
		list = append(list, o)
	}
	b.Run("replace20k", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, orphans, err := s.ReplaceSharedOffers(context.Background(), src, list); err != nil || len(orphans) != 0 {
				b.Fatal(len(orphans), err)
			}
		}
	})
	b.Run("serving", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			got, err := s.SharedOffersServing(context.Background(), "digcomp-2.2", comps[i%len(comps)], 1+i%7, 43+float64(i%7), 2+float64(i%5), 10)
			if err != nil || len(got) == 0 {
				b.Fatal(len(got), err)
			}
		}
	})
}
