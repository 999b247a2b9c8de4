package app

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"carnet/schema"
)

// TestProfileText: the LinkedIn link and CV line give the range of levels
// in the framework's order, the expiry when there is one, the short code as
// certId and the share link as certUrl, in French or English.
func TestProfileText(t *testing.T) {
	fws := schema.NewFrameworks()
	cefr, err := fws.Get("cefr-fr")
	if err != nil {
		t.Fatal(err)
	}
	c := &schema.CredentialRecord{Framework: "cefr-fr", ShortCode: "ABCD-EFGH-JK",
		IssuedAt: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC), ValidUntil: time.Date(2028, 3, 14, 0, 0, 0, 0, time.UTC),
		Results: []schema.LevelResult{{Competency: "PE", Level: "B1"}, {Competency: "CO", Level: "A2"}, {Competency: "CE", Level: "B2"}}}
	share := "https://carnet.example.org/partage/SECRET"
	fr := profileText(cefr, c, "Médiathèque « Lévy »", share, "fr")
	if fr.Name != "Compétences CECRL — niveaux A2 à B2" {
		t.Errorf("name %q", fr.Name)
	}
	if fr.CV != "Compétences CECRL — niveaux A2 à B2, attesté par Médiathèque « Lévy », 2026, vérifiable : "+share {
		t.Errorf("CV %q", fr.CV)
	}
	u, _ := url.Parse(fr.LinkedIn)
	q := u.Query()
	for k, v := range map[string]string{"startTask": "CERTIFICATION_NAME", "name": fr.Name, "organizationName": "Médiathèque « Lévy »",
		"issueYear": "2026", "issueMonth": "3", "expirationYear": "2028", "expirationMonth": "3", "certUrl": share, "certId": "ABCD-EFGH-JK"} {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if !strings.HasPrefix(fr.LinkedIn, "https://www.linkedin.com/profile/add?") {
		t.Errorf("LinkedIn %q", fr.LinkedIn)
	}
	c.ValidUntil = time.Time{}
	c.Results = c.Results[:1]
	en := profileText(cefr, c, "Library", share, "en")
	if en.Name != "CEFR competences — level B1" || en.CV != "CEFR competences — level B1, certified by Library, 2026, verifiable: "+share {
		t.Errorf("English: %q / %q", en.Name, en.CV)
	}
	if q, _ := url.ParseQuery(strings.SplitN(en.LinkedIn, "?", 2)[1]); q.Has("expirationYear") {
		t.Error("an expiry for a credential without one")
	}
}
