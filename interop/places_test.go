package interop_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lieuxLine is one line of lieux.mjs's output.
type lieuxLine struct {
	File   string   `json:"file"`
	Index  int      `json:"index"`
	ID     string   `json:"id"`
	OK     bool     `json:"ok"`
	Errors []string `json:"errors"`
}

// TestPlacesReference describes two structures' places through
// PATCH /api/v1/structures/{slug} of a real `carnet serve`, fetches
// GET /lieux.json and /lieux.csv, and has the reference implementation of
// the national standard (@gouvfr-anct/lieux-de-mediation-numerique) read
// every place of both: any error fails. The checker is shown to fail on a
// place the standard refuses.
func TestPlacesReference(t *testing.T) {
	node := requireNode(t, "@gouvfr-anct/lieux-de-mediation-numerique")
	token, base := startCarnet(t)
	work := t.TempDir()

	api := func(method, path string, body any) (int, string) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(out)
	}
	if code, out := api("POST", "/api/v1/structures", map[string]any{"slug": "asso-nantes", "name": "Association L'Écran d'Or"}); code != 201 {
		t.Fatalf("create structure: %d %s", code, out)
	}
	full := map[string]any{
		"pivot": "215 104 547 00019", "adresse": "2 BIS RUE DES FUSELIERS", "complement_adresse": "Espace multimédia, 1er étage",
		"code_postal": "51100", "code_insee": "51454", "commune": "Reims", "latitude": 49.2535, "longitude": 4.0336,
		"typologie": []string{"BIB", "MUNI"}, "telephone": "03 26 35 36 80",
		"courriels":           []string{"mediatheques@reims.fr", "ateliers.numeriques@reims.fr"},
		"site_web":            []string{"https://www.bm-reims.fr/", "https://www.facebook.com/bmreims"},
		"horaires":            "Tu-Fr 10:00-12:30,14:00-19:00; Sa 10:00-18:00; PH off",
		"presentation_resume": `Ateliers « premiers pas », café numérique et permanences "démarches" ; accueil sans rendez-vous.`,
		"presentation_detail": "Ligne 1\nLigne 2, avec des virgules, des | barres et des \"guillemets\".",
		"source":              "Carnet", "structure_parente": "Ville de Reims",
		"itinerance":                      []string{"Fixe"},
		"services":                        []string{"Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien", "Utilisation sécurisée du numérique"},
		"publics_specifiquement_adresses": []string{"Seniors", "Familles et/ou enfants"},
		"prise_en_charge_specifique":      []string{"Langues étrangères (autres)", "Illettrisme"},
		"frais_a_charge":                  []string{"Gratuit"},
		"dispositif_programmes_nationaux": []string{"Conseillers numériques", "Bibliothèques numérique de référence"},
		"formations_labels":               []string{"Formé à « Mon Espace Santé »"},
		"autres_formations_labels":        []string{"Label Numérique Inclusif"},
		"modalites_acces":                 []string{"Se présenter", "Téléphoner", "Prendre un RDV en ligne"},
		"modalites_accompagnement":        []string{"Dans un atelier collectif", "Accompagnement individuel"},
		"fiche_acces_libre":               "https://acceslibre.beta.gouv.fr/app/51-reims/a/bibliotheque-mediatheque/erp/mediatheque-jean-falala/",
		"prise_rdv":                       "https://www.rdv-solidarites.fr/",
	}
	var slugs []string
	if code, out := api("GET", "/api/v1/structures", nil); code == 200 {
		var l struct {
			Structures []struct {
				Slug string `json:"slug"`
			} `json:"structures"`
		}
		json.Unmarshal([]byte(out), &l)
		for _, s := range l.Structures {
			slugs = append(slugs, s.Slug)
		}
	}
	if len(slugs) != 2 {
		t.Fatalf("structures %v", slugs)
	}
	for _, slug := range slugs {
		body := full
		if slug == "asso-nantes" { // the fewest fields the standard asks for, a pipe-joined list, an RNA number
			body = map[string]any{"pivot": "W442000123", "adresse": "3 rue d'Alger", "code_postal": "44000", "commune": "Nantes",
				"services": "Aide aux démarches administratives|Accès internet et matériel informatique"}
		}
		if code, out := api("PATCH", "/api/v1/structures/"+slug, body); code != 200 {
			t.Fatalf("PATCH %s: %d %s", slug, code, out)
		}
	}

	for _, name := range []string{"lieux.json", "lieux.csv"} {
		res, err := http.Get(base + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("GET /%s: %d %s", name, res.StatusCode, b)
		}
		writeFile(t, filepath.Join(work, name), string(b))
	}
	res := run(t, -1, ".", node, "lieux.mjs", filepath.Join(work, "lieux.json"), filepath.Join(work, "lieux.csv"))
	lines := parseLieux(t, res)
	if res.code != 0 || len(lines) != 4 {
		t.Fatalf("the reference implementation refused Carnet's export (exit %d, %d places):\n%s%s", res.code, len(lines), res.stdout, res.stderr)
	}
	for _, l := range lines {
		if !l.OK || !strings.HasPrefix(l.ID, "did:web:") {
			t.Errorf("%s #%d (%s): %v", filepath.Base(l.File), l.Index, l.ID, l.Errors)
		}
	}

	// The checker fails on what the standard refuses.
	bad := `[{"id":"x","pivot":"21510454700019","nom":"X","commune":"Reims","code_postal":"5110","adresse":"1 rue X","date_maj":"2026-01-01"},
	 {"id":"y","pivot":"21510454700019","nom":"Y","commune":"Reims","code_postal":"51100","adresse":"1 rue X","date_maj":"2026-01-01","services":"Cours de cuisine"},
	 {"id":"z","pivot":"21510454700019","nom":"Z","commune":"Reims","code_postal":"51100","adresse":"1 rue X","date_maj":"2026-01-01","courriels":"x@y"}]`
	writeFile(t, filepath.Join(work, "bad.json"), bad)
	res = run(t, 1, ".", node, "lieux.mjs", filepath.Join(work, "bad.json"))
	for _, l := range parseLieux(t, res) {
		if l.OK {
			t.Errorf("the checker accepted the invalid place %s", l.ID)
		}
	}
}

