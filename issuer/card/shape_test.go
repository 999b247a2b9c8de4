package card

import (
	"math"
	"strings"
	"testing"

	"carnet/issuer/card/internal/qr"
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
	if err := loadFonts(); err != nil {
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

// TestQRLevel: a typical card text (about 1,025 characters: the URL and a
// 500-character token as digits) is printed at level M; a text too long for
// M within version 22 drops to L. Realistic texts get whole-pixel modules
// of at least 2 pixels at 150 dpi on the card, 3 on the attestation.
func TestQRLevel(t *testing.T) {
	digits := func(n int) string { return "http://localhost:8080/c#" + strings.Repeat("5647382910", n/10) }
	for _, tc := range []struct {
		name         string
		text         string
		level        qr.Level
		maxVers      int
		cardPx, a4Px int // smallest module in 150 dpi pixels; 0: not checked
	}{
		{"typical", digits(1000), qr.M, 17, 2, 3},
		{"21 competencies", digits(1300), qr.M, 20, 2, 3},
		{"long name, long address", digits(1650), qr.M, 22, 2, 2},
		{"long", digits(2400), qr.L, 26, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := encodeQR(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if q.Level != tc.level || q.Version > tc.maxVers {
				t.Errorf("level %s version %d, want level %s version ≤ %d", q.Level, q.Version, tc.level, tc.maxVers)
			}
			check := func(layout string, module, side float64, px int) {
				t.Helper()
				k := module / px150
				if px > 0 && (k < float64(px)-1e-6 || math.Abs(k-math.Round(k)) > 1e-6) {
					t.Errorf("%s: module %.3f mm = %.2f pixels at 150 dpi, want a whole number ≥ %d", layout, module, k, px)
				}
				if want := module * float64(q.Size+2*quietZone); math.Abs(side-want) > 1e-6 {
					t.Errorf("%s: side %.2f mm, want %.2f", layout, side, want)
				}
			}
			m, s := cardQRSize(q)
			check("card", m, s, tc.cardPx)
			if s > 40+1e-6 {
				t.Errorf("card: QR code %.1f mm wide, want ≤ 40", s)
			}
			m, s = qrSize(q, a4QRMax, 4)
			check("a4", m, s, tc.a4Px)
		})
	}
}
