package card

import (
	"image"
	"math"

	"github.com/makiuchi-d/gozxing"
	zxdecoder "github.com/makiuchi-d/gozxing/qrcode/decoder"
	zxdetector "github.com/makiuchi-d/gozxing/qrcode/detector"

	"carnet/issuer/card/internal/zxfinder"
)

// zxing33Decode decodes the QR code of img as @zxing/library 0.21.3 (ZXing
// 3.3) does with TRY_HARDER: gozxing's hybrid binarizer, the finder-pattern
// search of ZXing 3.3 (zxfinder), then gozxing's detector and decoder,
// which do what ZXing 3.3's do. It returns "" when it reads nothing.
func zxing33Decode(img *image.Gray) string {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	src, err := gozxing.NewPlanarYUVLuminanceSource(img.Pix, img.Stride, h, 0, 0, w, h, false)
	if err != nil {
		return ""
	}
	bm, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
	if err != nil {
		return ""
	}
	bits := &zxfinder.Image{W: w, H: h, Pix: make([]byte, w*h)}
	for y := range h {
		for x := range w {
			if bm.Get(x, y) {
				bits.Pix[y*w+x] = 1
			}
		}
	}
	info, _, err := zxfinder.Find(bits)
	if err != nil {
		return ""
	}
	det, err := zxdetector.NewDetector(bm).ProcessFinderPatternInfo(info)
	if err != nil {
		return ""
	}
	res, err := zxdecoder.NewDecoder().Decode(det.GetBits(), nil)
	if err != nil {
		return ""
	}
	return res.GetText()
}

// scanView is one way a phone's camera may see a printed symbol: px
// pixels a module, turned by deg degrees, the grid shifted by a fraction
// of a pixel (the pixel phase, which decides where module edges fall);
// in a view marked detect, the whole detection is checked (zxing33Reads).
type scanView struct {
	px, deg, phase float64
	detect         bool
	ink            float64 // upright views: dark spreads by ink pixels (thinner below 0)
}

// scanViews are the views encodeQR checks a symbol in with ZXing 3.3's
// search (zxing33Reads), for the module sizes a card is printed with (0.6
// to 0.72 mm). Upright and coarse, as from arm's length: 3.0 to 3.6 pixels
// a module (120 to 128 dpi), each at five pixel phases: where the module
// edges fall on the pixels decides which finder look-alikes ZXing confirms,
// and a symbol was measured read at half the phases of one scale and
// missed at the others. Then finer and turned by 5° either way, as held
// askew: 4.8 to 6.1 pixels a module (200 to 214 dpi).
var scanViews = func() []scanView {
	var v []scanView
	for i, px := range []float64{3.0, 3.2, 3.4, 3.6} {
		for j, phase := range []float64{0, 0.4, 0.8, 0.2, 0.6} {
			v = append(v, scanView{px: px, phase: phase, detect: i < 2 && j == 0})
		}
	}
	return append(v, scanView{4.8, 5, 0.25, false, 0}, scanView{5.3, -5, 0.75, false, 0}, scanView{5.7, 5, 0.5, false, 0}, scanView{6.1, -5, 0, false, 0})
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
		toPixel := renderView(&img, dark, n, v)
		info, _, err := zxfinder.Find(&img)
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
		if !v.detect {
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

// renderView draws the symbol of n × n modules dark (row by row), with its
// quiet zone, into img as seen in view v: each pixel takes the colour of
// the module under its centre. It returns the map from module coordinates
// (from the symbol's top-left corner, quiet zone excluded) to the image's
// continuous coordinates, pixel x spanning [x, x+1), as ZXing's are.
func renderView(img *zxfinder.Image, dark []bool, n int, v scanView) func(u, w float64) (float64, float64) {
	side := float64(n+2*quietZone) * v.px
	s, c := math.Sincos(v.deg * math.Pi / 180)
	W := int(math.Ceil(side*math.Abs(c)+side*math.Abs(s))) + 2
	img.W, img.H = W, W
	if cap(img.Pix) < W*W {
		img.Pix = make([]byte, W*W)
	}
	img.Pix = img.Pix[:W*W]
	clear(img.Pix)
	k := 1 / v.px
	if v.deg == 0 {
		// Upright: a pixel is dark when the module under its centre is,
		// or, with ink, when any (ink > 0) or all (ink < 0) of the modules
		// under the corners of a square of ink pixels about its centre
		// are, as printing spreads ink and a binarizer thins or thickens
		// dark runs. A pixel row is made once for each pair of module rows
		// and copied to the pixel rows of that pair.
		d := math.Abs(v.ink)
		at := func(p float64) int { return int(math.Floor(p*k)) - quietZone }
		colA, colB := make([]int, W), make([]int, W)
		for X := range W {
			p := float64(X) + 0.5 + v.phase
			colA[X], colB[X] = at(p-d), at(p+d)
		}
		isDark := func(row []bool, mx int) bool { return uint(mx) < uint(n) && row[mx] }
		line := make([]byte, W)
		lastA, lastB := -2, -2
		for Y := range W {
			p := float64(Y) + 0.5 + v.phase
			ra, rb := at(p-d), at(p+d)
			if (ra < 0 || ra >= n) && (rb < 0 || rb >= n) {
				continue
			}
			if ra != lastA || rb != lastB {
				var rowA, rowB []bool
				if ra >= 0 && ra < n {
					rowA = dark[ra*n : (ra+1)*n]
				}
				if rb >= 0 && rb < n {
					rowB = dark[rb*n : (rb+1)*n]
				}
				for X := range W {
					a, b := colA[X], colB[X]
					var on bool
					if v.ink >= 0 {
						on = rowA != nil && (isDark(rowA, a) || isDark(rowA, b)) || rowB != nil && (isDark(rowB, a) || isDark(rowB, b))
					} else {
						on = rowA != nil && rowB != nil && isDark(rowA, a) && isDark(rowA, b) && isDark(rowB, a) && isDark(rowB, b)
					}
					line[X] = 0
					if on {
						line[X] = 1
					}
				}
				lastA, lastB = ra, rb
			}
			copy(img.Pix[Y*W:(Y+1)*W], line)
		}
		return func(u, w float64) (float64, float64) {
			return (u+quietZone)*v.px - v.phase, (w+quietZone)*v.px - v.phase
		}
	}
	// Turned about the image's centre: module coordinates in 16.16 fixed
	// point, stepped along each row (the transform is affine).
	const one = 1 << 16
	half, mid := float64(W)/2, side/2
	stepX, stepY := int64(c*k*one), int64(-s*k*one)
	for Y := range W {
		dx, dy := 0.5+v.phase-half, float64(Y)+0.5+v.phase-half
		sx, sy := int64((c*dx+s*dy+mid)*k*one), int64((-s*dx+c*dy+mid)*k*one)
		out := img.Pix[Y*W : (Y+1)*W]
		for X := range out {
			// >> is floor: below 0 is quiet zone either way.
			mx, my := int(sx>>16)-quietZone, int(sy>>16)-quietZone
			if uint(mx) < uint(n) && uint(my) < uint(n) && dark[my*n+mx] {
				out[X] = 1
			}
			sx, sy = sx+stepX, sy+stepY
		}
	}
	return func(u, w float64) (float64, float64) {
		mx, my := (u+quietZone)*v.px-mid, (w+quietZone)*v.px-mid
		return c*mx - s*my + half - v.phase, s*mx + c*my + half - v.phase
	}
}
