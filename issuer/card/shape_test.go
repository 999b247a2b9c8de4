package card

import (
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"
)

func TestShapeArabic(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want: presentation forms in logical order
	}{
		{"joins", "محمد", "\uFEE3\uFEA4\uFEE4\uFEAA"},         // meem init, hah medial, meem medial, dal final
		{"right-joining breaks", "دار", "\uFEA9\uFE8D\uFEAD"}, // dal, alef, reh: none joins the next
		{"lam-alef isolated", "لا", "\uFEFB"},
		{"lam-alef final", "سلام", "\uFEB3\uFEFC\uFEE1"}, // seen init, lam-alef final, meem isolated
		{"words apart", "عبد الله", "\uFECB\uFE92\uFEAA \uFE8D\uFEDF\uFEE0\uFEEA"},
		{"hamza joins nothing", "سماء", "\uFEB3\uFEE4\uFE8E\uFE80"}, // seen init, meem medial, alef final, hamza
		{"marks are transparent", "مُحَمَّد", "\uFEE3\u064F\uFEA4\u064E\uFEE4\u064E\u0651\uFEAA"},
		{"persian", "پژ", "\uFB58\uFB8B"}, // peh initial, jeh final
		{"latin untouched", "Zoé", "Zoé"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(shapeArabic([]rune(tc.in))); got != tc.want {
				t.Errorf("shapeArabic(%q) = %U, want %U", tc.in, []rune(got), []rune(tc.want))
			}
		})
	}
}

func TestVisual(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"latin", "Zoé Martin", "Zoé Martin"},
		{"arabic reversed", "ابت ثج", "جث تبا"},
		{"latin in arabic", "علي (Ali) 2026", "2026 (Ali) يلع"},
		{"arabic in latin", "Ali علي Ben", "Ali يلع Ben"},
		{"marks follow their letter", "مُد", "دمُ"},
		{"hebrew", "שלום Dana", "Dana םולש"},
		{"arabic in brackets", "Ali (علي)", "Ali (يلع)"},
		{"unpaired bracket mirrored", "علي (", ") يلع"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := []rune(tc.in)
			if got := string(visual(rs, isRTL(rs))); got != tc.want {
				t.Errorf("visual(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestPrintable(t *testing.T) {
	if err := loadCoverage(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in, want string
		missing  bool
	}{
		{"Zoé L’Œuvre « Coco »", "Zoé L’Œuvre « Coco »", false},
		{"Zoe\u0301", "Zoé", false}, // decomposed accent composed (NFC)
		{"Олена  Шевченко\n", "Олена Шевченко", false},
		{"Ἀλέξανδρος", "Ἀλέξανδρος", false},
		{"A\u200Bna\u202E", "Ana", false}, // zero-width and bidi controls dropped
		{"李小龙", "□□□", true},
		{"Nguyễn Thị Ánh", "Nguyễn Thị Ánh", false},
		{"Ana 😀", "Ana □", true},
	} {
		got, missing := printable(tc.in)
		if string(got) != tc.want || missing != tc.missing {
			t.Errorf("printable(%q) = %q, %v; want %q, %v", tc.in, string(got), missing, tc.want, tc.missing)
		}
	}
	for _, r := range "✂□…–’«»·•Œœ€ЖЯ\u00A0\u202F\uFEAA\uFEFB\uFB58" {
		if !covered(r) {
			t.Errorf("%q (%U) is not in the fonts", r, r)
		}
	}
}

func TestCmapCoverageRejectsJunk(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("OTTO"), make([]byte, 64), []byte(strings.Repeat("x", 300))} {
		if _, err := cmapCoverage(b); err == nil {
			t.Errorf("cmapCoverage(%d bytes of junk) gave no error", len(b))
		}
	}
}

// TestQRLevel: a typical card text (about 1,025 characters: the URL and a
// 500-character token as digits) is printed at level M; a text too long for
// M within version 22 drops to L.
func TestQRLevel(t *testing.T) {
	digits := func(n int) string { return "http://localhost:8080/c#" + strings.Repeat("5647382910", n/10) }
	for _, tc := range []struct {
		name    string
		text    string
		level   qrcode.RecoveryLevel
		maxVers int
	}{
		{"typical", digits(1000), qrcode.Medium, 17},
		{"21 competencies", digits(1300), qrcode.Medium, 20},
		{"long", digits(2400), qrcode.Low, 26},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := encodeQR(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if q.Level != tc.level || q.VersionNumber > tc.maxVers {
				t.Errorf("level %d version %d, want level %d version ≤ %d", q.Level, q.VersionNumber, tc.level, tc.maxVers)
			}
			// Printed in the 58 mm square, quiet zone included.
			n := q.VersionNumber*4 + 17
			if module := qrColW / float64(n+2*quietZone); module < 0.4 || float64(n)*module < 40 {
				t.Errorf("module %.2f mm, symbol %.1f mm: want ≥ 0.4 mm and ≥ 40 mm", module, float64(n)*module)
			}
		})
	}
}