func parseLieux(t *testing.T, res result) []lieuxLine {
	t.Helper()
	var out []lieuxLine
	sc := bufio.NewScanner(strings.NewReader(res.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l lieuxLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("lieux.mjs printed %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// serveCarnet starts `carnet serve` on a free loopback port and returns its
// base URL; it is stopped when the test ends.
func serveCarnet(t *testing.T, bin, data string) string {
	t.Helper()
	return serveCarnetAt(t, bin, data, "")
}

// serveCarnetAt is serveCarnet with a public base URL (one behind a proxy;
// "": http://ADDR itself). It returns the address it listens on, as a URL.
func serveCarnetAt(t *testing.T, bin, data, baseURL string) string {
	t.Helper()
	for try := 0; try < 5; try++ {
		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		base := baseURL
		if base == "" {
			base = "http://" + addr
		}
		cmd := exec.CommandContext(ctx, bin, "serve", "--data", data, "--addr", addr, "--base-url", base)
		var out syncOut
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		for i := 0; i < 400; i++ {
			if strings.Contains(out.String(), "listening on") {
				t.Cleanup(func() { cancel(); <-done })
				return "http://" + addr
			}
			select {
			case <-done:
				i = 1000
			case <-time.After(25 * time.Millisecond):
			}
		}
		cancel()
		<-done
	}
	t.Fatal("carnet serve did not start")
	return ""
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncOut is a buffer the child process writes while the test reads it.
type syncOut struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncOut) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncOut) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// apiClient returns a caller of a running Carnet's API at base with a
// bearer token: JSON body in, the answer's body out, failing the test on
// any other status than want.
func apiClient(t *testing.T, base, token string) func(method, path string, body any, want int) []byte {
	return func(method, path string, body any, want int) []byte {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, out)
		}
		return out
	}
}
