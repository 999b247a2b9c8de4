package card_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"carnet/issuer"
	"carnet/issuer/card"
	"carnet/keys"
	"carnet/schema"
)

// shown is one text a PDF page draws: its font size (pt), where its
// baseline starts (mm from the page's top-left corner), and the text.
type shown struct {
	size, x, y float64
	text       string
}

var (
	streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`)
	// fpdf sets the font in its own BT … ET, and draws each text as
	// "BT x y Td (…) Tj ET".
	opRE = regexp.MustCompile(`(?s)/\S+ ([\d.]+) Tf|BT ([\d.-]+) ([\d.-]+) Td \(((?:[^\\)]|\\.)*)\) Tj ET`)
)

// texts reads every text a PDF draws from its content streams, with the
// font size in effect: what a printer prints, not what the renderer meant
// to. Content streams are the compressed streams that draw text.
func pdfTexts(t *testing.T, pdf []byte) []shown {
	t.Helper()
	const ptMM, pageH = 25.4 / 72, 841.89
	var out []shown
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		raw, err := io.ReadAll(zr)
		if err != nil || !bytes.Contains(raw, []byte(") Tj ET")) {
			continue // a font or an image
		}
		size := 0.0
		for _, op := range opRE.FindAllSubmatch(raw, -1) {
			if op[1] != nil {
				size, _ = strconv.ParseFloat(string(op[1]), 64)
				continue
			}
			x, _ := strconv.ParseFloat(string(op[2]), 64)
			y, _ := strconv.ParseFloat(string(op[3]), 64)
			out = append(out, shown{size: size, x: x * ptMM, y: (pageH - y) * ptMM, text: utf16Text(op[4])})
		}
	}
	if len(out) == 0 {
		t.Fatal("no text found in the PDF's content streams")
	}
	return out
}

// utf16Text decodes a PDF string literal of UTF-16BE code units.
func utf16Text(b []byte) string {
	var raw []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'n':
				raw = append(raw, '\n')
			case 'r':
				raw = append(raw, '\r')
			case 't':
				raw = append(raw, '\t')
			default:
				raw = append(raw, b[i])
			}
			continue
		}
		raw = append(raw, b[i])
	}
	u := make([]uint16, 0, len(raw)/2)
	for i := 0; i+1 < len(raw); i += 2 {
		u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
	}
	return string(utf16.Decode(u))
}

// TestTextSizes renders random cards (1 to 21 competencies of the three
// built-in frameworks, long, accented, Arabic, Cyrillic and Greek names,
// each card language, some with a logo, an expiry date, a long issuer
// name) and reads back from each PDF's content streams every text it
// draws: none is smaller than 7 pt (issue 11), on the single card's page
// and on a group's sheets. With poppler and zbar installed, it also checks
// that no word leaves its panel or lies on the QR code or on another word,
// that the QR code scans as the card's text, and that the name is there in
// full.
func TestTextSizes(t *testing.T) {
	t.Parallel()
	const n = 60
	base := "http://localhost:8080"
	now := time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(11, 7))
	svc := &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: keys.NewMemStore(), BaseURL: base,
		Now: func() time.Time { return now }, Rand: rand.NewChaCha8([32]byte{'s', 'i', 'z', 'e'})}
	issuers := []string{"Médiathèque Jean Lévy", "BM",
		"Réseau des médiathèques de la Communauté d'agglomération du Grand Sud-Ouest – Espace France Services de Saint-Martin"}
	langs := []string{"fr", "fr+en", "en+fr", "en", ""}
	logo := testLogo(t, "png")
	var cards []*card.Card
	for i := range n {
		st := &schema.Structure{Slug: "s" + strconv.Itoa(i%3), Name: issuers[i%3], CardLang: langs[i%len(langs)]}
		fwID := []string{"digcomp-2.2", "crcn-2019", "cefr-fr"}[r.IntN(3)]
		fw, err := svc.Frameworks.Get(fwID)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, a := range fw.Areas {
			for _, c := range a.Competences {
				codes = append(codes, c.Code)
			}
		}
		a := schema.Assessment{LearnerName: randomName(r), Framework: fw.ID}
		k := 1 + r.IntN(min(21, len(codes)))
		if i%7 == 0 {
			k = min(21, len(codes))
		}
		for _, j := range r.Perm(len(codes))[:k] {
			a.Results = append(a.Results, schema.LevelResult{Competency: codes[j], Level: fw.Levels[r.IntN(len(fw.Levels))].ID})
		}
		iss, err := svc.Issue(context.Background(), st, a)
		if err != nil {
			t.Fatalf("%q: %v", a.LearnerName, err)
		}
		c, err := card.FromRecord(iss.Record, st, svc.Frameworks, nil, base, "")
		if err != nil {
			t.Fatal(err)
		}
		if r.IntN(3) == 0 {
			c.ValidUntil = now.AddDate(3, 0, 0)
		}
		if r.IntN(4) == 0 {
			c.Logo = logo
		}
		cards = append(cards, c)
	}
	small := func(t *testing.T, pdf []byte) {
		t.Helper()
		for _, s := range pdfTexts(t, pdf) {
			if s.size < 7-1e-9 && strings.TrimSpace(s.text) != "" {
				t.Errorf("%q at (%.1f, %.1f) mm is %.2f pt, want ≥ 7", s.text, s.x, s.y, s.size)
			}
		}
	}
	withTools := hasTools("pdftotext", "pdftoppm", "zbarimg")
	for i, c := range cards {
		t.Run(fmt.Sprintf("%02d-%s-%d", i, c.Lang, len(c.Levels)), func(t *testing.T) {
			pdf, err := card.RenderBytes(c)
			if err != nil {
				t.Fatal(err)
			}
			small(t, pdf)
			if !withTools {
				return
			}
			s := look(t, fmt.Sprintf("sizes-%02d", i), pdf)
			if s.qr != c.QRText {
				t.Fatalf("the QR code scans as %d characters, want the %d-character QR text", len(s.qr), len(c.QRText))
			}
			// Word by word, and a hyphenated word part by part: a line of
			// a right-to-left name may break inside a Latin word.
			text := squash(arabicFolded(s.text))
			for _, w := range strings.FieldsFunc(c.LearnerName, func(r rune) bool { return r == ' ' || r == '-' }) {
				if !strings.Contains(text, squash(w)) {
					t.Errorf("the name %q: %q is not on the card", c.LearnerName, w)
				}
			}
			checkInside(t, card.LayoutCard, s)
			checkApart(t, s)
		})
	}
	t.Run("sheets", func(t *testing.T) {
		var buf bytes.Buffer
		err := card.RenderSheets(&buf, card.LayoutCard, "fr", func(yield func(*card.Card) error) error {
			for _, c := range cards {
				if err := yield(c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		small(t, buf.Bytes())
	})
}

// hasTools reports whether the named tools are installed (tools skips or,
// under CI, fails without them).
func hasTools(names ...string) bool {
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			return false
		}
	}
	return true
}

// checkApart fails when two words of the card overlap: text drawn over
// text is text nobody can read.
func checkApart(t *testing.T, s seen) {
	t.Helper()
	const slack = 0.25 // mm: glyph boxes of adjacent lines touch
	for i, a := range s.words {
		for _, b := range s.words[i+1:] {
			if a.xMin+slack < b.xMax && b.xMin+slack < a.xMax && a.yMin+slack < b.yMax && b.yMin+slack < a.yMax {
				t.Errorf("%q at (%.1f,%.1f)–(%.1f,%.1f) overlaps %q at (%.1f,%.1f)–(%.1f,%.1f) mm",
					a.text, a.xMin, a.yMin, a.xMax, a.yMax, b.text, b.xMin, b.yMin, b.xMax, b.yMax)
			}
		}
	}
}
