package card

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"codeberg.org/go-pdf/fpdf"
	goqr "github.com/piglig/go-qr"

	"carnet/schema"
)

// quietZone is the white margin around the symbol, in modules, that the QR
// standard requires (ISO/IEC 18004: 4 modules).
const quietZone = 4

// px150 is one pixel at 150 dpi, in mm. The QR code's origin is put on its
// grid.
const px150 = 25.4 / 150

// minModule is the smallest module printed when the symbol has room, mm:
// at 0.6 mm and above the ZXing family of decoders (many Android scanners)
// reads a card held a little askew and slightly out of focus; at 0.5 mm it
// misses some (issue 11).
const minModule = 0.6

// moduleSizes are the module sizes tried, largest first, mm: 17 pixels at
// 600 dpi (0.72 mm, where version 11 fits the card), 4 pixels at 150 dpi
// (so 8 at 300, 16 at 600), 1/40 inch (15 pixels at 600 dpi), and
// minModule.
var moduleSizes = []float64{25.4 / 600 * 17, 4 * px150, 25.4 / 40, minModule}

// snap moves v (mm from the page's top or left edge) onto the 150 dpi grid.
func snap(v float64) float64 { return math.Round(v/px150) * px150 }

// qrCode is the symbol printed, with what it was made with.
type qrCode struct {
	*goqr.QrCode
	Version int
	Level   goqr.Ecc
	Mask    int
}

// Dark reports whether the module at column x, row y is dark.
func (q *qrCode) Dark(x, y int) bool { return q.Module(x, y) }

// qrSegments splits a card's QR text into a byte segment, the address up
// to and including "#" and the first extra digits of the token, and a
// numeric segment, the token's other digits: numeric mode packs 3 digits
// in 10 bits, so the token costs 6.67 bits a base64url character instead
// of 8. Any other text is one segment of the mode it allows. Moving a few
// digits to the byte segment costs 4.7 bits each and gives another symbol
// for the same text (see encodeQR).
func qrSegments(text string, extra int) ([]*goqr.QrSegment, error) {
	if i := strings.IndexByte(text, '#'); i >= 0 && i+1+extra < len(text) && strings.Trim(text[i+1:], "0123456789") == "" {
		b, err := goqr.MakeBytes([]byte(text[:i+1+extra]))
		if err != nil {
			return nil, err
		}
		d, err := goqr.MakeNumeric(text[i+1+extra:])
		if err != nil {
			return nil, err
		}
		return []*goqr.QrSegment{b, d}, nil
	}
	if extra > 0 {
		return nil, goqr.ErrInvalidArgument
	}
	return goqr.MakeSegments(text)
}

// eccLevels are the error-correction levels, lowest first.
var eccLevels = []goqr.Ecc{goqr.Low, goqr.Medium, goqr.Quartile, goqr.High}

// lowerHalf is what a finder look-alike in the lower half of a symbol
// counts in fakeFinders' score.
const lowerHalf = 8

// maxSplits bounds the segmentations encodeQR tries, maxReads the
// symbols of each it checks in scanViews.
const maxSplits, maxReads = 6, 3

// encodeQR encodes text in the smallest version at level L, then raises
// the level as far as that version holds it (M for most cards): the
// smallest symbol has the largest modules in a given space, and module size
// is what decides whether a phone reads a printed card; L still restores 7%
// of the symbol, as SMART Health Cards print it.
//
// The symbol is chosen for the detectors of phone scanners rather than by
// the standard's penalty score alone: each issuance makes another symbol
// (new ids, a new signature), and ZXing was measured missing some (issue
// 11) when its finder-pattern search took a look-alike in the data for a
// corner. So for each segmentation of the text (qrSegments with 0 to
// maxSplits-1 extra digits in the byte segment, all within the same
// version and level) the masks are ranked by their look-alikes
// (fakeFinders, then maskOrder), and the first symbol that ZXing 3.3's
// search (the one of @zxing/library, the most easily fooled of the
// decoders tested) reads in every one of scanViews is printed: 20 views,
// upright at four scales and turned either way at four more, each with
// its own pixel phase. About 2 symbols in 3 pass; every text measured had one among its
// first candidates; if none did, the one read in the most views would be
// printed. The choice, about 5 ms, is kept for the last qrCacheSize texts:
// the card and the attestation of one credential, or a PDF downloaded
// again, reuse it.
func encodeQR(text string) (*qrCode, error) {
	qrCache.Lock()
	q, ok := qrCache.codes[text]
	qrCache.Unlock()
	if ok {
		return q, nil
	}
	q, err := chooseQR(text)
	if err != nil {
		return nil, err
	}
	qrCache.Lock()
	defer qrCache.Unlock()
	if qrCache.codes == nil {
		qrCache.codes = map[string]*qrCode{}
	}
	if _, ok := qrCache.codes[text]; !ok {
		if len(qrCache.order) == qrCacheSize {
			delete(qrCache.codes, qrCache.order[0])
			qrCache.order = qrCache.order[1:]
		}
		qrCache.codes[text] = q
		qrCache.order = append(qrCache.order, text)
	}
	return q, nil
}

