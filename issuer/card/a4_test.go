package card_test

import (
	"context"
	"fmt"
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

// assessedCard issues a DigComp credential with a method, evidence and,
// when mediator is not empty, a named mediator, and returns its A4 card
// with the starter catalogue's next steps.
func assessedCard(t *testing.T, lang, mediator string, results ...schema.LevelResult) *card.Card {
	t.Helper()
	svc := &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: keys.NewMemStore(), BaseURL: "https://carnet.bm-lille.example.fr"}
	st := &schema.Structure{Slug: "mediatheque-lille", Name: "Médiathèque Jean Lévy"}
	iss, err := svc.Issue(context.Background(), st, schema.Assessment{
		LearnerName: "Éloïse Ndiaye-Bérénice", Framework: "digcomp-2.2", Results: results,
		Method:   "Évaluation en situation avec un·e médiateur·rice",
		Mediator: mediator,
		Evidence: []schema.EvidenceItem{
			{Narrative: "A créé son espace France Travail et envoyé un CV par courriel, seule."},
			{Name: "Capture", URL: "https://example.org/preuve"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := card.FromRecord(iss.Record, st, svc.Frameworks, starter(t), svc.BaseURL, lang)
	if err != nil {
		t.Fatal(err)
	}
	c.Layout = card.LayoutA4
	return c
}

// nextBlock returns the text of the attestation from its "Pour continuer"
// heading on, and how many competency codes of levels it holds.
func nextBlock(text string, levels []card.Level) (string, int) {
	i := strings.Index(text, "Pour continuer")
	if i < 0 {
		return "", 0
	}
	block := text[i:]
	n := 0
	for _, l := range levels {
		if strings.Contains(block, l.Code) {
			n++
		}
	}
	return block, n
}

// TestAttestationEveryCompetency: the attestation has a "Pour continuer"
// row for every assessed competency, five or more, including one the
// catalogue suggests nothing for and one at the framework's top level (the
// two that had none: nextSteps skipped them); it prints how the levels were
// assessed, the evidence, a signature area, and the two nearest places per
// competency, on one page.
func TestAttestationEveryCompetency(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	results := []schema.LevelResult{
		{Competency: "4.2", Level: "3"},
		{Competency: "1.1", Level: "2"},
		{Competency: "3.4", Level: "1"}, // nothing in the catalogue
		{Competency: "5.4", Level: "8"}, // the top level
		{Competency: "2.1", Level: "1"},
		{Competency: "5.1", Level: "4"},
	}
	c := assessedCard(t, "fr+en", "", results...)
	if len(c.Next) != len(results) {
		t.Fatalf("%d next steps for %d competencies: %+v", len(c.Next), len(results), c.Next)
	}
	// Without places, all on one page.
	pdf, err := card.RenderBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	s := look(t, "a4-every-one-page", pdf)
	if s.pages != 1 {
		t.Errorf("without places: %d pages, want 1", s.pages)
	}
	if block, n := nextBlock(s.text, c.Levels); n != len(c.Levels) {
		t.Errorf("without places: %d of %d competencies have a next step:\n%s", n, len(c.Levels), block)
	}
	checkInside(t, card.LayoutA4, s)

	// With the two nearest places each, the next steps take a second page.
	for i := range c.Next {
		if c.Next[i].Code == "3.4" || c.Next[i].Top {
			continue // no place known; none for the top level
		}
		c.Next[i].Places = []card.Place{
			{Name: "Atelier courriel — Médiathèque Jean Lévy", Commune: "Lille", DistanceKm: 0, Phone: "03 20 15 97 20", Hours: "Tu-Sa 10:00-18:00"},
			{Name: "Espace France Services " + c.Next[i].Code, Commune: "Roubaix", DistanceKm: 7.46, Phone: "03 20 00 00 00"},
			{Name: "Troisième lieu, trop loin", Commune: "Tourcoing", DistanceKm: 14},
		}
	}
	pdf, err = card.RenderBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	s = look(t, "a4-every", pdf)
	if s.pages != 2 {
		t.Errorf("%d pages, want 2", s.pages)
	}
	if s.qr != c.QRText {
		t.Errorf("the QR code does not scan back")
	}
	if first := strings.Split(s.text, "\f")[0]; strings.Contains(first, "Pour continuer") || !strings.Contains(first, "Cachet de la structure") ||
		!strings.Contains(squash(first), squash("Les prochains niveaux, des ressources et des lieux proches pour continuer : page suivante")) {
		t.Errorf("the first page is not the attestation alone:\n%s", first)
	}
	text := squash(s.text)
	block, n := nextBlock(s.text, c.Levels)
	if n != len(c.Levels) {
		t.Errorf("%d of %d competencies have a next step:\n%s", n, len(c.Levels), block)
	}
	for _, want := range []string{
		"Évaluation · Assessment",
		"Méthode · Method : Évaluation en situation avec un·e médiateur·rice",
		"Tâches observées et preuves · Observed tasks and evidence",
		"A créé son espace France Travail et envoyé un CV par courriel, seule.",
		"Capture — https://example.org/preuve",
		"Fait à · Done at", "le · on",
		"Signature du médiateur ou de la médiatrice · Mediator’s signature",
		"Cachet de la structure · Stamp of the structure",
		"Lieux · Places", "Lieux les plus proches de la structure · Nearest places to the structure",
		"Plus haut niveau atteint",
		"Demandez à votre médiateur·rice un atelier ou une ressource pour ce niveau.",
	} {
		if !strings.Contains(text, squash(want)) {
			t.Errorf("the attestation lacks %q:\n%s", want, s.text)
		}
	}
	// Each place once in the legend, keyed in order of first mention;
	// each row names its two by their keys.
	key := 'B'
	for _, n := range c.Next {
		if len(n.Places) == 0 {
			continue
		}
		k := string(key)
		key++
		if !strings.Contains(squash(block), squash(k+" Espace France Services "+n.Code+", Roubaix · 7,5 km · tél. 03 20 00 00 00")) {
			t.Errorf("the second nearest place of %s is not in the legend as %s:\n%s", n.Code, k, block)
		}
		if !inOrder(block, []string{n.Code, "A,", k}) {
			t.Errorf("the row of %s does not name places A and %s:\n%s", n.Code, k, block)
		}
	}
	if got := strings.Count(text, squash("A Atelier courriel — Médiathèque Jean Lévy, Lille · 0,0 km · tél. 03 20 15 97 20 · Tu-Sa 10:00-18:00")); got != 1 {
		t.Errorf("the nearest place is in the legend %d times, want 1", got)
	}
	if strings.Contains(s.text, "Tourcoing") {
		t.Errorf("a third place is printed")
	}
	if strings.Contains(s.text, "Évalué par") || strings.Contains(s.text, "Assessed by") {
		t.Errorf("a mediator is named, but none chose to be:\n%s", s.text)
	}
	if strings.Contains(s.text, "…") {
		t.Errorf("a text is cut:\n%s", s.text)
	}
	checkInside(t, card.LayoutA4, s)

	// The mediator who chose to be named is.
	c = assessedCard(t, "en", "Camille Martin", results...)
	pdf, err = card.RenderBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	s = look(t, "a4-mediator", pdf)
	if !strings.Contains(squash(s.text), squash("Assessed by · Évalué par : Camille Martin")) {
		t.Errorf("the mediator is not named:\n%s", s.text)
	}
	if _, n := nextBlock(strings.Replace(s.text, "Next steps · Pour continuer", "Pour continuer", 1), c.Levels); n != len(c.Levels) {
		t.Errorf("English: %d of %d competencies have a next step", n, len(c.Levels))
	}
}

// TestAttestationOnePage: five or six competencies, a method, two pieces
// of evidence, a named mediator, and next steps with the same two nearest
// places for each (as an orientation from one structure often gives):
// all on one page, at 7 pt or more, the places once in the legend, on a
// French attestation and on a bilingual one.
func TestAttestationOnePage(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	results := []schema.LevelResult{{Competency: "4.2", Level: "3"}, {Competency: "1.1", Level: "2"},
		{Competency: "3.4", Level: "1"}, {Competency: "5.4", Level: "8"}, {Competency: "2.1", Level: "1"}, {Competency: "5.1", Level: "4"}}
	for _, lang := range []string{"fr", "fr+en"} {
		for _, n := range []int{5, 6} {
			name := fmt.Sprintf("%s, %d competencies", lang, n)
			c := assessedCard(t, lang, "Camille Martin", results[:n]...)
			for i := range c.Next {
				c.Next[i].Places = []card.Place{
					{Name: "Atelier courriel — Médiathèque Jean Lévy", Commune: "Lille", DistanceKm: 0, Phone: "03 20 15 97 20", Hours: "Tu-Sa 10:00-18:00"},
					{Name: "Espace France Services", Commune: "Roubaix", DistanceKm: 7.46, Phone: "03 20 00 00 00"},
				}
			}
			pdf, err := card.RenderBytes(c)
			if err != nil {
				t.Fatal(err)
			}
			s := look(t, "a4-one-page", pdf)
			if s.pages != 1 {
				t.Errorf("%s: %d pages, want 1", name, s.pages)
			}
			if s.qr != c.QRText {
				t.Errorf("%s: the QR code does not scan back", name)
			}
			block, k := nextBlock(s.text, c.Levels)
			if k != len(c.Levels) {
				t.Errorf("%s: %d of %d competencies have a next step:\n%s", name, k, len(c.Levels), block)
			}
			assessedBy := "Évalué par : Camille Martin"
			if lang == "fr+en" {
				assessedBy = "Évalué par · Assessed by : Camille Martin"
			}
			text := squash(s.text)
			for _, want := range []string{"A Atelier courriel — Médiathèque Jean Lévy, Lille · 0,0 km · tél. 03 20 15 97 20 · Tu-Sa 10:00-18:00",
				"B Espace France Services, Roubaix · 7,5 km · tél. 03 20 00 00 00", assessedBy, "Cachet de la structure"} {
				if strings.Count(text, squash(want)) != 1 {
					t.Errorf("%s: the attestation does not show %q once:\n%s", name, want, s.text)
				}
			}
			if lang == "fr" && (strings.Contains(s.text, "Assessed") || strings.Contains(s.text, "Next steps")) {
				t.Errorf("%s: English on a French attestation:\n%s", name, s.text)
			}
			if got := strings.Count(block, "A, B"); got != len(c.Levels)-1 {
				t.Errorf("%s: %d rows name places A and B, want %d (all but the top level)", name, got, len(c.Levels)-1)
			}
			if strings.Contains(s.text, "…") {
				t.Errorf("%s: a text is cut:\n%s", name, s.text)
			}
			minWordHeight(t, s, 7)
			checkInside(t, card.LayoutA4, s)
		}
	}
}

// TestAttestationDefaultMethod: a credential that records no method says
// that a mediator assessed the levels against the framework: in French on
// a French card, in French then English on a bilingual one.
func TestAttestationDefaultMethod(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	const fr, en = "Évaluation par un·e médiateur·rice, compétence par compétence, selon les niveaux du référentiel.",
		"Assessed by a mediator, competence by competence, against the framework’s levels."
	for _, lang := range []string{"fr", "fr+en"} {
		c := newCard(t, "Ana Lima", six())
		c.Layout = card.LayoutA4
		c.Lang = lang
		pdf, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		s := look(t, "a4-default-method", pdf)
		want := []string{fr, "Signature du médiateur ou de la médiatrice"}
		if lang == "fr+en" {
			want = append(want, en, "Mediator’s signature")
		} else if strings.Contains(squash(s.text), squash(en)) || strings.Contains(s.text, "Mediator") {
			t.Errorf("%s: English on a French attestation:\n%s", lang, s.text)
		}
		for _, w := range want {
			if !strings.Contains(squash(s.text), squash(w)) {
				t.Errorf("%s: the attestation lacks %q:\n%s", lang, w, s.text)
			}
		}
		if strings.Contains(s.text, "Pour continuer") || strings.Contains(s.text, "Tâches observées") {
			t.Errorf("%s: next steps or evidence where the card has none:\n%s", lang, s.text)
		}
		if s.pages != 1 {
			t.Errorf("%s: %d pages, want 1", lang, s.pages)
		}
		minWordHeight(t, s, 7)
		checkInside(t, card.LayoutA4, s)
	}
}

// longTitles are the 21 DigComp competencies with titles made as long as
// a framework's could be.
func longTitles() []card.Level {
	var ls []card.Level
	for i, l := range digcomp {
		if i == 21 {
			break
		}
		l.Title += ", en autonomie et dans des situations variées de la vie quotidienne"
		ls = append(ls, l)
	}
	return ls
}

// TestAttestation21: 21 competencies, each with a next step and two
// places. The list keeps every title in full at 7 pt or more, on the
// first page or going on to the second; the next steps follow; the first
// page has the assessment, the signature area and the QR code. With
// DigComp's titles and the places an orientation gives (the same ones for
// the competencies of one area), two pages; with titles lengthened by 65
// characters and a different place for every competency, three at most.
func TestAttestation21(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	for _, tc := range []struct {
		name     string
		lang     string
		levels   []card.Level
		distinct bool // a place of its own for every competency
		pages    int
	}{
		{"digcomp", "fr", digcomp[:21], false, 2},
		{"digcomp-fr-en", "fr+en", digcomp[:21], false, 2},
		{"long", "fr+en", longTitles(), true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			levels := tc.levels
			c := newCard(t, "Marie-Thérèse Ngozi Adébáyọ̀-Fontaine de la Croix", levels)
			c.Layout = card.LayoutA4
			c.Lang = tc.lang
			assessedBy, method := "Évalué par : Camille Martin", "Méthode :"
			if tc.lang == "fr+en" {
				assessedBy, method = "Évalué par · Assessed by : Camille Martin", "Méthode · Method"
			}
			c.Method = "Évaluation en situation avec un·e médiateur·rice, sur des tâches de la vie quotidienne"
			c.Evidence = []string{"A rempli sa déclaration de revenus en ligne", "A créé une adresse électronique et écrit à sa caisse de retraite"}
			c.Mediator = "Camille Martin"
			for _, l := range levels {
				first := "Atelier de l’espace numérique, domaine " + l.Code[:1]
				if tc.distinct {
					first = "Atelier " + l.Code + " — Médiathèque Jean Lévy"
				}
				c.Next = append(c.Next, card.NextStep{Code: l.Code, Level: "4", LevelTitle: "Niveau 4",
					Resource: "Les Bons Clics : premiers pas avec le numérique, parcours complet", Link: "www.lesbonsclics.fr",
					Places: []card.Place{
						{Name: first, Commune: "Lille", DistanceKm: 0.4, Phone: "03 20 15 97 20", Hours: "Tu-Sa 10:00-18:00"},
						{Name: "Espace public numérique du centre social Marcel Pagnol", Commune: "Villeneuve-d’Ascq", DistanceKm: 7.25, Phone: "03 20 00 00 00", Hours: "Mo-Fr 09:00-12:00,14:00-17:30"},
					}})
			}
			pdf, err := card.RenderBytes(c)
			if err != nil {
				t.Fatal(err)
			}
			s := look(t, "a4-21-"+tc.name, pdf)
			t.Logf("21 competencies (%s): %d pages", tc.name, s.pages)
			if s.pages < 1 || s.pages > tc.pages {
				t.Errorf("%d pages, want at most %d", s.pages, tc.pages)
			}
			if s.qr != c.QRText {
				t.Errorf("the QR code does not scan back")
			}
			text := squash(s.text)
			for _, l := range levels {
				if !strings.Contains(text, squash(l.Title)) {
					t.Errorf("the title of %s is not printed in full", l.Code)
				}
			}
			if _, n := nextBlock(s.text, levels); n != len(levels) {
				t.Errorf("%d of %d competencies have a next step", n, len(levels))
			}
			for _, l := range levels {
				if tc.distinct && !strings.Contains(text, squash("Atelier "+l.Code+" — Médiathèque Jean Lévy, Lille · 0,4 km")) {
					t.Errorf("the nearest place of %s is not printed", l.Code)
				}
			}
			for _, want := range []string{assessedBy, "Cachet de la structure", "A rempli sa déclaration de revenus en ligne",
				"Villeneuve-d’Ascq · 7,2 km · tél. 03 20 00 00 00 · Mo-Fr 09:00-12:00,14:00-17:30"} {
				if !strings.Contains(text, squash(want)) {
					t.Errorf("the attestation lacks %q", want)
				}
			}
			// The first page has the assessment, the signature and the QR code.
			first := squash(strings.Split(s.text, "\f")[0])
			for _, want := range []string{method, "Cachet de la structure", "Vérifier cette attestation"} {
				if !strings.Contains(first, squash(want)) {
					t.Errorf("the first page lacks %q", want)
				}
			}
			if strings.Contains(s.text, "…") {
				t.Errorf("a text is cut:\n%s", s.text)
			}
			minWordHeight(t, s, 7)
			checkInside(t, card.LayoutA4, s)
		})
	}
}

// minWordHeight fails when a word's box is shorter than a word at pt
// points: pdftotext's box of a word is its font's ascent to descent.
func minWordHeight(t *testing.T, s seen, pt float64) {
	t.Helper()
	least := pt * 25.4 / 72 * 1.1 // DejaVu Sans: ascent + descent ≈ 1.16 em
	for _, w := range s.words {
		if h := w.yMax - w.yMin; h < least {
			t.Errorf("%q is %.2f mm high: under %g pt", w.text, h, pt)
			return
		}
	}
}

// TestAttestationArtifact writes the attestations of the tests above as
// PDF and 100 dpi PNG to test-artifacts/card/, for a person to look at.
func TestAttestationArtifact(t *testing.T) {
	tools(t, "pdftoppm")
	dir := filepath.Join(repoRoot(t), "test-artifacts", "card")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := assessedCard(t, "fr+en", "Camille Martin", schema.LevelResult{Competency: "4.2", Level: "3"}, schema.LevelResult{Competency: "1.1", Level: "2"},
		schema.LevelResult{Competency: "3.4", Level: "1"}, schema.LevelResult{Competency: "5.4", Level: "8"}, schema.LevelResult{Competency: "2.1", Level: "1"})
	for i := range c.Next {
		c.Next[i].Places = []card.Place{
			{Name: "Atelier courriel — Médiathèque Jean Lévy", Commune: "Lille", DistanceKm: 0, Phone: "03 20 15 97 20", Hours: "Tu-Sa 10:00-18:00"},
			{Name: "Espace France Services", Commune: "Roubaix", DistanceKm: 7.46, Phone: "03 20 00 00 00"},
		}
	}
	c21 := newCard(t, "Marie-Thérèse Ngozi Adébáyọ̀-Fontaine de la Croix", longTitles())
	c21.Layout = card.LayoutA4
	for _, l := range c21.Levels {
		c21.Next = append(c21.Next, card.NextStep{Code: l.Code, Level: "4", LevelTitle: "Niveau 4", Resource: "Les Bons Clics", Link: "www.lesbonsclics.fr",
			Places: c.Next[0].Places})
	}
	for name, cd := range map[string]*card.Card{"a4-assessed": c, "a4-21": c21} {
		pdf, err := card.RenderBytes(cd)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Join(dir, name)
		if err := os.WriteFile(base+".pdf", pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("pdftoppm", "-r", "100", "-png", base+".pdf", base).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
	fmt.Fprintln(os.Stderr, "attestations in", dir)
}

// TestAttestationPlaceKeys: the legend's keys (A, B, C…) are in the page's
// font subset even when no other text of the card has those letters; they
// were drawn but not added, and an A4 with places failed ("'B' (U+0042)
// is printed but not in the page's font subset").
func TestAttestationPlaceKeys(t *testing.T) {
	t.Parallel()
	levels := []card.Level{digcomp[0], digcomp[3], digcomp[13]}
	c := newCard(t, "Ana Lima", levels)
	c.Layout = card.LayoutA4
	for i, l := range levels {
		c.Next = append(c.Next, card.NextStep{Code: l.Code, Level: "4", LevelTitle: "Niveau 4", Places: []card.Place{
			{Name: "Atelier " + l.Code, Commune: "Lille", DistanceKm: 0.4},
			{Name: fmt.Sprintf("Espace numérique %d", i+1), Commune: "Roubaix", DistanceKm: 7},
		}})
	}
	text := strings.Join([]string{c.LearnerName, c.IssuerName, c.IssuerDomain, c.FrameworkTitle, c.ShortCode, c.VerifyURL, c.CredentialID}, " ")
	for _, l := range levels {
		text += " " + l.Title + " " + l.Label
	}
	for _, n := range c.Next {
		for _, p := range n.Places {
			text += " " + p.Name + " " + p.Commune
		}
	}
	if strings.Contains(text, "B") {
		t.Fatalf("the card's texts hold a B: %s", text)
	}
	pdf, err := card.RenderBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return
	}
	s := look(t, "a4-place-keys", pdf)
	for _, want := range []string{"A, B", "C, D", "E, F", "B Espace numérique 1, Roubaix", "E Atelier 4.1, Lille", "F Espace numérique 3, Roubaix"} {
		if !strings.Contains(squash(s.text), squash(want)) {
			t.Errorf("the attestation lacks %q:\n%s", want, s.text)
		}
	}
}
