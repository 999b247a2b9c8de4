package card_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
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

// Run with -keep DIR to keep each card's PDF and PNG for a look.
var keep = flag.String("keep", "", "directory where the rendered PDFs and PNGs are kept")

var issued = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

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

var digcomp = []card.Level{
	{"1.1", "Naviguer, rechercher et filtrer des données, des informations et des contenus numériques", "3", "Niveau 3"},
	{"1.2", "Évaluer des données, des informations et des contenus numériques", "2", "Niveau 2"},
	{"1.3", "Gérer des données, des informations et des contenus numériques", "2", "Niveau 2"},
	{"2.1", "Interagir au moyen des technologies numériques", "4", "Niveau 4"},
	{"2.2", "Partager au moyen des technologies numériques", "3", "Niveau 3"},
	{"2.3", "Exercer sa citoyenneté au moyen des technologies numériques", "1", "Niveau 1"},
	{"2.4", "Collaborer au moyen des technologies numériques", "2", "Niveau 2"},
	{"2.5", "Nétiquette", "5", "Niveau 5"},
	{"2.6", "Gérer son identité numérique", "2", "Niveau 2"},
	{"3.1", "Développer des contenus numériques", "3", "Niveau 3"},
	{"3.2", "Intégrer et réélaborer des contenus numériques", "2", "Niveau 2"},
	{"3.3", "Droit d'auteur et licences", "1", "Niveau 1"},
	{"3.4", "Programmation", "1", "Niveau 1"},
	{"4.1", "Protéger les appareils", "3", "Niveau 3"},
	{"4.2", "Protéger les données personnelles et la vie privée", "2", "Niveau 2"},
	{"4.3", "Protéger la santé et le bien-être", "4", "Niveau 4"},
	{"4.4", "Protéger l'environnement", "2", "Niveau 2"},
	{"5.1", "Résoudre des problèmes techniques", "1", "Niveau 1"},
	{"5.2", "Identifier des besoins et des réponses technologiques", "2", "Niveau 2"},
	{"5.3", "Utiliser les technologies numériques de manière créative", "3", "Niveau 3"},
	{"5.4", "Repérer ses lacunes en compétences numériques", "8", "Niveau 8"},
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
		CredentialID:   "urn:uuid:6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
	}
}

// seen is what a reader and a scanner get from a rendered card.
type seen struct {
	text  string // pdftotext, reading order
	qr    string // zbarimg on a 150 dpi rendering
	pages int
	words []word // pdftotext -bbox: every word and its box, in mm
}

type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

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
	for _, m := range wordRE.FindAllStringSubmatch(run("pdftotext", "-bbox", "-enc", "UTF-8", base+".pdf", "-"), -1) {
		f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v * ptMM }
		s.words = append(s.words, word{m[5], f(1), f(2), f(3), f(4)})
	}
	run("pdftoppm", "-r", "150", "-png", "-singlefile", base+".pdf", base)
	s.qr = strings.TrimSuffix(run("zbarimg", "--raw", "-q", base+".png"), "\n")
	return s
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

// Where things are on the page (mm), from the layout in card.go.
const (
	cardLeft, cardRight, cardBottom = 5.0, 205.0, 143.5
	qrLeft, qrTop, qrRight, qrBot   = 141.0, 11.0, 199.0, 69.0
	leftColumnRight                 = 135.0
)

