package card

import (
	"math"

	zxdetector "github.com/makiuchi-d/gozxing/qrcode/detector"

	"carnet/issuer/card/internal/zxfinder"
)

// scanView is one way a phone's camera may see a printed symbol: px
// pixels a module, turned by deg degrees, the grid shifted by a fraction
// of a pixel across (phase) and down (phaseY): the pixel phase decides
// where module edges fall. In a view marked detect, the whole detection is
// checked (zxing33Reads).
type scanView struct {
	px, deg, phase, phaseY float64
	detect                 bool
}

// scanViews are the views encodeQR checks a symbol in with ZXing 3.3's
// search (zxing33Reads), for the module sizes a card is printed with (0.64
// to 0.72 mm). Upright and coarse, as from arm's length: 3.0 to 3.6 pixels
// a module (120 to 128 dpi), three views each; then finer and turned by 5°
// either way, as held askew: 4.9 to 6.1 pixels a module (200 to 214 dpi).
// Each view has its own pixel phase across and down: where the module
// edges fall on the pixels decides which finder look-alikes ZXing
// confirms. Measured (issue 11): a symbol read at half the phases of one
// scale was missed at the others, and misses come in small pockets of the
// phase square, which views at the same phase across and down never meet.
var scanViews = func() []scanView {
	// Phases across and down differ (x, y in [0, 1)), spread over the
	// square by the golden ratio's steps.
	const g = 0.6180339887
	k := 0
	next := func() (float64, float64) {
		k++
		return math.Mod(float64(k)*g, 1), math.Mod(float64(k)*g*g+0.5, 1)
	}
	var v []scanView
	for i, px := range []float64{3.0, 3.2, 3.4, 3.6} {
		for j := range 3 {
			x, y := next()
			v = append(v, scanView{px: px, phase: x, phaseY: y, detect: i < 2 && j == 0})
		}
	}
	for _, px := range []float64{4.9, 5.3, 5.7, 6.1} {
		for _, deg := range []float64{5, -5} {
			x, y := next()
			v = append(v, scanView{px: px, deg: deg, phase: x, phaseY: y})
		}
	}
	return v
}()

// zxing33Reads returns how many of views the symbol q is read in by ZXing
// 3.3, stopping at the first view it is not read in. Read means that the
// finder search (zxfinder) takes the symbol's own three finder patterns
// for its corners, each within a module and a half of its centre; and, in
// the views marked detect, the coarsest, where a corner a pixel off
// changes the dimension, that gozxing's detector then samples the grid back
// with at most 1 module in 100 wrong (the error correction of any level
// restores that; a wrong dimension or corner gives half the modules wrong).
func zxing33Reads(q *qrCode, views []scanView) int {
	n := q.Size()
	dark := make([]bool, n*n)
	for y := range n {
		for x := range n {
			dark[y*n+x] = q.Module(x, y)
		}
	}
	var img zxfinder.Image
	for k, v := range views {
		var src zxfinder.Source = &img
		var toPixel func(u, w float64) (float64, float64)
		if v.deg == 0 {
			toPixel = renderUpright(&img, dark, n, v)
		} else {
			src, toPixel = newTurnedView(dark, n, v)
		}
		info, _, err := zxfinder.Find(src)
		if err != nil {
			return k
		}
		// The finder patterns' centres are 3.5 modules in from the corners.
		c := 3.5
		far := float64(n) - 3.5
		for i, p := range []*zxdetector.FinderPattern{info.GetBottomLeft(), info.GetTopLeft(), info.GetTopRight()} {
			u, w := []float64{c, c, far}[i], []float64{far, c, c}[i]
			x, y := toPixel(u, w)
			if math.Hypot(p.GetX()-x, p.GetY()-y) > 1.5*v.px {
				return k
			}
		}
		if !v.detect || v.deg != 0 {
			continue
		}
		bm := img.BitMatrix()
		det, err := zxdetector.NewDetector(bm).ProcessFinderPatternInfo(info)
		if err != nil {
			return k
		}
		bits := det.GetBits()
		if bits.GetWidth() != n || bits.GetHeight() != n {
			return k
		}
		wrong := 0
		for y := range n {
			for x := range n {
				if bits.Get(x, y) != dark[y*n+x] {
					wrong++
				}
			}
		}
		if wrong > n*n/100 {
			return k
		}
	}
	return len(views)
}

