package browser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// workshopSummary is what workshop.mjs prints.
type workshopSummary struct {
	flowSummary
	Workshop struct {
		Keys         int      `json:"keys"`
		Loads        int      `json:"loads"`
		Cells        int      `json:"cells"`
		IssuedMS     int      `json:"issuedMS"`
		CardsPDF     string   `json:"cardsPDF"`
		CardsBytes   int      `json:"cardsBytes"`
		Participants []string `json:"participants"`
		Tablet       struct {
			Width  int `json:"width"`
			Height int `json:"height"`
		} `json:"tablet"`
	} `json:"workshop"`
	CSV struct {
		Loads  int    `json:"loads"`
		Issued int    `json:"issued"`
		Report string `json:"report"`
	} `json:"csv"`
}

// TestWorkshopInBrowser runs browser/workshop.mjs against a fresh `carnet
// serve`: a 12-person workshop from creation to the cards PDF, the grid
// filled from the keyboard, then a CSV import with refused rows. Here,
// every page of the cards PDF is rendered (pdftoppm) and its QR codes read
// (zbarimg); each must verify through POST /api/v1/verify, and they must
// be exactly 12 distinct credentials, one per participant.
func TestWorkshopInBrowser(t *testing.T) {
	node, chromium := requireBrowser(t)
	for _, tool := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " is not on PATH: the workshop test reads the cards with poppler-utils and zbar-tools"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	bin := buildCarnet(t)
	base, link := startServer(t, bin)
	artifacts := artifactsDir(t, "browser-workshop", true)
	var s workshopSummary
	elapsed, stderr, err := runScript(t, node, chromium, 6*time.Minute, filepath.Join(artifacts, "summary.json"), &s, "workshop.mjs", base, link, artifacts)
	if !s.report(t, "workshop.mjs", elapsed, stderr, err) {
		t.FailNow()
	}
	s.checkAxe(t, "workshop and import pages", 8, false)
	for _, e := range s.HTTPErrors {
		t.Errorf("HTTP error during the workshop: %s", e)
	}
	w := s.Workshop
	t.Logf("grid: %d cells filled with %d key presses; issued in %d ms (the page loaded %d times); cards PDF %d bytes; CSV import page loaded %d times",
		w.Cells, w.Keys, w.IssuedMS, w.Loads, w.CardsBytes, s.CSV.Loads)
	if w.Tablet.Width != 768 || w.Tablet.Height != 1024 {
		t.Errorf("the grid was opened at %d×%d, want the tablet's 768×1024", w.Tablet.Width, w.Tablet.Height)
	}
	if len(w.Participants) != 12 || w.CardsPDF == "" {
		t.Fatalf("participants %q, cards %q", w.Participants, w.CardsPDF)
	}

	// Every card's QR code, page by page.
	pages := renderPDF(t, filepath.Join(artifacts, w.CardsPDF))
	var qrs []string
	for _, png := range pages {
		out, err := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", png).Output()
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 4) { // 4: no code on the page
			t.Fatalf("zbarimg %s: %v", filepath.Base(png), err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line != "" {
				qrs = append(qrs, line)
			}
		}
	}
	t.Logf("%d pages, %d QR codes", len(pages), len(qrs))
	if len(qrs) != 12 {
		t.Errorf("%d QR codes on the cards, want 12", len(qrs))
	}
	ids, learners := map[string]bool{}, []string{}
	for _, q := range qrs {
		r := verifyAPI(t, base, q)
		if !r.Valid {
			t.Errorf("a card's QR code does not verify: %s %s", r.Reason, r.Message)
			continue
		}
		if ids[r.CredentialID] {
			t.Errorf("two cards of the credential %s", r.CredentialID)
		}
		ids[r.CredentialID] = true
		learners = append(learners, r.Learner)
	}
	want := slices.Clone(w.Participants)
	slices.Sort(want)
	slices.Sort(learners)
	if len(ids) != 12 || !slices.Equal(learners, want) {
		t.Errorf("%d distinct credentials, of %q; want 12, one per participant %q", len(ids), learners, want)
	}

	if s.CSV.Issued != 6 {
		t.Errorf("%d rows of the CSV issued, want 6", s.CSV.Issued)
	}
	if !strings.Contains(s.CSV.Report, "'=HYPERLINK") {
		t.Errorf("the report of refused rows does not escape the formula:\n%s", s.CSV.Report)
	}
	checkScreenshots(t, artifacts, "workshop-", []string{"list", "grid", "grid-tablet", "review", "issued", "csv-preview", "csv-done"})
}

// renderPDF renders every page of a PDF at 200 dpi in grey and returns
// the images, in page order.
func renderPDF(t *testing.T, pdf string) []string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("pdftoppm", "-r", "200", "-gray", "-png", pdf, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "p*.png"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("pdftoppm rendered no page of %s (%v)", pdf, err)
	}
	slices.Sort(pages)
	return pages
}

// verifyResult is what POST /api/v1/verify answers, in part.
type verifyResult struct {
	Valid        bool   `json:"valid"`
	Reason       string `json:"reason"`
	Message      string `json:"message"`
	CredentialID string `json:"credential_id"`
	Learner      string `json:"learner"`
}

// verifyAPI verifies a scanned text through the server's public API.
func verifyAPI(t *testing.T, base, input string) verifyResult {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"input": input})
	res, err := http.Post(base+"/api/v1/verify", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r verifyResult
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v1/verify: %d %v", res.StatusCode, err)
	}
	return r
}
