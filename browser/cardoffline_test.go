package browser_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cardOfflineSummary is the JSON cardoffline.mjs prints.
type cardOfflineSummary struct {
	flowSummary
	Results map[string]struct {
		Title      string   `json:"title"`
		Mark       string   `json:"mark"`
		Kind       string   `json:"kind"`
		Reason     string   `json:"reason"`
		Revocation string   `json:"revocation"`
		Seen       []string `json:"seen"`
	} `json:"results"`
}

// TestCardOfflineInBrowser: on a phone, the /c page never says "Valide"
// when it cannot ask the server about revocation (browser/cardoffline.mjs).
// Offline, a card reads "Authentique" with "non révoquée au <date>" from
// the revocation set its service worker kept, "Révoquée" when the kept set
// says so, "statut de révocation inconnu" without a set; a card revoked
// while the phone was offline turns "Révoquée" when the connection
// returns, and an unknown status turns "Valide", both without a reload.
func TestCardOfflineInBrowser(t *testing.T) {
	node, chromium := requireBrowser(t)
	bin := buildCarnet(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	addr, base := freeLoopback(t)

	type issued struct {
		ID     string `json:"id"`
		QRText string `json:"qr_text"`
	}
	issue := func(learner string) issued {
		t.Helper()
		out := run(t, bin, "issue", "--data", data, "--base-url", base, "--learner", learner, "--framework", "digcomp-2.2",
			"--level", "1.1=3", "--level", "2.1=4", "--out", filepath.Join(tmp, "card.jwt"), "--json")
		var is issued
		if err := json.Unmarshal([]byte(out), &is); err != nil || is.ID == "" || !strings.HasPrefix(is.QRText, base+"/c#") {
			t.Fatalf("carnet issue --json: %v\n%s", err, out)
		}
		return is
	}
	valid := issue("Éloïse Ndiaye")
	revoke := issue("Éloïse Ndiaye")
	token := strings.TrimSpace(run(t, bin, "token", "create", "--data", data))
	startServe(t, bin, data, addr, base)

	artifacts := artifactsDir(t, "browser", false)
	cfg, _ := json.Marshal(map[string]any{"base": base, "artifacts": artifacts, "valid": valid.QRText, "revoke": revoke.QRText,
		"revokeID": revoke.ID, "token": token})
	var s cardOfflineSummary
	elapsed, stderr, err := runScript(t, node, chromium, 3*time.Minute, filepath.Join(artifacts, "cardoffline-summary.json"), &s, "cardoffline.mjs", string(cfg))
	s.report(t, "cardoffline.mjs", elapsed, stderr, err)

	// What the page said, state by state; "Valide" only online.
	want := []struct{ name, title, kind string }{
		{"validOnline", "Valide", "ok"},
		{"staleOffline", "Authentique · non révoquée au ", "warn"},
		{"backOnline", "Révoquée", "bad"},
		{"revokedOffline", "Révoquée", "bad"},
		{"validOffline", "Authentique · non révoquée au ", "warn"},
		{"unknownOffline", "Authentique · statut de révocation inconnu", "warn"},
		{"unknownThenOnline", "Valide", "ok"},
		{"englishOffline", "Authentic · not revoked as of ", "warn"},
		{"periodicRetry", "Valide", "ok"},
	}
	for _, w := range want {
		r, ok := s.Results[w.name]
		if !ok {
			t.Errorf("%s: no result", w.name)
			continue
		}
		if !strings.HasPrefix(r.Title, w.title) || r.Kind != w.kind {
			t.Errorf("%s: %q (%s), want %q… (%s)", w.name, r.Title, r.Kind, w.title, w.kind)
		}
		if w.kind != "ok" {
			for _, h := range r.Seen {
				if strings.HasSuffix(h, "Valide") || strings.HasSuffix(h, "Valid") {
					t.Errorf("%s: the page showed %q on the way (%q)", w.name, h, r.Seen)
				}
			}
		}
	}
	s.checkAxe(t, "offline states of /c", 6, false)
	for _, e := range s.ConsoleErrors {
		t.Logf("browser console: %s", e)
	}
	checkScreenshots(t, artifacts, "cardoffline-", []string{"not-revoked-asof", "revoked-offline", "status-unknown"})
}
