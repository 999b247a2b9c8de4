package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"carnet/places"
	"carnet/schema"
)

// TestStructurePlace: PATCH /api/v1/structures/{slug} with the standard's
// field names describes the structure's place, checked against the
// standard before anything is written; /lieux.json and /lieux.csv publish
// it in the standard's form.
func TestStructurePlace(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	st2 := f.structure("autre")
	admin := f.token(f.user("admin@bib.example", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin}))
	get := func(path string) (int, string, http.Header) {
		res, err := http.Get(f.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	lieux := func() []map[string]any {
		code, body, h := get("/lieux.json")
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("/lieux.json: %d %v %s", code, h, body)
		}
		var out []map[string]any
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if l := lieux(); len(l) != 0 {
		t.Fatalf("before any place: %v", l)
	}
	// A name-only update creates no place.
	if code := f.api(admin, "PATCH", "/api/v1/structures/bib", map[string]any{"name": "Médiathèque"}, nil); code != 200 {
		t.Fatalf("rename: %d", code)
	}
	if l := lieux(); len(l) != 0 {
		t.Fatalf("a rename made a place: %v", l)
	}

	var e struct {
		Error struct{ Code, Message string }
	}
	// Refused: the first description lacks required fields; invalid hours,
	// services, postcode; nothing is written, not even the name.
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"adresse": "1 rue X", "code_postal": "51100", "commune": "Reims", "services": []string{"Aide aux démarches administratives"}}, "(pivot)"},
		{map[string]any{"name": "Pas ce nom", "pivot": "21510454700019", "adresse": "1 rue X", "code_postal": "51100", "commune": "Reims",
			"services": []string{"Aide aux démarches administratives"}, "horaires": "du lundi au vendredi"}, "(horaires)"},
		{map[string]any{"pivot": "21510454700019", "adresse": "1 rue X", "code_postal": "51100", "commune": "Reims",
			"services": []string{"Cours de cuisine"}}, "(services)"},
		{map[string]any{"pivot": "21510454700019", "adresse": "1 rue X", "code_postal": "51100", "commune": "Reims"}, "(services)"},
		{map[string]any{"pivot": "21510454700019", "adresse": "1 rue X", "code_postal": "5110", "commune": "Reims",
			"services": []string{"Aide aux démarches administratives"}}, "(code_postal)"},
	} {
		if code := f.api(admin, "PATCH", "/api/v1/structures/bib", tc.body, &e); code != 400 || !strings.Contains(e.Error.Message, tc.field) {
			t.Errorf("%v: %d %+v", tc.body, code, e)
		}
	}
	if code := f.api(admin, "PATCH", "/api/v1/structures/bib", map[string]any{"latitude": "49"}, &e); code != 400 {
		t.Errorf("latitude as a string: %d", code)
	}
	if l := lieux(); len(l) != 0 {
		t.Fatalf("a refused update wrote a place: %v", l)
	}
	if s, _ := f.sts.FindStructure(t.Context(), "bib"); s.Name != "Médiathèque" {
		t.Errorf("a refused update renamed the structure: %q", s.Name)
	}

	// Accepted: arrays and "|"-joined strings, the French phone form.
	var out map[string]any
	if code := f.api(admin, "PATCH", "/api/v1/structures/bib", map[string]any{
		"pivot": "21510454700019", "adresse": "2 rue des Fuseliers", "code_postal": "51100", "code_insee": "51454", "commune": "Reims",
		"latitude": 49.2535, "longitude": 4.0336, "telephone": "03 26 35 36 80", "horaires": "Tu-Sa 10:00-18:00; PH off",
		"services":                 []string{"Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"},
		"modalites_accompagnement": "Dans un atelier collectif|Accompagnement individuel", "courriels": []string{"contact@bib.example"},
	}, &out); code != 200 || out["slug"] != "bib" {
		t.Fatalf("describe: %d %v", code, out)
	}
	l := lieux()
	if len(l) != 1 {
		t.Fatalf("lieux %v", l)
	}
	p := l[0]
	want := map[string]any{"id": nil, "nom": "Médiathèque", "telephone": "+33326353680", "latitude": 49.2535,
		"services":                 "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
		"modalites_accompagnement": "Dans un atelier collectif|Accompagnement individuel", "code_insee": "51454"}
	for k, v := range want {
		if k == "id" {
			if id, _ := p["id"].(string); !strings.HasPrefix(id, "did:web:") || !strings.HasSuffix(id, ":s:bib") {
				t.Errorf("id %v", p["id"])
			}
			continue
		}
		if p[k] != v {
			t.Errorf("%s = %v, want %v", k, p[k], v)
		}
	}
	// A later patch keeps the other fields; a rename shows in the export.
	if code := f.api(admin, "PATCH", "/api/v1/structures/bib", map[string]any{"name": "Médiathèque Jean Falala", "horaires": ""}, nil); code != 200 {
		t.Fatalf("second patch: %d", code)
	}
	p = lieux()[0]
	if p["nom"] != "Médiathèque Jean Falala" || p["horaires"] != nil || p["code_postal"] != "51100" {
		t.Errorf("after the second patch: %v", p)
	}
	code, body, h := get("/lieux.csv")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("/lieux.csv: %d %v", code, h)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 || strings.Join(rows[0], ",") != strings.Join(places.Columns, ",") {
		t.Fatalf("CSV %v %v", rows, err)
	}
	if rows[1][2] != "Médiathèque Jean Falala" {
		t.Errorf("CSV row %v", rows[1])
	}
	// Another structure's administrator cannot describe this one.
	other := f.token(f.user("admin@autre.example", false, schema.Membership{StructureID: st2.ID, Role: schema.RoleAdmin}))
	if code := f.api(other, "PATCH", "/api/v1/structures/bib", map[string]any{"adresse": "ailleurs"}, nil); code != 403 && code != 404 {
		t.Errorf("another structure's admin: %d", code)
	}
}

