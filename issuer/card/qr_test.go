package card

import (
	"image"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestQRCache: a text's symbol is chosen once and reused; the cache keeps
// the last qrCacheSize texts only.
func TestQRCache(t *testing.T) {
	text := func(i int) string { return "https://carnet.example.org/c#" + strconv.Itoa(1_000_000+i) + "0123456789" }
	a, err := encodeQR(text(0))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := encodeQR(text(0)); b != a {
		t.Error("the same text gave another symbol: not cached")
	}
	for i := 1; i <= qrCacheSize; i++ {
		if _, err := encodeQR(text(i)); err != nil {
			t.Fatal(err)
		}
	}
	qrCache.Lock()
	n, kept := len(qrCache.codes), qrCache.codes[text(0)] != nil
	qrCache.Unlock()
	if n > qrCacheSize || kept {
		t.Errorf("%d symbols cached (at most %d), the oldest kept: %v", n, qrCacheSize, kept)
	}
	if c, _ := encodeQR(text(0)); c == a || c.Size() != a.Size() {
		t.Error("an evicted text was not chosen again")
	}
}

// qrBenchText is a six-competency card's QR text: the address, then 830
// digits (a token is as good as random digits).
func qrBenchText() string {
	r := rand.New(rand.NewPCG(6, 830))
	b := []byte("https://carnet.example.org/c#")
	for range 830 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return string(b)
}

// BenchmarkChooseQR is the symbol choice of a new QR text (encodeQR
// without its cache): the candidates, their look-alikes, gozxing's read.
func BenchmarkChooseQR(b *testing.B) {
	text := qrBenchText()
	for b.Loop() {
		if _, err := chooseQR(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFakeFinders counts the look-alikes of one candidate symbol.
func BenchmarkFakeFinders(b *testing.B) {
	q, err := chooseQR(qrBenchText())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		fakeFinders(q)
	}
}

// renderTurned draws q with its quiet zone, px pixels a module (not
// necessarily whole: modules then differ by a pixel, as in a photo),
// turned by deg degrees about its centre on a white canvas that holds it.
func renderTurned(q *qrCode, px, deg float64) *image.Gray {
	n := q.Size()
	side := float64(n+2*quietZone) * px
	s, c := math.Sincos(deg * math.Pi / 180)
	W := int(math.Ceil(side*math.Abs(c) + side*math.Abs(s)))
	out := image.NewGray(image.Rect(0, 0, W, W))
	dark := make([]bool, n*n)
	for y := range n {
		for x := range n {
			dark[y*n+x] = q.Dark(x, y)
		}
	}
	half, mid := float64(W)/2, side/2
	k := 1 / px
	for Y := range W {
		// The module coordinates of this row's first pixel centre, and
		// their step from one pixel to the next: the transform is affine.
		dx, dy := 0.5-half, float64(Y)+0.5-half
		sx, sy := (c*dx+s*dy+mid)*k, (-s*dx+c*dy+mid)*k
		row := out.Pix[Y*out.Stride : Y*out.Stride+W]
		for X := range row {
			mx, my := int(math.Floor(sx))-quietZone, int(math.Floor(sy))-quietZone
			if mx >= 0 && my >= 0 && mx < n && my < n && dark[my*n+mx] {
				row[X] = 0
			} else {
				row[X] = 255
			}
			sx, sy = sx+c*k, sy-s*k
		}
	}
	return out
}

// blur is the 3 × 3 binomial kernel (1 2 1)ᵀ(1 2 1)/16; the border
// pixels, quiet zone, stay as they are.
func blur(img *image.Gray) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewGray(img.Rect)
	copy(out.Pix, img.Pix)
	tmp := make([]uint16, w*h)
	for y := range h {
		p := img.Pix[y*img.Stride : y*img.Stride+w]
		t := tmp[y*w : (y+1)*w]
		for x := 1; x < w-1; x++ {
			t[x] = uint16(p[x-1]) + 2*uint16(p[x]) + uint16(p[x+1])
		}
	}
	for y := 1; y < h-1; y++ {
		a, b, c := tmp[(y-1)*w:y*w], tmp[y*w:(y+1)*w], tmp[(y+1)*w:(y+2)*w]
		o := out.Pix[y*out.Stride : y*out.Stride+w]
		for x := 1; x < w-1; x++ {
			o[x] = uint8((a[x] + 2*b[x] + c[x] + 8) / 16)
		}
	}
	return out
}
