package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carnet/app"
	"carnet/places"
	"carnet/schema"
)

// describe gives a structure of f its place on the national standard.
func describe(t *testing.T, f *fixture, tok, slug string, body map[string]any) {
	t.Helper()
	if code := f.api(tok, "PATCH", "/api/v1/structures/"+slug, body, nil); code != 200 {
		t.Fatalf("describe %s: %d", slug, code)
	}
}

// TestPartnerPlaces runs two Carnet servers on 127.0.0.1: B trusts A (the
// trust registry), and its network administrator fetches the places A
// publishes at /lieux.json from /lieux/admin, through B's outbound client.
// They are kept as places outside B's network, in A's name: on /lieux, in
// orientation (partner "Réseau A"), never as B's structures or in B's own
// open data; a fetch again updates them by the standard's id without
// duplicates and removes those A no longer publishes; A down, the last
// ones stay. An instance on a public address, whose outbound client dials
// public addresses only, does not fetch from a partner on loopback.
func TestPartnerPlaces(t *testing.T) {
	ctx := context.Background()
	a := startFixture(t)
	stA := a.structure("bib-a")
	stA2 := a.structure("bib-a2")
	tokA := a.token(a.user("admin@a.example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleAdmin},
		schema.Membership{StructureID: stA2.ID, Role: schema.RoleAdmin}))
	describe(t, a, tokA, "bib-a", map[string]any{"pivot": "21510454700019", "adresse": "2 rue des Fuseliers", "code_postal": "51100",
		"commune": "Reims", "latitude": 49.2535, "longitude": 4.0341, "horaires": "Mo-Fr 09:00-18:00",
		"services": []string{"Maîtrise des outils numériques du quotidien"}})

	b := startFixture(t)
	stB := b.structure("bib-b")
	adminB := b.user("admin@b.example.org", true, schema.Membership{StructureID: stB.ID, Role: schema.RoleAdmin})
	tokB := b.token(adminB)
	var ts struct{ ID int64 }
	if code := b.api(tokB, "POST", "/api/v1/trust", map[string]any{"url": a.srv.BaseURL, "name": "Réseau A"}, &ts); code != 201 {
		t.Fatalf("trust A: %d", code)
	}
	id := itoa64(ts.ID)
	source := app.PartnerSource(a.srv.BaseURL)
	shared := func() []places.Outside {
		l, _, err := b.srv.Places.OutsidePlaces(ctx, "", "", 100)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}

	br := newBrowser(t, b.srv.BaseURL)
	br.login(adminB.Email)
	_, page, _ := br.get("/lieux/admin")
	if !strings.Contains(page, "Réseau A") || !strings.Contains(page, `action="/lieux/admin/partners/`+id+`/places"`) {
		t.Fatalf("the partner is not on /lieux/admin:\n%s", page)
	}
	tok := br.csrf("/lieux/admin")
	fetch := func() (int, string) {
		t.Helper()
		code, body, _ := br.post("/lieux/admin/partners/"+id+"/places", tok, url.Values{})
		return code, body
	}
	if code, _, _ := br.post("/lieux/admin/partners/"+id+"/places", "", url.Values{}); code != 403 || len(shared()) != 0 {
		t.Errorf("without the token: %d", code)
	}
	code, body := fetch()
	if code != 200 || !strings.Contains(body, "Lieux de « Réseau A » : 1 importé(s), 0 écarté(s), 0 retiré(s)") {
		t.Fatalf("fetch: %d\n%s", code, body)
	}
	l := shared()
	if len(l) != 1 || l[0].Source != source || l[0].Place.Nom != "Structure bib-a" || l[0].Place.Horaires != "Mo-Fr 09:00-18:00" {
		t.Fatalf("stored: %+v", l)
	}

	// On B's /lieux, marked with the partner's name; not in B's open data,
	// not one of B's structures.
	_, lieux := cspOf(t, b.http.URL+"/lieux")
	if !strings.Contains(lieux, "Structure bib-a") || !strings.Contains(lieux, "Hors réseau · partagé par le Carnet partenaire « Réseau A »") ||
		!strings.Contains(lieux, `data-partner="Réseau A"`) {
		t.Errorf("B's /lieux:\n%s", lieux)
	}
	res, err := http.Get(b.http.URL + "/lieux.json")
	if err != nil {
		t.Fatal(err)
	}
	own, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(own), "bib-a") {
		t.Errorf("B republishes A's places: %s", own)
	}
	if sts, _ := b.sts.ListStructures(ctx); len(sts) != 1 {
		t.Errorf("B has %d structures", len(sts))
	}
	// In orientation, with the partner's name.
	var o struct {
		Places []struct {
			Place   struct{ Nom string }
			Network bool
			Partner string
		}
	}
	if code := b.api(tokB, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency=1.1&level=2&lat=49.25&lon=4.03", nil, &o); code != 200 ||
		len(o.Places) != 1 || o.Places[0].Place.Nom != "Structure bib-a" || o.Places[0].Network || o.Places[0].Partner != "Réseau A" {
		t.Errorf("orientation: %d %+v", code, o)
	}

	// On a learner's page of B: where to continue, A's place marked as
	// shared by the partner.
	describe(t, b, tokB, "bib-b", map[string]any{"pivot": "21510454700019", "adresse": "3 rue X", "code_postal": "51100",
		"commune": "Reims", "latitude": 49.25, "longitude": 4.03, "services": []string{"Aide aux démarches administratives"}})
	var learner struct{ ID string }
	if code := b.api(tokB, "POST", "/api/v1/learners", map[string]any{"name": "Lou"}, &learner); code != 201 {
		t.Fatalf("learner: %d", code)
	}
	if code := b.api(tokB, "POST", "/api/v1/credentials", map[string]any{"learner_id": learner.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3}}, nil); code != 201 {
		t.Fatalf("credential: %d", code)
	}
	if _, lp, _ := br.get("/learners/" + learner.ID); !strings.Contains(lp, "Structure bib-a") ||
		!strings.Contains(lp, "partagé par le Carnet partenaire « Réseau A »") {
		t.Errorf("learner page:\n%s", lp)
	}

	// A changes its hours and describes a second place: fetched again,
	// updated by id, no duplicate.
	describe(t, a, tokA, "bib-a", map[string]any{"horaires": "Sa 10:00-12:00"})
	describe(t, a, tokA, "bib-a2", map[string]any{"pivot": "21510454700019", "adresse": "1 place d'Erlon", "code_postal": "51100",
		"commune": "Reims", "latitude": 49.2555, "longitude": 4.0273, "services": []string{"Aide aux démarches administratives"}})
	if code, body := fetch(); code != 200 || !strings.Contains(body, "2 importé(s)") {
		t.Fatalf("fetch again: %d\n%.3000s", code, body)
	}
	l = shared()
	if len(l) != 2 {
		t.Fatalf("%d places after the second fetch", len(l))
	}
	for _, o := range l {
		if o.Place.Nom == "Structure bib-a" && o.Place.Horaires != "Sa 10:00-12:00" {
			t.Errorf("not updated: %+v", o.Place)
		}
	}
	// A place A no longer publishes leaves at the next fetch.
	res, err = http.Get(a.http.URL + "/lieux.json")
	if err != nil {
		t.Fatal(err)
	}
	var published []json.RawMessage
	json.NewDecoder(res.Body).Decode(&published)
	res.Body.Close()
	one, _ := json.Marshal(published[:1])
	if rep, removed, err := b.srv.Places.ReplaceSource(ctx, strings.NewReader(string(one)), source); err != nil || rep.Imported != 1 || removed != 1 || len(shared()) != 1 {
		t.Errorf("replace: %+v %d %v, %d places", rep, removed, err, len(shared()))
	}
	// Another source (an imported file) is left alone by a partner's fetch.
	csv := strings.Join(places.Columns, ",") + "\n" +
		"cathedrale,21510454700019,Espace de la cathédrale,Reims,51100,,1 rue X,,49.2537,4.0336,,,,,,,,,,,2026-01-01,Maîtrise des outils numériques du quotidien,,,,,,,,,,\n"
	if _, err := b.srv.Places.Import(ctx, strings.NewReader(csv), "national.csv"); err != nil {
		t.Fatal(err)
	}
	if code, _ := fetch(); code != 200 || len(shared()) != 3 {
		t.Errorf("fetch beside an imported file: %d, %d places", code, len(shared()))
	}

	// A down: the error is said, the places stay.
	a.http.Close()
	if code, body := fetch(); code != 502 || !strings.Contains(body, `role="alert"`) || len(shared()) != 3 {
		t.Errorf("partner down: %d, %d places\n%.2000s", code, len(shared()), body)
	}

	// An instance on a public address fetches from public addresses only:
	// a partner on loopback is refused, nothing is stored.
	p := startFixtureAt(t, publicBase)
	pub := startFixture(t) // a partner on loopback, up
	pubSt := pub.structure("bib-p")
	describe(t, pub, pub.token(pub.user("admin@p.example.org", false, schema.Membership{StructureID: pubSt.ID, Role: schema.RoleAdmin})), "bib-p",
		map[string]any{"pivot": "21510454700019", "adresse": "2 rue X", "code_postal": "51100", "commune": "Reims",
			"services": []string{"Aide aux démarches administratives"}})
	src := &schema.TrustedSource{Source: pub.srv.BaseURL, Name: "Loopback"}
	if err := p.trust.CreateTrustedSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	adminP := p.user("admin@public.example.org", true)
	_, err = p.srv.FetchPartnerPlaces(ctx, &app.Actor{User: adminP}, itoa64(src.ID))
	if err == nil || schema.ErrorCode(err) != schema.EINVALID || !strings.Contains(schema.ErrorMessageFR(err), "adresse refusée") {
		t.Errorf("public instance fetched from loopback: %v", err)
	}
	if l, _, _ := p.srv.Places.OutsidePlaces(ctx, "", "", 10); len(l) != 0 {
		t.Errorf("public instance stored %d places", len(l))
	}
	// Only network administrators fetch.
	if _, err := p.srv.FetchPartnerPlaces(ctx, &app.Actor{User: p.user("x@public.example.org", false)}, itoa64(src.ID)); schema.ErrorCode(err) != schema.EFORBIDDEN {
		t.Errorf("not a network administrator: %v", err)
	}
}
