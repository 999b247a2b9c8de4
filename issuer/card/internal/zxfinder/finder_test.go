package zxfinder

import (
	"math"
	"testing"

	goqr "github.com/piglig/go-qr"
)

// render draws a QR code of text with a 4-module quiet zone, px pixels a
// module, upright.
func render(t *testing.T, text string, px int) (*Image, int) {
	t.Helper()
	q, err := goqr.EncodeText(text, goqr.Low)
	if err != nil {
		t.Fatal(err)
	}
	n := q.Size()
	W := (n + 8) * px
	img := &Image{W: W, H: W, Pix: make([]byte, W*W)}
	for y := range W {
		for x := range W {
			mx, my := x/px-4, y/px-4
			if mx >= 0 && my >= 0 && mx < n && my < n && q.Module(mx, my) {
				img.Pix[y*W+x] = 1
			}
		}
	}
	return img, n
}

func TestFindCorners(t *testing.T) {
	for _, px := range []int{3, 4, 7} {
		img, n := render(t, "https://carnet.example.org/c#1234567890", px)
		info, centers, err := Find(img)
		if err != nil {
			t.Fatalf("%d px: %v", px, err)
		}
		at := func(u, v float64) (float64, float64) { return (u + 4) * float64(px), (v + 4) * float64(px) }
		c, far := 3.5, float64(n)-3.5
		got := []*struct{ x, y float64 }{
			{info.GetBottomLeft().GetX(), info.GetBottomLeft().GetY()},
			{info.GetTopLeft().GetX(), info.GetTopLeft().GetY()},
			{info.GetTopRight().GetX(), info.GetTopRight().GetY()},
		}
		for i, p := range []struct{ x, y float64 }{{c, far}, {c, c}, {far, c}} {
			x, y := at(p.x, p.y)
			if math.Hypot(got[i].x-x, got[i].y-y) > 1 {
				t.Errorf("%d px: corner %d at (%.1f, %.1f), want (%.1f, %.1f)", px, i, got[i].x, got[i].y, x, y)
			}
		}
		if len(centers) < 3 {
			t.Errorf("%d px: %d centres", px, len(centers))
		}
		if m := info.GetTopLeft().GetEstimatedModuleSize(); math.Abs(m-float64(px)) > 0.5 {
			t.Errorf("%d px: module size %.2f", px, m)
		}
	}
}

func TestFindNothing(t *testing.T) {
	img := &Image{W: 100, H: 100, Pix: make([]byte, 100*100)}
	if _, _, err := Find(img); err == nil {
		t.Error("a blank image gave three finder patterns")
	}
	for i := range img.Pix { // stripes: runs but no 1:1:3:1:1 both ways
		if (i%100)/5%2 == 0 {
			img.Pix[i] = 1
		}
	}
	if _, _, err := Find(img); err == nil {
		t.Error("stripes gave three finder patterns")
	}
}

// TestFoundPatternCross: the integer form keeps ZXing's floating-point
// inequalities, on every run of five up to 40 pixels a run.
func TestFoundPatternCross(t *testing.T) {
	float := func(s [5]int) bool {
		total := 0
		for _, c := range s {
			if c == 0 {
				return false
			}
			total += c
		}
		if total < 7 {
			return false
		}
		ms := float64(total) / 7.0
		mv := ms / 2.0
		return math.Abs(ms-float64(s[0])) < mv && math.Abs(ms-float64(s[1])) < mv &&
			math.Abs(3.0*ms-float64(s[2])) < 3*mv && math.Abs(ms-float64(s[3])) < mv && math.Abs(ms-float64(s[4])) < mv
	}
	for a := 1; a <= 12; a++ {
		for b := 1; b <= 12; b++ {
			for c := 1; c <= 40; c++ {
				for d := 1; d <= 12; d++ {
					for e := 1; e <= 12; e++ {
						s := [5]int{a, b, c, d, e}
						if foundPatternCross(s) != float(s) {
							t.Fatalf("%v: integer %v, ZXing %v", s, foundPatternCross(s), float(s))
						}
					}
				}
			}
		}
	}
}
