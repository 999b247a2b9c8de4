package browser_test

import (
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bilanSummary is the JSON bilan.mjs prints.
type bilanSummary struct {
	flowSummary
	Bilan, NoScript struct {
		Title       string            `json:"title"`
		Figures     map[string]string `json:"figures"`
		Charts      int               `json:"charts"`
		ChartTitles []string          `json:"chartTitles"`
		Tables      int               `json:"tables"`
		Method      int               `json:"method"`
		Scripts     int               `json:"scripts"`
	}
	PDF struct {
		Name string `json:"name"`
		Size int    `json:"size"`
		Head string `json:"head"`
	} `json:"pdf"`
}

// TestBilan runs browser/bilan.mjs against `carnet serve` on a demo data
// dir (carnet gen-demo): the bilan page with its figures and charts, with
// and without JavaScript, and its PDF, as the network administrator.
func TestBilan(t *testing.T) {
	node, chromium := requireBrowser(t)
	bin := buildCarnet(t)
	data := filepath.Join(t.TempDir(), "data")
	if out, err := exec.Command(bin, "gen-demo", "--data", data, "--structures", "3", "--learners", "60", "--credentials", "400", "--signed", "3").CombinedOutput(); err != nil {
		t.Fatalf("gen-demo: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	// The demo's base URL is the default one; serve's --base-url moves it here.
	link := serveForLink(t, bin, data, addr, base)
	artifacts := artifactsDir(t, "bilan", true)
	var s bilanSummary
	elapsed, stderr, err := runScript(t, node, chromium, 3*time.Minute, filepath.Join(artifacts, "summary.json"), &s, "bilan.mjs", base, link, artifacts)
	if !s.report(t, "bilan.mjs", elapsed, stderr, err) {
		t.FailNow()
	}
	s.checkAxe(t, "bilan page", 1, false)
	if n, _ := strconv.Atoi(s.Bilan.Figures["people"]); n < 5 || s.Bilan.Figures["issued"] == "" {
		t.Errorf("figures: %v", s.Bilan.Figures)
	}
	if s.Bilan.Charts < 3 || s.NoScript.Charts != s.Bilan.Charts || s.Bilan.Scripts != 0 || s.Bilan.Method < 7 || s.Bilan.Tables < 4 {
		t.Errorf("page: %+v; without JavaScript: %+v", s.Bilan, s.NoScript)
	}
	if s.PDF.Head != "%PDF-" || s.PDF.Size < 2000 || !strings.HasPrefix(s.PDF.Name, "bilan-2024-01-01-2026-12-31") {
		t.Errorf("PDF download: %+v", s.PDF)
	}
	checkScreenshots(t, artifacts, "bilan-", []string{"page"})
}
