package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

// TestWorkshopEndToEnd: a 12-person workshop from its creation to the
// cards PDF through the pages: 10 new people typed in a list and 2
// learners found by name, one grid of 12 × 5 cells, one left out and one
// without a level, a review, one "issue all", then every card of the
// group's PDF scans and verifies; issuing again issues nothing twice.
func TestWorkshopEndToEnd(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	st := f.structure("main")
	med := f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	tok := f.token(med)
	for _, n := range []string{"Awa Diallo", "Bérénice Martin"} {
		if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": n}, nil); code != 201 {
			t.Fatalf("learner %s: %d", n, code)
		}
	}
	br := newBrowser(t, f.srv.BaseURL)
	br.login(med.Email)

	code, page, _ := br.get("/workshops?framework=digcomp-2.2")
	if code != 200 || !strings.Contains(page, `name="competency" type="checkbox" value="4.2"`) {
		t.Fatalf("workshops page: %d", code)
	}
	comps := []string{"1.1", "1.2", "2.1", "3.1", "4.2"}
	form := url.Values{"title": {"Atelier numérique du mardi"}, "dates": {"3 et 10 mars 2026"}, "partner": {"avec France Travail"},
		"framework": {"digcomp-2.2"}, "competency": comps}
	code, body, loc := br.post("/workshops", br.csrf("/workshops"), form)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/workshops/") {
		t.Fatalf("create: %d %s %s", code, loc, body)
	}
	wpath := loc
	if _, page, _ := br.get("/workshops"); !strings.Contains(page, `<a href="`+wpath+`">Atelier numérique du mardi</a>`) || !strings.Contains(page, "avec France Travail") {
		t.Errorf("the workshop is not listed:\n%s", page)
	}
	// Ten new people typed in a list.
	names := []string{"Éloïse Ndiaye", "Karim Benali", "Lina Haddad", "Zoë Martin", "Paul Durand", "Inès Roche", "Tom Leroy", "Sami Kaci", "Nina Petit", "Hugo Blanc"}
	code, body, _ = br.post(wpath, br.csrf(wpath), url.Values{"n": {"0"}, "new_names": {strings.Join(names, "\n")}, "action": {"save"}})
	if code != http.StatusSeeOther {
		t.Fatalf("add names: %d %s", code, body)
	}
	// Two learners found by name.
	_, page, _ = br.get(wpath + "?q=" + url.QueryEscape("Awa"))
	_, page2, _ := br.get(wpath + "?q=" + url.QueryEscape("Bérénice"))
	idRE := regexp.MustCompile(`name="add_learner" type="checkbox" value="([^"]+)"`)
	m1, m2 := idRE.FindStringSubmatch(page), idRE.FindStringSubmatch(page2)
	if m1 == nil || m2 == nil {
		t.Fatalf("search found nobody")
	}
	grid := url.Values{"n": {"10"}, "add_learner": {m1[1], m2[1]}, "action": {"save"}}
	for i := range names {
		grid.Set(pkey(i, "name"), names[i])
	}
	if code, body, _ = br.post(wpath, br.csrf(wpath), grid); code != http.StatusSeeOther {
		t.Fatalf("add learners: %d %s", code, body)
	}
	// The grid: 12 rows × 5 cells, as the page shows them.
	_, page, _ = br.get(wpath)
	rows := regexp.MustCompile(`name="p(\d+)_name" value="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(rows) != 12 || strings.Count(page, "<select name=\"p") != 60 {
		t.Fatalf("grid of %d rows, %d cells", len(rows), strings.Count(page, "<select name=\"p"))
	}
	// Each cell offers the levels as everywhere else, in short ("3 / 8").
	if !regexp.MustCompile(`<option value="3" title="[^"]*">3 / 8</option>`).MatchString(page) {
		t.Errorf("the grid's levels are not labelled as elsewhere (\"3 / 8\")")
	}
	ids := regexp.MustCompile(`name="p(\d+)_id" value="([^"]*)"`).FindAllStringSubmatch(page, -1)
	fill := url.Values{"n": {"12"}, "action": {"review"}}
	for i, r := range rows {
		fill.Set(pkey(i, "name"), htmlUnescape(r[2]))
		fill.Set(pkey(i, "id"), ids[i][2])
		switch {
		case i == 3: // left out
			fill.Set(pkey(i, "skip"), "on")
			fill.Set(pkey(i, "l_1.1"), "2")
		case i == 4: // no level
		default:
			for j, c := range comps {
				fill.Set(pkey(i, "l_"+c), string(rune('1'+(i+j)%8)))
			}
		}
	}
	code, body, loc = br.post(wpath, br.csrf(wpath), fill)
	if code != http.StatusSeeOther || loc != wpath+"/review" {
		t.Fatalf("save grid: %d %s %s", code, loc, body)
	}
	_, review, _ := br.get(loc)
	if strings.Count(review, `<tr><th scope="row">`) != 10 || !strings.Contains(review, "<li>Zoë Martin</li>") || !strings.Contains(review, "<li>Paul Durand</li>") {
		t.Errorf("review:\n%s", review)
	}
	code, body, loc = br.post(wpath+"/issue", br.csrf(wpath+"/review"), url.Values{})
	// Without a fragment, which would stop the page's refresh in Chromium.
	if code != http.StatusSeeOther || loc != wpath {
		t.Fatalf("issue: %d %s %s", code, loc, body)
	}
	// Progress, then the results on the page.
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, page, _ = br.get(wpath)
		if strings.Contains(page, "/cards.pdf") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still running:\n%s", page)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := strings.Count(page, ">délivrée</a>") + strings.Count(page, ">issued</a>"); n != 10 {
		t.Errorf("%d rows issued on the page, want 10", n)
	}
	list, _ := f.creds.ListCredentials(ctx, schema.CredentialFilter{Limit: 100})
	if len(list) != 10 {
		t.Fatalf("%d credentials, want 10", len(list))
	}
	// The learners found by name got their credential, not a new record.
	learners, _ := f.learns.SearchLearners(ctx, nil, "", 100)
	if len(learners) != 10 {
		t.Errorf("%d learners, want 10 (2 existing + 8 new; the one left out and the one without a level are not created)", len(learners))
	}
	// The group's PDF: every card scans and verifies.
	req, _ := http.NewRequest("GET", f.srv.BaseURL+wpath+"/cards.pdf", nil)
	res, err := br.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pdf := readAll(t, res)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("cards.pdf: %d %s", res.StatusCode, pdf[:min(len(pdf), 200)])
	}
	var got []string
	for _, q := range scanPDF(t, pdf) {
		r := f.srv.Verifier.Verify(ctx, []byte(q))
		if !r.Valid {
			t.Errorf("a card does not verify: %s", r.Reason)
		}
		got = append(got, r.Learner)
	}
	sort.Strings(got)
	if len(got) != 10 || strings.Contains(strings.Join(got, "|"), "Zoë") || strings.Contains(strings.Join(got, "|"), "Paul") {
		t.Errorf("cards of %q", got)
	}
	// Issuing the same grid again issues nothing twice.
	if code, _, _ = br.post(wpath+"/issue", br.csrf(wpath+"/review"), url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("issue again: %d", code)
	}
	f.srv.WaitBatches()
	if list, _ := f.creds.ListCredentials(ctx, schema.CredentialFilter{Limit: 100}); len(list) != 10 {
		t.Errorf("%d credentials after issuing again, want 10", len(list))
	}
	// One cell changed: that participant alone gets a new credential, as
	// the same learner.
	fill.Set(pkey(0, "l_1.1"), "8")
	_, page, _ = br.get(wpath)
	for _, m := range regexp.MustCompile(`name="p(\d+)_id" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		fill.Set("p"+m[1]+"_id", m[2])
	}
	if code, body, _ = br.post(wpath, br.csrf(wpath), fill); code != http.StatusSeeOther {
		t.Fatalf("save again: %d %s", code, body)
	}
	if code, _, _ = br.post(wpath+"/issue", br.csrf(wpath+"/review"), url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("issue the change: %d", code)
	}
	f.srv.WaitBatches()
	if list, _ := f.creds.ListCredentials(ctx, schema.CredentialFilter{Limit: 100}); len(list) != 11 {
		t.Errorf("%d credentials after one change, want 11", len(list))
	}
	if learners, _ := f.learns.SearchLearners(ctx, nil, "", 100); len(learners) != 10 {
		t.Errorf("%d learners after one change, want 10", len(learners))
	}
	// The grid keeps learners by id alone: an erasure leaves no name in it.
	br.get(wpath) // the page records the learners the batch made
	stored, err := sqlite.NewWorkshopStore(f.db).FindWorkshop(ctx, strings.TrimPrefix(wpath, "/workshops/"))
	if err != nil {
		t.Fatal(err)
	}
	byID := 0
	for _, p := range stored.Participants {
		if p.LearnerID != "" {
			byID++
			if p.Name != "" {
				t.Errorf("the grid stores the name of learner %s: %q", p.LearnerID, p.Name)
			}
		}
	}
	if byID != 10 {
		t.Errorf("%d participants by learner id, want 10", byID)
	}
}

func pkey(i int, k string) string { return "p" + itoa64(int64(i)) + "_" + k }

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`).Replace(s)
}

func readAll(t *testing.T, res *http.Response) []byte {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return []byte(b.String())
}
