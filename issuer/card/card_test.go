package card_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"carnet/issuer"
	"carnet/issuer/card"
	"carnet/keys"
	"carnet/schema"
)

// Run with -keep DIR to keep each card's PDF and renderings for a look.
var keep = flag.String("keep", "", "directory where the rendered PDFs and PNGs are kept")

var issued = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

var layouts = []string{card.LayoutCard, card.LayoutA4}

// tools checks that the named command-line tools are installed. Without them the
// test skips, except under CI=true, where a missing tool is a failure: CI
// must really read the cards.
func tools(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			msg := fmt.Sprintf("%s not found: install poppler-utils and zbar-tools (apt-get install -y poppler-utils zbar-tools) to check what a reader and a scanner see", n)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// genuineQR signs a real card token with a fresh key, as issuer.Service
// does, and returns the QR text of a local instance.
func genuineQR(t testing.TB, name string, levels []card.Level) string {
	t.Helper()
	ring, err := keys.NewMemStore().Ring("mediatheque-lille")
	if err != nil {
		t.Fatal(err)
	}
	claims := &schema.CardClaims{
		Iss: "did:web:localhost%3A8080:s:mediatheque-lille", Jti: "urn:uuid:6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
		Nbf: issued.Unix(), Name: name, Framework: "digcomp-2.2", Digest: "q1w2e3r4t5y6u7i8o9p0aA",
	}
	for _, l := range levels {
		claims.Levels = append(claims.Levels, schema.CardLevel{Competency: l.Code, Level: l.Level})
	}
	token, err := issuer.SignCard(claims, ring.Signer())
	if err != nil {
		t.Fatal(err)
	}
	return issuer.QRText("http://localhost:8080", token)
}

// nameInQR decodes the card token of a QR text back to the learner name it
// carries.
func nameInQR(t *testing.T, qr string) string {
	t.Helper()
	_, num, _ := strings.Cut(qr, "#")
	jws, ok := schema.QRDecodeNumeric(num)
	if !ok {
		t.Fatalf("QR text is not numeric JWS: %.40q", num)
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(payload)))
	if err != nil {
		t.Fatal(err)
	}
	var c schema.CardClaims
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c.Name
}

// builtin are the frameworks Carnet comes with.
var builtin = schema.NewFrameworks()

// labelled gives l its label in French in framework fw, as card.FromRecord
// does.
func labelled(fw string, l card.Level) card.Level {
	f, err := builtin.Get(fw)
	if err != nil {
		panic(err)
	}
	label := f.LevelLabel(l.Level, "fr")
	l.Label, l.Short = label.Full, label.Short
	return l
}

// dc is a DigComp 2.2 competency at a level (of 8).
func dc(code, title string, level int) card.Level {
	return labelled("digcomp-2.2", card.Level{Code: code, Title: title, Level: strconv.Itoa(level), LevelTitle: fmt.Sprintf("Niveau %d", level), Rank: level, Scale: 8})
}

var digcomp = []card.Level{
	dc("1.1", "Naviguer, rechercher et filtrer des données, des informations et des contenus numériques", 3),
	dc("1.2", "Évaluer des données, des informations et des contenus numériques", 2),
	dc("1.3", "Gérer des données, des informations et des contenus numériques", 2),
	dc("2.1", "Interagir au moyen des technologies numériques", 4),
	dc("2.2", "Partager au moyen des technologies numériques", 3),
	dc("2.3", "Exercer sa citoyenneté au moyen des technologies numériques", 1),
	dc("2.4", "Collaborer au moyen des technologies numériques", 2),
	dc("2.5", "Nétiquette", 5),
	dc("2.6", "Gérer son identité numérique", 2),
	dc("3.1", "Développer des contenus numériques", 3),
	dc("3.2", "Intégrer et réélaborer des contenus numériques", 2),
	dc("3.3", "Droit d'auteur et licences", 1),
	dc("3.4", "Programmation", 1),
	dc("4.1", "Protéger les appareils", 3),
	dc("4.2", "Protéger les données personnelles et la vie privée", 2),
	dc("4.3", "Protéger la santé et le bien-être", 4),
	dc("4.4", "Protéger l'environnement", 2),
	dc("5.1", "Résoudre des problèmes techniques", 1),
	dc("5.2", "Identifier des besoins et des réponses technologiques", 2),
	dc("5.3", "Utiliser les technologies numériques de manière créative", 3),
	dc("5.4", "Repérer ses lacunes en compétences numériques", 8),
}

