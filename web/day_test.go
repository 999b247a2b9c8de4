package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"carnet/app"
	"carnet/schema"
)

var learnerIDRE = regexp.MustCompile(`^/learners/([0-9a-f-]{36})/assess$`)

// TestDefaultFramework: a structure's administrator puts CRCN first; the
// home page's quick start creates a learner and opens the assessment on
// CRCN; once a CEFR credential is issued, the learner's page offers a new
// assessment on CEFR. Another structure keeps the built-in order; an
// unknown framework and a mediator's attempt are refused.
func TestDefaultFramework(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	other := f.structure("autre")
	f.user("admin@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin},
		schema.Membership{StructureID: other.ID, Role: schema.RoleAdmin})
	f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	br := newBrowser(t, f.http.URL)
	br.login("admin@example.org")
	code, body, _ := br.post("/structures/bib/frameworks", br.csrf("/structures/bib"), url.Values{"framework": {"crcn-2019", "cefr-fr", "digcomp-2.2"}})
	if code != http.StatusSeeOther {
		t.Fatalf("frameworks: %d\n%s", code, body)
	}
	if code, _, _ := br.post("/structures/bib/frameworks", br.csrf("/structures/bib"), url.Values{"framework": {"nope"}}); code != http.StatusBadRequest {
		t.Errorf("an unknown framework: %d, want 400", code)
	}
	med := newBrowser(t, f.http.URL)
	med.login("med@example.org")
	if code, _, _ := med.post("/structures/bib/frameworks", med.csrf("/"), url.Values{"framework": {"cefr-fr"}}); code != http.StatusForbidden {
		t.Errorf("a mediator sets the frameworks: %d, want 403", code)
	}

	code, body, loc := med.post("/learners", med.csrf("/"), url.Values{"name": {"Awa"}, "next": {"assess"}})
	m := learnerIDRE.FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("quick start: %d %q\n%s", code, loc, body)
	}
	_, body, _ = med.get(loc)
	crcn, _ := f.srv.Frameworks.Get("crcn-2019")
	if !strings.Contains(html.UnescapeString(body), `name="framework" value="crcn-2019"`) {
		t.Errorf("the assessment does not open on CRCN (%s)", crcn.Title["fr"])
	}
	// Another structure keeps the built-in order.
	code, body, loc = br.post("/learners", br.csrf("/"), url.Values{"name": {"Bo"}, "structure": {"autre"}, "next": {"assess"}})
	if code != http.StatusSeeOther {
		t.Fatalf("quick start, other structure: %d\n%s", code, body)
	}
	_, body, _ = br.get(loc)
	first := f.srv.Frameworks.IDs()[0]
	if !strings.Contains(body, `name="framework" value="`+first+`"`) {
		t.Errorf("the other structure's assessment does not open on %s", first)
	}

	// After a CEFR credential, the learner's page offers CEFR again.
	page := "/learners/" + m[1]
	if _, body, _ = med.get(page); !strings.Contains(body, `id="new-assessment" href="`+page+`/assess?framework=crcn-2019"`) {
		t.Errorf("the learner page does not offer the default framework:\n%s", body)
	}
	code, body, loc = med.post(page+"/assess", med.csrf(page+"/assess"), url.Values{"framework": {"cefr-fr"}, "level_CO": {"A2"}, "action": {"issue"}})
	if code != http.StatusSeeOther {
		t.Fatalf("issue: %d\n%s", code, body)
	}
	// Printing is the next step: the credential page's first two
	// buttons, and a button on the learner's page.
	credPage := loc
	_, body, _ = med.get(credPage)
	buttons := regexp.MustCompile(`class="button"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="button"|<button[^>]*>`).FindAllStringSubmatch(body[strings.Index(body, "<main"):], 3)
	base := strings.TrimSuffix(strings.SplitN(credPage, "?", 2)[0], "/")
	if len(buttons) < 2 || buttons[0][1]+buttons[0][2] != base+"/card.pdf" || buttons[1][1]+buttons[1][2] != base+"/card.pdf?layout=a4" {
		t.Errorf("the first buttons of %s are %v, want the card then the A4 certificate", credPage, buttons)
	}
	if _, body, _ = med.get(page); !strings.Contains(body, `href="`+base+`/card.pdf"`) {
		t.Errorf("the learner page has no print button for %s", base)
	}
	if _, body, _ = med.get(page); !strings.Contains(body, `id="new-assessment" href="`+page+`/assess?framework=cefr-fr"`) {
		t.Errorf("the learner page does not offer the last framework used:\n%s", body)
	}
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestAuditPlain: the audit page tells what happened in sentences, names
// learners and credentials by their name and short code, never a raw
// UUID, and has no English word in French ("link", "mediator").
func TestAuditPlain(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	admin := f.user("admin@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	tok := f.token(admin)
	var l struct{ ID string }
	if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Awa Diallo"}, &l); code != http.StatusCreated {
		t.Fatalf("learner: %d", code)
	}
	var c struct {
		ID        string `json:"id"`
		ShortCode string `json:"short_code"`
	}
	if code := f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 2}}, &c); code != http.StatusCreated {
		t.Fatalf("issue: %d", code)
	}
	if code := f.api(tok, "POST", "/api/v1/credentials/"+c.ID+"/revoke", map[string]any{"reason": "erreur de saisie"}, nil); code != http.StatusOK {
		t.Fatalf("revoke: %d", code)
	}
	if code := f.api(tok, "POST", "/api/v1/structures/bib/invitations", map[string]any{"email": "m@example.org", "role": "mediator"}, nil); code != http.StatusCreated {
		t.Fatalf("invite: %d", code)
	}
	br := newBrowser(t, f.http.URL)
	br.login("admin@example.org")
	for _, lang := range []string{"fr", "en"} {
		br.get("/lang/" + lang)
		_, body, _ := br.get("/audit")
		main := html.UnescapeString(body[strings.Index(body, "<main"):])
		if m := uuidRE.FindString(main); m != "" {
			t.Errorf("%s: the audit page shows a raw UUID %s", lang, m)
		}
		want := map[string][]string{
			"fr": {"A ajouté Awa Diallo", "A émis l'attestation " + c.ShortCode + " de Awa Diallo (DigComp 2.2", "A révoqué l'attestation " + c.ShortCode, "A invité m@example.org comme médiateur·rice"},
			"en": {"Added Awa Diallo", "Issued the credential " + c.ShortCode + " of Awa Diallo", "Invited m@example.org as mediator"},
		}[lang]
		for _, w := range want {
			if !strings.Contains(main, w) {
				t.Errorf("%s: the audit page lacks %q:\n%s", lang, w, main)
			}
		}
		if lang == "fr" {
			for _, bad := range []string{"mediator", " link", "credential_", "learner_"} {
				if strings.Contains(main, bad) {
					t.Errorf("the French audit page says %q", bad)
				}
			}
		}
	}
}

