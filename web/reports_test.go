package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carnet/app"
	"carnet/schema"
)

// TestReports issues real credentials through the API, revokes one,
// verifies one, and reads the bilan as JSON, CSV, PDF and page: the same
// figures everywhere, small counts as "< 5", mediators refused.
func TestReports(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	admin := f.user("admin@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	med := f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	tok, tokMed := f.token(admin), f.token(med)
	var first struct{ ID, JWT string }
	for i := range 6 {
		var l struct{ ID string }
		if code := f.api(tokMed, "POST", "/api/v1/learners", map[string]any{"name": fmt.Sprintf("Élève %d", i)}, &l); code != 201 {
			t.Fatalf("learner: %d", code)
		}
		var c struct{ ID, JWT string }
		if code := f.api(tokMed, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
			"levels": map[string]any{"1.1": 3}}, &c); code != 201 {
			t.Fatalf("issue: %d", code)
		}
		if i == 0 {
			first = c
		}
	}
	if code := f.api(tokMed, "POST", "/api/v1/credentials/"+strings.TrimPrefix(first.ID, "urn:uuid:")+"/revoke", map[string]any{"reason": "erreur"}, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	var v struct{ Valid bool }
	f.api("", "POST", "/api/v1/verify", map[string]any{"input": first.JWT}, &v)

	year := time.Now().UTC().Format("2006")
	q := "from=" + year + "-01-01&to=" + year + "-12-31"
	var r map[string]any
	if code := f.api(tok, "GET", "/api/v1/reports?"+q+"&structure=bib", nil, &r); code != 200 {
		t.Fatalf("reports: %d %v", code, r)
	}
	// Six people, six credentials; one revoked ("< 5"); five assessed on
	// 1.1 at level 3 (the revoked credential's level does not count).
	got, _ := json.Marshal(map[string]any{"people": r["people"], "credentials": r["credentials"], "continuity": r["continuity"]})
	want := `{"continuity":{"attached":0,"by_partner":[],"multi_structure":0},"credentials":{"issued":6,"revoked":"\u003c 5","suspended":0},"people":6}`
	if string(got) != want {
		t.Errorf("bilan\n got %s\nwant %s", got, want)
	}
	comps, _ := r["competences"].([]any)
	if len(comps) != 1 {
		t.Fatalf("competences: %v", r["competences"])
	}
	c := comps[0].(map[string]any)
	levels := c["levels"].(map[string]any)
	if c["framework"] != "digcomp-2.2" || c["code"] != "1.1" || c["assessed"] != 5.0 || levels["3"] != 5.0 || levels["1"] != 0.0 || c["progressed"] != 0.0 {
		t.Errorf("1.1: %v", c)
	}
	if ver := r["verifications"].(map[string]any); ver["total"] != 1.0 {
		t.Errorf("verifications: %v", ver)
	}
	if r["from"] != year+"-01-01" || r["to"] != year+"-12-31" || r["structure"] != "bib" {
		t.Errorf("period: %v %v %v", r["from"], r["to"], r["structure"])
	}

	// Mediators see no bilan; nor does anyone for a structure not theirs.
	if code := f.api(tokMed, "GET", "/api/v1/reports?"+q, nil, nil); code != http.StatusForbidden {
		t.Errorf("mediator: %d", code)
	}
	if code := f.api(tok, "GET", "/api/v1/reports?from=2026-02-30&to=2026-03-01", nil, nil); code != http.StatusBadRequest {
		t.Errorf("bad date: %d", code)
	}

	// CSV: a byte order mark, the separator asked for, the same figures.
	res, body := f.get("/api/v1/reports?"+q+"&format=csv&sep=%3B", "Authorization", "Bearer "+tok)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "bilan-"+year+"-01-01-"+year+"-12-31") {
		t.Fatalf("csv: %d %v", res.StatusCode, res.Header)
	}
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Errorf("csv: no byte order mark: %q", body[:min(10, len(body))])
	}
	csv := string(body)
	for _, line := range []string{"rubrique;référentiel;compétence;code;indicateur;valeur\r\n", "chiffres clés;;;people;Personnes accompagnées;6\r\n",
		"chiffres clés;;;revoked;Attestations révoquées;< 5\r\n", "compétences;digcomp-2.2;1.1;level_3;Niveau 3;5\r\n"} {
		if !strings.Contains(csv, line) {
			t.Errorf("csv: no line %q in\n%s", line, csv)
		}
	}
	_, comma := f.get("/api/v1/reports?"+q+"&format=csv&lang=en", "Authorization", "Bearer "+tok)
	if !strings.Contains(string(comma), "key figures,,,people,People accompanied,6\r\n") {
		t.Errorf("csv with commas:\n%s", comma)
	}

	// PDF: what a reader sees.
	res, pdf := f.get("/api/v1/reports?"+q+"&format=pdf", "Authorization", "Bearer "+tok)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("pdf: %d %v", res.StatusCode, res.Header)
	}
	text := pdfToText(t, pdf)
	for _, s := range []string{"Bilan", "Personnes accompagnées", "Attestations délivrées", "< 5", "1.1 ", "(digcomp-2.2)", "Chiffres clés"} {
		if !strings.Contains(text, s) {
			t.Errorf("pdf: no %q in\n%s", s, text)
		}
	}

	// The page: the figures, the charts with their titles, the method.
	br := newBrowser(t, f.srv.BaseURL)
	br.login(admin.Email)
	code, page, _ := br.get("/bilan?" + q)
	if code != 200 {
		t.Fatalf("page: %d", code)
	}
	for _, s := range []string{`data-figure="people">6<`, `data-figure="revoked">&lt; 5<`, `<svg`, `<title>Niveaux atteints, compétence 1.1</title>`,
		`id="methode"`, `href="/bilan?from=` + year + `-01-01&amp;to=` + year + `-12-31&amp;format=pdf"`,
		`href="/bilan?from=` + year + `-01-01&amp;to=` + year + `-12-31&amp;format=csv&amp;sep=%3B"`, `href="/bilan?from=` + year + `-01-01&amp;to=` + year + `-12-31"`} {
		if !strings.Contains(page, s) {
			t.Errorf("page: no %q", s)
		}
	}
	if strings.Contains(page, "Élève") || strings.Contains(page, "<script") {
		t.Errorf("page shows a name or needs a script")
	}
	brMed := newBrowser(t, f.srv.BaseURL)
	brMed.login(med.Email)
	if code, _, _ := brMed.get("/bilan"); code != http.StatusForbidden {
		t.Errorf("mediator page: %d", code)
	}
}