// qrCacheSize bounds the symbols encodeQR keeps (a symbol is about 7 KB).
const qrCacheSize = 64

// qrCache holds the symbols encodeQR chose, by text; a qrCode is never
// changed once made.
var qrCache struct {
	sync.Mutex
	codes map[string]*qrCode
	order []string // oldest first
}

func chooseQR(text string) (*qrCode, error) {
	segs, err := qrSegments(text, 0)
	if err == nil {
		var probe *goqr.QrCode
		if probe, err = goqr.EncodeSegments(segs, goqr.Low, 1, 40, 0, false); err == nil {
			version := (probe.Size() - 17) / 4
			level := goqr.Low
			for _, l := range eccLevels[1:] {
				if _, err := goqr.EncodeSegments(segs, l, version, version, 0, false); err != nil {
					break
				}
				level = l
			}
			type candidate struct {
				q     *qrCode
				score int
			}
			var best *candidate
			bestReads := -1
			for extra := range maxSplits {
				segs, err := qrSegments(text, extra)
				if err != nil {
					break
				}
				var cands []candidate
				for _, mask := range maskOrder {
					c, err := goqr.EncodeSegments(segs, level, version, version, mask, false)
					if err != nil {
						break // the extra digits do not fit this version
					}
					q := &qrCode{QrCode: c, Version: version, Level: level, Mask: mask}
					score := fakeFinders(q)
					if mask == 2 || mask == 5 {
						score += lowerHalf
					}
					cands = append(cands, candidate{q, score})
				}
				if len(cands) < len(maskOrder) {
					break
				}
				slices.SortStableFunc(cands, func(a, b candidate) int { return a.score - b.score })
				for _, c := range cands[:maxReads] {
					r := zxing33Reads(c.q, scanViews)
					if r == len(scanViews) {
						return c.q, nil
					}
					if r > bestReads {
						best, bestReads = &c, r
					}
				}
			}
			return best.q, nil // read in fewer views: never seen on a card text
		}
	}
	return nil, schema.Errorf(schema.EINVALID, "card: the QR text (%d characters) does not fit a QR code: %v",
		"carte : le texte du QR code (%d caractères) ne tient pas dans un QR code : %v", len(text), err)
}

// maskOrder breaks ties between masks. ZXing was measured failing on masks
// 2 and 5 of card symbols that it read with every other mask (issue 11):
// those come last, and count as much as a look-alike in the lower half
// (in 288 cards of three decoder runs, 4 of the 7 first-frame ZXing misses
// were on masks 2 and 5, chosen for about one card in six).
var maskOrder = []int{0, 1, 3, 4, 6, 7, 2, 5}

// fakeFinders counts the finder look-alikes of q that can stop ZXing's
// search for the three corners: dark modules outside the finder patterns
// (and their separators) at the centre of runs dark, light, dark, light,
// dark of exactly 1:1:3:1:1 modules one way (the module size a detector
// estimates is then that of the real finders) and within ZXing's tolerance
// the other way (each run within half a module of 1:1:3:1:1, the module
// being a seventh of the total). ZXing takes the first three such
// patterns of one module size that it meets twice, row by row, for the
// corners; the real third corner may come after a look-alike.
//
// It returns a score: each look-alike counts 1, and lowerHalf in the lower half of
// the symbol, where ZXing, having found the two upper corners of an
// upright symbol, jumps to look for the third (and takes the first it
// meets there).
func fakeFinders(q *qrCode) int {
	n := q.Size()
	grid := make([]bool, n*n) // row by row
	for y := range n {
		row := grid[y*n : (y+1)*n]
		for x := range row {
			row[x] = q.Module(x, y)
		}
	}
	// five returns the run holding module i of the line that starts at
	// grid[base] and steps by step, and the two runs before and after it
	// (0 past the ends).
	five := func(base, step, i int) (r [5]int) {
		at := func(i int) bool { return grid[base+i*step] }
		c := at(i)
		b, f := i, i
		for b > 0 && at(b-1) == c {
			b--
		}
		for f < n-1 && at(f+1) == c {
			f++
		}
		r[2] = f - b + 1
		for k, j := 1, b-1; k >= 0 && j >= 0; k-- { // the runs before
			cc := at(j)
			for j >= 0 && at(j) == cc {
				r[k]++
				j--
			}
		}
		for k, j := 3, f+1; k <= 4 && j < n; k++ { // and after
			cc := at(j)
			for j < n && at(j) == cc {
				r[k]++
				j++
			}
		}
		return r
	}
	tolerant := func(r [5]int) bool {
		if r[0] == 0 || r[1] == 0 || r[3] == 0 || r[4] == 0 {
			return false
		}
		ms := float64(r[0]+r[1]+r[2]+r[3]+r[4]) / 7
		for i, modules := range [5]float64{1, 1, 3, 1, 1} {
			if math.Abs(float64(r[i])-modules*ms) >= modules*ms/2 {
				return false
			}
		}
		return true
	}
	// The lines, rows then columns, are read as runs of one colour; each
	// run of exactly 1:1:3:1:1 dark, light, dark, light, dark gives three
	// centre modules, checked across. A module found both ways counts once.
	count := 0
	var seen []int
	runs := make([]int, 0, n+1) // a line's runs, dark ones at even places
	for dir := range 2 {
		for line := range n {
			base, step, across, acrossStep := line*n, 1, 0, n // a row; across it, columns
			if dir == 1 {
				base, step, across, acrossStep = line, n, 0, 1 // a column; across it, rows
			}
			runs = runs[:0]
			if !grid[base] {
				runs = append(runs, 0) // the line starts light
			}
			for i := 0; i < n; {
				c, j := grid[base+i*step], i+1
				for j < n && grid[base+j*step] == c {
					j++
				}
				runs = append(runs, j-i)
				i = j
			}
			start := 0
			for k := 0; k+4 < len(runs); k++ {
				if k%2 == 0 && runs[k] == 1 && runs[k+1] == 1 && runs[k+2] == 3 && runs[k+3] == 1 && runs[k+4] == 1 {
					for i := start + 2; i < start+5; i++ { // the centre run
						x, y := i, line
						if dir == 1 {
							x, y = line, i
						}
						if (x < 9 && y < 9) || (x >= n-9 && y < 9) || (x < 9 && y >= n-9) {
							continue
						}
						// The line across, through (x, y): its start and the
						// module's place on it.
						if dir == 0 {
							across = x
						} else {
							across = y * n
						}
						pos := y
						if dir == 1 {
							pos = x
						}
						if !tolerant(five(across, acrossStep, pos)) || slices.Contains(seen, y*n+x) {
							continue
						}
						seen = append(seen, y*n+x)
						count++
						if y >= (n-7)/2 {
							count += lowerHalf - 1
						}
					}
				}
				start += runs[k]
			}
		}
	}
	return count
}