func TestRenderSeen(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	for _, tc := range []struct {
		name      string
		card      func(t *testing.T) *card.Card
		inText    []string // must appear in the extracted text (white space ignored)
		absent    []string // must not appear
		shown     string   // the name as printed, when not as given
		cutTitles bool     // competency titles may be cut with "…"
	}{
		{name: "six-fr", card: func(t *testing.T) *card.Card { return newCard(t, "Zoé L’Œuvre-Dubœuf « Coco »", six()) },
			inText: []string{"Carnet de compétences", "Skills card", "Délivré le", "14 mars 2026",
				"Scannez avec l’appareil photo d’un téléphone", "Scan with a phone camera"}},
		{name: "six-en", card: func(t *testing.T) *card.Card {
			c := newCard(t, "Éloïse Ndiaye-Bérénice", six())
			c.Lang = "en"
			c.ValidUntil = issued.AddDate(2, 0, 0)
			return c
		}, inText: []string{"Issued on", "14 March 2026", "Valid until", "14 March 2028"}},
		{name: "digcomp-21", card: func(t *testing.T) *card.Card { return newCard(t, "Samuel Okonkwo", digcomp) },
			absent: []string{"autres compétences", "…"}},
		{name: "long-name-120", card: func(t *testing.T) *card.Card {
			name := "Maria-Guadalupe Esperanza Concepción de los Ángeles Fernández-Villalobos y Santa-Cruz de la Peña Montenegro Aranda Sáenz"
			if n := len([]rune(name)); n != schema.MaxNameLength {
				t.Fatalf("the long name has %d characters, want %d", n, schema.MaxNameLength)
			}
			return newCard(t, name, six())
		}, absent: []string{"…"}},
		{name: "everything-long", card: func(t *testing.T) *card.Card {
			c := newCard(t, "Nguyễn Thị Ánh-Tuyết 阮氏映雪 Marie-Françoise Oluwaseun Adébáyọ̀ Kowalczyk-Szczepańska de Saint-Exupéry Ωμέγα", digcomp)
			c.IssuerName = "Réseau des médiathèques de la Communauté d'agglomération du Grand Sud-Ouest – Espace France Services de Saint-Martin"
			c.IssuerDomain = "carnet.reseau-des-mediatheques-de-la-communaute-d-agglomeration.example.fr"
			c.FrameworkTitle = "Cadre européen commun de référence pour les langues (CECRL) – appliqué au français langue étrangère/seconde, version 2020"
			c.ValidUntil = issued.AddDate(3, 0, 0)
			return c
		}, inText: []string{"Valable jusqu’au", "14 mars 2029"},
			shown:     "Nguyễn Thị Ánh-Tuyết □□□□ Marie-Françoise Oluwaseun Adébáyọ̀ Kowalczyk-Szczepańska de Saint-Exupéry Ωμέγα",
			cutTitles: true},
		{name: "cyrillic", card: func(t *testing.T) *card.Card {
			return newCard(t, "Олена Шевченко-Ковальчук", six())
		}},
		{name: "cefr", card: func(t *testing.T) *card.Card {
			c := newCard(t, "Dmitri Ivanov", []card.Level{
				{"REC.L", "Compréhension de l'oral", "B1", "Niveau seuil"},
				{"PROD.W", "Production écrite", "A2", "Niveau intermédiaire ou usuel"},
				{"INT.O", "Interaction en ligne", "C1", "Niveau autonome (compétence opérationnelle effective)"},
			})
			c.FrameworkTitle = "Cadre européen commun de référence pour les langues (CECRL) – appliqué au français langue étrangère/seconde"
			return c
		}, inText: []string{"B1 – Niveau seuil", "C1 – Niveau autonome (compétence opérationnelle effective)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tc.card(t)
			pdf, err := card.RenderBytes(c)
			if err != nil {
				t.Fatal(err)
			}
			s := look(t, tc.name, pdf)
			if s.qr != c.QRText {
				t.Fatalf("the QR code scans as %d characters %.60q…, want the %d-character QR text", len(s.qr), s.qr, len(c.QRText))
			}
			if s.pages != 1 {
				t.Errorf("%d pages, want 1", s.pages)
			}
			shown := c.LearnerName
			if tc.shown != "" {
				shown = tc.shown
			}
			want := append([]string{shown, c.IssuerName, c.IssuerDomain, c.ShortCode, c.FrameworkTitle}, tc.inText...)
			text := squash(s.text)
			for _, w := range want {
				if !strings.Contains(text, squash(w)) {
					t.Errorf("the card does not show %q; it reads:\n%s", w, s.text)
				}
			}
			for _, l := range c.Levels {
				checkRow(t, s, l, tc.cutTitles)
			}
			for _, a := range tc.absent {
				if strings.Contains(s.text, a) {
					t.Errorf("the card shows %q", a)
				}
			}
			checkInside(t, s.words)
		})
	}
}

