package ttf

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
)

func load(t testing.TB) *Font {
	t.Helper()
	b, err := os.ReadFile("../../fonts/DejaVuSans-subset.ttf")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseRejectsJunk(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("OTTO"), make([]byte, 64), []byte(strings.Repeat("x", 300)),
		append([]byte{0, 1, 0, 0, 0, 1}, make([]byte, 40)...)} {
		if _, err := Parse(b); err == nil {
			t.Errorf("Parse(%d bytes of junk) gave no error", len(b))
		}
	}
}

// TestSubset: a subset has the characters asked for that the font has,
// .notdef, the components of composite glyphs, and nothing else; it parses
// again, and fpdf draws with it.
func TestSubset(t *testing.T) {
	f := load(t)
	text := "Zoé L’Œuvre Ǻ Олена ﻣﺤﻤﺪ …□"
	runes := append([]rune(text), '李') // not in the font: left out
	b, glyphs, err := f.Subset(runes)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(b)
	if err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	for _, r := range text {
		if !s.Has(r) {
			t.Errorf("the subset lacks %q", r)
		}
	}
	if s.Has('李') || s.Has('x') {
		t.Error("the subset has characters not asked for")
	}
	if n := len(s.Runes()); glyphs < n+1 || glyphs > n+8 {
		t.Errorf("%d glyphs for %d characters", glyphs, n)
	}
	if len(b) > 20_000 {
		t.Errorf("the subset has %d bytes", len(b))
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("sans", "", b)
	pdf.AddPage()
	pdf.SetFont("sans", "", 12)
	pdf.Text(10, 10, text)
	want := 0.0
	full := fpdf.New("P", "mm", "A4", "")
	whole, _, _ := f.Subset(f.Runes())
	full.AddUTF8FontFromBytes("sans", "", whole)
	full.AddPage()
	full.SetFont("sans", "", 12)
	want = full.GetStringWidth(text)
	if got := pdf.GetStringWidth(text); got != want {
		t.Errorf("width %.3f mm in the subset, %.3f in the font", got, want)
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		t.Fatal(err)
	}
}

func TestKeepNames(t *testing.T) {
	f := load(t)
	f.KeepNames(1, 2)
	b, _, err := f.Subset([]rune("a"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	name := s.tables["name"]
	if n := int(be.Uint16(name[2:])); n != 2 {
		t.Errorf("%d name records, want 2", n)
	}
	if !bytes.Contains(name, []byte{0, 'D', 0, 'e', 0, 'j', 0, 'a', 0, 'V', 0, 'u'}) {
		t.Error("the family name is gone")
	}
}

func BenchmarkSubset(b *testing.B) {
	f := load(b)
	runes := []rune("Carnet de compétences Skills card Éloïse Ndiaye-Bérénice Médiathèque Jean Lévy 0123456789 …·–•□ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
	for b.Loop() {
		if _, _, err := f.Subset(runes); err != nil {
			b.Fatal(err)
		}
	}
}
