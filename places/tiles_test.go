package places_test

import (
	"strings"
	"testing"

	"carnet/places"
	"carnet/schema"
)

// TestTilesClean: the tile URL is https (http only on a loopback host of
// an instance on loopback), names its server exactly (the page's
// Content-Security-Policy allows that origin and no other), holds {z},
// {x} and {y}; anything else is refused with a bilingual error.
func TestTilesClean(t *testing.T) {
	good := []struct {
		url, attribution string
		loopback         bool
		origin           string
	}{
		{"", "", false, "https://tile.openstreetmap.org"},
		{"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "", false, "https://tile.openstreetmap.org"},
		{" https://tuiles.example.fr/osm/{z}/{x}/{y}{r}.png?key=abc ", "© Exemple", false, "https://tuiles.example.fr"},
		{"https://tuiles.example.fr:8443/{z}/{y}/{x}.png", "© Exemple", false, "https://tuiles.example.fr:8443"},
		{"http://127.0.0.1:8081/{z}/{x}/{y}.png", "test", true, "http://127.0.0.1:8081"},
		{"http://localhost:8081/{z}/{x}/{y}.png", "test", true, "http://localhost:8081"},
	}
	for _, g := range good {
		tl := places.Tiles{URL: g.url, Attribution: g.attribution}
		if err := tl.Clean(g.loopback); err != nil {
			t.Errorf("%q refused: %v", g.url, err)
			continue
		}
		if tl.Origin() != g.origin || tl.Attribution == "" {
			t.Errorf("%q: origin %q, attribution %q", g.url, tl.Origin(), tl.Attribution)
		}
	}
	bad := []struct {
		url, attribution string
		loopback         bool
	}{
		{"http://tuiles.example.fr/{z}/{x}/{y}.png", "x", false},
		{"http://tuiles.example.fr/{z}/{x}/{y}.png", "x", true}, // http only on loopback hosts
		{"http://127.0.0.1:8081/{z}/{x}/{y}.png", "x", false},   // and only for an instance on loopback
		{"http://127.evil.example/{z}/{x}/{y}.png", "x", true},
		{"https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "x", false},
		{"https://tuiles.example.fr/{z}/{x}.png", "x", false},
		{"https://tuiles.example.fr/{z}/{x}/{y}/{foo}.png", "x", false},
		{"https://tuiles.example.fr/{z}/{x}/{y}.png; script-src *", "x", false},
		{"https://tuiles.example.fr/{z}/{x}/{y}.png;script-src", "x", false},
		{"https://tuiles.example.fr/{z}/{x}/{y}.png'", "x", false},
		{"https://user@tuiles.example.fr/{z}/{x}/{y}.png", "x", false},
		{"javascript:alert(1)//{z}/{x}/{y}", "x", false},
		{"data:image/png,{z}{x}{y}", "x", false},
		{"//tuiles.example.fr/{z}/{x}/{y}.png", "x", false},
		{"https://tuiles.example.fr/{z}/{x}/{y}.png", "", false}, // a credit is required off OpenStreetMap
		{"https://tuiles.example.fr/" + strings.Repeat("a", 500) + "/{z}/{x}/{y}.png", "x", false},
		{"https://tuiles.example.fr/{z}/{x}/{y}.png", "line\nbreak\x00", false},
	}
	for _, b := range bad {
		tl := places.Tiles{URL: b.url, Attribution: b.attribution}
		err := tl.Clean(b.loopback)
		if err == nil {
			t.Errorf("%q (loopback %v) accepted: origin %q", b.url, b.loopback, tl.Origin())
			continue
		}
		if en, fr := schema.ErrorMessage(err), schema.ErrorMessageFR(err); en == "" || fr == "" || en == fr {
			t.Errorf("%q: messages %q / %q", b.url, en, fr)
		}
	}
}
