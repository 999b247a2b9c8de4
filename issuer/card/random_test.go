package card_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/issuer/card"
	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"
)

// Words of learners' names: French with its accents and ligatures, other
// Latin names, Cyrillic, Greek and Arabic.
var nameWords = [][]string{
	{"Zoé", "Éloïse", "Maëlle", "François", "Hélène", "Jérôme", "Anaïs", "Noël", "Gaëlle", "Benoît", "L’Œuvre", "Dubœuf",
		"Lefèvre", "Ndiaye-Bérénice", "de la Fontaine-Sainte-Beuve", "Garçon", "Çelik", "Nguyễn Thị Ánh", "Kowalczyk-Szczepańska", "Ødegård"},
	{"Олена", "Дмитрий", "Шевченко-Ковальчук", "Анастасия", "Иванова-Петрова", "Жанна", "Ёлкин", "Їжакевич"},
	{"Ελένη", "Παπαδοπούλου", "Γιώργος", "Νικολάου", "Δημήτρης", "Αικατερίνη"},
	{"محمد", "عبد الله", "فاطمة", "الزهراء", "يوسف", "بن علي", "سلمى"},
}

// randomName returns a name of one script or a mix, sometimes long (up to
// schema.MaxNameLength characters).
func randomName(r *rand.Rand) string {
	scripts := []int{r.IntN(len(nameWords))}
	if r.IntN(4) == 0 {
		scripts = append(scripts, r.IntN(len(nameWords)))
	}
	target := 8 + r.IntN(30)
	if r.IntN(4) == 0 {
		target = 60 + r.IntN(schema.MaxNameLength-60+1)
	}
	var words []string
	n := 0
	for n < target {
		pool := nameWords[scripts[r.IntN(len(scripts))]]
		w := pool[r.IntN(len(pool))]
		if n+len([]rune(w))+1 > schema.MaxNameLength {
			break
		}
		words = append(words, w)
		n += len([]rune(w)) + 1
	}
	return strings.Join(words, " ")
}

