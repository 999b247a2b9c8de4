package web

import (
	"strings"
	"testing"
	"time"

	"carnet/schema"
	"carnet/verifier"
)

// TestVerdictUntrustedAndStale covers the verdicts that need a verifier
// state the HTTP tests do not reach: a signature checked with the published
// key of an issuer not trusted here, and a status answered from an old copy
// of the issuer's list.
func TestVerdictUntrustedAndStale(t *testing.T) {
	now := time.Date(2025, 5, 12, 15, 0, 0, 0, time.UTC)
	s := &Server{Frameworks: schema.NewFrameworks(), Now: func() time.Time { return now }}

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
		if v.Facts || v.IssuerState != "untrusted" || v.IssuerName != "Médiathèque partenaire" || v.Domain != "partenaire.example.org" {
			t.Errorf("%s: %+v", lang, v)
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
	v := s.verdict(&page{Lang: "fr"}, stale)
	if v.Title != "Valide" || !v.Facts || !v.StatusWarn || !strings.HasPrefix(v.Status, "Information de statut datant du ") ||
		!strings.Contains(v.Status, "(il y a 5 heures)") || v.Partner {
		t.Errorf("stale, fr: %+v", v)
	}
	if len(v.Levels) != 1 || v.Levels[0].Level != "Niveau 3" || v.Levels[0].Group != "Intermédiaire" {
		t.Errorf("levels: %+v", v.Levels)
	}
	if v := s.verdict(&page{Lang: "en"}, stale); !strings.Contains(v.Status, "(5 hours ago): the issuer could not be reached just now.") {
		t.Errorf("stale, en: %q", v.Status)
	}
	stale.StatusStale = false
	if v := s.verdict(&page{Lang: "fr"}, stale); v.Status != "Statut vérifié à l'instant auprès de l'émetteur." || v.StatusWarn {
		t.Errorf("fresh: %q", v.Status)
	}
	stale.Issuer.Source = "https://partenaire.example.org/.well-known/jwks.json"
	if v := s.verdict(&page{Lang: "fr"}, stale); !v.Partner {
		t.Error("a partner's credential is not marked as a partner's")
	}

	for d, want := range map[time.Duration]string{30 * time.Second: "1 minute", 10 * time.Minute: "10 minutes", 3 * time.Hour: "3 heures", 50 * time.Hour: "2 jours"} {
		if got := ageText("fr", d); got != want {
			t.Errorf("ageText(%v) = %q, want %q", d, got, want)
		}
	}
}
