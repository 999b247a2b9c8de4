package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"carnet/app"
	"carnet/places"
	"carnet/schema"
)

// getOpen fetches a public document of f.
func getOpen(t *testing.T, f *fixture, path string) (string, http.Header) {
	t.Helper()
	res, err := http.Get(f.http.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %s", path, res.StatusCode, b)
	}
	return string(b), res.Header
}

// orientedOffers is the offers part of GET /api/v1/orientation.
type orientedOffers struct {
	Offers []struct {
		Offer   struct{ ID, Title, Structure string }
		Place   *struct{ ID, Nom string }
		Partner string
		Km      *float64 `json:"distance_km"`
	}
}

// TestPartnerOffers runs two Carnet servers on 127.0.0.1. A publishes its
// offers at /offres.json (and /offres.csv), each with the standard id of
// its structure's place, the id of /lieux.json, and nothing about
// learners. B trusts A; a fetch from /lieux/admin brings A's places and
// offers; a learner of B at level 2 is oriented to A's offer for level 3,
// marked with A's name, ranked with B's own offers by distance; a fetch
// again replaces them without duplicates and drops those A withdrew.
func TestPartnerOffers(t *testing.T) {
	ctx := context.Background()
	a := startFixture(t)
	stA := a.structure("bib-a")
	stA2 := a.structure("bib-a2") // no place described: its offers are not published
	tokA := a.token(a.user("admin@a.example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleAdmin},
		schema.Membership{StructureID: stA2.ID, Role: schema.RoleAdmin}))
	describe(t, a, tokA, "bib-a", map[string]any{"pivot": "21510454700019", "adresse": "2 rue des Fuseliers", "code_postal": "51100",
		"commune": "Reims", "latitude": 49.2535, "longitude": 4.0341, "horaires": "Mo-Fr 09:00-18:00",
		"services": []string{"Maîtrise des outils numériques du quotidien"}})
	var offerA struct{ ID string }
	if code := a.api(tokA, "POST", "/api/v1/structures/bib-a/offers", map[string]any{"title": "Atelier courriel", "kind": "atelier",
		"framework": "digcomp-2.2", "competencies": []string{"1.1", "2.1"}, "from": "3", "to": "4", "schedule": "mardi 14 h – 16 h",
		"price": "Gratuit", "languages": []string{"fr", "en"}}, &offerA); code != 201 {
		t.Fatalf("A's offer: %d", code)
	}
	if code := a.api(tokA, "POST", "/api/v1/structures/bib-a2/offers", map[string]any{"title": "Sans lieu", "kind": "individuel",
		"framework": "digcomp-2.2", "competencies": []string{"1.1"}, "from": "3", "to": "3", "price": "Gratuit"}, nil); code != 201 {
		t.Fatalf("A's second offer: %d", code)
	}
	// A learner of A, with a credential: nothing of them is published.
	var learnerA struct{ ID string }
	if code := a.api(tokA, "POST", "/api/v1/learners", map[string]any{"name": "Zoé Confidentielle"}, &learnerA); code != 201 {
		t.Fatalf("A's learner: %d", code)
	}

	// A's open data: the offer joins its place by the place's id.
	body, h := getOpen(t, a, "/offres.json")
	if !strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Cache-Control") != "no-cache" {
		t.Errorf("/offres.json headers: %v", h)
	}
	var published []places.PublishedOffer
	if err := json.Unmarshal([]byte(body), &published); err != nil {
		t.Fatal(err)
	}
	lieux, _ := getOpen(t, a, "/lieux.json")
	var lieuxA []places.Record
	if err := json.Unmarshal([]byte(lieux), &lieuxA); err != nil || len(lieuxA) != 1 {
		t.Fatalf("A's /lieux.json: %v %s", err, lieux)
	}
	want := places.PublishedOffer{ID: offerA.ID, PlaceID: lieuxA[0].ID, Title: "Atelier courriel", Kind: "atelier", Framework: "digcomp-2.2",
		Competencies: []string{"1.1", "2.1"}, From: "3", To: "4", Schedule: "mardi 14 h – 16 h", Price: "Gratuit", PriceDetail: "",
		Languages: []string{"fr", "en"}, Services: []string{}}
	if len(published) != 1 || !reflect.DeepEqual(published[0], want) {
		t.Fatalf("A's /offres.json:\n%s\nwant %+v", body, want)
	}
	if strings.Contains(body, "Zoé") || strings.Contains(body, learnerA.ID) || strings.Contains(body, "bib-a2") || strings.Contains(body, "Sans lieu") {
		t.Errorf("/offres.json publishes more than the offers at a described place: %s", body)
	}
	var members map[string]any
	json.Unmarshal([]byte(strings.TrimSpace(body))[1:len(strings.TrimSpace(body))-1], &members)
	if len(members) != len(places.OfferColumns) {
		t.Errorf("members %v, want %v", members, places.OfferColumns)
	}
	csvBody, h := getOpen(t, a, "/offres.csv")
	rows, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || h.Get("Access-Control-Allow-Origin") != "*" || len(rows) != 2 ||
		!reflect.DeepEqual(rows[0], places.OfferColumns) || rows[1][1] != lieuxA[0].ID || rows[1][5] != "1.1|2.1" || rows[1][11] != "fr|en" {
		t.Errorf("/offres.csv: %v %v\n%s", err, h, csvBody)
	}

	// B, its own place and offer, trusts A.
	b := startFixture(t)
	stB := b.structure("bib-b")
	adminB := b.user("admin@b.example.org", true, schema.Membership{StructureID: stB.ID, Role: schema.RoleAdmin})
	tokB := b.token(adminB)
	describe(t, b, tokB, "bib-b", map[string]any{"pivot": "21510454700019", "adresse": "3 rue X", "code_postal": "51100",
		"commune": "Reims", "latitude": 49.25, "longitude": 4.03, "services": []string{"Aide aux démarches administratives"}})
	var offerB struct{ ID string }
	if code := b.api(tokB, "POST", "/api/v1/structures/bib-b/offers", map[string]any{"title": "Permanence numérique", "kind": "individuel",
		"framework": "digcomp-2.2", "competencies": []string{"1.1"}, "from": "3", "to": "3", "price": "Gratuit"}, &offerB); code != 201 {
		t.Fatalf("B's offer: %d", code)
	}
	var ts struct{ ID int64 }
	if code := b.api(tokB, "POST", "/api/v1/trust", map[string]any{"url": a.srv.BaseURL, "name": "Réseau A"}, &ts); code != 201 {
		t.Fatalf("trust A: %d", code)
	}
	id := itoa64(ts.ID)
	br := newBrowser(t, b.srv.BaseURL)
	br.login(adminB.Email)
	tok := br.csrf("/lieux/admin")
	fetch := func() string {
		t.Helper()
		code, body, _ := br.post("/lieux/admin/partners/"+id+"/places", tok, url.Values{})
		if code != 200 {
			t.Fatalf("fetch: %d\n%s", code, body)
		}
		return body
	}
	if page := fetch(); !strings.Contains(page, "Offres de « Réseau A » : 1 importée(s), 0 écartée(s), 0 retirée(s) (plus publiées).") {
		t.Fatalf("fetch:\n%s", page)
	}
	var audit struct {
		Events []struct{ Action, Detail string }
	}
	if code := b.api(tokB, "GET", "/api/v1/audit?action="+places.AuditShared, nil, &audit); code != 200 || len(audit.Events) == 0 ||
		!strings.HasSuffix(audit.Events[0].Detail, "; offres / offers: 1 / 0 / -0") {
		t.Errorf("audit: %d %+v", code, audit)
	}
	shared := func() []*places.SharedOffer {
		l, err := b.srv.Places.SharedOffers(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	if l := shared(); len(l) != 1 || l[0].ID != offerA.ID || l[0].PlaceID != lieuxA[0].ID || l[0].Source != app.PartnerSource(a.srv.BaseURL) ||
		l[0].Place.Nom != "Structure bib-a" || l[0].FromRank != 2 || l[0].ToRank != 3 {
		t.Fatalf("stored: %+v", l)
	}

	// Orientation: A's offer counts as an offer, in A's name, ranked with
	// B's own by distance: A's first near A's place, B's first near B's.
	orient := func(q string) orientedOffers {
		t.Helper()
		var o orientedOffers
		if code := b.api(tokB, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency=1.1&"+q, nil, &o); code != 200 {
			t.Fatalf("orientation %s: %d", q, code)
		}
		return o
	}
	o := orient("level=3&lat=49.2535&lon=4.0341")
	if len(o.Offers) != 2 || o.Offers[0].Offer.ID != offerA.ID || o.Offers[0].Partner != "Réseau A" || o.Offers[0].Place == nil ||
		o.Offers[0].Place.Nom != "Structure bib-a" || *o.Offers[0].Km > 0.01 || o.Offers[1].Offer.ID != offerB.ID || o.Offers[1].Partner != "" {
		t.Errorf("near A: %+v", o)
	}
	o = orient("level=3&lat=49.25&lon=4.03")
	if len(o.Offers) != 2 || o.Offers[0].Offer.ID != offerB.ID || o.Offers[1].Offer.ID != offerA.ID || o.Offers[1].Partner != "Réseau A" {
		t.Errorf("near B: %+v", o)
	}
	if o := orient("level=4&lat=49.25&lon=4.03"); len(o.Offers) != 1 || o.Offers[0].Offer.ID != offerA.ID {
		t.Errorf("level 4 (A's only): %+v", o)
	}
	if o := orient("level=5&lat=49.25&lon=4.03"); len(o.Offers) != 0 {
		t.Errorf("level 5 (none): %+v", o)
	}
	ms, err := b.srv.NearestMatches(ctx, &app.Actor{User: adminB}, app.OrientationQuery{Framework: "digcomp-2.2", Competency: "2.1", Level: "3",
		Lat: "49.25", Lon: "4.03"}, 2)
	if err != nil || len(ms) == 0 || ms[0].Offer == nil || ms[0].Offer.ID != offerA.ID || ms[0].Partner != "Réseau A" || ms[0].Network ||
		ms[0].Name() != "Atelier courriel — Structure bib-a" {
		t.Errorf("nearest matches for 2.1: %v %+v", err, ms)
	}

	// On B's /lieux: A's offer at A's place, marked as the partner's; the
	// filter by a next level finds it with B's own.
	_, lieuxB := cspOf(t, b.http.URL+"/lieux")
	if !strings.Contains(lieuxB, "Atelier courriel —") ||
		!strings.Contains(lieuxB, "Hors réseau · partagé par le Carnet partenaire « Réseau A »") {
		t.Errorf("B's /lieux:\n%s", lieuxB)
	}
	_, filtered := cspOf(t, b.http.URL+"/lieux?framework=digcomp-2.2&competency=1.1&level=3")
	if !strings.Contains(filtered, "Atelier courriel —") || !strings.Contains(filtered, "Permanence numérique —") ||
		!strings.Contains(filtered, "partagé par le Carnet partenaire « Réseau A »") {
		t.Errorf("B's /lieux for 1.1 at level 3:\n%s", filtered)
	}
	if _, none := cspOf(t, b.http.URL+"/lieux?framework=digcomp-2.2&competency=1.1&level=5"); strings.Contains(none, "Atelier courriel") ||
		strings.Contains(none, "Structure bib-a") {
		t.Errorf("B's /lieux for 1.1 at level 5:\n%s", none)
	}
	if _, other := cspOf(t, b.http.URL+"/lieux?framework=digcomp-2.2&competency=1.1&level=3&q=75001"); strings.Contains(other, "Atelier courriel") {
		t.Errorf("B's /lieux for 1.1 at level 3 in 75001:\n%s", other)
	}

	// A learner of B at level 2: the next steps name A's offer for level
	// 3, marked as the partner's; a referral to it names A's place.
	var learner struct{ ID string }
	if code := b.api(tokB, "POST", "/api/v1/learners", map[string]any{"name": "Lou"}, &learner); code != 201 {
		t.Fatalf("learner: %d", code)
	}
	if code := b.api(tokB, "POST", "/api/v1/credentials", map[string]any{"learner_id": learner.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 2}}, nil); code != 201 {
		t.Fatalf("credential: %d", code)
	}
	_, lp, _ := br.get("/learners/" + learner.ID)
	if !strings.Contains(lp, "Atelier courriel — Structure bib-a") ||
		!strings.Contains(lp, "offre hors réseau, partagée par le Carnet partenaire « Réseau A »") ||
		!strings.Contains(lp, "Permanence numérique — Structure bib-b") {
		t.Errorf("learner page:\n%s", lp)
	}
	if !strings.Contains(lp, `name="place_id" value="`+lieuxA[0].ID+`"`) {
		t.Errorf("no referral to A's place on the learner page:\n%s", lp)
	}
	ltok := br.csrf("/learners/" + learner.ID)
	if code, body, _ := br.post("/learners/"+learner.ID+"/referrals", ltok, url.Values{"target": {"Atelier courriel — Structure bib-a"},
		"place_id": {lieuxA[0].ID}, "framework": {"digcomp-2.2"}, "competency": {"1.1"}, "level": {"3"}}); code != 200 && code != 303 {
		t.Errorf("referral to A's offer: %d\n%.2000s", code, body)
	}
	if refs, err := b.srv.Places.ListReferrals(ctx, learner.ID); err != nil || len(refs) != 1 || refs[0].PlaceID != lieuxA[0].ID {
		t.Errorf("referrals: %v %+v", err, refs)
	}

	// B does not republish A's offers.
	if own, _ := getOpen(t, b, "/offres.json"); strings.Contains(own, offerA.ID) || !strings.Contains(own, offerB.ID) {
		t.Errorf("B's /offres.json: %s", own)
	}

	// Fetched again: no duplicate. A withdraws its offer: removed at the
	// next fetch, A's place stays.
	if page := fetch(); !strings.Contains(page, "1 importée(s), 0 écartée(s), 0 retirée(s)") || len(shared()) != 1 {
		t.Fatalf("fetch again: %d offers\n%s", len(shared()), page)
	}
	if code := a.api(tokA, "DELETE", "/api/v1/structures/bib-a/offers/"+offerA.ID, nil, nil); code != 204 {
		t.Fatalf("delete A's offer: %d", code)
	}
	if page := fetch(); !strings.Contains(page, "0 importée(s), 0 écartée(s), 1 retirée(s)") || len(shared()) != 0 {
		t.Fatalf("after A withdrew it: %d offers\n%s", len(shared()), page)
	}
	if o := orient("level=3&lat=49.2535&lon=4.0341"); len(o.Offers) != 1 || o.Offers[0].Offer.ID != offerB.ID {
		t.Errorf("after A withdrew it: %+v", o)
	}
}

