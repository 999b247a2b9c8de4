package web_test

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"carnet/schema"
)

// pdfHas reports whether a PDF written by package card draws text s: its
// content streams hold text as UTF-16BE.
func pdfHas(pdf []byte, s string) bool {
	var want []byte
	for _, u := range utf16.Encode([]rune(s)) {
		want = append(want, byte(u>>8), byte(u))
	}
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`).FindAllSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		raw, _ := io.ReadAll(zr)
		if bytes.Contains(raw, want) {
			return true
		}
	}
	return false
}

// TestCardLang: a structure chooses its cards' language (issue 11: the
// learner's, French by default); an administrator sets it through the API
// or the structure's page, only to a language the cards can print, and a
// card's ?lang= overrides it.
func TestCardLang(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	admin := f.user("a@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	tok := f.token(admin)
	var sj struct {
		CardLang string `json:"card_lang"`
		Name     string `json:"name"`
	}
	if code := f.api(tok, "GET", "/api/v1/structures/bib", nil, &sj); code != http.StatusOK || sj.CardLang != "fr" {
		t.Fatalf("a new structure's card language: %d %q, want fr", code, sj.CardLang)
	}
	id, _ := f.issueCard(tok, map[string]any{"1.1": 3})
	pdf := func(q string) []byte {
		t.Helper()
		req, _ := http.NewRequest("GET", f.srv.BaseURL+"/api/v1/credentials/"+strings.TrimPrefix(id, "urn:uuid:")+"/card.pdf"+q, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept-Language", "en") // the mediator's language is not the card's
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("card.pdf%s: %d %s", q, res.StatusCode, b)
		}
		return b
	}
	const fr, en = "Comment utiliser cette carte", "How to use this card"
	check := func(what string, b []byte, wantFR, wantEN bool) {
		t.Helper()
		if pdfHas(b, fr) != wantFR || pdfHas(b, en) != wantEN {
			t.Errorf("%s: French %v, English %v; want %v, %v", what, pdfHas(b, fr), pdfHas(b, en), wantFR, wantEN)
		}
	}
	check("default", pdf(""), true, false)
	check("?lang=fr+en", pdf("?lang=fr+en"), true, true)
	check("?lang=en", pdf("?lang=en"), true, true)

	// A language the cards cannot print is refused and changes nothing.
	for _, bad := range []string{"de", "fr+de", "en+fr+ar", "FR"} {
		if code := f.api(tok, "PATCH", "/api/v1/structures/bib", map[string]any{"card_lang": bad}, nil); code != http.StatusBadRequest {
			t.Errorf("card_lang %q: %d, want 400", bad, code)
		}
	}
	if code := f.api(tok, "GET", "/api/v1/credentials/"+strings.TrimPrefix(id, "urn:uuid:")+"/card.pdf?lang=de", nil, nil); code != http.StatusBadRequest {
		t.Errorf("card.pdf?lang=de: %d, want 400", code)
	}
	if code := f.api(tok, "PATCH", "/api/v1/structures/bib", map[string]any{"card_lang": "fr+en"}, &sj); code != http.StatusOK || sj.CardLang != "fr+en" {
		t.Fatalf("PATCH card_lang fr+en: %d %q", code, sj.CardLang)
	}
	check("structure fr+en", pdf(""), true, true)
	check("structure fr+en, ?lang=fr", pdf("?lang=fr"), true, false)
	// Another field's update keeps it.
	if code := f.api(tok, "PATCH", "/api/v1/structures/bib", map[string]any{"name": "Bibliothèque"}, &sj); code != http.StatusOK || sj.CardLang != "fr+en" {
		t.Errorf("after a name change: %d %q, want fr+en kept", code, sj.CardLang)
	}

	// The structure's page offers the choices and saves one.
	b := newBrowser(t, f.srv.BaseURL)
	b.login("a@example.org")
	_, page, _ := b.get("/structures/bib")
	for _, w := range []string{`<option value="fr">Français</option>`, `<option value="fr&#43;en" selected>Français, puis anglais en plus petit</option>`} {
		if !strings.Contains(page, w) {
			t.Errorf("the structure page lacks %s", w)
		}
	}
	form := url.Values{"name": {"Bibliothèque"}, "card_lang": {"fr"}}
	if code, body, _ := b.post("/structures/bib", b.csrf("/structures/bib"), form); code >= 400 {
		t.Fatalf("save the profile: %d %.300s", code, body)
	}
	if f.api(tok, "GET", "/api/v1/structures/bib", nil, &sj); sj.CardLang != "fr" {
		t.Errorf("after the page's form: %q, want fr", sj.CardLang)
	}
	check("structure fr again", pdf(""), true, false)
}

// TestLevelLabels: a level reads the same on every page (issue 11): the
// credential page, the learner's page, the learner's carnet and the /c
// page's data say "Niveau 3 / 8 · Intermédiaire" for DigComp level 3.
func TestLevelLabels(t *testing.T) {
	e := startCarnet(t)
	const label, labelEN = "Niveau 3 / 8 · Intermédiaire", "Level 3 / 8 · Intermediate"
	b := newBrowser(t, e.f.srv.BaseURL)
	b.login("med-a@example.org")
	for _, path := range []string{"/credentials/" + strings.TrimPrefix(e.cred, "urn:uuid:"), "/learners/" + e.learner} {
		if code, page, _ := b.get(path); code != http.StatusOK || !strings.Contains(page, label) {
			t.Errorf("%s: %d, the level does not read %q", path, code, label)
		}
	}
	if code, page, _ := fetch(t, "GET", e.link(t), nil, ""); code != http.StatusOK || !strings.Contains(page, label) {
		t.Errorf("the learner's carnet: %d, the level does not read %q", code, label)
	}
	res, body := e.f.get("/c/trust.json")
	var doc struct {
		Frameworks map[string]struct {
			Levels map[string]struct {
				Label schema.Text `json:"label"`
			} `json:"levels"`
		} `json:"frameworks"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("/c/trust.json: %d %v", res.StatusCode, err)
	}
	if l := doc.Frameworks["digcomp-2.2"].Levels["3"].Label; l["fr"] != label || l["en"] != labelEN {
		t.Errorf("/c/trust.json level 3 label %v, want %q, %q", l, label, labelEN)
	}
	if l := doc.Frameworks["cefr-fr"].Levels["B1"].Label; l["fr"] != "B1 · Utilisateur indépendant" {
		t.Errorf("/c/trust.json CEFR B1 label %v", l)
	}
}