// renderUpright draws the symbol of n × n modules dark (row by row), with
// its quiet zone, into img as seen in the upright view v: each pixel takes
// the colour of the module under its centre. A pixel row is made once for
// each module row and copied to the pixel rows it covers. It returns the
// map from module coordinates (from the symbol's top-left corner, quiet
// zone excluded) to the image's continuous coordinates, pixel x spanning
// [x, x+1), as ZXing's are.
func renderUpright(img *zxfinder.Image, dark []bool, n int, v scanView) func(u, w float64) (float64, float64) {
	W := int(math.Ceil(float64(n+2*quietZone)*v.px)) + 2
	img.W, img.H = W, W
	if cap(img.Pix) < W*W {
		img.Pix = make([]byte, W*W)
	}
	img.Pix = img.Pix[:W*W]
	clear(img.Pix)
	k := 1 / v.px
	col := make([]int, W)
	for X := range W {
		col[X] = int((float64(X)+0.5+v.phase)*k) - quietZone
	}
	phY := v.phaseY
	line := make([]byte, W)
	last := -1
	for Y := range W {
		my := int((float64(Y)+0.5+phY)*k) - quietZone
		if my < 0 || my >= n {
			continue
		}
		if my != last {
			row := dark[my*n : (my+1)*n]
			for X, mx := range col {
				line[X] = 0
				if uint(mx) < uint(n) && row[mx] {
					line[X] = 1
				}
			}
			last = my
		}
		copy(img.Pix[Y*W:(Y+1)*W], line)
	}
	return func(u, w float64) (float64, float64) {
		return (u+quietZone)*v.px - v.phase, (w+quietZone)*v.px - phY
	}
}

// turnedView is the symbol seen in a turned view, drawn on demand: the
// finder search reads about a third of the rows whole and a few pixels of
// the others, so drawing only those costs a third of a full image. Each
// pixel takes the colour of the module under its centre; module
// coordinates are kept in 16.16 fixed point and stepped along a row (the
// transform is affine).
type turnedView struct {
	dark          []bool
	n, w          int
	c, s, k       float64
	half, mid, ph float64
	phY           float64
	stepX, stepY  int64
	row           []byte
}

func newTurnedView(dark []bool, n int, v scanView) (*turnedView, func(u, w float64) (float64, float64)) {
	side := float64(n+2*quietZone) * v.px
	s, c := math.Sincos(v.deg * math.Pi / 180)
	W := int(math.Ceil(side*math.Abs(c)+side*math.Abs(s))) + 2
	k := 1 / v.px
	phY := v.phaseY
	t := &turnedView{dark: dark, n: n, w: W, c: c, s: s, k: k, half: float64(W) / 2, mid: side / 2, ph: v.phase, phY: phY,
		stepX: int64(c * k * fixedOne), stepY: int64(-s * k * fixedOne), row: make([]byte, W)}
	return t, func(u, w float64) (float64, float64) {
		mx, my := (u+quietZone)*v.px-t.mid, (w+quietZone)*v.px-t.mid
		return c*mx - s*my + t.half - t.ph, s*mx + c*my + t.half - t.phY
	}
}

const fixedOne = 1 << 16

func (t *turnedView) GetWidth() int  { return t.w }
func (t *turnedView) GetHeight() int { return t.w }

// start returns the module coordinates of the centre of pixel (X, Y), 16.16.
func (t *turnedView) start(X, Y int) (int64, int64) {
	dx, dy := float64(X)+0.5+t.ph-t.half, float64(Y)+0.5+t.phY-t.half
	return int64((t.c*dx + t.s*dy + t.mid) * t.k * fixedOne), int64((-t.s*dx + t.c*dy + t.mid) * t.k * fixedOne)
}

func (t *turnedView) dark1(sx, sy int64) bool {
	// >> is floor: below 0 is quiet zone either way.
	mx, my := int(sx>>16)-quietZone, int(sy>>16)-quietZone
	return uint(mx) < uint(t.n) && uint(my) < uint(t.n) && t.dark[my*t.n+mx]
}

// Row draws row Y run by run: from one pixel, the run goes on until the
// column or the row of the module under the pixel centres changes (the
// first pixel past either boundary, from the fixed-point steps), so the
// module is looked up once a run rather than once a pixel.
func (t *turnedView) Row(Y int) []byte {
	sx, sy := t.start(0, Y)
	for X := 0; X < t.w; {
		cnt := int64(t.w - X)
		cnt = min(cnt, pixelsToBoundary(sx, t.stepX), pixelsToBoundary(sy, t.stepY))
		var val byte
		if t.dark1(sx, sy) {
			val = 1
		}
		run := t.row[X : X+int(cnt)]
		for i := range run {
			run[i] = val
		}
		X += int(cnt)
		sx, sy = sx+cnt*t.stepX, sy+cnt*t.stepY
	}
	return t.row
}

// pixelsToBoundary returns after how many steps of step the 16.16 fixed
// point coordinate v first lies in another unit (another module), or a
// large number when it never does.
func pixelsToBoundary(v, step int64) int64 {
	switch {
	case step > 0:
		return ((v>>16+1)<<16 - v + step - 1) / step
	case step < 0:
		return (v-(v>>16)<<16)/(-step) + 1
	}
	return math.MaxInt32
}

// Get steps from the row's first pixel as Row does, so that both give
// the same pixel.
func (t *turnedView) Get(X, Y int) bool {
	sx, sy := t.start(0, Y)
	return t.dark1(sx+int64(X)*t.stepX, sy+int64(X)*t.stepY)
}