// TestRenderRandom issues 100 random credentials (1 to 12 DigComp
// competencies, names in French, other Latin scripts, Cyrillic, Greek and
// Arabic, some long, each layout and language) and checks what a scanner
// and a reader get from each card: the QR code, read by zbarimg from a
// 150 dpi rendering, is the QR text and verifies valid; pdftotext finds
// the name and every competency code, and on the a4 layout every title in
// full; no text leaves its frame.
func TestRenderRandom(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	const n = 100
	base := "http://localhost:8080"
	now := time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(4, 2026))
	svc := &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: keys.NewMemStore(), BaseURL: base,
		Now: func() time.Time { return now }, Rand: rand.NewChaCha8([32]byte{'c', 'a', 'r', 'd'})}
	st := &schema.Structure{Slug: "mediatheque-lille", Name: "Médiathèque Jean Lévy"}
	fw, err := svc.Frameworks.Get("digcomp-2.2")
	if err != nil {
		t.Fatal(err)
	}
	// The starter catalogue: low levels get next steps on the attestation.
	starter, err := schema.StarterCatalogue(svc.Frameworks)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, a := range fw.Areas {
		for _, c := range a.Competences {
			codes = append(codes, c.Code)
		}
	}
	type sample struct {
		card *card.Card
		name string
	}
	samples := make([]sample, n)
	for i := range samples {
		a := schema.Assessment{LearnerName: randomName(r), Framework: fw.ID}
		for _, k := range r.Perm(len(codes))[:1+r.IntN(12)] {
			a.Results = append(a.Results, schema.LevelResult{Competency: codes[k], Level: fmt.Sprint(1 + r.IntN(len(fw.Levels)))})
		}
		iss, err := svc.Issue(context.Background(), st, a)
		if err != nil {
			t.Fatalf("%q: %v", a.LearnerName, err)
		}
		lang := []string{"fr", "en"}[i%2]
		c, err := card.FromRecord(iss.Record, st, svc.Frameworks, starter, base, lang)
		if err != nil {
			t.Fatal(err)
		}
		c.Layout = layouts[i/2%2]
		if r.IntN(3) == 0 {
			c.ValidUntil = now.AddDate(3, 0, 0)
		}
		samples[i] = sample{c, iss.Record.LearnerName}
	}
	ring, err := svc.Keys.Ring(st.Slug)
	if err != nil {
		t.Fatal(err)
	}
	profile, err := svc.Profile(st)
	if err != nil {
		t.Fatal(err)
	}
	reg := verifier.NewRegistry()
	if err := reg.Add(verifier.LocalIssuer(profile.ID, st.Name, ring)); err != nil {
		t.Fatal(err)
	}
	v := &verifier.Verifier{Trust: reg, Frameworks: svc.Frameworks, Now: func() time.Time { return now }}

	t.Run("cards", func(t *testing.T) {
		for i, sm := range samples {
			c := sm.card
			t.Run(fmt.Sprintf("%03d-%s-%s-%d", i, c.Layout, c.Lang, len(c.Levels)), func(t *testing.T) {
				t.Parallel() // two at a time on two cores: -parallel defaults to GOMAXPROCS
				pdf, err := card.RenderBytes(c)
				if err != nil {
					t.Fatal(err)
				}
				s := look(t, fmt.Sprintf("random-%03d", i), pdf)
				if s.qr != c.QRText {
					t.Fatalf("%q: the QR code scans as %d characters, want the %d-character QR text", sm.name, len(s.qr), len(c.QRText))
				}
				if res := v.Verify(context.Background(), []byte(s.qr)); !res.Valid || res.Learner != sm.name {
					t.Errorf("the scanned QR code verifies as valid=%v (%s), learner %q; want valid, %q", res.Valid, res.Reason, res.Learner, sm.name)
				}
				// The attestation's next steps take a second page when
				// they do not all fit on the first.
				if pages := map[string]int{card.LayoutCard: 1, card.LayoutA4: 2}[c.Layout]; s.pages < 1 || s.pages > pages {
					t.Errorf("%d pages, want at most %d", s.pages, pages)
				}
				if c.Layout == card.LayoutA4 {
					heading := map[string]string{"fr": "Pour continuer", "en": "Next steps"}[c.Lang]
					block := ""
					if i := strings.Index(s.text, heading); i >= 0 {
						block = s.text[i:]
					}
					for _, l := range c.Levels {
						if !strings.Contains(block, l.Code) {
							t.Errorf("competency %s has no next step", l.Code)
						}
					}
				}
				text := squash(arabicFolded(s.text))
				for _, w := range strings.Fields(sm.name) {
					if !strings.Contains(text, squash(w)) {
						t.Errorf("the name %q: %q is not on the card; it reads:\n%s", sm.name, w, s.text)
					}
				}
				for _, l := range c.Levels {
					if !hasCode(s.words, c.Layout, l.Code) {
						t.Errorf("competency %s is not on the card", l.Code)
					}
					if c.Layout == card.LayoutA4 && !inOrder(s.text, append([]string{l.Code}, strings.Fields(l.Title)...)) {
						t.Errorf("the title of %s, %q, is not on the card in full; it reads:\n%s", l.Code, l.Title, s.text)
					}
				}
				if c.Layout == card.LayoutA4 && strings.Contains(s.text, "…") {
					t.Errorf("the attestation cuts a text with …:\n%s", s.text)
				}
				checkInside(t, c.Layout, s)
			})
		}
	})
}

// hasCode reports whether pdftotext read a competency code where codes
// are: on the back of the card, or at the left edge of the attestation's
// list (one column for up to 12 competencies). "DigComp 2.2" elsewhere does
// not count.
func hasCode(words []word, layout, code string) bool {
	for _, w := range words {
		if w.text != code {
			continue
		}
		if layout == card.LayoutCard && w.xMin > stripX+cardW && w.yMin > stripY && w.yMax < stripY+cardH ||
			layout == card.LayoutA4 && w.xMin < a4Left+3 {
			return true
		}
	}
	return false
}
