package schema_test

import (
	"strings"
	"testing"

	"carnet/schema"
)

func validResource() *schema.Resource {
	return &schema.Resource{ID: "atelier-1", Name: schema.Text{"fr": "Atelier", "en": "Workshop"}, URL: "https://bib.example.fr/atelier",
		Provider: "Bibliothèque", Free: true, Languages: []string{"fr", "en"},
		Covers: []schema.Coverage{{Framework: "digcomp-2.2", Competencies: []string{"1.1", "4.2"}, From: "2", To: "2"}}}
}

// TestResourceValidate: each rule of a resource refuses what breaks it,
// with a message in both languages.
func TestResourceValidate(t *testing.T) {
	fws := schema.NewFrameworks()
	if err := validResource().Validate(fws); err != nil {
		t.Fatalf("valid resource: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(r *schema.Resource)
		want string // in the English message
	}{
		{"empty id", func(r *schema.Resource) { r.ID = "" }, "id"},
		{"id not a slug", func(r *schema.Resource) { r.ID = "Pix Emploi" }, "id"},
		{"id too long", func(r *schema.Resource) { r.ID = strings.Repeat("a", 61) }, "id"},
		{"no French name", func(r *schema.Resource) { r.Name = schema.Text{"en": "Workshop"} }, "French"},
		{"name too long", func(r *schema.Resource) { r.Name["fr"] = strings.Repeat("é", 201) }, "too long"},
		{"other name language", func(r *schema.Resource) { r.Name["de"] = "Werkstatt" }, "French and English"},
		{"name with U+202E", func(r *schema.Resource) { r.Name["fr"] = "Atelier\u202eeyb" }, "bidirectional"},
		{"English name of only U+200B", func(r *schema.Resource) { r.Name["en"] = "\u200b" }, "invisible"},
		{"provider with U+2066", func(r *schema.Resource) { r.Provider = "\u2066Bib" }, "bidirectional"},
		{"provider not UTF-8", func(r *schema.Resource) { r.Provider = "Bib\xff" }, "UTF-8"},
		{"http link", func(r *schema.Resource) { r.URL = "http://bib.example.fr" }, "https"},
		{"relative link", func(r *schema.Resource) { r.URL = "https:/atelier" }, "https"},
		{"link with a space", func(r *schema.Resource) { r.URL = "https://bib.example.fr/a b" }, "https"},
		{"no provider", func(r *schema.Resource) { r.Provider = " " }, "provider"},
		{"no language", func(r *schema.Resource) { r.Languages = nil }, "language"},
		{"not a language code", func(r *schema.Resource) { r.Languages = []string{"fra"} }, "ISO 639-1"},
		{"unknown language code", func(r *schema.Resource) { r.Languages = []string{"qq"} }, "ISO 639-1"},
		{"repeated language", func(r *schema.Resource) { r.Languages = []string{"fr", "fr"} }, "repeated"},
		{"no coverage", func(r *schema.Resource) { r.Covers = nil }, "covers"},
		{"unknown framework", func(r *schema.Resource) { r.Covers[0].Framework = "nope" }, "coverage 1: unknown framework"},
		{"no competency", func(r *schema.Resource) { r.Covers[0].Competencies = nil }, "competency"},
		{"unknown competency", func(r *schema.Resource) { r.Covers[0].Competencies = []string{"9.9"} }, "9.9"},
		{"repeated competency", func(r *schema.Resource) { r.Covers[0].Competencies = []string{"1.1", "1.1"} }, "repeated"},
		{"unknown level", func(r *schema.Resource) { r.Covers[0].To = "9" }, "level 9"},
		{"from above to", func(r *schema.Resource) { r.Covers[0].From, r.Covers[0].To = "5", "2" }, "from 5 to 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := validResource()
			tc.edit(r)
			err := r.Validate(fws)
			if schema.ErrorCode(err) != schema.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
			if !strings.Contains(schema.ErrorMessage(err), tc.want) {
				t.Errorf("message %q lacks %q", schema.ErrorMessage(err), tc.want)
			}
			if fr := schema.ErrorMessageFR(err); fr == schema.ErrorMessage(err) || fr == "" {
				t.Errorf("no French message: %q", fr)
			}
		})
	}
	// Names and provider are kept in their clean form.
	r := validResource()
	r.Name["fr"], r.Provider = "  Atelier  pe\u0301riscolaire ", "Me\u0301diathe\u0300que"
	if err := r.Validate(fws); err != nil || r.Name["fr"] != "Atelier périscolaire" || r.Provider != "Médiathèque" {
		t.Errorf("cleaned to %q, %q (%v)", r.Name["fr"], r.Provider, err)
	}
	// The catalogue names the resource at fault.
	_, err := schema.ParseCatalogue([]byte(`{"resources":[{"id":"a","name":{"fr":"A"},"url":"http://x.example","provider":"p","languages":["fr"],
		"covers":[{"framework":"digcomp-2.2","competencies":["1.1"],"from":"1","to":"2"}]}]}`), fws)
	if !strings.HasPrefix(schema.ErrorMessage(err), `resource "a": `) || !strings.HasPrefix(schema.ErrorMessageFR(err), `ressource "a" : `) {
		t.Errorf("catalogue error: %v / %s", err, schema.ErrorMessageFR(err))
	}
}

func TestResourceShortLinkAndSuggestIn(t *testing.T) {
	for in, want := range map[string]string{
		"https://pix.fr":                     "pix.fr",
		"https://pix.fr/":                    "pix.fr",
		"https://www.lesbonsclics.fr":        "www.lesbonsclics.fr",
		"https://bib.example.fr/ateliers/":   "bib.example.fr/ateliers/",
		"https://bib.example.fr/a?x=1":       "bib.example.fr/a?x=1",
		"https://apprendre.tv5monde.com/fr/": "apprendre.tv5monde.com/fr/",
	} {
		if got := (&schema.Resource{URL: in}).ShortLink(); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
	fws := schema.NewFrameworks()
	dig, _ := fws.Get("digcomp-2.2")
	a, b := *validResource(), *validResource()
	a.ID, a.Languages = "a", []string{"fr"}
	b.ID, b.Languages = "b", []string{"en", "ar"}
	cat := &schema.Catalogue{Resources: []schema.Resource{a, b}}
	ids := func(rs []schema.Resource) (out []string) {
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return
	}
	if got := ids(cat.SuggestIn(dig, "4.2", "2", "en")); len(got) != 2 || got[0] != "b" {
		t.Errorf("en: %v, want b first", got)
	}
	if got := ids(cat.SuggestIn(dig, "4.2", "2", "fr")); len(got) != 2 || got[0] != "a" {
		t.Errorf("fr: %v, want a first", got)
	}
	if got := cat.SuggestIn(dig, "4.2", "3", "fr"); len(got) != 0 {
		t.Errorf("level 3 is not covered: %v", ids(got))
	}
}
