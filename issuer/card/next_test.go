package card_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"carnet/issuer"
	"carnet/issuer/card"
	"carnet/keys"
	"carnet/schema"
)

// nextCard issues a DigComp credential and returns its card with the next
// steps the starter catalogue suggests.
func nextCard(t *testing.T, lang string, cat *schema.Catalogue, results ...schema.LevelResult) *card.Card {
	t.Helper()
	svc := &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: keys.NewMemStore(), BaseURL: "https://carnet.bm-lille.example.fr"}
	st := &schema.Structure{Slug: "mediatheque-lille", Name: "Médiathèque Jean Lévy"}
	iss, err := svc.Issue(context.Background(), st, schema.Assessment{LearnerName: "Éloïse Ndiaye-Bérénice", Framework: "digcomp-2.2", Results: results})
	if err != nil {
		t.Fatal(err)
	}
	c, err := card.FromRecord(iss.Record, st, svc.Frameworks, cat, svc.BaseURL, lang)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func starter(t *testing.T) *schema.Catalogue {
	t.Helper()
	cat, err := schema.StarterCatalogue(schema.NewFrameworks())
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestNextSteps: the attestation has a step per competency: the next
// level and a resource of the catalogue, or what to do when the catalogue
// has none, or that the top level is reached (those two had no step
// before: nextSteps skipped them, and the attestation showed 3 of 5); the
// credit-card layout shows none.
func TestNextSteps(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	results := []schema.LevelResult{
		{Competency: "4.2", Level: "3"}, // next 4: Cybermalveillance (1 to 4)
		{Competency: "1.1", Level: "2"}, // next 3: Solidarité Numérique (1 to 3), not Les Bons Clics (1 to 2)
		{Competency: "3.4", Level: "1"}, // nothing in the catalogue: next 2, no resource
		{Competency: "5.4", Level: "8"}, // the top level: no next level
		{Competency: "2.1", Level: "1"}, // next 2: Les Bons Clics, first in the catalogue
	}
	c := nextCard(t, "fr+en", starter(t), results...)
	want := []card.NextStep{
		{Code: "1.1", Level: "3", LevelTitle: "Niveau 3", Resource: "Solidarité Numérique : tutoriels pour les démarches en ligne", Link: "solidarite-numerique.fr"},
		{Code: "2.1", Level: "2", LevelTitle: "Niveau 2", Resource: "Les Bons Clics : premiers pas avec le numérique", Link: "www.lesbonsclics.fr"},
		{Code: "3.4", Level: "2", LevelTitle: "Niveau 2"},
		{Code: "4.2", Level: "4", LevelTitle: "Niveau 4", Resource: "Cybermalveillance.gouv.fr : se protéger en ligne", Link: "www.cybermalveillance.gouv.fr"},
		{Code: "5.4", Top: true},
	}
	if len(c.Next) != len(want) {
		t.Fatalf("next steps %+v, want %+v", c.Next, want)
	}
	for i := range want {
		if c.Next[i].Code != want[i].Code || c.Next[i].Level != want[i].Level || c.Next[i].Resource != want[i].Resource || c.Next[i].Link != want[i].Link || c.Next[i].Top != want[i].Top ||
			!strings.HasPrefix(c.Next[i].LevelTitle, want[i].LevelTitle) || !want[i].Top && !strings.HasPrefix(c.Next[i].Label, want[i].LevelTitle+" / 8 · ") {
			t.Errorf("#%d: %+v, want %+v", i, c.Next[i], want[i])
		}
	}

	for _, layout := range layouts {
		c.Layout = layout
		pdf, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(pdf) > 60_000 {
			t.Errorf("%s: %d bytes, want ≤ 60,000", layout, len(pdf))
		}
		s := look(t, "next-"+layout, pdf)
		text := squash(s.text)
		if layout == card.LayoutCard {
			if strings.Contains(s.text, "Pour continuer") || strings.Contains(s.text, "lesbonsclics") {
				t.Errorf("the credit-card layout shows next steps:\n%s", s.text)
			}
			continue
		}
		for _, w := range []string{"Pour continuer · Next steps", "Niveau suivant · Next level", "Ressource suggérée · Suggested resource"} {
			if !strings.Contains(text, squash(w)) {
				t.Errorf("the attestation lacks %q:\n%s", w, s.text)
			}
		}
		if s.pages != 1 {
			t.Errorf("%d pages, want 1", s.pages)
		}
		if _, n := nextBlock(s.text, c.Levels); n != len(c.Levels) {
			t.Errorf("%d of %d competencies have a next step:\n%s", n, len(c.Levels), s.text)
		}
		// The next level as every page shows it: "Niveau 2 / 8 · Fondamental".
		for _, w := range []string{"3.4 " + c.Next[2].Label + " Demandez à votre médiateur·rice", "5.4 Plus haut niveau atteint Continuer à pratiquer"} {
			if !strings.Contains(text, squash(w)) {
				t.Errorf("the attestation lacks %q:\n%s", w, s.text)
			}
		}
		for _, n := range want {
			if !inOrder(s.text[strings.Index(s.text, "Pour continuer"):], append([]string{n.Code}, append(strings.Fields(n.Resource), n.Link)...)) {
				t.Errorf("the next step of %s (%s, %s) is not on the attestation:\n%s", n.Code, n.Resource, n.Link, s.text)
			}
		}
		// Every competency still has its title in full, before the block.
		for _, l := range c.Levels {
			if !inOrder(s.text, append([]string{l.Code}, strings.Fields(l.Title)...)) || strings.Index(text, squash(l.Title)) > strings.Index(text, "Pourcontinuer") {
				t.Errorf("the title of %s is not in the list, in full", l.Code)
			}
		}
		if strings.Contains(s.text, "…") {
			t.Errorf("the attestation cuts a text:\n%s", s.text)
		}
		checkInside(t, layout, s)
	}

	// Nothing suggested, no catalogue: a step per competency all the same,
	// saying what to do.
	for name, cat := range map[string]*schema.Catalogue{"empty catalogue": {}, "no catalogue": nil} {
		c := nextCard(t, "en", cat, results...)
		if len(c.Next) != len(results) {
			t.Errorf("%s: next steps %+v", name, c.Next)
		}
		for _, n := range c.Next {
			if n.Resource != "" {
				t.Errorf("%s: a resource %+v", name, n)
			}
		}
		c.Layout = card.LayoutA4
		pdf, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		s := look(t, "next-none", pdf)
		if got := strings.Count(s.text, "Ask your mediator for a workshop or a resource for this level."); got != len(results)-1 {
			t.Errorf("%s: %d steps say what to do, want %d:\n%s", name, got, len(results)-1, s.text)
		}
	}
}

// TestNextStepsSpace: with many competencies the list keeps its room and
// the block shows the steps that fit below it, or none; never a cut text.
func TestNextStepsSpace(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	fw, _ := schema.NewFrameworks().Get("digcomp-2.2")
	for _, n := range []int{6, 10, 14, 21} {
		var results []schema.LevelResult
		for _, a := range fw.Areas {
			for _, comp := range a.Competences {
				if len(results) < n {
					results = append(results, schema.LevelResult{Competency: comp.Code, Level: "1"})
				}
			}
		}
		c := nextCard(t, "fr", starter(t), results...)
		c.Layout = card.LayoutA4
		pdf, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		s := look(t, "next-space", pdf)
		for _, l := range c.Levels {
			if !inOrder(s.text, append([]string{l.Code}, strings.Fields(l.Title)...)) {
				t.Errorf("%d competencies: the title of %s is not on the attestation in full", n, l.Code)
			}
		}
		if strings.Contains(s.text, "…") {
			t.Errorf("%d competencies: a text is cut:\n%s", n, s.text)
		}
		shown := 0
		for _, st := range c.Next {
			if strings.Contains(squash(s.text), squash(st.Resource)) {
				shown++
			}
		}
		t.Logf("%d competencies: %d pages", n, s.pages)
		if _, k := nextBlock(s.text, c.Levels); k != n {
			t.Errorf("%d competencies: %d have a next step", n, k)
		}
		if s.pages > 2 {
			t.Errorf("%d competencies: %d pages, want at most 2", n, s.pages)
		}
		checkInside(t, card.LayoutA4, s)
	}
}

// TestNextStepsArtifact writes an attestation with next steps as PDF and
// 80 dpi PNG to test-artifacts/card/, for a person to look at.
func TestNextStepsArtifact(t *testing.T) {
	tools(t, "pdftoppm")
	dir := filepath.Join(repoRoot(t), "test-artifacts", "card")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "en"} {
		c := nextCard(t, lang, starter(t), schema.LevelResult{Competency: "1.1", Level: "2"}, schema.LevelResult{Competency: "2.1", Level: "1"},
			schema.LevelResult{Competency: "2.3", Level: "2"}, schema.LevelResult{Competency: "4.1", Level: "3"},
			schema.LevelResult{Competency: "4.2", Level: "2"}, schema.LevelResult{Competency: "5.1", Level: "4"})
		c.Layout = card.LayoutA4
		pdf, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Join(dir, "a4-next-"+lang)
		if err := os.WriteFile(base+".pdf", pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("pdftoppm", "-r", "80", "-png", "-singlefile", base+".pdf", base).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}