// six is a typical card: six competencies, as DESIGN.md sizes the token.
func six() []card.Level {
	return []card.Level{digcomp[17], digcomp[0], digcomp[1], digcomp[3], digcomp[9], digcomp[14]}
}

func newCard(t testing.TB, name string, levels []card.Level) *card.Card {
	return &card.Card{
		IssuerName:     "Médiathèque Jean Lévy",
		IssuerDomain:   "carnet.bm-lille.example.fr",
		LearnerName:    name,
		FrameworkTitle: "DigComp 2.2 : cadre européen des compétences numériques pour les citoyens",
		Levels:         levels,
		IssuedAt:       issued,
		QRText:         genuineQR(t, name, levels),
		ShortCode:      "K7QM-4XPA-9D",
		VerifyURL:      "https://carnet.bm-lille.example.fr/verify",
		CredentialID:   "urn:uuid:6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
	}
}

// seen is what a reader and a scanner get from a rendered card.
type seen struct {
	text  string // pdftotext, reading order
	qr    string // zbarimg on a 150 dpi rendering
	pages int
	words []word // pdftotext -bbox: every word and its box, in mm
	qrBox box    // where the QR code is on the page, mm: its pure black pixels
}

type box struct{ xMin, yMin, xMax, yMax float64 }

type word struct {
	text string
	box
	page int // from 0
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// look renders pdf as a reader and a scanner see it. Files go to a
// temporary directory, or to -keep DIR.
func look(t *testing.T, name string, pdf []byte) seen {
	t.Helper()
	dir := t.TempDir()
	if *keep != "" {
		dir = *keep
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	base := filepath.Join(dir, strings.NewReplacer("/", "-", " ", "-").Replace(name))
	if err := os.WriteFile(base+".pdf", pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(cmd string, args ...string) string {
		t.Helper()
		out, err := exec.Command(cmd, args...).Output()
		if err != nil {
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("%s %v: %v %s", cmd, args, err, stderr)
		}
		return string(out)
	}
	var s seen
	s.text = run("pdftotext", "-enc", "UTF-8", base+".pdf", "-")
	s.pages = strings.Count(s.text, "\f")
	const ptMM = 25.4 / 72
	for page, html := range strings.Split(run("pdftotext", "-bbox", "-enc", "UTF-8", base+".pdf", "-"), "<page ")[1:] {
		for _, m := range wordRE.FindAllStringSubmatch(html, -1) {
			f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v * ptMM }
			s.words = append(s.words, word{m[5], box{f(1), f(2), f(3), f(4)}, page})
		}
	}
	// A grey-level rendering: what zbar reads anyway, and ten times
	// faster for pdftoppm to write than a PNG.
	run("pdftoppm", "-r", "150", "-gray", "-singlefile", base+".pdf", base)
	if *keep != "" {
		run("pdftoppm", "-r", "150", "-png", "-singlefile", base+".pdf", base)
	}
	// QR codes only: zbar's one-dimensional decoders now and then see a
	// barcode (EAN-8, DataBar…) in the QR code's modules.
	s.qr = strings.TrimSuffix(run("zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", base+".pgm"), "\n")
	s.qrBox = blackBox(t, base+".pgm")
	return s
}

// blackBox returns the box of the pure black pixels of a 150 dpi grey-level
// rendering (PGM), in mm: the QR code, the only thing the cards draw in
// pure black.
func blackBox(t *testing.T, path string) box {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		magic      string
		w, h, maxv int
	)
	if _, err := fmt.Fscan(bytes.NewReader(b), &magic, &w, &h, &maxv); err != nil || magic != "P5" || maxv != 255 || len(b) < w*h {
		t.Fatalf("%s: not an 8-bit PGM: %v", path, err)
	}
	pix := b[len(b)-w*h:] // after the header and its one white-space byte
	x0, y0, x1, y1 := w, h, -1, -1
	for y := range h {
		row := pix[y*w : y*w+w]
		for x, v := range row {
			if v == 0 {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		t.Fatal("no QR code on the page: no pure black pixel")
	}
	const px = 25.4 / 150
	return box{float64(x0) * px, float64(y0) * px, float64(x1+1) * px, float64(y1+1) * px}
}

// squash drops white space and hyphens, so that a text wrapped over lines
// still matches: pdftotext joins a word broken after a hyphen.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, s)
}

// Where things are on the page (mm), from layout_card.go and layout_a4.go.
const (
	stripX, stripY, cardW, cardH = 19.4, 30.0, 85.6, 54.0
	a4Left, a4Right              = 18.0, 192.0
	a4Top, a4Bottom              = 15.0, 283.0
)

// checkInside fails when a word leaves its frame or lies on the QR code:
// text that overflows is text a person cannot read. On the card layout, a
// word is above the strip (how to print), under it (how to use), or within
// the front or the back, 1 mm inside the trim and not across the fold; on
// the a4 layout, within the margins.
func checkInside(t *testing.T, layout string, s seen) {
	t.Helper()
	q := s.qrBox
	for _, w := range s.words {
		if w.page == 0 && w.xMax > q.xMin && w.xMin < q.xMax && w.yMax > q.yMin && w.yMin < q.yMax {
			t.Errorf("%q at (%.1f,%.1f) mm is on the QR code (%.1f,%.1f)–(%.1f,%.1f)", w.text, w.xMin, w.yMin, q.xMin, q.yMin, q.xMax, q.yMax)
		}
		if layout == card.LayoutA4 {
			if w.xMin < a4Left-0.3 || w.xMax > a4Right+0.3 || w.yMin < a4Top-1 || w.yMax > a4Bottom+1 {
				t.Errorf("%q at (%.1f,%.1f)–(%.1f,%.1f) mm leaves the page's margins", w.text, w.xMin, w.yMin, w.xMax, w.yMax)
			}
			continue
		}
		if w.xMin < 8 || w.xMax > 202 {
			t.Errorf("%q at x %.1f–%.1f mm leaves the page's margins", w.text, w.xMin, w.xMax)
		}
		if w.yMax < stripY-1 || w.yMin > stripY+cardH+1 {
			continue
		}
		inY := w.yMin >= stripY+1 && w.yMax <= stripY+cardH-1
		front := w.xMin >= stripX+1 && w.xMax <= stripX+cardW-1
		back := w.xMin >= stripX+cardW+1 && w.xMax <= stripX+2*cardW-1
		if !inY || !front && !back {
			t.Errorf("%q at (%.1f,%.1f)–(%.1f,%.1f) mm leaves the front and the back of the card", w.text, w.xMin, w.yMin, w.xMax, w.yMax)
		}
	}
}

func TestRenderSeen(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	for _, tc := range []struct {
		name      string
		card      func(t *testing.T) *card.Card
		inText    []string // must appear in the extracted text (white space ignored), both layouts
		inCard    []string // card layout only
		inA4      []string // a4 layout only
		absent    []string // must not appear
		absentA4  []string // must not appear on the a4 layout
		shown     string   // the name as printed, when not as given
		cutTitles bool     // competency titles may be cut with "…" on the a4 layout too
		pagesA4   int      // the a4 layout's list may go on to a second page
		// the framework title may be left out on the card layout (issue
		// 11: the name in full at 7 pt or more takes the room)
		cutFramework bool
	}{
		{name: "six-fr", card: func(t *testing.T) *card.Card { return newCard(t, "Zoé L’Œuvre-Dubœuf « Coco »", six()) },
			inText: []string{"14 mars 2026", "Code de vérification"},
			inCard: []string{"Carnet de compétences", "Délivré le", "Pour vérifier : scannez le QR code au recto, ou saisissez ce code à cette adresse.",
				"Imprimez à 100 %", "pli", "3 / 8"},
			inA4:   []string{"Attestation de compétences", "Délivrée le", "Vérifier cette attestation", "Pour vérifier cette attestation, scannez le QR code", "Niveau 1 / 8 · Fondamental"},
			absent: []string{"Skills", "Verification code", "To verify", "fold", "Issued"}},
		{name: "six-fr-en", card: func(t *testing.T) *card.Card {
			c := newCard(t, "Zoé L’Œuvre-Dubœuf « Coco »", six())
			c.Lang = "fr+en"
			return c
		},
			inText: []string{"14 mars 2026", "Code de vérification"},
			inCard: []string{"Carnet de compétences", "Compétences et niveaux · Competencies and levels", "Délivré le",
				"Pour vérifier : scannez le QR code au recto, ou saisissez ce code à cette adresse.", "Imprimez à 100 %", "Print at 100%", "pli · fold",
				"Comment utiliser cette carte", "How to use this card"},
			inA4: []string{"Attestation de compétences", "Skills certificate", "Délivrée le", "Vérifier cette attestation",
				"Pour vérifier cette attestation, scannez le QR code", "To verify this certificate", "urn:uuid:6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"}},
		{name: "six-en", card: func(t *testing.T) *card.Card {
			c := newCard(t, "Éloïse Ndiaye-Bérénice", six())
			c.Lang = "en"
			c.ValidUntil = issued.AddDate(2, 0, 0)
			return c
		}, inText: []string{"Issued on", "14 March 2026", "Valid until", "14 March 2028"},
			inCard: []string{"Skills card", "To verify: scan the QR code on the front", "How to use this card", "Comment utiliser cette carte"},
			inA4:   []string{"Skills certificate", "Attestation de compétences", "Verify this certificate"}},
		{name: "digcomp-21", card: func(t *testing.T) *card.Card { return newCard(t, "Samuel Okonkwo", digcomp) },
			absent: []string{"autres compétences"}},
		{name: "long-name-120", card: func(t *testing.T) *card.Card {
			name := "Maria-Guadalupe Esperanza Concepción de los Ángeles Fernández-Villalobos y Santa-Cruz de la Peña Montenegro Aranda Sáenz"
			if n := len([]rune(name)); n != schema.MaxNameLength {
				t.Fatalf("the long name has %d characters, want %d", n, schema.MaxNameLength)
			}
			return newCard(t, name, six())
		}, absentA4: []string{"…"}},
		{name: "everything-long", card: func(t *testing.T) *card.Card {
			c := newCard(t, "Nguyễn Thị Ánh-Tuyết 阮氏映雪 Marie-Françoise Oluwaseun Adébáyọ̀ Kowalczyk-Szczepańska de Saint-Exupéry Ωμέγα", digcomp)
			c.IssuerName = "Réseau des médiathèques de la Communauté d'agglomération du Grand Sud-Ouest – Espace France Services de Saint-Martin"
			c.IssuerDomain = "carnet.reseau-des-mediatheques-de-la-communaute-d-agglomeration.example.fr"
			c.VerifyURL = "https://" + c.IssuerDomain + "/verify"
			c.FrameworkTitle = "Cadre européen commun de référence pour les langues (CECRL) – appliqué au français langue étrangère/seconde, version 2020"
			c.ValidUntil = issued.AddDate(3, 0, 0)
			return c
		}, inText: []string{"Valable jusqu’au", "14 mars 2029"},
			shown:     "Nguyễn Thị Ánh-Tuyết □□□□ Marie-Françoise Oluwaseun Adébáyọ̀ Kowalczyk-Szczepańska de Saint-Exupéry Ωμέγα",
			cutTitles: true, cutFramework: true, pagesA4: 2},
		{name: "cyrillic", card: func(t *testing.T) *card.Card {
			return newCard(t, "Олена Шевченко-Ковальчук", six())
		}},
		{name: "cefr", card: func(t *testing.T) *card.Card {
			c := newCard(t, "Dmitri Ivanov", []card.Level{
				labelled("cefr-fr", card.Level{Code: "REC.L", Title: "Compréhension de l'oral", Level: "B1", LevelTitle: "Niveau seuil", Rank: 3, Scale: 6}),
				labelled("cefr-fr", card.Level{Code: "PROD.W", Title: "Production écrite", Level: "A2", LevelTitle: "Niveau intermédiaire ou usuel", Rank: 2, Scale: 6}),
				labelled("cefr-fr", card.Level{Code: "INT.O", Title: "Interaction en ligne", Level: "C1", LevelTitle: "Niveau autonome (compétence opérationnelle effective)", Rank: 5, Scale: 6}),
			})
			c.FrameworkTitle = "Cadre européen commun de référence pour les langues (CECRL) – appliqué au français langue étrangère/seconde"
			return c
		}, inText: []string{"B1 · Utilisateur indépendant", "C1 · Utilisateur expérimenté"}},
		{name: "no-scale", card: func(t *testing.T) *card.Card {
			// A framework no longer loaded: codes and levels, no titles, no scale.
			return newCard(t, "Ana Lima", []card.Level{{Code: "1.1", Level: "3"}, {Code: "2.1", Level: "4"}})
		}},
	} {
		for _, layout := range layouts {
			t.Run(tc.name+"-"+layout, func(t *testing.T) {
				t.Parallel()
				c := tc.card(t)
				c.Layout = layout
				pdf, err := card.RenderBytes(c)
				if err != nil {
					t.Fatal(err)
				}
				s := look(t, tc.name+"-"+layout, pdf)
				if s.qr != c.QRText {
					t.Fatalf("the QR code scans as %d characters %.60q…, want the %d-character QR text", len(s.qr), s.qr, len(c.QRText))
				}
				if pages := max(1, tc.pagesA4); s.pages != 1 && (layout != card.LayoutA4 || s.pages > pages) {
					t.Errorf("%d pages, want 1", s.pages)
				}
				shown := c.LearnerName
				if tc.shown != "" {
					shown = tc.shown
				}
				// On the card, beside a QR code of 0.6 mm modules, the
				// framework's title may be cut to its first words, or left
				// out (it is on the attestation).
				framework := c.FrameworkTitle
				if layout == card.LayoutCard {
					framework = strings.Join(strings.Fields(framework)[:2], " ")
					if tc.cutFramework {
						framework = ""
					}
				}
				want := append([]string{shown, c.IssuerName, c.IssuerDomain, c.ShortCode, framework, c.VerifyURL}, tc.inText...)
				absent := tc.absent
				if layout == card.LayoutA4 {
					want = append(want, tc.inA4...)
					absent = append(absent, tc.absentA4...)
				} else {
					want = append(want, tc.inCard...)
				}
				text := squash(s.text)
				for _, w := range want {
					if !strings.Contains(text, squash(w)) {
						t.Errorf("the card does not show %q; it reads:\n%s", w, s.text)
					}
				}
				for _, l := range c.Levels {
					checkRow(t, s, layout, l, tc.cutTitles)
				}
				for _, a := range absent {
					if strings.Contains(s.text, a) {
						t.Errorf("the card shows %q", a)
					}
				}
				checkInside(t, layout, s)
			})
		}
	}
}

// checkRow checks that a competency reads as one row. On the a4 layout:
// its code, then the words of its title and of its level in order
// (pdftotext may interleave the lines of the title and level cells), and
// the level on the code's line. On the card layout, where titles may be
// cut: the code, and the level after it on its line.
func checkRow(t *testing.T, s seen, layout string, l card.Level, cutTitle bool) {
	t.Helper()
	level := strings.Fields(l.LevelTitle)
	if l.Label != "" {
		level = strings.Fields(l.Label)
	}
	if layout == card.LayoutCard && l.Rank > 0 || len(level) == 0 {
		level = []string{l.Level}
	}
	if layout == card.LayoutA4 {
		title := strings.Fields(l.Title)
		if cutTitle && len(title) > 0 {
			title = title[:1]
		}
		// A list in two columns has the short label beside the boxes
		// ("3 / 8", which pdftotext reads "3/8"), and pdftotext may read a
		// column's last short label before its row: the check of the
		// code's line below places it.
		if !inOrder(s.text, append(append([]string{l.Code}, title...), level...)) &&
			!inOrder(s.text, append(append([]string{l.Code}, level...), title...)) &&
			(l.Short == "" || !inOrder(s.text, append([]string{l.Code}, title...))) {
			t.Errorf("the card does not show competency %s %q at level %q; it reads:\n%s", l.Code, l.Title, strings.Join(level, " "), s.text)
			return
		}
	}
	for _, c := range s.words {
		if c.text != l.Code {
			continue
		}
		for _, w := range s.words {
			// On the card, the level's label may be under the title.
			if (w.text == level[0] || layout == card.LayoutA4 && l.Short != "" && (w.text == strings.Join(strings.Fields(l.Short), "") || w.text == strings.Fields(l.Short)[0])) && w.xMin > c.xMax && (abs(w.yMin-c.yMin) < 0.5 || layout == card.LayoutCard && w.yMin > c.yMin && w.yMin-c.yMin < 4.5) {
				return
			}
		}
	}
	t.Errorf("competency %s: %q is not on the code's line", l.Code, level[0])
}

// inOrder reports whether words appear in text in this order.
func inOrder(text string, words []string) bool {
	for _, w := range words {
		i := strings.Index(text, w)
		if i < 0 {
			return false
		}
		text = text[i+len(w):]
	}
	return true
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestRenderScripts covers names the fonts draw only with help (Arabic,
// joined and reordered by the package) or not at all (Chinese).
func TestRenderScripts(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	for _, layout := range layouts {
		t.Run("arabic-"+layout, func(t *testing.T) {
			t.Parallel()
			c := newCard(t, "محمد عبد الله", six())
			c.Layout = layout
			pdf, err := card.RenderBytes(c)
			if err != nil {
				t.Fatal(err)
			}
			s := look(t, "arabic-"+layout, pdf)
			if s.qr != c.QRText {
				t.Fatalf("the QR code does not scan back")
			}
			if !strings.Contains(arabicFolded(s.text), c.LearnerName) {
				t.Errorf("the Arabic name is not on the card; it reads:\n%s", s.text)
			}
			if strings.ContainsAny(s.text, "محمد") {
				t.Errorf("unjoined Arabic letters on the card:\n%s", s.text)
			}
			checkInside(t, layout, s)
		})
		t.Run("chinese-"+layout, func(t *testing.T) {
			t.Parallel()
			c := newCard(t, "李小龙 (Bruce Lee)", six())
			c.Layout = layout
			pdf, err := card.RenderBytes(c)
			if err != nil {
				t.Fatal(err)
			}
			s := look(t, "chinese-"+layout, pdf)
			if s.qr != c.QRText {
				t.Fatalf("the QR code does not scan back")
			}
			if got := nameInQR(t, s.qr); got != c.LearnerName {
				t.Errorf("the QR code carries the name %q, want %q", got, c.LearnerName)
			}
			for _, w := range []string{"□□□ (Bruce Lee)", "le nom complet est dans le QR code"} {
				if !strings.Contains(squash(s.text), squash(w)) {
					t.Errorf("the card does not show %q; it reads:\n%s", w, s.text)
				}
			}
			checkInside(t, layout, s)
		})
	}
}

// arabicFolded folds text read back by pdftotext for comparison with
// Arabic as given: the PDF holds joined presentation forms in visual
// order, which pdftotext reads back right to left, in logical order;
// folded back to base letters (NFKC), line by line, without the embedding
// marks pdftotext adds, they are the text.
func arabicFolded(text string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, norm.NFKC.String(text))
}

// TestRenderManyCompetencies: past what the card can hold, the list stops
// with a line counting the rest, and nothing overflows.
func TestRenderManyCompetencies(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	var levels []card.Level
	for i := range 3 {
		for _, l := range digcomp {
			l.Code = fmt.Sprintf("%s.%d", l.Code, i)
			levels = append(levels, l)
		}
	}
	for _, layout := range layouts {
		t.Run(layout, func(t *testing.T) {
			t.Parallel()
			c := newCard(t, "Ana Lima", levels)
			c.Layout = layout
			pdf, err := card.RenderBytes(c)
			if err != nil {
				t.Fatal(err)
			}
			s := look(t, "many-63-"+layout, pdf)
			if s.qr != c.QRText {
				t.Fatalf("the QR code (%d characters) does not scan back", len(c.QRText))
			}
			shown := 0
			for _, l := range levels {
				if strings.Contains(s.text, l.Code) {
					shown++
				}
			}
			if layout == card.LayoutA4 {
				// The attestation's list goes on to the next pages.
				if shown != len(levels) || strings.Contains(s.text, "autres compétences") || s.pages > 3 {
					t.Errorf("%d of %d competencies shown on %d pages", shown, len(levels), s.pages)
				}
				checkInside(t, layout, s)
				return
			}
			m := regexp.MustCompile(`et (\d+) autres compétences`).FindStringSubmatch(s.text)
			if m == nil {
				t.Fatalf("no line counts the competencies left out; the card reads:\n%s", s.text)
			}
			n, _ := strconv.Atoi(m[1])
			if shown+n != len(levels) || shown < 16 {
				t.Errorf("%d competencies shown and %d counted as left out, want %d in all and at least 16 shown", shown, n, len(levels))
			}
			checkInside(t, layout, s)
		})
	}
}

// testLogo is a 600 × 240 logo: a blue band with a white disc, in PNG or
// JPEG. It has no pure black pixel, which the tests keep for the QR code.
func testLogo(t testing.TB, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 600, 240))
	for y := range 240 {
		for x := range 600 {
			c := color.RGBA{23, 55, 94, 255}
			if dx, dy := x-120, y-120; dx*dx+dy*dy < 90*90 {
				c = color.RGBA{255, 255, 255, 255}
			} else if x > 260 && y > 90 && y < 150 {
				c = color.RGBA{240, 170, 40, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&buf, img, nil)
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRenderLogo(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg", "pdfimages")
	for _, format := range []string{"png", "jpeg"} {
		for _, layout := range layouts {
			t.Run(format+"-"+layout, func(t *testing.T) {
				t.Parallel()
				c := newCard(t, "Ana Lima", six())
				c.Layout, c.Logo = layout, testLogo(t, format)
				pdf, err := card.RenderBytes(c)
				if err != nil {
					t.Fatal(err)
				}
				s := look(t, "logo-"+format+"-"+layout, pdf)
				if s.qr != c.QRText {
					t.Fatalf("the QR code does not scan back")
				}
				checkInside(t, layout, s)
				f := filepath.Join(t.TempDir(), "logo.pdf")
				if err := os.WriteFile(f, pdf, 0o644); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command("pdfimages", "-list", f).Output()
				if err != nil {
					t.Fatal(err)
				}
				if n := strings.Count(string(out), "\n") - 2; n != 1 {
					t.Errorf("%d images in the PDF, want the logo:\n%s", n, out)
				}
			})
		}
	}
}

// TestRenderTypicalQR checks the fixture is the realistic QR text of a
// typical card (about 690 characters for six competencies since the packed
// numeric form; 830 with two digits a token character, 1,025 before issue
// 11).
func TestRenderTypicalQR(t *testing.T) {
	qr := genuineQR(t, "Éloïse Ndiaye-Bérénice", six())
	if n := len(qr); n < 660 || n > 730 {
		t.Errorf("a typical QR text has %d characters, want about 690", n)
	}
	if !strings.HasPrefix(qr, "http://localhost:8080/c#") || strings.Trim(strings.TrimPrefix(qr, "http://localhost:8080/c#"), "0123456789") != "" {
		t.Errorf("QR text %.40q… is not the URL and digits", qr)
	}
}

func TestRenderErrors(t *testing.T) {
	ok := func() *card.Card { return newCard(t, "Ana Lima", six()) }
	for _, tc := range []struct {
		name string
		card *card.Card
	}{
		{"nil", nil},
		{"no-name", func() *card.Card { c := ok(); c.LearnerName = "  "; return c }()},
		{"no-qr", func() *card.Card { c := ok(); c.QRText = ""; return c }()},
		{"qr-too-long", func() *card.Card { c := ok(); c.QRText = strings.Repeat("7", 8000); return c }()},
		{"unknown-layout", func() *card.Card { c := ok(); c.Layout = "a5"; return c }()},
		{"logo-not-an-image", func() *card.Card { c := ok(); c.Logo = []byte("<svg/>"); return c }()},
		{"logo-gif", func() *card.Card { c := ok(); c.Logo = []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"); return c }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := card.Render(io.Discard, tc.card)
			if code := schema.ErrorCode(err); code != schema.EINVALID {
				t.Errorf("error %v has code %q, want %q", err, code, schema.EINVALID)
			}
		})
	}
}

// TestRenderEdgeCases renders odd cards in both layouts: each must give a
// PDF (every character printed is in the page's fonts, nothing panics).
func TestRenderEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *card.Card)
	}{
		{"arabic-lone-bracket", func(c *card.Card) { c.LearnerName = "محمد (علي" }},
		{"bidi-controls", func(c *card.Card) { c.LearnerName = "A\u202Eb\u200Bc" }},
		{"emoji", func(c *card.Card) { c.LearnerName = "😀😀 Ana" }},
		{"one-long-word", func(c *card.Card) { c.LearnerName = strings.Repeat("W", 120) }},
		{"bare", func(c *card.Card) {
			c.Levels, c.FrameworkTitle, c.ShortCode, c.VerifyURL, c.IssuerDomain, c.IssuerName = nil, "", "", "", "", ""
			c.IssuedAt, c.CredentialID = time.Time{}, ""
		}},
		{"odd-scales", func(c *card.Card) {
			c.Levels = []card.Level{
				{Code: "A", Title: "Douze", Level: "12", Rank: 12, Scale: 12},
				{Code: "B", Title: "Au-delà", Level: "9", Rank: 9, Scale: 8},
				{Code: "C", Title: "Sans échelle", Level: "x", Rank: 1},
				{Code: strings.Repeat("LONGCODE", 4), Title: strings.Repeat("mot ", 60), Level: strings.Repeat("Niveau ", 10), Rank: 2, Scale: 40},
			}
		}},
		{"short-code-odd", func(c *card.Card) { c.ShortCode = "k7qm 4xpa/9d é" }},
		{"verify-url-spaces", func(c *card.Card) { c.VerifyURL = " https://exemple.fr/verify \n" }},
	} {
		for _, layout := range layouts {
			t.Run(tc.name+"-"+layout, func(t *testing.T) {
				c := newCard(t, "Ana Lima", six())
				c.Layout = layout
				tc.edit(c)
				pdf, err := card.RenderBytes(c)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
					t.Error("not a PDF")
				}
			})
		}
	}
}

// TestRenderDeterministic: the same card gives the same file, so a card
// can be rendered again on demand instead of stored.
func TestRenderDeterministic(t *testing.T) {
	for _, layout := range layouts {
		c := newCard(t, "Ana Lima", six())
		c.Layout, c.Logo = layout, testLogo(t, "png")
		a, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		b, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renderings of the same card differ", layout)
		}
	}
}