// TestPendingInvitations: the structure page lists pending invitations;
// "New link" gives a new link and the old one no longer works; "Cancel"
// makes the new one stop working too; both are in the audit log; a
// mediator can do neither.
func TestPendingInvitations(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	f.user("admin@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	br := newBrowser(t, f.http.URL)
	br.login("admin@example.org")
	linkRE := regexp.MustCompile(`id="invite-url"[^>]*|value="(http[^"]+/invite/[^"]+)"`)
	inviteLink := func(body string) string {
		for _, m := range linkRE.FindAllStringSubmatch(body, -1) {
			if m[1] != "" {
				return strings.TrimPrefix(m[1], f.http.URL)
			}
		}
		t.Fatalf("no invitation link shown:\n%s", body)
		return ""
	}
	_, body, _ := br.post("/structures/bib/invite", br.csrf("/structures/bib"), url.Values{"email": {"new@example.org"}, "role": {"mediator"}})
	first := inviteLink(body)
	_, body, _ = br.get("/structures/bib")
	if !strings.Contains(body, "<td>new@example.org</td><td>médiateur·rice</td>") {
		t.Fatalf("the pending invitation is not listed:\n%s", body)
	}
	med := newBrowser(t, f.http.URL)
	med.login("med@example.org")
	if code, _, _ := med.post("/structures/bib/invitations/cancel", med.csrf("/"), url.Values{"email": {"new@example.org"}}); code != http.StatusForbidden {
		t.Errorf("a mediator cancels an invitation: %d", code)
	}
	code, body, _ := br.post("/structures/bib/invitations/resend", br.csrf("/structures/bib"), url.Values{"email": {"new@example.org"}})
	if code != http.StatusOK {
		t.Fatalf("resend: %d\n%s", code, body)
	}
	second := inviteLink(body)
	if second == first {
		t.Fatal("resend gave the same link")
	}
	anon := newBrowser(t, f.http.URL)
	if code, _, _ := anon.get(first); code != http.StatusNotFound {
		t.Errorf("the old link still answers %d after a resend", code)
	}
	if code, _, _ := anon.get(second); code != http.StatusOK {
		t.Errorf("the new link answers %d", code)
	}
	if code, body, _ := br.post("/structures/bib/invitations/cancel", br.csrf("/structures/bib"), url.Values{"email": {"new@example.org"}}); code != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", code, body)
	}
	if code, _, _ := anon.get(second); code != http.StatusNotFound {
		t.Errorf("the cancelled link still answers %d", code)
	}
	if _, body, _ = br.get("/structures/bib"); strings.Contains(body, "<td>new@example.org</td>") {
		t.Error("a cancelled invitation is still listed")
	}
	if code, _, _ := br.post("/structures/bib/invitations/cancel", br.csrf("/structures/bib"), url.Values{"email": {"new@example.org"}}); code != http.StatusNotFound {
		t.Errorf("cancelling again: %d, want 404", code)
	}
	_, body, _ = br.get("/audit")
	for _, want := range []string{"A renvoyé une invitation à new@example.org", "A annulé l&#39;invitation de new@example.org"} {
		if !strings.Contains(body, want) {
			t.Errorf("the audit page lacks %q", want)
		}
	}
}

