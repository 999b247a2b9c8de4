// Package zxfinder is the finder-pattern search of ZXing 3.3, as the
// TypeScript port @zxing/library 0.21.3 still runs it (and with it the
// scanners and web pages built on that version): a port to Go of its
// FinderPatternFinder, over a byte-a-pixel image and gozxing's finder
// patterns.
//
// Carnet needs it to choose, at issuance, a QR symbol that this search does
// not get wrong (issuer/card, encodeQR). gozxing, the maintained Go port,
// runs a later ZXing that checks each candidate along a diagonal too, so it
// is not fooled by the look-alikes that fool the older search: a symbol it
// reads may still be missed by @zxing/library (issue 11). The differences
// from gozxing's finder_pattern_finder.go are those of the two ZXing
// versions: no diagonal cross-check (ZXing 3.3 makes it only for a "pure
// barcode", which a photo never is), and the older choice of the three best patterns (by count, then by module
// size, instead of the best-shaped triangle).
//
// Ported from @zxing/library 0.21.3, core/qrcode/detector/
// FinderPatternFinder.ts, Copyright 2007 ZXing authors, Apache License 2.0
// (https://github.com/zxing-js/library/blob/v0.21.3/src/core/qrcode/detector/FinderPatternFinder.ts);
// the licence is in LICENSE beside this file. Changed: Go, the image type,
// the two cross-checks in one function, integer arithmetic in
// foundPatternCross (the same inequalities), no result-point callback.
package zxfinder

