package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"carnet/places"
	"carnet/schema"
	"carnet/web"
)

// a4Text extracts the text of a PDF with pdftotext; without it the test
// skips, except under CI=true.
func a4Text(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found: install poppler-utils")
		}
		t.Skip("pdftotext not found: install poppler-utils (apt-get install -y poppler-utils) to read the certificates")
	}
	path := filepath.Join(t.TempDir(), "a4.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestCertificateMediatorAndPlaces: the A4 certificate names the mediator
// only when they chose it at issuance (show_mediator on the API, the
// checkbox on the review page), by their name, never their e-mail
// address; and it prints, for a competency's next level, the two nearest
// places that the orientation finds from the issuing structure's place:
// the structure's own offer, then an imported place.
func TestCertificateMediatorAndPlaces(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	bib := f.structure("bib")
	hash, err := web.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	camille := &schema.User{Email: "camille@bib.example", Name: "Camille Martin", PasswordHash: hash,
		Memberships: []schema.Membership{{StructureID: bib.ID, Role: schema.RoleMediator}}}
	if err := f.users.CreateUser(ctx, camille); err != nil {
		t.Fatal(err)
	}
	med := f.token(camille)
	nameless := f.token(f.user("sans-nom@bib.example", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleMediator}))
	admin := f.token(f.user("admin@example.org", true, schema.Membership{StructureID: bib.ID, Role: schema.RoleAdmin}))

	// The structure's place in Paris, its workshop for DigComp 2.1 at
	// levels 2 and 3, and two imported places: Notre-Dame (0.4 km) and
	// Versailles (17.9 km), third: not printed.
	if code := f.api(admin, "PATCH", "/api/v1/structures/bib", map[string]any{"pivot": "21510454700019", "adresse": "1 rue X",
		"code_postal": "75001", "commune": "Paris", "latitude": 48.8566, "longitude": 2.3522,
		"services": []string{"Maîtrise des outils numériques du quotidien"}, "horaires": "Mo-Fr 09:00-17:00", "telephone": "+33140000000"}, nil); code != 200 {
		t.Fatalf("describe: %d", code)
	}
	if code := f.api(admin, "POST", "/api/v1/structures/bib/offers", map[string]any{"title": "Atelier courriel", "kind": "atelier",
		"framework": "digcomp-2.2", "competencies": []string{"2.1"}, "from": "2", "to": "3", "price": "Gratuit"}, nil); code != 201 {
		t.Fatalf("offer: %d", code)
	}
	csv := strings.Join(places.Columns, ",") + "\n" +
		"nd,21510454700019,Notre-Dame numérique,Paris,75004,,1 rue X,,48.8530,2.3499,,,,,,,,,,,2026-01-01,Maîtrise des outils numériques du quotidien,,,,,,,,,,\n" +
		"vers,21510454700019,Versailles numérique,Versailles,78000,,1 rue X,,48.8049,2.1204,,,,,,,,,,,2026-01-01,Maîtrise des outils numériques du quotidien,,,,,,,,,,\n"
	if rep, err := f.srv.Places.Import(ctx, strings.NewReader(csv), "test"); err != nil || rep.Imported != 2 {
		t.Fatalf("import %+v %v", rep, err)
	}

	var l struct{ ID string }
	if code := f.api(med, "POST", "/api/v1/learners", map[string]any{"name": "Éloïse Ndiaye"}, &l); code != 201 {
		t.Fatalf("create learner: %d", code)
	}
	issue := func(tok string, show bool) (string, int) {
		t.Helper()
		var c struct{ ID string }
		code := f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
			"levels": map[string]any{"2.1": 1, "1.1": 2}, "method": "Mise en situation", "show_mediator": show}, &c)
		return strings.TrimPrefix(c.ID, "urn:uuid:"), code
	}
	certificate := func(id string) string {
		t.Helper()
		res, pdf := f.get("/api/v1/credentials/"+id+"/card.pdf?layout=a4", "Authorization", "Bearer "+med)
		if res.StatusCode != 200 {
			t.Fatalf("certificate: %d %s", res.StatusCode, pdf)
		}
		return a4Text(t, pdf)
	}

	// By default: no one named, in the credential or on the certificate.
	id, code := issue(med, false)
	if code != 201 {
		t.Fatalf("issue: %d", code)
	}
	// The structure's cards are in French alone (its card language by
	// default).
	text := certificate(id)
	for _, w := range []string{"Méthode : Mise en situation", "Pour continuer Niveau suivant", "Cachet de la structure",
		// 2.1 at level 2: the structure's workshop, then Notre-Dame, keyed
		// C and B in the legend (1.1 names the structure's place first, A).
		"2.1 Niveau 2 / 8 · Fondamental Les Bons Clics : premiers pas avec le numérique www.lesbonsclics.fr C, B",
		"B Notre-Dame numérique, Paris · 0,4 km",
		"C Atelier courriel — Structure bib, Paris · 0,0 km · tél. +33140000000 · Mo-Fr 09:00-17:00"} {
		if !strings.Contains(text, w) {
			t.Errorf("the certificate lacks %q:\n%s", w, text)
		}
	}
	for _, w := range []string{"Évalué par", "Camille", "camille@bib.example", "Versailles", "Next steps", "Method"} {
		if strings.Contains(text, w) {
			t.Errorf("the certificate shows %q:\n%s", w, text)
		}
	}
	var rec struct{ JWT string }
	f.api(med, "GET", "/api/v1/credentials/"+id, nil, &rec)
	if got := mustPayloadText(t, rec.JWT); strings.Contains(got, "Camille") || strings.Contains(got, "camille@") {
		t.Errorf("the credential names the mediator, who did not choose to be: %s", got)
	}

	// Chosen: by name, never by e-mail; on a structure whose cards are in
	// French then English, in both.
	if code := f.api(admin, "PATCH", "/api/v1/structures/bib", map[string]any{"card_lang": "fr+en"}, nil); code != 200 {
		t.Fatalf("card language: %d", code)
	}
	id, code = issue(med, true)
	if code != 201 {
		t.Fatalf("issue: %d", code)
	}
	text = certificate(id)
	if !strings.Contains(text, "Évalué par · Assessed by : Camille Martin") || strings.Contains(text, "camille@bib.example") {
		t.Errorf("the certificate does not name the mediator as chosen:\n%s", text)
	}
	for _, w := range []string{"Méthode · Method : Mise en situation", "Pour continuer · Next steps", "Cachet de la structure · Stamp of the structure",
		"Lieux les plus proches de la structure · Nearest places to the structure"} {
		if !strings.Contains(text, w) {
			t.Errorf("the bilingual certificate lacks %q:\n%s", w, text)
		}
	}

	// A batch's certificates (and a workshop's: the same code) print the
	// places too, and name no one.
	code, body, _ := f.rawAPI(med, "POST", "/api/v1/batches?framework=digcomp-2.2", "text/csv", []byte("nom;2.1\r\nAwa Diallo;1\r\n"))
	var batch struct{ ID string }
	if json.Unmarshal(body, &batch); code != 202 {
		t.Fatalf("batch: %d %s", code, body)
	}
	f.waitBatch(med, batch.ID, "fr")
	code, pdf, _ := f.rawAPI(med, "GET", "/api/v1/batches/"+batch.ID+"/certificates.pdf", "", nil)
	if code != 200 {
		t.Fatalf("batch certificates: %d", code)
	}
	text = a4Text(t, pdf)
	for _, w := range []string{"Awa Diallo", "B Notre-Dame numérique, Paris · 0,4 km", "A Atelier courriel — Structure bib, Paris · 0,0 km"} {
		if !strings.Contains(text, w) {
			t.Errorf("the batch's certificate lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "Évalué par") {
		t.Errorf("the batch's certificate names a mediator:\n%s", text)
	}

	// A mediator whose account has no name cannot be named: a clear error,
	// nothing issued.
	if _, code := issue(nameless, true); code != 400 {
		t.Errorf("nameless mediator, show_mediator: %d, want 400", code)
	}

	// The review page offers the choice, unticked; ticking it names them.
	b := newBrowser(t, f.srv.BaseURL)
	b.login("camille@bib.example")
	form := url.Values{"framework": {"digcomp-2.2"}, "level_2.1": {"1"}, "action": {"review"}}
	status, page, _ := b.post("/learners/"+l.ID+"/assess", b.csrf("/learners/"+l.ID+"/assess"), form)
	if status != 200 || !strings.Contains(page, `name="show_mediator" type="checkbox" value="on" aria-describedby`) || !strings.Contains(page, "(Camille Martin)") {
		t.Fatalf("review page %d: no unticked choice to be named:\n%s", status, page)
	}
	// Ticked, then "edit" and back to the review: still ticked.
	form.Set("show_mediator", "on")
	form.Set("action", "edit")
	status, page, _ = b.post("/learners/"+l.ID+"/assess", b.csrf("/learners/"+l.ID+"/assess"), form)
	edit := url.Values{"framework": {"digcomp-2.2"}, "level_2.1": {"1"}, "action": {"review"}}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="(show_mediator)" value="(on)">`).FindAllStringSubmatch(page, -1) {
		edit.Set(m[1], m[2]) // what the edit form carries back
	}
	status, page, _ = b.post("/learners/"+l.ID+"/assess", b.csrf("/learners/"+l.ID+"/assess"), edit)
	if status != 200 || !strings.Contains(page, `name="show_mediator" type="checkbox" value="on" checked`) {
		t.Errorf("the choice to be named is lost after editing (%d)", status)
	}
	form.Set("action", "issue")
	if status, _, _ := b.post("/learners/"+l.ID+"/assess", b.csrf("/learners/"+l.ID+"/assess"), form); status != 303 && status != 200 {
		t.Fatalf("issue from the page: %d", status)
	}
	var list struct{ Credentials []struct{ ID string } }
	f.api(med, "GET", "/api/v1/credentials?learner_id="+l.ID, nil, &list)
	if len(list.Credentials) != 3 {
		t.Fatalf("%d credentials, want 3", len(list.Credentials))
	}
	found := false
	for _, c := range list.Credentials {
		if strings.Contains(certificate(strings.TrimPrefix(c.ID, "urn:uuid:")), "Évalué par · Assessed by : Camille Martin") {
			found = true
		}
	}
	if !found {
		t.Error("the checkbox ticked on the review page does not name the mediator")
	}
}

// mustPayloadText is the decoded payload of a compact JWS.
func mustPayloadText(t *testing.T, jws string) string {
	t.Helper()
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %.40q", jws)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
