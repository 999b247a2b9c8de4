package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"carnet/app"
	"carnet/schema"
	"carnet/verifier"
)

// TestVerdictUntrustedAndStale covers the verdicts that need a verifier
// state the HTTP tests do not reach: a signature checked with the published
// key of an issuer not trusted here, and a status answered from an old copy
// of the issuer's list.
func TestVerdictUntrustedAndStale(t *testing.T) {
	now := time.Date(2025, 5, 12, 15, 0, 0, 0, time.UTC)
	s := &Server{App: &app.App{BaseURL: "https://carnet.example.org", Frameworks: schema.NewFrameworks(), Now: func() time.Time { return now }}}
	s.loadPages()

	untrusted := &verifier.Result{Reason: verifier.ReasonUnknownIssuer, SignatureVerified: true, Kind: "credential",
		Issuer: &verifier.IssuerInfo{ID: "did:web:partenaire.example.org:s:bib", Name: "Médiathèque partenaire"}}
	for lang, want := range map[string][2]string{
		"fr": {"Émetteur non reconnu ici", "Signature correcte, mais l'émetteur n'est pas reconnu ici."},
		"en": {"Issuer not trusted here", "The signature is correct, but the issuer is not trusted here."},
	} {
		v := s.verdict(&page{Lang: lang}, untrusted)
		if v.Title != want[0] || v.Explain != want[1] || v.Class != "bad" {
			t.Errorf("%s: %q / %q (%s)", lang, v.Title, v.Explain, v.Class)
		}
		// The name is the issuer's own claim: given apart from the
		// verified issuer name, the domain being what identifies it.
		if v.Facts || v.IssuerState != "untrusted" || v.IssuerName != "" || v.DeclaredName != "Médiathèque partenaire" || v.Domain != "partenaire.example.org" {
			t.Errorf("%s: %+v", lang, v)
		}
		// On the page: the domain in bold, the declared name plain and
		// said to be the issuer's own.
		var buf bytes.Buffer
		if err := s.pages[lang+"/verify"].ExecuteTemplate(&buf, "layout", &page{Lang: lang, View: &verifyView{Verdict: v}}); err != nil {
			t.Fatal(err)
		}
		html := buf.String()
		declared := map[string]string{"fr": "Médiathèque partenaire (nom déclaré par l&#39;émetteur)", "en": "Médiathèque partenaire (name given by the issuer)"}[lang]
		if !strings.Contains(html, "<strong>partenaire.example.org</strong>") || !strings.Contains(html, declared) ||
			strings.Contains(html, "<strong>Médiathèque partenaire</strong>") {
			t.Errorf("%s: the untrusted issuer as shown:\n%s", lang, html)
		}
	}
	// The learner page's levels: "1.1 : niveau 3" in French, "1.1: level 3" in English.
	for lang, want := range map[string]string{"fr": "1.1\u00a0: ", "en": "<li>1.1: "} {
		var buf bytes.Buffer
		p := &page{Lang: lang, View: &learnerView{Learner: &schema.Learner{ID: "x"}, Path: &learnerPath{Items: []*pathItem{{PathEntry: schema.PathEntry{
			CredentialID: "urn:uuid:c", Levels: []schema.LevelResult{{Competency: "1.1", Level: "3"}}, Status: schema.StatusActive}}}}}}
		if err := s.pages[lang+"/learner"].ExecuteTemplate(&buf, "layout", p); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s: the learner page's levels lack %q", lang, want)
		}
	}
	// Without a checked signature, the claimed issuer is named, no more.
	claimed := s.verdict(&page{Lang: "fr"}, &verifier.Result{Reason: verifier.ReasonBadSignature,
		Issuer: &verifier.IssuerInfo{ID: "did:web:carnet.example.org:s:main"}})
	if claimed.Title != "Falsifiée" || claimed.IssuerState != "claimed" || claimed.Facts {
		t.Errorf("forged: %+v", claimed)
	}

	checked := now.Add(-5 * time.Hour)
	from := now.AddDate(0, -1, 0)
	stale := &verifier.Result{Valid: true, SignatureVerified: true, Kind: "credential", Learner: "Éloïse", Framework: "digcomp-2.2",
		Issuer: &verifier.IssuerInfo{ID: "did:web:carnet.example.org:s:main", Name: "Bib", Trusted: true, Source: "local"},
		Levels: []verifier.LevelInfo{{Competency: "1.1", Level: "3", LevelTitle: schema.Text{"fr": "Niveau 3", "en": "Level 3"}}}, ValidFrom: &from,
		Status: verifier.StatusActive, StatusStale: true, StatusCheckedAt: &checked}
	// The verifier words a stale status; the page says it as is.
	stale.StatusMessage, stale.StatusMessageFR = verifier.StaleStatusText(checked, now)
	v := s.verdict(&page{Lang: "fr"}, stale)
	if v.Title != "Valide" || !v.Facts || !v.StatusWarn || v.Status != stale.StatusMessageFR ||
		!strings.Contains(v.Status, "(il y a 5 heures)") || v.Partner {
		t.Errorf("stale, fr: %+v", v)
	}
	if len(v.Levels) != 1 || v.Levels[0].Level != "Niveau 3" || v.Levels[0].Group != "Intermédiaire" {
		t.Errorf("levels: %+v", v.Levels)
	}
	if v := s.verdict(&page{Lang: "en"}, stale); v.Status != stale.StatusMessage || !strings.Contains(v.Status, "(5 hours ago)") {
		t.Errorf("stale, en: %q", v.Status)
	}
	stale.StatusStale, stale.StatusMessage, stale.StatusMessageFR = false, "", ""
	if v := s.verdict(&page{Lang: "fr"}, stale); v.Status != "Statut vérifié à l'instant auprès de l'émetteur." || v.StatusWarn {
		t.Errorf("fresh: %q", v.Status)
	}
	// A partner is told from a structure of this instance by its did, not
	// by where its keys came from.
	stale.Issuer.Source = "https://partenaire.example.org/.well-known/jwks.json"
	if v := s.verdict(&page{Lang: "fr"}, stale); v.Partner {
		t.Error("a structure of this instance is marked as a partner")
	}
	stale.Issuer.ID = "did:web:partenaire.example.org:s:bib"
	if v := s.verdict(&page{Lang: "fr"}, stale); !v.Partner {
		t.Error("a partner's credential is not marked as a partner's")
	}
}
