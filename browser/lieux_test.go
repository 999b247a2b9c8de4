package browser_test

import (
	"bytes"
	"context"
	"database/sql"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"carnet/keys"
	"carnet/places"
	"carnet/schema"
	"carnet/sqlite"
)

// lieuxSummary is the JSON lieux.mjs prints.
type lieuxSummary struct {
	flowSummary
	Lists     map[string][]string `json:"lists"` // the places listed, by filter
	Notice    string              `json:"notice"`
	Referrals []string            `json:"referrals"`
	Orient    struct {
		Steps, Items int
		Hint         string
	} `json:"orient"`
	Map struct {
		Markers, Outside, Tiles int    // network markers, outside ones, tiles loaded
		Popup, PopupLink        string // a marker's popup text and its link to the list
		Offline                 string // the message once the browser goes offline
		Degraded                string // the message when the tile server is down
		DegradedList            int    // the places listed then
	} `json:"map"`
}

// tileServer serves one 256×256 PNG for every /{z}/{x}/{y}.png on
// 127.0.0.1 and counts the tiles it served.
func tileServer(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := range img.Pix {
		img.Pix[i] = 0xee
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	tile := buf.Bytes()
	var hits atomic.Int64
	re := regexp.MustCompile(`^/\d+/-?\d+/-?\d+\.png$`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !re.MatchString(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(tile)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &hits
}

// TestLieuxAndReferral runs browser/lieux.mjs against `carnet serve` on a
// demo data dir whose two structures have described their places (Reims
// and Paris) and offers: the public /lieux list without JavaScript,
// filtered by service, by an offer for a competency's next level and by
// commune or postcode; with JavaScript, the map over tiles served by a
// local tile server configured as the instance's tile URL (the page's
// Content-Security-Policy must allow it), its markers (network and
// outside) and popups, and the list alone with a message once offline;
// then, as the network administrator, a learner's page lists where to
// continue and records a referral, shown on the path; last, the
// administrator points the tiles at a server that is down on
// /lieux/admin, and /lieux hides the map and keeps the list. axe-core
// audits each page.
func TestLieuxAndReferral(t *testing.T) {
	node, chromium := requireBrowser(t)
	bin := buildCarnet(t)
	data := filepath.Join(t.TempDir(), "data")
	if out, err := exec.Command(bin, "gen-demo", "--data", data, "--structures", "2", "--learners", "20", "--credentials", "60", "--signed", "2").CombinedOutput(); err != nil {
		t.Fatalf("gen-demo: %v\n%s", err, out)
	}
	addr, base := freeLoopback(t)
	// The map's tiles come from a tile server on loopback, configured as
	// the instance's tile URL: the page's Content-Security-Policy must
	// allow it, or no tile loads. downTiles names a port nothing listens
	// on: the tile server down.
	tiles, tileHits := tileServer(t)
	_, down := freeLoopback(t)
	downTiles := down + "/{z}/{x}/{y}.png"
	learner := describeDemo(t, filepath.Join(data, "carnet.db"), base, tiles+"/{z}/{x}/{y}.png")

	link := serveForLink(t, bin, data, addr, base)
	artifacts := artifactsDir(t, "lieux", true)
	var s lieuxSummary
	elapsed, stderr, err := runScript(t, node, chromium, 2*time.Minute, filepath.Join(artifacts, "summary.json"), &s, "lieux.mjs", base, link, learner, artifacts, downTiles)
	if !s.report(t, "lieux.mjs", elapsed, stderr, err) {
		t.FailNow()
	}
	s.checkAxe(t, "places and learner pages", 5, false)
	if tileHits.Load() == 0 {
		t.Error("no tile was fetched from the configured tile server")
	}
	if s.Map.Markers != 2 || s.Map.Outside != 1 || s.Map.Tiles == 0 || !strings.Contains(s.Map.Popup, "Médiathèque de démonstration") ||
		!strings.HasPrefix(s.Map.PopupLink, "#lieu-") || !strings.Contains(s.Map.Offline, "hors ligne") ||
		!strings.Contains(s.Map.Degraded, "La liste ci-dessous") || s.Map.DegradedList != 2 {
		t.Errorf("map: %+v", s.Map)
	}
	want := map[string]string{
		"all":               "Médiathèque de démonstration 1|Médiathèque de démonstration 2",
		"service":           "Médiathèque de démonstration 2",
		"competency":        "Médiathèque de démonstration 1",
		"competency-low":    "Médiathèque de démonstration 1|Médiathèque de démonstration 2",
		"postcode":          "Médiathèque de démonstration 1",
		"commune":           "Médiathèque de démonstration 2",
		"invalid-framework": "",
	}
	for k, w := range want {
		if got := strings.Join(s.Lists[k], "|"); got != w {
			t.Errorf("/lieux %s: %q, want %q", k, got, w)
		}
	}
	if s.Orient.Steps == 0 || s.Orient.Items < s.Orient.Steps || s.Notice != "Orientation enregistrée." || len(s.Referrals) != 1 ||
		!strings.HasPrefix(s.Referrals[0], "orienté vers Tous les ateliers — Médiathèque de démonstration 1") {
		t.Errorf("orientation %+v, notice %q, referrals %q", s.Orient, s.Notice, s.Referrals)
	}
}

// describeDemo gives the demo's two structures a place on the national
// standard and offers, imports a place outside the network, and returns
// a learner of the first structure with a DigComp credential that counts.
func describeDemo(t *testing.T, path, base, tileURL string) string {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ps := sqlite.NewPlaceStore(db)
	fws := schema.NewFrameworks()
	lat1, lon1, lat2, lon2 := 49.2535, 4.0341, 48.8566, 2.3522
	for _, p := range []*places.Place{
		{Nom: "Médiathèque de démonstration 1", Pivot: "21510454700019", Adresse: "2 rue des Fuseliers", CodePostal: "51100", Commune: "Reims",
			Latitude: &lat1, Longitude: &lon1, Horaires: "Mo-Fr 09:00-18:00", Telephone: "+33326000000",
			Services: []string{"Maîtrise des outils numériques du quotidien"}},
		{Nom: "Médiathèque de démonstration 2", Pivot: "21750001600019", Adresse: "1 place de l'Hôtel de Ville", CodePostal: "75004", Commune: "Paris",
			Latitude: &lat2, Longitude: &lon2, Horaires: "Tu-Sa 10:00-19:00",
			Services: []string{"Aide aux démarches administratives"}},
	} {
		slug := "demo-00" + p.Nom[len(p.Nom)-1:]
		p.ID, _ = keys.DIDWeb(base, slug)
		p.DateMaj = time.Now().UTC().Format(time.DateOnly)
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := ps.PutStructurePlace(ctx, slug, p); err != nil {
			t.Fatal(err)
		}
	}
	all := []string{"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4"}
	for _, o := range []*places.Offer{
		{Structure: "demo-001", Title: "Tous les ateliers", Kind: places.KindWorkshop, Framework: "digcomp-2.2", Competencies: all, From: "1", To: "8", Price: "Gratuit", Schedule: "mardi 14h"},
		{Structure: "demo-002", Title: "Premiers pas", Kind: places.KindIndividual, Framework: "digcomp-2.2", Competencies: []string{"1.1"}, From: "1", To: "2", Price: "Gratuit"},
	} {
		o.ID = places.NewOfferID()
		if err := o.Validate(fws); err != nil {
			t.Fatal(err)
		}
		if err := ps.CreateOffer(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	csv := strings.Join(places.Columns, ",") + "\n" +
		"cathedrale,21510454700019,Espace numérique de la cathédrale,Reims,51100,,1 rue X,,49.2537,4.0336,,,,,,,,,,,2026-01-01,Maîtrise des outils numériques du quotidien,,,,,,,,,,\n"
	if rep, err := ps.Import(ctx, strings.NewReader(csv), "test"); err != nil || rep.Imported != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	tl := places.Tiles{URL: tileURL, Attribution: "Tuiles de test"}
	if err := tl.Clean(true); err != nil {
		t.Fatal(err)
	}
	if err := ps.SetMapTiles(ctx, tl); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var id string
	err = raw.QueryRow(`SELECT l.id FROM learners l JOIN credentials c ON c.learner_id = l.id JOIN structures s ON s.id = l.structure_id
		WHERE s.slug = 'demo-001' AND l.erased_at = '' AND c.framework = 'digcomp-2.2' AND c.revoked_at = '' AND c.suspended_at = ''
		AND (c.valid_until = '' OR c.valid_until > ?) ORDER BY l.id LIMIT 1`, time.Now().UTC().Format(time.RFC3339)).Scan(&id)
	if err != nil {
		t.Fatalf("a learner of demo-001 with a DigComp credential: %v", err)
	}
	return id
}
