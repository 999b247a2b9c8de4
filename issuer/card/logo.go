package card

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"sync"

	"codeberg.org/go-pdf/fpdf"

	"carnet/schema"
)

// logoImage is a structure's logo ready for the PDF: PNG (8 bits, without
// interlacing, which is what fpdf reads) or JPEG, at most logoMaxPx on its
// long side so that a photograph does not weigh down every card.
type logoImage struct {
	name string // the image's name in the PDF
	typ  string // "PNG" or "JPG"
	data []byte
	w, h int // pixels
}

const (
	logoMaxPx     = 480      // 20 mm at 600 dpi
	logoMaxPixels = 40 << 20 // refuse to decode more: a logo, not a poster
	logoCacheSize = 32
)

// logoCache keeps the logos already prepared, by SHA-256: a structure
// prints many cards with the same logo.
var logoCache = struct {
	sync.Mutex
	m map[string]*logoImage
}{m: map[string]*logoImage{}}

// prepareLogo checks, scales down and re-encodes a PNG or JPEG logo.
func prepareLogo(b []byte) (*logoImage, error) {
	sum := sha256.Sum256(b)
	key := hex.EncodeToString(sum[:16])
	logoCache.Lock()
	l := logoCache.m[key]
	logoCache.Unlock()
	if l != nil {
		return l, nil
	}
	bad := func(why string, whyFR string) error {
		return schema.Errorf(schema.EINVALID, "card: the logo %[1]s", "carte : le logo %[2]s", why, whyFR)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	switch {
	case err != nil || format != "png" && format != "jpeg":
		return nil, bad("is not a PNG or JPEG image", "n’est pas une image PNG ou JPEG")
	case cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > logoMaxPixels:
		return nil, bad("is too large", "est trop grand")
	}
	l = &logoImage{name: "logo-" + key, w: cfg.Width, h: cfg.Height}
	if format == "jpeg" && max(cfg.Width, cfg.Height) <= logoMaxPx {
		l.typ, l.data = "JPG", b
	} else {
		img, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, bad("cannot be read", "ne peut pas être lu")
		}
		small := shrink(img, logoMaxPx)
		l.w, l.h = small.Bounds().Dx(), small.Bounds().Dy()
		var buf bytes.Buffer
		if format == "jpeg" {
			l.typ = "JPG"
			err = jpeg.Encode(&buf, small, &jpeg.Options{Quality: 88})
		} else {
			l.typ = "PNG"
			err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, small)
		}
		if err != nil {
			return nil, bad("cannot be encoded", "ne peut pas être encodé")
		}
		l.data = buf.Bytes()
	}
	logoCache.Lock()
	if len(logoCache.m) >= logoCacheSize {
		for k := range logoCache.m { // drop any one
			delete(logoCache.m, k)
			break
		}
	}
	logoCache.m[key] = l
	logoCache.Unlock()
	return l, nil
}

// shrink returns img as 8-bit RGBA, scaled down by averaging so that its
// long side is at most maxPx.
func shrink(img image.Image, maxPx int) *image.RGBA {
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	sw, sh := b.Dx(), b.Dy()
	if max(sw, sh) <= maxPx {
		return src
	}
	dw, dh := maxPx, max(1, sh*maxPx/sw)
	if sh > sw {
		dw, dh = max(1, sw*maxPx/sh), maxPx
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for dy := range dh {
		y0, y1 := dy*sh/dh, max((dy+1)*sh/dh, dy*sh/dh+1)
		for dx := range dw {
			x0, x1 := dx*sw/dw, max((dx+1)*sw/dw, dx*sw/dw+1)
			var sum [4]int
			for y := y0; y < y1; y++ {
				p := src.Pix[y*src.Stride+4*x0 : y*src.Stride+4*x1]
				for i := 0; i < len(p); i += 4 {
					sum[0] += int(p[i])
					sum[1] += int(p[i+1])
					sum[2] += int(p[i+2])
					sum[3] += int(p[i+3])
				}
			}
			n := (y1 - y0) * (x1 - x0)
			o := dst.Pix[dy*dst.Stride+4*dx:]
			for i := range 4 {
				o[i] = uint8((sum[i] + n/2) / n)
			}
		}
	}
	return dst
}

func (l *logoImage) register(pdf *fpdf.Fpdf) {
	pdf.RegisterImageOptionsReader(l.name, fpdf.ImageOptions{ImageType: l.typ}, bytes.NewReader(l.data))
}

// fit returns the size of the logo drawn as large as it can in maxW × maxH.
func (l *logoImage) fit(maxW, maxH float64) (w, h float64) {
	w, h = maxW, maxW*float64(l.h)/float64(l.w)
	if h > maxH {
		w, h = maxH*float64(l.w)/float64(l.h), maxH
	}
	return w, h
}

func (r *renderer) drawLogo(x, y, w, h float64) {
	r.pdf.ImageOptions(r.logo.name, x, y, w, h, false, fpdf.ImageOptions{ImageType: r.logo.typ}, 0, "")
}