// TestConsent: without consent only the name is kept: a contact or notes
// are refused (page and API, 400 with the error shape); withdrawing
// consent erases them, and the page says so.
func TestConsent(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	tok := f.token(f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator}))
	var e struct {
		Error struct{ Code, Message string }
	}
	if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Awa", "contact": "06 00 00 00 00"}, &e); code != http.StatusBadRequest || e.Error.Code != schema.EINVALID || e.Error.Message == "" {
		t.Errorf("API, contact without consent: %d %+v", code, e)
	}
	var l struct {
		ID      string `json:"id"`
		Contact string `json:"contact"`
		Notes   string `json:"notes"`
	}
	if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Awa", "contact": "06 00 00 00 00", "notes": "préfère le matin", "consent": true}, &l); code != http.StatusCreated {
		t.Fatalf("API, with consent: %d", code)
	}
	br := newBrowser(t, f.http.URL)
	br.login("med@example.org")
	code, body, _ := br.post("/learners", br.csrf("/learners/new"), url.Values{"name": {"Bo"}, "notes": {"une note"}})
	if code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "Sans l'accord de la personne, seul son nom est enregistré") {
		t.Errorf("page, notes without consent: %d\n%s", code, body)
	}
	// Withdrawal on the page, the form still holding the contact.
	page := "/learners/" + l.ID
	code, _, loc := br.post(page, br.csrf(page), url.Values{"name": {"Awa"}, "contact": {"06 00 00 00 00"}, "notes": {"préfère le matin"}})
	if code != http.StatusSeeOther || !strings.Contains(loc, "ok=consent_withdrawn") {
		t.Fatalf("withdrawal: %d %s", code, loc)
	}
	_, body, _ = br.get(loc)
	if !strings.Contains(html.UnescapeString(body), "le contact et les notes de cette personne ont été effacés") {
		t.Error("the page does not say the contact and notes were erased")
	}
	stored, err := f.learns.FindLearner(t.Context(), l.ID)
	if err != nil || stored.Contact != "" || stored.Notes != "" || !stored.ConsentAt.IsZero() {
		t.Errorf("after withdrawal, stored: %+v %v", stored, err)
	}
	// API: adding a contact to a learner without consent is refused.
	if code := f.api(tok, "PATCH", "/api/v1/learners/"+l.ID, map[string]any{"contact": "x"}, &e); code != http.StatusBadRequest {
		t.Errorf("API PATCH contact without consent: %d", code)
	}
	// API withdrawal erases too.
	if code := f.api(tok, "PATCH", "/api/v1/learners/"+l.ID, map[string]any{"consent": true, "contact": "y"}, &l); code != http.StatusOK || l.Contact != "y" {
		t.Fatalf("API consent again: %d %+v", code, l)
	}
	if code := f.api(tok, "PATCH", "/api/v1/learners/"+l.ID, map[string]any{"consent": false}, &l); code != http.StatusOK || l.Contact != "" {
		t.Errorf("API withdrawal: %d %+v", code, l)
	}
}