// TestOrientation ranks the network's offers for a next level by distance
// (known coordinates), then the places whose services match, the imported
// ones marked as outside the network.
func TestOrientation(t *testing.T) {
	f := startFixture(t)
	ctx := t.Context()
	bib, asso := f.structure("bib"), f.structure("asso")
	f.structure("loin")
	med := f.token(f.user("med@bib.example", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleMediator}))
	admin := f.token(f.user("admin@example.org", true, schema.Membership{StructureID: bib.ID, Role: schema.RoleAdmin},
		schema.Membership{StructureID: asso.ID, Role: schema.RoleAdmin}))
	const outils = "Maîtrise des outils numériques du quotidien"
	describe := func(slug string, lat, lon float64, cp string) {
		t.Helper()
		if code := f.api(admin, "PATCH", "/api/v1/structures/"+slug, map[string]any{"pivot": "21510454700019", "adresse": "1 rue X",
			"code_postal": cp, "commune": "Ville", "latitude": lat, "longitude": lon, "services": []string{outils}, "horaires": "Mo-Fr 09:00-17:00"}, nil); code != 200 {
			t.Fatalf("describe %s: %d", slug, code)
		}
	}
	describe("bib", 49.2535, 4.0341, "51100")  // Reims: 130.260 km from the Hôtel de Ville of Paris
	describe("asso", 48.8600, 2.3400, "75001") // 0.969 km
	offer := func(slug, from, to string) string {
		t.Helper()
		var o struct{ ID string }
		if code := f.api(admin, "POST", "/api/v1/structures/"+slug+"/offers", map[string]any{"title": "Courriel " + slug, "kind": "atelier",
			"framework": "digcomp-2.2", "competencies": []string{"2.1", "2.2"}, "from": from, "to": to, "price": "Gratuit"}, &o); code != 201 {
			t.Fatalf("offer %s: %d", slug, code)
		}
		return o.ID
	}
	offer("bib", "2", "3")
	offer("asso", "3", "4")
	// A structure without a place can offer too: it comes last.
	if err := f.srv.Places.CreateOffer(ctx, &places.Offer{ID: "o-loin", Structure: "loin", Title: "Courriel loin", Kind: places.KindWorkshop,
		Framework: "digcomp-2.2", Competencies: []string{"2.1"}, From: "3", To: "3", FromRank: 2, ToRank: 2, Price: "Gratuit"}); err != nil {
		t.Fatal(err)
	}
	csv := strings.Join(places.Columns, ",") + "\n" +
		"nd,21510454700019,Notre-Dame numérique,Paris,75004,,1 rue X,,48.8530,2.3499,,,,,,,,,,,2026-01-01,Maîtrise des outils numériques du quotidien,,,,,,,,,,\n" +
		"gdn,21510454700019,Gare du Nord,Paris,75010,,1 rue X,,48.8809,2.3553,,,,,,,,,,,2026-01-01,Aide aux démarches administratives,,,,,,,,,,\n" +
		"vers,21510454700019,Versailles,Versailles,78000,,1 rue X,,48.8049,2.1204,,,,,,,,,,,2026-01-01,Maîtrise des outils numériques du quotidien,,,,,,,,,,\n"
	if rep, err := f.srv.Places.Import(ctx, strings.NewReader(csv), "test"); err != nil || rep.Imported != 3 {
		t.Fatalf("import %+v %v", rep, err)
	}
	type result struct {
		Origin struct {
			Latitude, Longitude float64
			From                string
		}
		Service string
		Offers  []struct {
			Offer      places.Offer
			Place      *places.Record
			DistanceKm *float64 `json:"distance_km"`
		}
		Places []struct {
			Place      places.Record
			DistanceKm float64 `json:"distance_km"`
			Network    bool
			Structure  string
		}
	}
	var r result
	if code := f.api(med, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency=2.1&level=3&lat=48.8566&lon=2.3522", nil, &r); code != 200 {
		t.Fatalf("orientation: %d", code)
	}
	var got []string
	for _, o := range r.Offers {
		d := "null"
		if o.DistanceKm != nil {
			d = fmt.Sprintf("%.3f", *o.DistanceKm)
		}
		got = append(got, o.Offer.Structure+"@"+d)
	}
	if strings.Join(got, " ") != "asso@0.969 bib@130.260 loin@null" {
		t.Errorf("offers: %v", got)
	}
	if r.Offers[0].Place == nil || r.Offers[0].Place.Horaires != "Mo-Fr 09:00-17:00" || r.Offers[0].Place.Nom != "Structure asso" || r.Offers[2].Place != nil {
		t.Errorf("offer places: %+v", r.Offers)
	}
	got = nil
	for _, p := range r.Places {
		got = append(got, fmt.Sprintf("%s@%.3f/%v", p.Place.ID, p.DistanceKm, p.Network))
	}
	// Expected distances computed apart (Python's math module); Gare du Nord
	// has another service; Reims is beyond 50 km.
	if r.Service != outils || len(got) != 3 || got[0] != "nd@0.434/false" || !strings.HasSuffix(got[1], "@0.969/true") || got[2] != "vers@17.915/false" {
		t.Errorf("places: %v (service %q)", got, r.Service)
	}
	// The next level 4: only the association serves it. From the mediator's
	// own structure by default (Reims), then from a postcode.
	if code := f.api(med, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency=2.2&level=4", nil, &r); code != 200 || len(r.Offers) != 1 ||
		r.Offers[0].Offer.Structure != "asso" || r.Origin.From != "structure" || r.Origin.Latitude != 49.2535 || math.Abs(*r.Offers[0].DistanceKm-130.966) > 0.001 {
		t.Errorf("level 4 from the structure: %d %+v", code, r)
	}
	if code := f.api(med, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency=2.1&level=1&postcode=78000", nil, &r); code != 200 ||
		len(r.Offers) != 0 || r.Origin.From != "postcode" || r.Origin.Latitude != 48.8049 || len(r.Places) == 0 || r.Places[0].Place.ID != "vers" {
		t.Errorf("level 1 from a postcode: %d %+v", code, r)
	}
	var e struct{ Error struct{ Code string } }
	if code := f.api(med, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency=2.1&level=3&postcode=99999", nil, &e); code != 400 {
		t.Errorf("unknown postcode: %d", code)
	}
}

// TestLieuxPage: the public list of the network's places and offers works
// without JavaScript, and filters by commune or postcode, service and an
// offer for a next level.
func TestLieuxPage(t *testing.T) {
	f := startFixture(t)
	bib, asso := f.structure("bib"), f.structure("asso")
	admin := f.token(f.user("admin@example.org", true, schema.Membership{StructureID: bib.ID, Role: schema.RoleAdmin},
		schema.Membership{StructureID: asso.ID, Role: schema.RoleAdmin}))
	for slug, body := range map[string]map[string]any{
		"bib": {"pivot": "21510454700019", "adresse": "2 rue des Fuseliers", "code_postal": "51100", "commune": "Reims",
			"services": []string{"Aide aux démarches administratives"}, "horaires": "Tu-Sa 10:00-18:00", "telephone": "+33326353680"},
		"asso": {"pivot": "W442000123", "adresse": "3 rue d'Alger", "code_postal": "44000", "commune": "Nantes",
			"services": []string{"Maîtrise des outils numériques du quotidien"}},
	} {
		if code := f.api(admin, "PATCH", "/api/v1/structures/"+slug, body, nil); code != 200 {
			t.Fatalf("describe %s: %d", slug, code)
		}
	}
	if code := f.api(admin, "POST", "/api/v1/structures/asso/offers", map[string]any{"title": "Atelier <courriel>", "kind": "atelier",
		"framework": "digcomp-2.2", "competencies": []string{"2.1"}, "from": "2", "to": "3", "price": "Gratuit", "schedule": "mardi 14 h"}, nil); code != 201 {
		t.Fatalf("offer: %d", code)
	}
	page := func(query string) (int, string) {
		res, err := http.Get(f.http.URL + "/lieux" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	has := func(body string, in, out []string) {
		t.Helper()
		for _, s := range in {
			if !strings.Contains(body, s) {
				t.Errorf("%q missing", s)
			}
		}
		for _, s := range out {
			if strings.Contains(body, s) {
				t.Errorf("%q shown", s)
			}
		}
	}
	code, body := page("")
	// The list is the page; the map is progressive enhancement: scripts
	// from Carnet's own static files only, none inline.
	scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1)
	if code != 200 || len(scripts) != 2 || scripts[0] != `<script src="/static/leaflet/leaflet.js" defer>` || scripts[1] != `<script src="/static/lieux.js" defer>` {
		t.Fatalf("/lieux: %d, scripts %q", code, scripts)
	}
	has(body, []string{"Structure bib", "Structure asso", "Tu-Sa 10:00-18:00", `href="tel:&#43;33326353680"`, "Atelier &lt;courriel&gt;", "atelier collectif", "2–3", `href="/lieux.json"`, "2 lieu(x)"}, nil)
	_, body = page("?q=51")
	has(body, []string{"Structure bib"}, []string{"Structure asso"})
	_, body = page("?q=nan")
	has(body, []string{"Structure asso"}, []string{"Structure bib"})
	_, body = page("?service=" + url.QueryEscape("Aide aux démarches administratives"))
	has(body, []string{"Structure bib"}, []string{"Structure asso"})
	_, body = page("?framework=digcomp-2.2&competency=2.1&level=3")
	has(body, []string{"Structure asso", "1 lieu(x)"}, []string{"Structure bib"})
	_, body = page("?framework=digcomp-2.2&competency=2.1&level=4")
	has(body, []string{"0 lieu(x)"}, []string{"Structure asso", "Structure bib"})
	code, body = page("?framework=digcomp-2.2&competency=9.9&level=3&lang=en")
	if code != 400 || !strings.Contains(body, "9.9") {
		t.Errorf("unknown competency: %d", code)
	}
}

// TestPlacesImportAPI: a network administrator posts the national CSV;
// rejected lines come back with their numbers; a structure administrator
// who is not a network administrator is refused.
func TestPlacesImportAPI(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	net := f.token(f.user("reseau@example.org", true))
	adm := f.token(f.user("admin@bib.example", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin}))
	csv := strings.Join(places.Columns, ",") + "\n" +
		"a,21510454700019,Lieu A,Reims,51100,,1 rue X,,49.25,4.03,,,,,,,,,,,2026-01-01,Aide aux démarches administratives,,,,,,,,,,\n" +
		"b,21510454700019,Lieu B,Reims,511,,1 rue X,,49.25,4.03,,,,,,,,,,,2026-01-01,,,,,,,,,,,\n"
	post := func(tok string) (int, string) {
		req, _ := http.NewRequest("POST", f.http.URL+"/api/v1/places/import?source=departement-51", strings.NewReader(csv))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "text/csv")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := post(adm); code != 403 {
		t.Errorf("structure admin: %d %s", code, body)
	}
	code, body := post(net)
	var rep places.Report
	if code != 200 || json.Unmarshal([]byte(body), &rep) != nil || rep.Imported != 1 || rep.Rejected != 1 || rep.Rejects[0].Line != 3 {
		t.Fatalf("import: %d %s", code, body)
	}
	near, err := f.srv.Places.Nearest(t.Context(), 49.25, 4.03, 1, 5, "")
	if err != nil || len(near) != 1 || near[0].Network || near[0].Place.ID != "a" {
		t.Errorf("stored: %+v %v", near, err)
	}
	// Imported places are not the network's: not in the open-data export.
	res, _ := http.Get(f.http.URL + "/lieux.json")
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("/lieux.json publishes imported places: %s", b)
	}
}