// qrSize returns the module and the side (quiet zone included) of q drawn
// in at most maxSide mm: the largest of moduleSizes that fits, or, when not
// even minModule fits, maxSide.
func qrSize(q *qrCode, maxSide float64) (module, side float64) {
	n := float64(q.Size() + 2*quietZone)
	for _, m := range moduleSizes {
		if m*n <= maxSide+1e-9 {
			return m, m * n
		}
	}
	return maxSide / n, maxSide
}

// drawQR draws q with its quiet zone at (x, y), snapped to the 150 dpi
// grid, with modules of module mm, as vector rectangles in one compact
// path: a white square, then one black rectangle per horizontal run of
// dark modules, runs repeated on the next rows merged into one. Vectors
// stay sharp at any print or zoom size. It returns the corner it drew at.
func drawQR(pdf *fpdf.Fpdf, q *qrCode, x, y, module float64) (float64, float64) {
	x, y = snap(x), snap(y)
	n := q.Size()
	side := module * float64(n+2*quietZone)
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(x, y, side, side, "F")
	const k = 72 / 25.4 // points per mm
	_, pageH := pdf.GetPageSize()
	var b strings.Builder
	b.Grow(n * n * 2)
	// Module units, y downwards, origin at the symbol's top-left corner.
	m := module * k
	fmt.Fprintf(&b, "q 0 g %.5f 0 0 %.5f %.4f %.4f cm\n", m, -m, (x+quietZone*module)*k, (pageH-y-quietZone*module)*k)
	// top[c] is the row where the run of dark modules starting at column c
	// and ending at end[c] began, on the rows above; -1: no open run.
	top, end := make([]int, n), make([]int, n)
	cur := make([]int, n) // this row's run ends by start column, 0: none
	for c := range top {
		top[c] = -1
	}
	emit := func(start, stop, from, to int) {
		b.WriteString(strconv.Itoa(start))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(from))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(stop - start))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(to - from))
		b.WriteString(" re\n")
	}
	for row := 0; row <= n; row++ {
		clear(cur)
		for col := 0; row < n && col < n; {
			if !q.Dark(col, row) {
				col++
				continue
			}
			e := col
			for e < n && q.Dark(e, row) {
				e++
			}
			cur[col] = e
			col = e
		}
		// Close the runs that do not go on in this row; start the new ones.
		for c := range n {
			if top[c] >= 0 && cur[c] != end[c] {
				emit(c, end[c], top[c], row)
				top[c] = -1
			}
			if cur[c] != 0 && top[c] < 0 {
				top[c], end[c] = row, cur[c]
			}
		}
	}
	b.WriteString("f Q")
	pdf.RawWriteStr(b.String())
	return x, y
}

// QRSVG returns an SVG image of a QR code of text (error correction M,
// a 4-module quiet zone), for pages that show a link to scan: the QR
// encoder stays in this package.
func QRSVG(text string) (string, error) {
	q, err := goqr.EncodeText(text, goqr.Medium)
	if err != nil {
		return "", err
	}
	n := q.Size()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" role="img" aria-labelledby="qr-label" shape-rendering="crispEdges">`, n+8, n+8)
	b.WriteString(`<title id="qr-label">QR code</title><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="`)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if q.Module(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}