// TestSetup: the first administrator is asked for the structure's real
// name (the default one is refused: no card may print it), address and
// logo, and is warned that a loopback public URL makes useless QR codes;
// an instance on a public URL has no such warning.
func TestSetup(t *testing.T) {
	f := startFixture(t)
	st := &schema.Structure{Slug: "principale", Name: app.DefaultStructureName}
	if err := f.sts.CreateStructure(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.Keys.Create(st.Slug); err != nil {
		t.Fatal(err)
	}
	f.user("admin@example.org", true, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	br := newBrowser(t, f.http.URL)
	br.login("admin@example.org")
	_, body, _ := br.get("/")
	if !strings.Contains(body, `href="/setup?structure=principale"`) {
		t.Errorf("the home page does not ask for the setup:\n%s", body)
	}
	_, body, _ = br.get("/setup")
	text := html.UnescapeString(body)
	if !strings.Contains(text, "désigne cet ordinateur") || !strings.Contains(text, "aucun téléphone ne peut joindre") {
		t.Errorf("the setup page does not warn about the loopback URL:\n%s", body)
	}
	code, body, _ := br.post("/setup", br.csrf("/setup"), url.Values{"structure": {"principale"}, "name": {"structure principale"}})
	if code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "Indiquez le vrai nom de votre structure") {
		t.Errorf("the default name: %d", code)
	}
	code, body, loc := br.post("/setup", br.csrf("/setup"), url.Values{"structure": {"principale"}, "name": {"Médiathèque Jean-Macé"}, "address": {"2 rue des Lilas, 59000 Lille"}})
	if code != http.StatusSeeOther || loc != "/?ok=setup_done" {
		t.Fatalf("setup: %d %s\n%s", code, loc, body)
	}
	got, _ := f.sts.FindStructure(t.Context(), "principale")
	if got.Name != "Médiathèque Jean-Macé" || got.Address != "2 rue des Lilas, 59000 Lille" || got.SetUpAt.IsZero() {
		t.Errorf("after setup: %+v", got)
	}
	if _, body, _ = br.get("/"); strings.Contains(body, `href="/setup?structure=principale"`) {
		t.Error("the home page still asks for the setup")
	}

	pub := startFixtureAt(t, "https://carnet.example.org")
	st2 := pub.structure("bib")
	u2 := pub.user("a@example.org", false, schema.Membership{StructureID: st2.ID, Role: schema.RoleAdmin})
	var sj struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	}
	if code := pub.api(pub.token(u2), "PATCH", "/api/v1/structures/bib", map[string]any{"address": "1 place de la Gare"}, &sj); code != http.StatusOK || sj.Address != "1 place de la Gare" || sj.Name != st2.Name {
		t.Errorf("API address: %d %+v", code, sj)
	}
	br2 := newBrowser(t, pub.http.URL)
	br2.login("a@example.org")
	if _, body, _ = br2.get("/setup"); strings.Contains(body, "loopback-warning") {
		t.Error("a public URL is warned about")
	}
}