// checkRow checks that a competency reads as one row: its code, then the
// words of its title and of its level in order (pdftotext may interleave the
// lines of the title and level cells), and the level on the code's line.
func checkRow(t *testing.T, s seen, l card.Level, cutTitle bool) {
	t.Helper()
	title := strings.Fields(l.Title)
	if cutTitle {
		title = title[:1]
	}
	level := strings.Fields(l.LevelTitle)
	if !inOrder(s.text, append(append([]string{l.Code}, title...), level...)) &&
		!inOrder(s.text, append(append([]string{l.Code}, level...), title...)) {
		t.Errorf("the card does not show competency %s %q at level %q; it reads:\n%s", l.Code, l.Title, l.LevelTitle, s.text)
		return
	}
	for _, c := range s.words {
		if c.text != l.Code {
			continue
		}
		for _, w := range s.words {
			if w.text == level[0] && w.xMin > c.xMax && abs(w.yMin-c.yMin) < 0.5 {
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

// checkInside fails when a word of the card leaves the card's frame or runs
// into the QR column: text that overflows is text a person cannot read.
func checkInside(t *testing.T, words []word) {
	t.Helper()
	for _, w := range words {
		if w.yMin >= cardBottom { // the guide under the cut line
			continue
		}
		if w.xMin < cardLeft || w.xMax > cardRight || w.yMax > cardBottom {
			t.Errorf("%q at (%.1f,%.1f)–(%.1f,%.1f) mm leaves the card", w.text, w.xMin, w.yMin, w.xMax, w.yMax)
		}
		if w.xMin < leftColumnRight && w.xMax > leftColumnRight+0.5 {
			t.Errorf("%q at x %.1f–%.1f mm runs into the QR column", w.text, w.xMin, w.xMax)
		}
		if w.xMax > qrLeft && w.xMin < qrRight && w.yMax > qrTop && w.yMin < qrBot {
			t.Errorf("%q at (%.1f,%.1f) mm is on the QR code", w.text, w.xMin, w.yMin)
		}
	}
}

// TestRenderScripts covers names the fonts draw only with help (Arabic,
// joined and reordered by the package) or not at all (Chinese).
func TestRenderScripts(t *testing.T) {
	t.Parallel()
	tools(t, "pdftotext", "pdftoppm", "zbarimg")
	t.Run("arabic", func(t *testing.T) {
		t.Parallel()
		c := newCard(t, "محمد عبد الله", six())
		pdf, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		s := look(t, "arabic", pdf)
		if s.qr != c.QRText {
			t.Fatalf("the QR code does not scan back")
		}
		// The PDF holds joined presentation forms in visual order.
		// pdftotext reads them back right to left, in logical order; folded
		// back to base letters (NFKC), they are the name.
		var found bool
		for line := range strings.SplitSeq(s.text, "\n") {
			line = strings.Map(func(r rune) rune {
				if unicode.Is(unicode.Cf, r) { // the embedding marks pdftotext adds
					return -1
				}
				return r
			}, norm.NFKC.String(line))
			if strings.Contains(line, c.LearnerName) {
				found = true
			}
		}
		if !found {
			t.Errorf("the Arabic name is not on the card; it reads:\n%s", s.text)
		}
		if strings.ContainsAny(s.text, "محمد") {
			t.Errorf("unjoined Arabic letters on the card:\n%s", s.text)
		}
		checkInside(t, s.words)
	})
	t.Run("chinese", func(t *testing.T) {
		t.Parallel()
		c := newCard(t, "李小龙 (Bruce Lee)", six())
		pdf, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		s := look(t, "chinese", pdf)
		if s.qr != c.QRText {
			t.Fatalf("the QR code does not scan back")
		}
		if got := nameInQR(t, s.qr); got != c.LearnerName {
			t.Errorf("the QR code carries the name %q, want %q", got, c.LearnerName)
		}
		for _, w := range []string{"□□□ (Bruce Lee)", "le nom complet est dans le QR code", "the full name is in the QR code"} {
			if !strings.Contains(squash(s.text), squash(w)) {
				t.Errorf("the card does not show %q; it reads:\n%s", w, s.text)
			}
		}
		checkInside(t, s.words)
	})
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
	c := newCard(t, "Ana Lima", levels)
	pdf, err := card.RenderBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	s := look(t, "many-63", pdf)
	if s.qr != c.QRText {
		t.Fatalf("the QR code (%d characters) does not scan back", len(c.QRText))
	}
	m := regexp.MustCompile(`et (\d+) autres compétences`).FindStringSubmatch(s.text)
	if m == nil {
		t.Fatalf("no line counts the competencies left out; the card reads:\n%s", s.text)
	}
	n, _ := strconv.Atoi(m[1])
	shown := 0
	for _, l := range levels {
		if strings.Contains(s.text, l.Code) {
			shown++
		}
	}
	if shown+n != len(levels) || shown < 30 {
		t.Errorf("%d competencies shown and %d counted as left out, want %d in all and at least 30 shown", shown, n, len(levels))
	}
	checkInside(t, s.words)
}

// TestRenderTypicalQR checks the fixture is the realistic QR text of
// DESIGN.md (about 1,025 characters for six competencies).
func TestRenderTypicalQR(t *testing.T) {
	qr := genuineQR(t, "Éloïse Ndiaye-Bérénice", six())
	if n := len(qr); n < 950 || n > 1100 {
		t.Errorf("a typical QR text has %d characters, want about 1,025", n)
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := card.Render(io.Discard, tc.card)
			if code := schema.ErrorCode(err); code != schema.EINVALID {
				t.Errorf("error %v has code %q, want %q", err, code, schema.EINVALID)
			}
		})
	}
}

// TestRenderDeterministic: the same card gives the same file, so a card
// can be rendered again on demand instead of stored.
func TestRenderDeterministic(t *testing.T) {
	c := newCard(t, "Ana Lima", six())
	a, err := card.RenderBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := card.RenderBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renderings of the same card differ")
	}
}

// TestRenderConcurrent: a server renders cards for several requests at once.
func TestRenderConcurrent(t *testing.T) {
	cards := []*card.Card{newCard(t, "Ana Lima", six()), newCard(t, "محمد عبد الله", digcomp), newCard(t, "李小龙", six())}
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

func BenchmarkRender(b *testing.B) {
	c := newCard(b, "Éloïse Ndiaye-Bérénice", six())
	var size int
	for b.Loop() {
		pdf, err := card.RenderBytes(c)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}

func ExampleRender() {
	c := &card.Card{
		Lang:           "fr",
		IssuerName:     "Médiathèque Jean Lévy",
		IssuerDomain:   "carnet.bm-lille.fr",
		LearnerName:    "Éloïse Ndiaye",
		FrameworkTitle: "DigComp 2.2",
		Levels:         []card.Level{{Code: "1.1", Title: "Naviguer, rechercher et filtrer des données", Level: "3", LevelTitle: "Niveau 3"}},
		IssuedAt:       time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC),
		QRText:         "https://carnet.bm-lille.fr/c#5676",
		ShortCode:      "K7QM-4XPA-9D",
	}
	pdf, err := card.RenderBytes(c)
	fmt.Println(err, bytes.HasPrefix(pdf, []byte("%PDF-")))
	// Output: <nil> true
}
