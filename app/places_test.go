package app

import (
	"testing"

	"carnet/places"
)

// TestOrientationMatches: the printouts' matches are the offers first, in
// the orientation's order, then the places that no offer already names,
// at most n.
func TestOrientationMatches(t *testing.T) {
	d := func(f float64) *float64 { return &f }
	bib := &places.Record{ID: "did:web:x:s:bib", Nom: "Médiathèque"}
	o := &Orientation{
		Offers: []OrientedOffer{
			{Offer: &places.Offer{ID: "o-1", Title: "Courriel"}, Place: bib, DistanceKm: d(1.5)},
			{Offer: &places.Offer{ID: "o-2", Title: "Sans lieu"}},
		},
		Places: []OrientedPlace{
			{Place: *bib, DistanceKm: 1.5, Network: true, Structure: "bib"},
			{Place: places.Record{ID: "nd", Nom: "Notre-Dame numérique"}, DistanceKm: 2},
			{Place: places.Record{ID: "vers", Nom: "Versailles"}, DistanceKm: 17},
		},
	}
	name := func(ms []Match) (out []string) {
		for _, m := range ms {
			out = append(out, m.Name())
		}
		return out
	}
	if got := name(o.Matches(2)); len(got) != 2 || got[0] != "Courriel — Médiathèque" || got[1] != "Sans lieu" {
		t.Errorf("2 matches: %q", got)
	}
	got := o.Matches(10)
	if n := name(got); len(n) != 4 || n[2] != "Notre-Dame numérique" || n[3] != "Versailles" || got[2].Network || *got[3].DistanceKm != 17 {
		t.Errorf("10 matches: %q", n)
	}
	if len(o.Matches(0)) != 0 {
		t.Error("0 matches")
	}
}
