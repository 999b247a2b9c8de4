package qr

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"
)

// TestAgainstGoQRCode compares every version at both levels, module for
// module, with github.com/skip2/go-qrcode on texts both encode the same way
// (all digits: one numeric segment; no digits: one byte segment). The two
// may choose different masks, so the symbol must equal ours with one of
// the eight.
func TestAgainstGoQRCode(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, l := range []Level{L, M} {
		gl := map[Level]qrcode.RecoveryLevel{L: qrcode.Low, M: qrcode.Medium}[l]
		for v := 1; v <= 40; v++ {
			for _, numeric := range []bool{true, false} {
				// Fill about 90% of the version's capacity.
				bits := dataCodewords(v, l) * 8 * 9 / 10
				var sb strings.Builder
				if numeric {
					for range bits * 3 / 10 {
						sb.WriteByte(byte('0' + r.IntN(10)))
					}
				} else {
					for range bits/8 - 3 {
						sb.WriteByte(byte('a' + r.IntN(26)))
					}
				}
				text := sb.String()
				want, err := qrcode.NewWithForcedVersion(text, v, gl)
				if err != nil {
					t.Fatalf("version %d %s: go-qrcode: %v", v, l, err)
				}
				want.DisableBorder = true
				bm := want.Bitmap()
				got, err := Encode(text, l, v, v)
				if err != nil {
					t.Fatalf("version %d %s, %d characters: %v", v, l, len(text), err)
				}
				data := []byte(text)
				segs := segmentation(data, classOf(v))
				if len(segs) != 1 {
					t.Fatalf("version %d: %d segments, want 1", v, len(segs))
				}
				found := false
				for mask := range 8 {
					c := build(data, segs, v, l, mask)
					if same(c, bm) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("version %d %s numeric=%v: no mask gives go-qrcode's symbol", v, l, numeric)
				}
				if got.Size != len(bm) {
					t.Errorf("version %d: size %d, want %d", v, got.Size, len(bm))
				}
			}
		}
	}
}

func classOf(v int) int {
	switch {
	case v >= 27:
		return 2
	case v >= 10:
		return 1
	}
	return 0
}

func same(c *Code, bm [][]bool) bool {
	if c.Size != len(bm) {
		return false
	}
	for y, row := range bm {
		for x, d := range row {
			if c.Dark(x, y) != d {
				return false
			}
		}
	}
	return true
}

func TestSegmentation(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []int // modes
	}{
		{"", nil},
		{"hello", []int{modeByte}},
		{"0123456789", []int{modeNumeric}},
		{"https://carnet.example.org/c#5676" + strings.Repeat("1234567890", 50), []int{modeByte, modeNumeric}},
		{"a12b", []int{modeByte}}, // two digits are not worth a segment
		{"room 101", []int{modeByte}},
	} {
		segs := segmentation([]byte(tc.text), 1)
		var modes []int
		for _, s := range segs {
			modes = append(modes, s.mode)
		}
		if len(modes) != len(tc.want) {
			t.Errorf("%.30q: modes %v, want %v", tc.text, modes, tc.want)
			continue
		}
		for i := range modes {
			if modes[i] != tc.want[i] {
				t.Errorf("%.30q: modes %v, want %v", tc.text, modes, tc.want)
			}
		}
	}
}

func TestVersions(t *testing.T) {
	// A typical card: the URL and about 1,000 digits fit version 16 at M.
	text := "https://carnet.example.org/c#" + strings.Repeat("5617283940", 100)
	c, err := Encode(text, M, 1, 40)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version > 16 {
		t.Errorf("version %d, want at most 16", c.Version)
	}
	if _, err := Encode(strings.Repeat("x", 3000), M, 1, 40); err != ErrTooLong {
		t.Errorf("3,000 bytes at M: %v, want ErrTooLong", err)
	}
	if _, err := Encode(text, M, 1, 10); err != ErrTooLong {
		t.Errorf("version ≤ 10: %v, want ErrTooLong", err)
	}
}

func BenchmarkEncode(b *testing.B) {
	text := "https://carnet.example.org/c#" + strings.Repeat("5617283940", 100)
	for b.Loop() {
		if _, err := Encode(text, M, 1, 40); err != nil {
			b.Fatal(err)
		}
	}
}