// TestLieuEditForm: a structure administrator describes the place with the
// HTML form (the standard's French labels); a wrong value comes back with
// the message and what was typed; a mediator cannot open the form.
func TestLieuEditForm(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	f.user("admin@bib.example", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	f.user("med@bib.example", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	br := newBrowser(t, f.srv.BaseURL)
	br.login("admin@bib.example")
	code, body, _ := br.get("/structures/bib/lieu")
	if code != 200 || !strings.Contains(body, "Code postal") || !strings.Contains(body, "Aide aux démarches administratives") || !strings.Contains(body, "Modalités d&#39;accompagnement") {
		t.Fatalf("form: %d", code)
	}
	form := url.Values{"pivot": {"215 104 547 00019"}, "adresse": {"2 rue des Fuseliers"}, "code_postal": {"51100"}, "commune": {"Reims"},
		"latitude": {"49,2535"}, "longitude": {"4.0336"}, "horaires": {"Mo-Fr 9h-12h"}, "courriels": {"contact@bib.example\nateliers@bib.example"},
		"services": {"Aide aux démarches administratives", "Utilisation sécurisée du numérique"}, "frais_a_charge": {"Gratuit"}}
	code, body, _ = br.post("/structures/bib/lieu", br.csrf("/structures/bib/lieu"), form)
	if code != 400 || !strings.Contains(body, "Horaires (horaires)") || !strings.Contains(body, "Mo-Fr 9h-12h") {
		t.Fatalf("bad hours: %d", code)
	}
	form.Set("horaires", "Mo-Fr 09:00-12:00")
	code, _, _ = br.post("/structures/bib/lieu", br.csrf("/structures/bib/lieu"), form)
	if code != 303 && code != 200 {
		t.Fatalf("save: %d", code)
	}
	p, err := f.srv.Places.StructurePlace(t.Context(), "bib")
	if err != nil || p == nil || p.Pivot != "21510454700019" || *p.Latitude != 49.2535 || len(p.Courriels) != 2 || len(p.Services) != 2 || p.Horaires != "Mo-Fr 09:00-12:00" {
		t.Fatalf("stored %+v %v", p, err)
	}
	// Emptied coordinates are removed.
	form.Set("latitude", "")
	form.Set("longitude", "")
	br.post("/structures/bib/lieu", br.csrf("/structures/bib/lieu"), form)
	if p, _ := f.srv.Places.StructurePlace(t.Context(), "bib"); p.Latitude != nil {
		t.Errorf("coordinates kept: %v", *p.Latitude)
	}
	med := newBrowser(t, f.srv.BaseURL)
	med.login("med@bib.example")
	if code, _, _ := med.get("/structures/bib/lieu"); code != 403 && code != 404 {
		t.Errorf("mediator: %d", code)
	}
}
