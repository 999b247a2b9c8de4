package browser_test

import (
	"path/filepath"
	"testing"
	"time"
)

// daySummary is what day.mjs prints.
type daySummary struct {
	flowSummary
	Day map[string]struct {
		Clicks   int `json:"clicks"`
		Pages    int `json:"pages"`
		Viewport struct {
			Width  int `json:"width"`
			Height int `json:"height"`
		} `json:"viewport"`
	} `json:"day"`
	Jargon  []string `json:"jargon"`
	Checked []string `json:"checked"`
}

// TestMediatorDay runs browser/day.mjs against a fresh `carnet serve`: the
// first start, the structure's default framework and invitations, then a
// new learner → card PDF in French on a desktop and in English on a touch
// tablet (768×1024). It prints the pages and clicks of that path (run with
// -v to see them), wants at most 4 pages and 8 clicks for 4 competencies,
// axe clean, and no "did:", "urn:uuid" or ".json" outside "Détails
// techniques" on any page of the main flow.
func TestMediatorDay(t *testing.T) {
	node, chromium := requireBrowser(t)
	bin := buildCarnet(t)
	base, link := startServer(t, bin)
	artifacts := artifactsDir(t, "browser-day", true)
	var s daySummary
	elapsed, stderr, err := runScript(t, node, chromium, 4*time.Minute, filepath.Join(artifacts, "summary.json"), &s, "day.mjs", base, link, artifacts)
	ok := s.report(t, "day.mjs", elapsed, stderr, err)
	for _, lang := range []string{"fr", "en"} {
		d, found := s.Day[lang]
		if !found {
			t.Errorf("no day walked in %s", lang)
			continue
		}
		t.Logf("new learner → card PDF, 4 competencies (%s, %d×%d): %d pages, %d clicks", lang, d.Viewport.Width, d.Viewport.Height, d.Pages, d.Clicks)
		if d.Pages > 4 || d.Clicks > 8 {
			t.Errorf("%s: %d pages and %d clicks, want at most 4 and 8", lang, d.Pages, d.Clicks)
		}
	}
	if d := s.Day["en"]; d.Viewport.Width != 768 || d.Viewport.Height != 1024 {
		t.Errorf("the English day ran at %d×%d, want the tablet's 768×1024", d.Viewport.Width, d.Viewport.Height)
	}
	for _, j := range s.Jargon {
		t.Errorf("jargon in the main view: %s", j)
	}
	if len(s.Checked) < 10 {
		t.Errorf("only %d pages checked for jargon", len(s.Checked))
	}
	if !ok {
		t.FailNow()
	}
	s.checkAxe(t, "pages of the day", 10, false)
	for _, e := range s.HTTPErrors {
		t.Errorf("HTTP error during the day: %s", e)
	}
}
