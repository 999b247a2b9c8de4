package web_test

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
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