// TestRenderSize: a typical card stays within the 60 KB of issue 4, with a
// logo too.
func TestRenderSize(t *testing.T) {
	for _, layout := range layouts {
		for _, logo := range []bool{false, true} {
			c := newCard(t, "Éloïse Ndiaye-Bérénice", six())
			c.Layout = layout
			if logo {
				c.Logo = testLogo(t, "png")
			}
			pdf, err := card.RenderBytes(c)
			if err != nil {
				t.Fatal(err)
			}
			if len(pdf) > 60_000 {
				t.Errorf("%s (logo %v): %d bytes, want ≤ 60,000", layout, logo, len(pdf))
			}
		}
	}
}

// TestRenderConcurrent: a server renders cards for several requests at once.
func TestRenderConcurrent(t *testing.T) {
	cards := []*card.Card{newCard(t, "Ana Lima", six()), newCard(t, "محمد عبد الله", digcomp), newCard(t, "李小龙", six())}
	cards[1].Layout = card.LayoutA4
	cards[2].Logo = testLogo(t, "png")
	errs := make(chan error, 3*len(cards))
	for range 3 {
		for _, c := range cards {
			go func() { errs <- card.Render(io.Discard, c) }()
		}
	}
	for range 3 * len(cards) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func ExampleRender() {
	c := &card.Card{
		Layout:         card.LayoutCard,
		Lang:           "fr",
		IssuerName:     "Médiathèque Jean Lévy",
		IssuerDomain:   "carnet.bm-lille.fr",
		LearnerName:    "Éloïse Ndiaye",
		FrameworkTitle: "DigComp 2.2",
		Levels: []card.Level{{Code: "1.1", Title: "Naviguer, rechercher et filtrer des données",
			Level: "3", LevelTitle: "Niveau 3", Rank: 3, Scale: 8}},
		IssuedAt:  time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC),
		QRText:    "https://carnet.bm-lille.fr/c#5676",
		ShortCode: "K7QM-4XPA-9D",
		VerifyURL: "https://carnet.bm-lille.fr/verify",
	}
	pdf, err := card.RenderBytes(c)
	fmt.Println(err, bytes.HasPrefix(pdf, []byte("%PDF-")))
	// Output: <nil> true
}