// TestPartnerOffersHostile: a partner that answers with malformed offers,
// unknown frameworks, offers at places it does not share, or a huge or
// broken answer changes nothing it should not: its valid offers are kept,
// every other one is left out and reported, the network's own offers and
// places are untouched, and an answer that cannot be read as a whole
// leaves the last offers as they were.
func TestPartnerOffersHostile(t *testing.T) {
	ctx := context.Background()
	b := startFixture(t)
	stB := b.structure("bib-b")
	adminB := b.user("admin@b.example.org", true, schema.Membership{StructureID: stB.ID, Role: schema.RoleAdmin})
	tokB := b.token(adminB)
	describe(t, b, tokB, "bib-b", map[string]any{"pivot": "21510454700019", "adresse": "3 rue X", "code_postal": "51100",
		"commune": "Reims", "latitude": 49.25, "longitude": 4.03, "services": []string{"Aide aux démarches administratives"}})
	if code := b.api(tokB, "POST", "/api/v1/structures/bib-b/offers", map[string]any{"title": "Permanence numérique", "kind": "individuel",
		"framework": "digcomp-2.2", "competencies": []string{"1.1"}, "from": "3", "to": "3", "price": "Gratuit"}, nil); code != 201 {
		t.Fatal(code)
	}
	ownPlace := b.srv.DID("bib-b")

	var mu sync.Mutex
	offers := "[]"
	set := func(s string) { mu.Lock(); offers = s; mu.Unlock() }
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/lieux.json":
			io.WriteString(w, `[{"id":"h-1","pivot":"21510454700019","nom":"Lieu H1","commune":"Reims","code_postal":"51100","adresse":"1 rue X",
				"latitude":49.26,"longitude":4.04,"date_maj":"2026-01-01","services":"Maîtrise des outils numériques du quotidien"}]`)
		case "/offres.json":
			mu.Lock()
			s := offers
			mu.Unlock()
			if s == "404" || s == "500" { // a Carnet from before /offres.json; a partner in trouble
				code, _ := strconv.Atoi(s)
				http.Error(w, "no", code)
				return
			}
			if s == "huge" {
				// Valid offers, past the size limit.
				io.WriteString(w, "[")
				one := `{"id":"o-%d","place_id":"h-1","title":"Atelier","kind":"atelier","framework":"digcomp-2.2","competencies":["1.1"],"from":"3","to":"3","schedule":"","price":"Gratuit","price_detail":"","languages":["fr"],"services":[]},`
				for i := 0; i < (app.MaxPartnerOffersSize/len(one))+100; i++ {
					fmt.Fprintf(w, one, i)
				}
				io.WriteString(w, `{}]`)
				return
			}
			io.WriteString(w, s)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(hostile.Close)
	src := &schema.TrustedSource{Source: hostile.URL, Name: "Hostile"}
	if err := b.trust.CreateTrustedSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	admin := &app.Actor{User: adminB}
	fetch := func() *app.SharedOffers {
		t.Helper()
		res, err := b.srv.FetchPartnerPlaces(ctx, admin, itoa64(src.ID))
		if err != nil || res.Offers == nil {
			t.Fatalf("fetch: %v %+v", err, res)
		}
		return res.Offers
	}
	stored := func() map[string]*places.SharedOffer {
		t.Helper()
		l, err := b.srv.Places.SharedOffers(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]*places.SharedOffer{}
		for _, o := range l {
			m[o.ID] = o
		}
		return m
	}
	offer := func(id, place, fw string, comps []string, from, to string, extra string) string {
		c, _ := json.Marshal(comps)
		return fmt.Sprintf(`{"id":%q,"place_id":%q,"title":"Atelier %s","kind":"atelier","framework":%q,"competencies":%s,"from":%q,"to":%q,"schedule":"lundi","price":"Gratuit","price_detail":"","languages":["fr"],"services":[]%s}`,
			id, place, id, fw, c, from, to, extra)
	}
	good := offer("o-1", "h-1", "digcomp-2.2", []string{"1.1"}, "3", "3", "")
	set("[" + strings.Join([]string{
		good,
		`42`,
		`"an offer"`,
		`{"id":["o-2"]}`,
		offer("o-unknown-fw", "h-1", "zz-9", []string{"1.1"}, "3", "3", ""),
		offer("o-unknown-comp", "h-1", "digcomp-2.2", []string{"9.9", "2.1"}, "3", "3", ""),
		offer("o-unknown-level", "h-1", "digcomp-2.2", []string{"1.1"}, "Z", "Z", ""),
		offer("o-own-place", ownPlace, "digcomp-2.2", []string{"1.1"}, "3", "3", ""),
		offer("o-nowhere", "h-404", "digcomp-2.2", []string{"1.1"}, "3", "3", ""),
		offer("o-1", "h-1", "digcomp-2.2", []string{"1.1"}, "1", "8", ""), // repeated id
		offer("o-pipe", "h-1", "digcomp-2.2", []string{"1.1|2.1"}, "3", "3", ""),
		offer("o-order", "h-1", "digcomp-2.2", []string{"1.1"}, "5", "3", ""),
		offer("o-kind", "h-1", "digcomp-2.2", []string{"1.1"}, "3", "3", `,"kind":"cours"`),
		offer("o-price", "h-1", "digcomp-2.2", []string{"1.1"}, "3", "3", `,"price":"Cher"`),
		offer("o-lang", "h-1", "digcomp-2.2", []string{"1.1"}, "3", "3", `,"languages":["fra"]`),
		offer("o-service", "h-1", "digcomp-2.2", []string{"1.1"}, "3", "3", `,"services":["Pas un service"]`),
		offer("o-control", "h-1", "digcomp-2.2", []string{"1.1"}, "3", "3", `,"schedule":"lundi\u0000"`),
		offer("o-long", "h-1", "digcomp-2.2", []string{"1.1"}, "3", "3", `,"title":"`+strings.Repeat("x", 300)+`"`),
		offer("o-nocomp", "h-1", "digcomp-2.2", []string{}, "3", "3", ""),
		offer("", "h-1", "digcomp-2.2", []string{"1.1"}, "3", "3", ""),
	}, ",\n") + "]")
	rep := fetch()
	if rep.Error != "" || rep.Imported != 4 || rep.Rejected != 16 || len(rep.Rejects) != 16 {
		t.Errorf("report: %+v", rep)
	}
	m := stored()
	if len(m) != 4 || m["o-1"] == nil || m["o-1"].From != "3" || m["o-unknown-fw"] == nil || m["o-unknown-comp"] == nil || m["o-unknown-level"] == nil {
		t.Fatalf("stored: %v", m)
	}
	// Kept, but not matched: an unknown framework or level.
	if m["o-unknown-fw"].Matched() || m["o-unknown-level"].Matched() || !m["o-unknown-comp"].Matched() {
		t.Errorf("matched: %+v %+v %+v", m["o-unknown-fw"], m["o-unknown-level"], m["o-unknown-comp"])
	}
	for _, r := range rep.Rejects {
		if r.Item == 0 || r.Reason == "" || r.ReasonFR == "" {
			t.Errorf("reject without position or reason: %+v", r)
		}
	}
	serving := func(comp, level string) []string {
		t.Helper()
		var o orientedOffers
		if code := b.api(tokB, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency="+comp+"&level="+level+"&lat=49.25&lon=4.03", nil, &o); code != 200 {
			t.Fatalf("orientation: %d", code)
		}
		var ids []string
		for _, of := range o.Offers {
			ids = append(ids, of.Offer.ID+"@"+of.Partner)
		}
		return ids
	}
	if got := serving("1.1", "3"); len(got) != 2 || got[1] != "o-1@Hostile" {
		t.Errorf("serving 1.1 at 3: %v", got)
	}
	if got := serving("2.1", "3"); len(got) != 1 || got[0] != "o-unknown-comp@Hostile" {
		t.Errorf("serving 2.1 at 3: %v", got)
	}
	// The network's own offers and places are untouched.
	own, err := b.srv.Places.ListOffers(ctx, "bib-b")
	if err != nil || len(own) != 1 || own[0].Title != "Permanence numérique" {
		t.Errorf("B's offers: %v %+v", err, own)
	}
	if p, err := b.srv.Places.StructurePlace(ctx, "bib-b"); err != nil || p == nil || p.Adresse != "3 rue X" {
		t.Errorf("B's place: %v %+v", err, p)
	}

	// Answers that cannot be read as a whole: the last offers stay.
	before := stored()
	for _, bad := range []string{"huge", "500", `{"offers":[]}`, "[" + good + ",", "[" + good + "] trailing", "not json", ""} {
		set(bad)
		rep := fetch()
		if rep.Error == "" || rep.Imported != 0 {
			t.Errorf("%.30q: %+v", bad, rep)
		}
		if after := stored(); !reflect.DeepEqual(offerIDs(after), offerIDs(before)) {
			t.Errorf("%.30q changed the offers: %v", bad, offerIDs(after))
		}
	}
	set("huge")
	br := newBrowser(t, b.srv.BaseURL)
	br.login(adminB.Email)
	code, page, _ := br.post("/lieux/admin/partners/"+itoa64(src.ID)+"/places", br.csrf("/lieux/admin"), url.Values{})
	if code != 200 || !strings.Contains(page, "Offres de « Hostile » non relues, les dernières restent : les offres du partenaire dépassent 8 Mo") {
		t.Errorf("page after a huge answer: %d\n%s", code, page)
	}
	// A partner that publishes no offers (a Carnet from before /offres.json
	// answers 404) is not an error: said as such, nothing changed.
	set("404")
	if rep := fetch(); rep.Error != "" || !rep.NotPublished || rep.Imported != 0 || rep.Removed != 0 {
		t.Errorf("404: %+v", rep)
	}
	if after := stored(); !reflect.DeepEqual(offerIDs(after), offerIDs(before)) {
		t.Errorf("a 404 changed the offers: %v", offerIDs(after))
	}
	code, page, _ = br.post("/lieux/admin/partners/"+itoa64(src.ID)+"/places", br.csrf("/lieux/admin"), url.Values{})
	if code != 200 || !strings.Contains(page, `<p class="notice" role="status" id="shared-offers-report">« Hostile » ne publie pas d&#39;offres (un Carnet plus ancien)`) || strings.Contains(page, "non relues") {
		t.Errorf("page after a 404: %d\n%s", code, page)
	}
	// More offers than kept: the first MaxPartnerOffers are.
	var many strings.Builder
	many.WriteString("[")
	for i := 0; i <= app.MaxPartnerOffers; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"id":"m-%d","place_id":"h-1","title":"A","kind":"atelier","framework":"digcomp-2.2","competencies":["1.1"],"from":"3","to":"3","price":"Gratuit"}`, i)
	}
	many.WriteString("]")
	set(many.String())
	if rep := fetch(); rep.Imported != app.MaxPartnerOffers || rep.Rejected != 1 || rep.Rejects[0].ID != fmt.Sprintf("m-%d", app.MaxPartnerOffers) || len(stored()) != app.MaxPartnerOffers {
		t.Errorf("too many offers: %d imported, %d rejected", rep.Imported, rep.Rejected)
	}
	// The partner drops a place: its offers go with it.
	set("[" + good + "]")
	fetch()
	if m := stored(); len(m) != 1 {
		t.Fatalf("%d offers", len(m))
	}
	if removed := fetch().Removed; removed != 0 {
		t.Errorf("fetched again: %d removed", removed)
	}
	if _, removed, err := b.srv.Places.ReplaceSource(ctx, strings.NewReader(`[{"id":"h-2","pivot":"21510454700019","nom":"Lieu H2","commune":"Reims","code_postal":"51100","adresse":"1 rue X","date_maj":"2026-01-01"}]`), app.PartnerSource(hostile.URL)); err != nil || removed != 1 {
		t.Fatal(removed, err)
	}
	if m := stored(); len(m) != 0 {
		t.Errorf("offers outlive their place: %v", m)
	}
}

func offerIDs(m map[string]*places.SharedOffer) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
