package card

import (
	"math"
	"math/rand/v2"
	"testing"

	goqr "github.com/piglig/go-qr"
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
		// Issue 11: digits in right-to-left text keep their order.
		{"digits after arabic", "محمد 2024", "2024 دمحم"},
		{"digits first in arabic", "2024 محمد", "دمحم 2024"},
		{"arabic-indic digits", "محمد ٢٠٢٤", "٢٠٢٤ دمحم"},
		{"two numbers in arabic", "علي 12 محمد 345", "345 دمحم 12 يلع"},
		{"number with separators", "محمد 12-34 1.5", "1.5 12-34 دمحم"},
		{"digits after arabic in latin", "Ali محمد 2024", "Ali 2024 دمحم"},
		{"digits after latin in arabic", "محمد Ali 2024", "Ali 2024 دمحم"},
		{"latin digits stay", "Zoé 2024", "Zoé 2024"},
		{"hyphen of a broken word", "علي Kowalczyk-", "Kowalczyk- يلع"},
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

// TestQRLevel: the symbol is the smallest version at level L, raised to M
// or beyond when that version holds it; on the card its modules are at
// least 0.6 mm for every text up to version 15 (the longest Carnet issues:
// 21 competencies, a long name, a long address), with the quiet zone
// within the card's height; the attestation's are at least 4 pixels at
// 150 dpi. The mask printed is one gozxing reads back, with no
// finder-like pattern in the data.
func TestQRLevel(t *testing.T) {
	// Digits as random as a token's (a periodic text makes periodic,
	// unrepresentative symbols).
	r := rand.New(rand.NewPCG(11, 1))
	digits := func(n int) string {
		b := []byte("https://carnet.example.org/c#")
		for range n {
			b = append(b, byte('0'+r.IntN(10)))
		}
		return string(b)
	}
	for _, tc := range []struct {
		name    string
		text    string
		maxVers int
		card06  bool // modules of at least 0.6 mm on the card
	}{
		{"short", digits(100), 5, true},
		{"typical", digits(830), 13, true},
		{"21 competencies, long name and address", digits(1050), 15, true},
		{"longer than Carnet's", digits(2400), 26, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := encodeQR(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if q.Version > tc.maxVers {
				t.Errorf("version %d, want ≤ %d", q.Version, tc.maxVers)
			}
			if q.Version > 1 {
				if _, err := encodeQR(tc.text); err != nil || fits(tc.text, q.Version-1) {
					t.Errorf("version %d is not the smallest", q.Version)
				}
			}
			if q.Level != eccLevels[len(eccLevels)-1] && fits2(tc.text, q.Version, eccLevels[int(q.Level)+1]) {
				t.Errorf("level %d: version %d holds a higher level", q.Level, q.Version)
			}
			if r := zxing33Reads(q, scanViews); r != len(scanViews) {
				t.Errorf("mask %d (%d finder look-alikes): ZXing 3.3 reads it in %d of the %d views", q.Mask, fakeFinders(q), r, len(scanViews))
			}
			if got := zxing33Decode(blur(renderTurned(q, 3.7, 5))); got != tc.text {
				t.Errorf("mask %d: ZXing 3.3 decodes %.40q…, turned and blurred", q.Mask, got)
			}
			m, s := cardQRSize(q)
			if tc.card06 && m < minModule {
				t.Errorf("card: module %.3f mm, want ≥ %.1f", m, minModule)
			}
			if want := m * float64(q.Size()+2*quietZone); math.Abs(s-want) > 1e-6 || s > cardH-2*qrEdge+1e-6 {
				t.Errorf("card: side %.2f mm, want %.2f within %.1f", s, want, cardH-2*qrEdge)
			}
			if m, _ = a4QRSize(q); tc.card06 && m < minModule {
				t.Errorf("a4: module %.3f mm, want ≥ %.1f", m, minModule)
			}
		})
	}
}

// fits reports whether text fits version v at level L.
func fits(text string, v int) bool { return fits2(text, v, goqr.Low) }

func fits2(text string, v int, l goqr.Ecc) bool {
	segs, err := qrSegments(text, 0)
	if err != nil {
		return false
	}
	_, err = goqr.EncodeSegments(segs, l, v, v, 0, false)
	return err == nil
}