import (
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

const (
	centerQuorum = 2
	minSkip      = 3  // 1 pixel/module times 3 modules/center
	maxModules   = 57 // support up to version 10 for mobile clients
)

// Source is a black and white image as the search reads it: whole rows,
// and single pixels for the cross-checks. An image drawn on demand need
// draw only what is read.
type Source interface {
	GetWidth() int
	GetHeight() int
	// Row returns row y, one byte a pixel (0 white, else black); it may be
	// overwritten by the next call.
	Row(y int) []byte
	// Get reports whether the pixel at column x, row y is black.
	Get(x, y int) bool
}

// Image is a black and white image, one byte a pixel (0 white, else
// black), row by row: reading it costs less than a gozxing.BitMatrix.
type Image struct {
	W, H int
	Pix  []byte
}

// Get reports whether the pixel at column x, row y is black.
func (m *Image) Get(x, y int) bool { return m.Pix[y*m.W+x] != 0 }

// Row returns row y.
func (m *Image) Row(y int) []byte { return m.Pix[y*m.W : (y+1)*m.W] }

// GetWidth and GetHeight are the image's size.
func (m *Image) GetWidth() int  { return m.W }
func (m *Image) GetHeight() int { return m.H }

// BitMatrix returns the image as gozxing's bit matrix, for its detector.
func (m *Image) BitMatrix() *gozxing.BitMatrix {
	bm, _ := gozxing.NewBitMatrix(m.W, m.H)
	for y := range m.H {
		row := m.Pix[y*m.W : (y+1)*m.W]
		for x, p := range row {
			if p != 0 {
				bm.Set(x, y)
			}
		}
	}
	return bm
}

// Finder searches an image for the three finder patterns of a QR code.
type Finder struct {
	image      Source
	centers    []*detector.FinderPattern
	hasSkipped bool
	cross      [5]int
}

// Find returns the three finder patterns that ZXing 3.3 takes for the
// corners of the QR code in image (TRY_HARDER, not a pure barcode), or an
// error when it finds fewer than three. Centers returns all it considered.
func Find(image Source) (*detector.FinderPatternInfo, []*detector.FinderPattern, error) {
	f := &Finder{image: image}
	info, err := f.find()
	return info, f.centers, err
}

func (f *Finder) find() (*detector.FinderPatternInfo, error) {
	maxI, maxJ := f.image.GetHeight(), f.image.GetWidth()
	iSkip := minSkip // TRY_HARDER
	done := false
	var stateCount [5]int
	for i := iSkip - 1; i < maxI && !done; i += iSkip {
		stateCount = [5]int{}
		currentState := 0
		row := f.image.Row(i)
		for j := 0; j < maxJ; j++ {
			if row[j] != 0 {
				if currentState&1 == 1 { // counting white pixels
					currentState++
				}
				stateCount[currentState]++
				continue
			}
			if currentState&1 == 1 { // counting white pixels
				stateCount[currentState]++
				continue
			}
			if currentState != 4 {
				currentState++
				stateCount[currentState]++
				continue
			}
			// A winner?
			if !foundPatternCross(stateCount) {
				stateCount = [5]int{stateCount[2], stateCount[3], stateCount[4], 1, 0}
				currentState = 3
				continue
			}
			if !f.handlePossibleCenter(stateCount, i, j) {
				stateCount = [5]int{stateCount[2], stateCount[3], stateCount[4], 1, 0}
				currentState = 3
				continue
			}
			iSkip = 2
			if f.hasSkipped {
				done = f.haveMultiplyConfirmedCenters()
			} else if rowSkip := f.findRowSkip(); rowSkip > stateCount[2] {
				i += rowSkip - stateCount[2] - iSkip
				j = maxJ - 1
			}
			currentState = 0
			stateCount = [5]int{}
		}
		if foundPatternCross(stateCount) && f.handlePossibleCenter(stateCount, i, maxJ) {
			iSkip = stateCount[0]
			if f.hasSkipped {
				done = f.haveMultiplyConfirmedCenters()
			}
		}
	}
	best, err := f.selectBestPatterns()
	if err != nil {
		return nil, err
	}
	a, b, c := gozxing.ResultPoint_OrderBestPatterns(best[0], best[1], best[2])
	return detector.NewFinderPatternInfo(a.(*detector.FinderPattern), b.(*detector.FinderPattern), c.(*detector.FinderPattern)), nil
}

func centerFromEnd(stateCount [5]int, end int) float64 {
	return float64(end-stateCount[4]-stateCount[3]) - float64(stateCount[2])/2
}

// foundPatternCross reports whether the runs are 1:1:3:1:1 within ZXing's
// tolerance: each run within half a module (a seventh of the total) of its
// size, the centre within three halves. ZXing computes it in floating
// point; these integer forms (multiplied by 14) are the same inequalities,
// and the cases of equality, where rounding could tell them apart, need a
// total multiple of 14, whose seventh is exact.
func foundPatternCross(stateCount [5]int) bool {
	total := 0
	for _, c := range stateCount {
		if c == 0 {
			return false
		}
		total += c
	}
	if total < 7 {
		return false
	}
	one := func(c int) bool { return 2*abs(total-7*c) < total }
	return one(stateCount[0]) && one(stateCount[1]) && 2*abs(3*total-7*stateCount[2]) < 3*total &&
		one(stateCount[3]) && one(stateCount[4])
}

// crossCheck counts the runs through (x, y) along (dx, dy), as
// crossCheckVertical (0, 1) and crossCheckHorizontal (1, 0) do, and returns
// the centre's coordinate along that direction, or NaN. The two differ only
// in the tolerance on the total (slack: 2 vertically, 1 horizontally).
func (f *Finder) crossCheck(x, y, dx, dy, maxCount, originalTotal, slack int) float64 {
	max := f.image.GetHeight()
	pos := func(x, y int) int { return y }
	if dx == 1 {
		max = f.image.GetWidth()
		pos = func(x, y int) int { return x }
	}
	get := func(p int) bool {
		if dx == 1 {
			return f.image.Get(p, y)
		}
		return f.image.Get(x, p)
	}
	start := pos(x, y)
	s := &f.cross
	*s = [5]int{}
	p := start
	for p >= 0 && get(p) {
		s[2]++
		p--
	}
	if p < 0 {
		return math.NaN()
	}
	for p >= 0 && !get(p) && s[1] <= maxCount {
		s[1]++
		p--
	}
	if p < 0 || s[1] > maxCount {
		return math.NaN()
	}
	for p >= 0 && get(p) && s[0] <= maxCount {
		s[0]++
		p--
	}
	if s[0] > maxCount {
		return math.NaN()
	}
	p = start + 1
	for p < max && get(p) {
		s[2]++
		p++
	}
	if p == max {
		return math.NaN()
	}
	for p < max && !get(p) && s[3] < maxCount {
		s[3]++
		p++
	}
	if p == max || s[3] >= maxCount {
		return math.NaN()
	}
	for p < max && get(p) && s[4] < maxCount {
		s[4]++
		p++
	}
	if s[4] >= maxCount {
		return math.NaN()
	}
	total := s[0] + s[1] + s[2] + s[3] + s[4]
	if 5*abs(total-originalTotal) >= slack*originalTotal {
		return math.NaN()
	}
	if !foundPatternCross(*s) {
		return math.NaN()
	}
	return centerFromEnd(*s, p)
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

func (f *Finder) handlePossibleCenter(stateCount [5]int, i, j int) bool {
	total := stateCount[0] + stateCount[1] + stateCount[2] + stateCount[3] + stateCount[4]
	centerJ := centerFromEnd(stateCount, j)
	centerI := f.crossCheck(int(math.Floor(centerJ)), i, 0, 1, stateCount[2], total, 2)
	if math.IsNaN(centerI) {
		return false
	}
	centerJ = f.crossCheck(int(math.Floor(centerJ)), int(math.Floor(centerI)), 1, 0, stateCount[2], total, 1)
	if math.IsNaN(centerJ) {
		return false
	}
	size := float64(total) / 7
	for k, c := range f.centers {
		if c.AboutEquals(size, centerI, centerJ) {
			f.centers[k] = c.CombineEstimate(centerI, centerJ, size)
			return true
		}
	}
	f.centers = append(f.centers, detector.NewFinderPattern1(centerJ, centerI, size))
	return true
}

func (f *Finder) findRowSkip() int {
	if len(f.centers) <= 1 {
		return 0
	}
	var first *detector.FinderPattern
	for _, c := range f.centers {
		if c.GetCount() < centerQuorum {
			continue
		}
		if first == nil {
			first = c
			continue
		}
		f.hasSkipped = true
		return int(math.Floor((math.Abs(first.GetX()-c.GetX()) - math.Abs(first.GetY()-c.GetY())) / 2))
	}
	return 0
}

func (f *Finder) haveMultiplyConfirmedCenters() bool {
	confirmed := 0
	total := 0.0
	for _, c := range f.centers {
		if c.GetCount() >= centerQuorum {
			confirmed++
			total += c.GetEstimatedModuleSize()
		}
	}
	if confirmed < 3 {
		return false
	}
	// As ZXing 3.3: the average over all centres, confirmed or not.
	average := total / float64(len(f.centers))
	deviation := 0.0
	for _, c := range f.centers {
		deviation += math.Abs(c.GetEstimatedModuleSize() - average)
	}
	return deviation <= 0.05*total
}

func (f *Finder) selectBestPatterns() ([]*detector.FinderPattern, error) {
	c := f.centers
	if len(c) < 3 {
		return nil, gozxing.NewNotFoundException("%d finder patterns", len(c))
	}
	if len(c) > 3 {
		total, square := 0.0, 0.0
		for _, p := range c {
			s := p.GetEstimatedModuleSize()
			total += s
			square += s * s
		}
		average := total / float64(len(c))
		stdDev := math.Sqrt(square/float64(len(c)) - average*average)
		sort.SliceStable(c, func(a, b int) bool { // furthest from the average first
			return math.Abs(c[a].GetEstimatedModuleSize()-average) > math.Abs(c[b].GetEstimatedModuleSize()-average)
		})
		limit := math.Max(0.2*average, stdDev)
		for i := 0; i < len(c) && len(c) > 3; i++ {
			if math.Abs(c[i].GetEstimatedModuleSize()-average) > limit {
				c = append(c[:i], c[i+1:]...)
				i--
			}
		}
	}
	if len(c) > 3 {
		total := 0.0
		for _, p := range c {
			total += p.GetEstimatedModuleSize()
		}
		average := total / float64(len(c))
		sort.SliceStable(c, func(a, b int) bool { // most confirmed, then closest to the average
			if c[a].GetCount() != c[b].GetCount() {
				return c[a].GetCount() > c[b].GetCount()
			}
			return math.Abs(c[a].GetEstimatedModuleSize()-average) < math.Abs(c[b].GetEstimatedModuleSize()-average)
		})
	}
	f.centers = c
	return c[:3], nil
}
