package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"carnet/schema"
	"carnet/sqlite"
	"carnet/web"
)

// resourceForm is a valid resource form: a workshop covering 1.1 and 4.2
// of DigComp at levels 4 and 5, the second coverage row left blank.
func resourceForm() url.Values {
	return url.Values{
		"id": {"atelier-bib"}, "name_fr": {"Ateliers numériques de la bibliothèque"}, "name_en": {"Library digital workshops"},
		"url": {"https://bib.example.fr/ateliers"}, "provider": {"Bibliothèque de Lille"}, "free": {"on"}, "languages": {"fr, ar"},
		"framework":    {"digcomp-2.2", "", "cefr-fr"},
		"competencies": {"1.1, 4.2", "", "REC.L"},
		"from":         {"4", "", "A1"},
		"to":           {"5", "", "A2"},
	}
}

// catalogueJSON is the stored catalogue, to see that a refused form
// changed nothing.
func catalogueJSON(t *testing.T, s *sqlite.ResourceStore) string {
	t.Helper()
	list, err := s.ListResources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// TestResourcePages: a network administrator adds, edits and deletes
// resources through the pages; refused forms say why, keep what was typed
// and change nothing; mediators and structure administrators read the
// catalogue and change nothing; the A4 attestation suggests the edited
// catalogue.
func TestResourcePages(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	st := f.structure("bib")
	admin := f.user("reseau@example.org", true, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	med := f.user("mediatrice@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	stAdmin := f.user("admin-bib@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	br := newBrowser(t, f.srv.BaseURL)
	br.login(admin.Email)

	// The starter set, on first start.
	code, body, _ := br.get("/resources")
	if code != http.StatusOK || !strings.Contains(body, "Pix : tester et développer ses compétences numériques") ||
		!strings.Contains(body, `href="/resources/new"`) || !strings.Contains(body, `action="/resources/pix/delete"`) {
		t.Fatalf("catalogue page: %d\n%s", code, body)
	}
	if !strings.Contains(body, `href="/resources"`) {
		t.Error("no link to the catalogue in the navigation")
	}
	if code, body, _ := br.get("/resources/new"); code != http.StatusOK || strings.Count(body, `name="framework"`) < 3 {
		t.Fatalf("new resource form: %d, %d coverage rows\n%s", code, strings.Count(body, `name="framework"`), body)
	}

	// Create.
	tok := br.csrf("/resources/new")
	code, body, loc := br.post("/resources", tok, resourceForm())
	if code != http.StatusSeeOther || loc != "/resources?ok=resource_created" {
		t.Fatalf("create: %d %s\n%s", code, loc, body)
	}
	r, err := f.res.FindResource(ctx, "atelier-bib")
	if err != nil {
		t.Fatal(err)
	}
	if r.Name["en"] != "Library digital workshops" || !r.Free || strings.Join(r.Languages, ",") != "fr,ar" || len(r.Covers) != 2 ||
		strings.Join(r.Covers[0].Competencies, ",") != "1.1,4.2" || r.Covers[1].Framework != "cefr-fr" || r.UpdatedBy != admin.Email {
		t.Errorf("created: %+v", r)
	}
	if _, body, _ := br.get(loc); !strings.Contains(body, "Ressource ajoutée.") || !strings.Contains(body, "Ateliers numériques de la bibliothèque") ||
		!strings.Contains(body, "1.1, 4.2 (niveaux 4 à 5)") {
		t.Errorf("the list after creating:\n%s", body)
	}

	// Refused forms: the error in the page, the fields kept, nothing stored.
	before := catalogueJSON(t, f.res)
	for _, tc := range []struct {
		name   string
		edit   func(v url.Values)
		status int
		msg    string // in the French page
		kept   string // a typed value shown again
	}{
		{"http link", func(v url.Values) { v.Set("id", "autre"); v.Set("url", "http://bib.example.fr") }, 400, "Le lien doit être une adresse https", `value="http://bib.example.fr"`},
		{"unknown competency", func(v url.Values) { v.Set("id", "autre"); v["competencies"] = []string{"1.1, 9.9", "", "REC.L"} }, 400, "la compétence 9.9 n&#39;existe pas", `value="1.1, 9.9"`},
		{"from above to", func(v url.Values) { v.Set("id", "autre"); v["from"] = []string{"6", "", "A1"} }, 400, "les niveaux vont de 6 à 5", `value="6"`},
		{"duplicate id", func(v url.Values) { v.Set("name_fr", "Un autre nom") }, 409, "L&#39;identifiant &#34;atelier-bib&#34; est déjà pris", `value="Un autre nom"`},
		{"bad language", func(v url.Values) { v.Set("id", "autre"); v.Set("languages", "français") }, 400, "n&#39;est pas un code de langue ISO 639-1", `value="français"`},
		{"no coverage", func(v url.Values) {
			v.Set("id", "autre")
			v["framework"], v["competencies"], v["from"], v["to"] = []string{"", ""}, []string{"", ""}, []string{"", ""}, []string{"", ""}
		}, 400, "Indiquez ce que couvre la ressource", `value="autre"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := resourceForm()
			tc.edit(v)
			code, body, _ := br.post("/resources", br.csrf("/resources/new"), v)
			if code != tc.status || !strings.Contains(body, tc.msg) || !strings.Contains(body, tc.kept) {
				t.Errorf("%d, want %d with %q and %q:\n%s", code, tc.status, tc.msg, tc.kept, body)
			}
			if strings.Count(body, `name="framework"`) < 3 {
				t.Errorf("the form shows %d coverage rows", strings.Count(body, `name="framework"`))
			}
		})
	}
	if after := catalogueJSON(t, f.res); after != before {
		t.Errorf("refused forms changed the catalogue:\nbefore %s\nafter  %s", before, after)
	}

	// Edit: the form holds the resource; the id stays the one of the
	// address; a refused edit changes nothing.
	code, body, _ = br.get("/resources/atelier-bib")
	if code != http.StatusOK || !strings.Contains(body, `value="Bibliothèque de Lille"`) || !strings.Contains(body, `value="1.1, 4.2"`) ||
		!strings.Contains(body, `action="/resources/atelier-bib"`) || strings.Count(body, `name="framework"`) != 3 {
		t.Fatalf("edit form: %d\n%s", code, body)
	}
	v := resourceForm()
	v.Set("id", "ignored")
	v.Set("url", "http://bib.example.fr")
	if code, body, _ := br.post("/resources/atelier-bib", br.csrf("/resources/atelier-bib"), v); code != http.StatusBadRequest ||
		!strings.Contains(body, "https") || !strings.Contains(body, `action="/resources/atelier-bib"`) {
		t.Errorf("refused edit: %d\n%s", code, body)
	}
	if after := catalogueJSON(t, f.res); after != before {
		t.Errorf("a refused edit changed the catalogue")
	}
	v = resourceForm()
	v.Set("id", "ignored")
	v.Set("name_fr", "Ateliers du samedi")
	v.Del("free")
	if code, _, loc := br.post("/resources/atelier-bib", br.csrf("/resources/atelier-bib"), v); code != http.StatusSeeOther || loc != "/resources?ok=resource_updated" {
		t.Fatalf("edit: %d %s", code, loc)
	}
	if r, err := f.res.FindResource(ctx, "atelier-bib"); err != nil || r.Name["fr"] != "Ateliers du samedi" || r.Free {
		t.Errorf("edited: %+v %v", r, err)
	}
	if _, err := f.res.FindResource(ctx, "ignored"); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("the edit created a resource with the posted id: %v", err)
	}
	if code, _, _ := br.get("/resources/nope"); code != http.StatusNotFound {
		t.Errorf("unknown resource: %d", code)
	}

	// The attestation suggests the edited catalogue: 1.1 at level 3, next
	// level 4, which only the new resource covers.
	apiTok := f.token(stAdmin)
	id, _ := f.issueCard(apiTok, map[string]any{"1.1": 3})
	text := pdfText(t, f, apiTok, id)
	if !strings.Contains(text, "Pour continuer") || !strings.Contains(text, "Ateliers du samedi") || !strings.Contains(text, "bib.example.fr/ateliers") {
		t.Errorf("the attestation does not suggest the new resource:\n%s", text)
	}

	// Mediators and structure administrators read and change nothing.
	before = catalogueJSON(t, f.res)
	for _, u := range []*schema.User{med, stAdmin} {
		b := newBrowser(t, f.srv.BaseURL)
		b.login(u.Email)
		code, body, _ := b.get("/resources")
		if code != http.StatusOK || !strings.Contains(body, "Ateliers du samedi") || strings.Contains(body, "/resources/new") || strings.Contains(body, "/delete") {
			t.Errorf("%s reading the catalogue: %d\n%s", u.Email, code, body)
		}
		tok := b.csrf("/resources")
		for _, c := range []struct {
			method, path string
			form         url.Values
		}{
			{"GET", "/resources/new", nil},
			{"GET", "/resources/atelier-bib", nil},
			{"POST", "/resources", func() url.Values { v := resourceForm(); v.Set("id", "intrus"); return v }()},
			{"POST", "/resources/atelier-bib", resourceForm()},
			{"POST", "/resources/atelier-bib/delete", url.Values{"confirm": {"on"}}},
		} {
			var code int
			if c.method == "GET" {
				code, _, _ = b.get(c.path)
			} else {
				code, _, _ = b.post(c.path, tok, c.form)
			}
			if code != http.StatusForbidden {
				t.Errorf("%s %s %s: %d, want 403", u.Email, c.method, c.path, code)
			}
		}
	}
	if after := catalogueJSON(t, f.res); after != before {
		t.Errorf("refused writes changed the catalogue")
	}

	// Delete: only when confirmed.
	if code, _, _ := br.post("/resources/atelier-bib/delete", br.csrf("/resources"), url.Values{}); code != http.StatusBadRequest {
		t.Errorf("delete without confirming: %d", code)
	}
	if code, _, loc := br.post("/resources/atelier-bib/delete", br.csrf("/resources"), url.Values{"confirm": {"on"}}); code != http.StatusSeeOther || loc != "/resources?ok=resource_deleted" {
		t.Errorf("delete: %d %s", code, loc)
	}
	if _, err := f.res.FindResource(ctx, "atelier-bib"); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
	// The competency keeps its next step (every competency has one), now
	// without a resource: it says whom to ask.
	if text := pdfText(t, f, apiTok, id); strings.Contains(text, "Ateliers du samedi") || !strings.Contains(strings.Join(strings.Fields(text), " "), "Demandez à votre médiateur·rice") {
		t.Errorf("the attestation still suggests the deleted resource:\n%s", text)
	}

	// The audit log, in words.
	events, _ := f.srv.Audit.ListAudit(ctx, schema.AuditFilter{})
	seen := map[string]bool{}
	for _, e := range events {
		if e.Object == "atelier-bib" && e.Actor == admin.Email {
			seen[e.Action] = true
		}
	}
	for _, a := range []string{schema.AuditResourceAdd, schema.AuditResourceEdit, schema.AuditResourceDelete} {
		if !seen[a] {
			t.Errorf("no audit line %s", a)
		}
		for _, lang := range []string{"fr", "en"} {
			if m := web.Message(lang, "audit_"+a); m == "audit_"+a || m == "" {
				t.Errorf("no %s text for audit_%s", lang, a)
			}
			if m := web.Message(lang, "notice_"+a); m == "notice_"+a || m == "" {
				t.Errorf("no %s text for notice_%s", lang, a)
			}
		}
	}
	if _, body, _ := br.get("/audit"); !strings.Contains(body, "du catalogue de ressources") {
		t.Errorf("the audit page does not name the deletion")
	}
}

// pdfText returns what pdftotext reads on the A4 attestation of a
// credential, fetched through the API.
func pdfText(t *testing.T, f *fixture, tok, id string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found")
		}
		t.Skip("pdftotext not found: install poppler-utils")
	}
	res, pdf := f.get("/api/v1/credentials/"+strings.TrimPrefix(id, "urn:uuid:")+"/card.pdf?layout=a4&lang=fr", "Authorization", "Bearer "+tok)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("card.pdf: %d %s", res.StatusCode, pdf)
	}
	path := filepath.Join(t.TempDir(), "a4.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestResourceStarterOnce: the starter set is there on first start; once
// every resource is deleted it does not come back, after a restart either.
func TestResourceStarterOnce(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	st := f.structure("bib")
	admin := f.user("reseau@example.org", true, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	br := newBrowser(t, f.srv.BaseURL)
	br.login(admin.Email)
	starter, err := schema.StarterCatalogue(f.srv.Frameworks)
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := br.get("/resources")
	for _, r := range starter.Resources {
		if !strings.Contains(body, `id="r-`+r.ID+`"`) {
			t.Errorf("starter resource %s is not in the catalogue", r.ID)
		}
		if code, _, _ := br.post("/resources/"+r.ID+"/delete", br.csrf("/resources"), url.Values{"confirm": {"on"}}); code != http.StatusSeeOther {
			t.Errorf("delete %s: %d", r.ID, code)
		}
	}
	if _, body, _ := br.get("/resources"); !strings.Contains(body, "Le catalogue est vide.") {
		t.Errorf("after deleting all:\n%s", body)
	}
	// A restart: a new store on the same database.
	if list, err := sqlite.NewResourceStore(f.db, f.srv.Frameworks).ListResources(ctx); err != nil || len(list) != 0 {
		t.Errorf("after a restart: %d resources (%v), want none", len(list), err)
	}
}
