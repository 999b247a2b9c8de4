package browser_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// verifySummary is the JSON verify.mjs prints.
type verifySummary struct {
	flowSummary
	Results map[string]struct {
		Title   string            `json:"title"`
		Explain string            `json:"explain"`
		Facts   map[string]string `json:"facts"`
		Levels  [][]string        `json:"levels"`
		Lang    string            `json:"lang"`
	} `json:"results"`
	Camera struct {
		NativeDetector bool     `json:"nativeDetector"`
		Fallback       string   `json:"fallback"`
		Label          string   `json:"label"`
		Formats        []string `json:"formats"`
		Denied         string   `json:"denied"`
	} `json:"camera"`
}

// verifyScreenshots are the states of /verify a reviewer looks at.
var verifyScreenshots = []string{"empty", "valid", "file", "revoked", "forged", "unknown-issuer", "valid-en", "phone",
	"camera", "camera-valid", "camera-denied"}

// TestVerifyPortalInBrowser issues credentials with the real binary, one
// of them revoked and one by another instance, starts `carnet serve`, and
// has Chromium use /verify (browser/verify.mjs): paste, file, English,
// the verdicts, and the camera — hidden without a QR reader, and, with a
// stand-in detector on Chromium's fake camera, a card read and verified.
func TestVerifyPortalInBrowser(t *testing.T) {
	node, chromium := requireBrowser(t)
	bin := buildCarnet(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")

	addr, base := freeLoopback(t)

	type issued struct {
		ID     string `json:"id"`
		QRText string `json:"qr_text"`
		JWT    string `json:"-"`
		File   string `json:"-"`
	}
	issue := func(dir, baseURL, learner, file string) issued {
		t.Helper()
		out := run(t, bin, "issue", "--data", dir, "--base-url", baseURL, "--learner", learner, "--framework", "digcomp-2.2",
			"--level", "1.1=3", "--level", "2.1=4", "--level", "3.1=2", "--evidence", "Atelier recherche d'emploi",
			"--out", filepath.Join(tmp, file), "--json")
		var is issued
		if err := json.Unmarshal([]byte(out), &is); err != nil || is.ID == "" {
			t.Fatalf("carnet issue --json: %v\n%s", err, out)
		}
		b, err := os.ReadFile(filepath.Join(tmp, file))
		if err != nil {
			t.Fatal(err)
		}
		is.JWT, is.File = strings.TrimSpace(string(b)), filepath.Join(tmp, file)
		return is
	}
	valid := issue(data, base, "Éloïse Ndiaye", "eloise-ndiaye.jwt")
	revoked := issue(data, base, "Révo Quée", "revoked.jwt")
	foreign := issue(filepath.Join(tmp, "other"), "http://localhost:8999", "Per Sonne", "foreign.jwt")
	token := strings.TrimSpace(run(t, bin, "token", "create", "--data", data))

	startServe(t, bin, data, addr, base)
	req, _ := http.NewRequest("POST", base+"/api/v1/credentials/"+strings.TrimPrefix(revoked.ID, "urn:uuid:")+"/revoke",
		strings.NewReader(`{"reason": "Erreur de saisie"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", res.StatusCode)
	}

	artifacts := artifactsDir(t, "browser", false)
	for _, name := range verifyScreenshots {
		os.Remove(filepath.Join(artifacts, "verify-"+name+".png"))
	}

	cfg, _ := json.Marshal(map[string]any{"base": base, "artifacts": artifacts, "jwt": valid.JWT, "jwtFile": valid.File,
		"qr": valid.QRText, "revoked": revoked.JWT, "forged": forgeJWS(valid.JWT), "foreign": foreign.JWT})
	var s verifySummary
	elapsed, stderr, err := runScript(t, node, chromium, 3*time.Minute, filepath.Join(artifacts, "verify-summary.json"), &s, "verify.mjs", string(cfg))
	s.report(t, "verify.mjs", elapsed, stderr, err)

	// What the page said.
	for name, want := range map[string]string{"pasted": "Valide", "file": "Valide", "revoked": "Révoquée", "forged": "Falsifiée",
		"foreign": "Émetteur non reconnu ici", "english": "Valid", "revokedEnglish": "Revoked", "camera": "Valide"} {
		if r, ok := s.Results[name]; !ok || r.Title != want {
			t.Errorf("%s: the verdict reads %q, want %q", name, r.Title, want)
		}
	}
	if r := s.Results["camera"]; r.Facts["Personne"] != "Éloïse Ndiaye" || len(r.Levels) != 3 || !strings.HasPrefix(r.Explain, "Carte authentique") {
		t.Errorf("the card read by the camera: %+v", r)
	}
	for _, name := range []string{"forged", "foreign"} {
		if r := s.Results[name]; r.Facts["Personne"] != "" || len(r.Levels) != 0 {
			t.Errorf("%s: unverified content shows: %+v", name, r)
		}
	}
	if s.Camera.NativeDetector || !strings.Contains(s.Camera.Fallback, "code court") || !slices.Equal(s.Camera.Formats, []string{"qr_code"}) ||
		!strings.HasPrefix(s.Camera.Denied, "L'accès à la caméra a été refusé") {
		t.Errorf("camera: %+v", s.Camera)
	}

	// axe: nothing at all on the verdict states.
	s.checkAxe(t, "states of /verify", 12, true)
	for _, e := range s.ConsoleErrors {
		t.Errorf("browser console: %s", e)
	}
	for _, e := range s.HTTPErrors {
		t.Errorf("HTTP error: %s", e)
	}
	checkScreenshots(t, artifacts, "verify-", verifyScreenshots)
}

// forgeJWS changes one character in the middle of a JWS signature.
func forgeJWS(jws string) string {
	parts := strings.Split(jws, ".")
	sig := []byte(parts[2])
	if i := len(sig) / 2; sig[i] == 'A' {
		sig[i] = 'B'
	} else {
		sig[i] = 'A'
	}
	parts[2] = string(sig)
	return strings.Join(parts, ".")
}
