package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carnet/places"
	"carnet/schema"
)

// cspOf returns the Content-Security-Policy of a page, and its body.
func cspOf(t *testing.T, u string) (string, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.Header.Get("Content-Security-Policy"), string(b)
}

// imgSrc returns the img-src directive of a policy.
func imgSrc(csp string) string {
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "img-src ") {
			return d
		}
	}
	return ""
}

// TestMapTilesSetting: the map of /lieux reads its tiles from the server
// the network administrator sets on /lieux/admin (OpenStreetMap's by
// default), and the page's Content-Security-Policy allows images from
// exactly that origin, on /lieux only; a bad address is refused with a
// clear message and changes nothing; only network administrators set it,
// with the form's CSRF token.
func TestMapTilesSetting(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	f.user("reseau@example.org", true)
	f.user("admin@bib.example", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})

	csp, body := cspOf(t, f.http.URL+"/lieux")
	if got := imgSrc(csp); got != "img-src 'self' data: https://tile.openstreetmap.org" {
		t.Errorf("default /lieux: %q", got)
	}
	if !strings.Contains(body, `data-tiles="https://tile.openstreetmap.org/%7bz%7d/%7bx%7d/%7by%7d.png"`) &&
		!strings.Contains(body, `data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"`) {
		t.Errorf("default tiles not on the page:\n%.3000s", body)
	}
	if csp, _ := cspOf(t, f.http.URL+"/verify"); imgSrc(csp) != "img-src 'self' data:" {
		t.Errorf("/verify: %q", imgSrc(csp))
	}

	br := newBrowser(t, f.http.URL)
	br.login("reseau@example.org")
	tok := br.csrf("/lieux/admin")
	stored := func() places.Tiles {
		tl, err := f.srv.Places.MapTiles(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return tl
	}
	for _, bad := range []struct{ url, attribution, want string }{
		{"http://tuiles.example.fr/{z}/{x}/{y}.png", "© Ex", "https"},
		{"https://{s}.tuiles.example.fr/{z}/{x}/{y}.png", "© Ex", "{s}"},
		{"https://tuiles.example.fr/{z}/{x}.png", "© Ex", "{y}"},
		{"https://tuiles.example.fr/{z}/{x}/{y}.png; img-src *", "© Ex", "caractères"},
		{"https://tuiles.example.fr/{z}/{x}/{y}.png", "", "Crédit"},
	} {
		code, body, _ := br.post("/lieux/admin/tiles", tok, url.Values{"tile_url": {bad.url}, "tile_attribution": {bad.attribution}})
		if code != 400 || !strings.Contains(body, bad.want) || !strings.Contains(body, `role="alert"`) {
			t.Errorf("%q: %d, %q missing\n%.3000s", bad.url, code, bad.want, body)
		}
		if got := stored(); got != places.DefaultTiles() {
			t.Errorf("%q changed the setting: %+v", bad.url, got)
		}
	}
	// Without the form's token: refused, unchanged.
	if code, _, _ := br.post("/lieux/admin/tiles", "", url.Values{"tile_url": {"https://tuiles.example.fr/{z}/{x}/{y}.png"}, "tile_attribution": {"x"}}); code != 403 || stored() != places.DefaultTiles() {
		t.Errorf("no CSRF token: %d, %+v", code, stored())
	}
	// A structure administrator is no network administrator.
	other := newBrowser(t, f.http.URL)
	other.login("admin@bib.example")
	if code, _, _ := other.get("/lieux/admin"); code != 403 {
		t.Errorf("structure admin opens /lieux/admin: %d", code)
	}
	if code, _, _ := other.post("/lieux/admin/tiles", other.csrf("/"), url.Values{"tile_url": {"https://tuiles.example.fr/{z}/{x}/{y}.png"}, "tile_attribution": {"x"}}); code != 403 || stored() != places.DefaultTiles() {
		t.Errorf("structure admin sets the tiles: %d, %+v", code, stored())
	}

	code, _, loc := br.post("/lieux/admin/tiles", tok, url.Values{"tile_url": {"https://tuiles.example.fr/osm/{z}/{x}/{y}.png?cle=abc"}, "tile_attribution": {"© Tuiles d'exemple"}})
	if code != 303 || loc != "/lieux/admin?ok=tiles_saved" {
		t.Fatalf("save: %d %s", code, loc)
	}
	if got := stored(); got.URL != "https://tuiles.example.fr/osm/{z}/{x}/{y}.png?cle=abc" || got.Attribution != "© Tuiles d'exemple" {
		t.Errorf("stored: %+v", got)
	}
	csp, body = cspOf(t, f.http.URL+"/lieux")
	if got := imgSrc(csp); got != "img-src 'self' data: https://tuiles.example.fr" {
		t.Errorf("/lieux after the change: %q", got)
	}
	if !strings.Contains(body, "tuiles.example.fr/osm/") || !strings.Contains(body, "Tuiles d&#39;exemple") {
		t.Errorf("the page does not name the new tiles:\n%.3000s", body)
	}
	if _, body, _ := br.get("/lieux/admin"); !strings.Contains(body, "tuiles.example.fr/osm/") {
		t.Errorf("the admin page does not show the setting")
	}
	// Back to OpenStreetMap.
	if code, _, _ := br.post("/lieux/admin/tiles", tok, url.Values{"reset": {"1"}}); code != 303 || stored() != places.DefaultTiles() {
		t.Errorf("reset: %d %+v", code, stored())
	}
	var audit struct{ Events []struct{ Action string } }
	f.api(f.token(f.user("audit@example.org", true)), "GET", "/api/v1/audit?limit=50", nil, &audit)
	n := 0
	for _, e := range audit.Events {
		if e.Action == places.AuditTilesSet {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d tile changes audited, want 2", n)
	}
}

// postFile submits the import form: the CSRF token first (as the page
// orders its fields), then the file; tokenAfter sends the token after the
// file instead.
func (b *browser) postFile(path, token, name, content string, tokenAfter bool) (int, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if token != "" && !tokenAfter {
		mw.WriteField("csrf_token", token)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	if token != "" && tokenAfter {
		mw.WriteField("csrf_token", token)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.abs(path), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", b.base)
	code, body, _ := b.do(req)
	return code, body
}

// TestPlacesImportPage: the network administrator uploads a file of the
// standard on /lieux/admin (the operation of `carnet places import`): the
// page says how many places were imported and lists the rows left out
// with their lines; the places show on /lieux, outside the network; a
// second upload updates them without duplicates; without the form's token,
// or for someone else, nothing is imported.
func TestPlacesImportPage(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	f.user("reseau@example.org", true)
	f.user("admin@bib.example", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	csv := strings.Join(places.Columns, ",") + "\n" +
		"cathedrale,21510454700019,Espace de la cathédrale,Reims,51100,,1 rue X,,49.2537,4.0336,,,,,Mo-Fr 09:00-12:00,,,,,,2026-01-01,Maîtrise des outils numériques du quotidien,,,,,,,,,,\n" +
		"mauvais,21510454700019,Lieu sans code postal,Reims,511,,1 rue X,,49.25,4.03,,,,,,,,,,,2026-01-01,,,,,,,,,,,\n"
	count := func() int {
		l, _, err := f.srv.Places.OutsidePlaces(context.Background(), "", "", 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(l)
	}

	br := newBrowser(t, f.http.URL)
	br.login("reseau@example.org")
	_, page, _ := br.get("/lieux/admin")
	if !strings.Contains(page, `enctype="multipart/form-data"`) || strings.Index(page, `name="csrf_token"`) > strings.Index(page, `type="file"`) {
		t.Fatalf("the import form:\n%s", page)
	}
	tok := br.csrf("/lieux/admin")
	if code, _ := br.postFile("/lieux/admin/import", "", "lieux.csv", csv, false); code != 403 || count() != 0 {
		t.Errorf("without the token: %d, %d places", code, count())
	}
	if code, _ := br.postFile("/lieux/admin/import", tok, "lieux.csv", csv, true); code != 403 || count() != 0 {
		t.Errorf("token after the file: %d, %d places", code, count())
	}
	other := newBrowser(t, f.http.URL)
	other.login("admin@bib.example")
	if code, _ := other.postFile("/lieux/admin/import", other.csrf("/"), "lieux.csv", csv, false); code != 403 || count() != 0 {
		t.Errorf("structure admin: %d, %d places", code, count())
	}

	code, body := br.postFile("/lieux/admin/import", tok, "lieux.csv", csv, false)
	if code != 200 || !strings.Contains(body, "Import de « lieux.csv » : 1 lieu(x) importé(s) sur 2 ligne(s), 1 écartée(s)") ||
		!strings.Contains(body, "<td>ligne 3</td><td>mauvais</td>") || !strings.Contains(body, "Code postal") || count() != 1 {
		t.Fatalf("import: %d, %d places\n%s", code, count(), body)
	}
	// Again, with the hours changed: updated, no duplicate.
	code, body = br.postFile("/lieux/admin/import", tok, "lieux.csv", strings.Replace(csv, "Mo-Fr 09:00-12:00", "Sa 10:00-12:00", 1), false)
	if code != 200 || count() != 1 {
		t.Fatalf("second import: %d, %d places\n%.2000s", code, count(), body)
	}
	_, lieux := cspOf(t, f.http.URL+"/lieux")
	if !strings.Contains(lieux, "Espace de la cathédrale") || !strings.Contains(lieux, "Hors réseau · importé") || !strings.Contains(lieux, "Sa 10:00-12:00") ||
		strings.Contains(lieux, "Mo-Fr 09:00-12:00") || !strings.Contains(lieux, `data-lat="49.2537"`) {
		t.Errorf("/lieux:\n%s", lieux)
	}
	// Filters apply to outside places too.
	if _, l := cspOf(t, f.http.URL+"/lieux?q=75"); strings.Contains(l, "Espace de la cathédrale") {
		t.Errorf("/lieux?q=75 lists a place of Reims")
	}
	// A file that is not of the standard: the reason, nothing imported.
	if code, body := br.postFile("/lieux/admin/import", tok, "vide.csv", "", false); code != 400 || !strings.Contains(body, "vide") {
		t.Errorf("empty file: %d\n%.2000s", code, body)
	}
	if code, body := br.postFile("/lieux/admin/import", tok, "", "", false); code != 400 || count() != 1 {
		t.Errorf("no file: %d %d\n%.1000s", code, count(), body)
	}
}
