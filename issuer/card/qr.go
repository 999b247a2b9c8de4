package card

import (
	"codeberg.org/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"carnet/schema"
)

// maxMVersion is the largest QR version printed at error-correction level M
// (15% of the symbol can be lost). Up to it, a typical card text of about
// 1,000 characters fits with modules of about 0.6 mm in the card's 58 mm
// square, which phone cameras read well. Longer texts (many competencies)
// drop to level L (7%) so the modules stay large enough; SMART Health Cards
// cap at version 22 for the same reason.
const maxMVersion = 22

// quietZone is the white margin around the symbol, in modules, that the QR
// standard requires (ISO/IEC 18004: 4 modules).
const quietZone = 4

// encodeQR encodes text at level M, or L when M would need a version beyond
// maxMVersion.
func encodeQR(text string) (*qrcode.QRCode, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil || q.VersionNumber > maxMVersion {
		q, err = qrcode.New(text, qrcode.Low)
	}
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "card: the QR text (%d characters) does not fit a QR code: %v",
			"carte : le texte du QR code (%d caractères) ne tient pas dans un QR code : %v", len(text), err)
	}
	return q, nil
}

// drawQR draws q as vector rectangles in a size×size mm square at (x, y),
// quiet zone included: a white square, then one black rectangle per
// horizontal run of dark modules. Vectors stay sharp at any print or zoom
// size, where a scaled bitmap gets uneven modules (skip2/go-qrcode #38).
func drawQR(pdf *fpdf.Fpdf, q *qrcode.QRCode, x, y, size float64) (module float64) {
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm)
	module = size / float64(n+2*quietZone)
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(x, y, size, size, "F")
	pdf.SetFillColor(0, 0, 0)
	x0, y0 := x+quietZone*module, y+quietZone*module
	// Each run reaches 0.02 mm into the next row so viewers that anti-alias
	// shape edges show no hairline seams between rows.
	const overlap = 0.02
	for row, line := range bm {
		h := module
		if row < n-1 {
			h += overlap
		}
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			end := col
			for end < len(line) && line[end] {
				end++
			}
			pdf.Rect(x0+float64(col)*module, y0+float64(row)*module, float64(end-col)*module, h, "F")
			col = end
		}
	}
	return module
}
