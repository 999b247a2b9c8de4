package browser_test

import (
	"path/filepath"
	"testing"
	"time"
)

// TestLearnerCarnet runs browser/carnet.mjs against a fresh `carnet
// serve`: a mediator makes a learner's private link (the slip, with its QR
// code), and on a phone (390×844), without an account, the learner opens
// "Mon carnet", makes a share link, opens and withdraws it (410), reads
// the carnet in English and asks for erasure, which the mediator sees.
// axe-core must find nothing serious on any page, and no carnet page may
// scroll sideways.
func TestLearnerCarnet(t *testing.T) {
	node, chromium := requireBrowser(t)
	bin := buildCarnet(t)
	base, link := startServer(t, bin)
	artifacts := artifactsDir(t, "browser-carnet", true)
	var s flowSummary
	elapsed, stderr, err := runScript(t, node, chromium, 4*time.Minute, filepath.Join(artifacts, "summary.json"), &s, "carnet.mjs", base, link, artifacts)
	if !s.report(t, "carnet.mjs", elapsed, stderr, err) {
		t.FailNow()
	}
	s.checkAxe(t, "pages of the carnet", 6, false)
	for _, e := range s.HTTPErrors {
		t.Errorf("HTTP error in the carnet's walk: %s", e)
	}
}