// TestFromRecord: the card of a stored credential carries the verification
// address, and each level its place on the framework's scale.
func TestFromRecord(t *testing.T) {
	svc := &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: keys.NewMemStore(), BaseURL: "https://carnet.example.org/"}
	st := &schema.Structure{Slug: "mediatheque-belleville", Name: "Médiathèque de Belleville"}
	iss, err := svc.Issue(context.Background(), st, schema.Assessment{LearnerName: "Ana Lima", Framework: "cefr-fr",
		Results: []schema.LevelResult{{Competency: "REC.L", Level: "B1"}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := card.FromRecord(iss.Record, st, svc.Frameworks, nil, svc.BaseURL, "en")
	if err != nil {
		t.Fatal(err)
	}
	if c.VerifyURL != "https://carnet.example.org/verify" || c.IssuerDomain != "carnet.example.org" || c.Layout != "" {
		t.Errorf("verify URL %q, domain %q, layout %q", c.VerifyURL, c.IssuerDomain, c.Layout)
	}
	if len(c.Levels) != 1 || c.Levels[0].Rank != 3 || c.Levels[0].Scale != 6 || c.Levels[0].LevelTitle != "Threshold" {
		t.Errorf("levels %+v, want B1 at rank 3 of 6, Threshold", c.Levels)
	}
}