// TestReportsWorkshops issues a workshop of six people through the app,
// twice (one level corrected in between), leaves another unissued, and
// reads its figures in the bilan's JSON, CSV, PDF and page.
func TestReportsWorkshops(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	st := f.structure("bib")
	admin := f.user("admin@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	med := f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	u, _ := f.users.FindUser(ctx, med.ID)
	a := &app.Actor{User: u}
	w, err := f.srv.CreateWorkshop(ctx, a, app.WorkshopInput{Structure: "bib", Title: "Atelier courriel", Partner: "France Travail",
		Framework: "digcomp-2.2", Competencies: []string{"1.1", "2.1"}})
	if err != nil {
		t.Fatal(err)
	}
	var grid []schema.WorkshopParticipant
	for i := range 7 {
		p := schema.WorkshopParticipant{Name: fmt.Sprintf("Élève d'atelier %d", i), Levels: map[string]string{"1.1": "2", "2.1": "3"}}
		if i == 6 {
			p.Skip = true // left out: no credential, not a participant
		}
		grid = append(grid, p)
	}
	issue := func() {
		t.Helper()
		if _, err := f.srv.SaveWorkshopGrid(ctx, a, w.ID, grid); err != nil {
			t.Fatal(err)
		}
		b, _, err := f.srv.IssueWorkshop(ctx, a, w.ID, "fr")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.srv.RunBatch(ctx, b.ID, nil); err != nil {
			t.Fatal(err)
		}
		if w, err = f.srv.Workshop(ctx, a, w.ID); err != nil {
			t.Fatal(err)
		}
		grid = w.Participants
	}
	issue()
	grid[0].Levels = map[string]string{"1.1": "3", "2.1": "3"} // corrected: a new credential for this one
	issue()
	if _, err := f.srv.CreateWorkshop(ctx, a, app.WorkshopInput{Structure: "bib", Title: "Pas encore tenu", Partner: "Mission locale",
		Framework: "digcomp-2.2", Competencies: []string{"1.1"}}); err != nil {
		t.Fatal(err)
	}

	tok := f.token(admin)
	year := time.Now().UTC().Format("2006")
	q := "from=" + year + "-01-01&to=" + year + "-12-31&structure=bib"
	var r map[string]any
	if code := f.api(tok, "GET", "/api/v1/reports?"+q, nil, &r); code != 200 {
		t.Fatalf("reports: %d %v", code, r)
	}
	// Seven credentials issued (six, then the corrected one); the
	// workshop's are those of its latest issuance: six, to six people.
	got, _ := json.Marshal(map[string]any{"workshops": r["workshops"], "issued": r["credentials"].(map[string]any)["issued"]})
	want := `{"issued":7,"workshops":{"by_partner":[{"credentials":6,"name":"France Travail","participants":6,"sessions":1}],` +
		`"by_structure":[{"credentials":6,"name":"Structure bib","participants":6,"sessions":1,"structure":"bib"}],"credentials":6,"participants":6,"recorded":true,"sessions":1}}`
	if string(got) != want {
		t.Errorf("bilan\n got %s\nwant %s", got, want)
	}
	if prev := r["previous"].(map[string]any)["workshops"]; fmt.Sprint(prev) != "map[credentials:0 participants:0 sessions:0]" {
		t.Errorf("previous workshops: %v", prev)
	}

	_, body := f.get("/api/v1/reports?"+q+"&format=csv", "Authorization", "Bearer "+tok)
	for _, line := range []string{"chiffres clés,,,workshops,Ateliers tenus,1\r\n", "chiffres clés,,,workshop_participants,Participant·es aux ateliers,6\r\n",
		"ateliers,,,partner_workshop_credentials,France Travail – Attestations délivrées en atelier,6\r\n"} {
		if !strings.Contains(string(body), line) {
			t.Errorf("csv: no line %q in\n%s", line, body)
		}
	}
	_, pdf := f.get("/api/v1/reports?"+q+"&format=pdf", "Authorization", "Bearer "+tok)
	text := pdfToText(t, pdf)
	for _, s := range []string{"Ateliers tenus", "Participant·es aux ateliers", "France Travail"} {
		if !strings.Contains(text, s) {
			t.Errorf("pdf: no %q in\n%s", s, text)
		}
	}
	br := newBrowser(t, f.srv.BaseURL)
	br.login(admin.Email)
	_, page, _ := br.get("/bilan?" + q)
	for _, s := range []string{`data-figure="workshops">1<`, `data-figure="workshop_participants">6<`, `data-figure="workshop_credentials">6<`,
		`<title>Ateliers : période précédente (blanc) et cette période (noir)</title>`, `id="bilan-workshops-partners"`,
		`<tr><th scope="row">France Travail</th><td>1</td><td>6</td><td>6</td></tr>`} {
		if !strings.Contains(page, s) {
			t.Errorf("page: no %q", s)
		}
	}
	if strings.Contains(page, "Élève") || strings.Contains(page, "Atelier courriel") {
		t.Errorf("page shows a name or a workshop's title")
	}
}

// pdfToText returns what pdftotext reads in a PDF.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found")
		}
		t.Skip("pdftotext not found: install poppler-utils")
	}
	path := filepath.Join(t.TempDir(), "bilan.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
