package card

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"carnet/issuer/card/internal/qr"
	"carnet/schema"
)

// maxMVersion is the largest QR version printed at error-correction level M
// (15% of the symbol can be lost). A typical card text of about 1,000
// characters needs version 15 to 17; long names in non-Latin scripts and a
// long instance address reach 21 or 22. Longer texts drop to level L (7%)
// so that the modules stay large enough to scan; SMART Health Cards cap at
// version 22 for the same reason.
const maxMVersion = 22

// quietZone is the white margin around the symbol, in modules, that the QR
// standard requires (ISO/IEC 18004: 4 modules).
const quietZone = 4

// px150 is one pixel at 150 dpi, in mm. QR modules are whole multiples of
// it and start on its grid, so a 150, 300 or 600 dpi rendering or printout
// gets whole pixels per module: no module is smeared over a pixel boundary,
// which is what makes small codes unreadable.
const px150 = 25.4 / 150

// minModulePx is the smallest module, in pixels at 150 dpi, that the QR
// code is drawn with when it has room: 0.34 mm, which phone cameras read
// from paper and zbarimg from a 150 dpi rendering.
const minModulePx = 2

// snap moves v (mm from the page's top or left edge) onto the 150 dpi grid.
func snap(v float64) float64 { return math.Round(v/px150) * px150 }

// encodeQR encodes text at level M, or L when M would need a version beyond
// maxMVersion.
func encodeQR(text string) (*qr.Code, error) {
	q, err := qr.Encode(text, qr.M, 1, maxMVersion)
	if err != nil {
		q, err = qr.Encode(text, qr.L, 1, 40)
	}
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "card: the QR text (%d characters) does not fit a QR code: %v",
			"carte : le texte du QR code (%d caractères) ne tient pas dans un QR code : %v", len(text), err)
	}
	return q, nil
}

// qrSize returns the module and the side (quiet zone included) of q drawn
// in at most maxSide mm: the largest whole number of 150 dpi pixels per
// module, up to maxPx; or, when not even minModulePx fits, maxSide.
func qrSize(q *qr.Code, maxSide float64, maxPx int) (module, side float64) {
	n := float64(q.Size + 2*quietZone)
	for k := maxPx; k >= minModulePx; k-- {
		if m := float64(k) * px150; m*n <= maxSide+1e-9 {
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
func drawQR(pdf *fpdf.Fpdf, q *qr.Code, x, y, module float64) (float64, float64) {
	x, y = snap(x), snap(y)
	side := module * float64(q.Size+2*quietZone)
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(x, y, side, side, "F")
	const k = 72 / 25.4 // points per mm
	_, pageH := pdf.GetPageSize()
	var b strings.Builder
	b.Grow(q.Size * q.Size * 2)
	// Module units, y downwards, origin at the symbol's top-left corner.
	m := module * k
	fmt.Fprintf(&b, "q 0 g %.5f 0 0 %.5f %.4f %.4f cm\n", m, -m, (x+quietZone*module)*k, (pageH-y-quietZone*module)*k)
	// top[c] is the row where the run of dark modules starting at column c
	// and ending at end[c] began, on the rows above; -1: no open run.
	n := q.Size
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
