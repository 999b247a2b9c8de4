package card

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The fonts are DejaVu Sans, Sans Bold and Sans Mono Bold from Debian's
// fonts-dejavu-core (licence in fonts/LICENSE). They cover Latin, Greek,
// Cyrillic, Armenian, Georgian, Hebrew and Arabic; fpdf embeds only the
// glyphs a card uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	sansTTF []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	sansBoldTTF []byte
	//go:embed fonts/DejaVuSansMono-Bold.ttf
	monoBoldTTF []byte
)

// missingMark stands on the card for a character the fonts cannot draw
// (Chinese, Japanese, Korean, Devanagari, emoji…): U+25A1 WHITE SQUARE, the
// usual "tofu", so the reader sees that something is missing and how much.
const missingMark = '□'

var (
	coverOnce sync.Once
	coverErr  error
	coverage  *[1 << 16 / 64]uint64 // runes of the BMP that both text fonts have
)

func loadCoverage() error {
	coverOnce.Do(func() {
		var both [1 << 16 / 64]uint64
		for i, b := range [][]byte{sansTTF, sansBoldTTF} {
			set, err := cmapCoverage(b)
			if err != nil {
				coverErr = err
				return
			}
			for k := range both {
				if i == 0 {
					both[k] = set[k]
				} else {
					both[k] &= set[k]
				}
			}
		}
		coverage = &both
	})
	return coverErr
}

// covered reports whether both text fonts have a glyph for r. fpdf reads
// only a font's Basic Multilingual Plane cmap, so runes beyond U+FFFF are
// never covered.
func covered(r rune) bool {
	return r >= 0 && r <= 0xFFFF && coverage[r/64]&(1<<(r%64)) != 0
}

// cmapCoverage returns the set of BMP runes that a TrueType font maps to a
// glyph, from its Unicode BMP cmap subtable (platform 3 encoding 1, or
// platform 0, format 4): the same table fpdf reads.
func cmapCoverage(ttf []byte) (*[1 << 16 / 64]uint64, error) {
	bad := errors.New("not a TrueType font with a format 4 Unicode cmap")
	u16 := func(off int) (int, bool) {
		if off < 0 || off+2 > len(ttf) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(ttf[off:])), true
	}
	u32 := func(off int) (int, bool) {
		if off < 0 || off+4 > len(ttf) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(ttf[off:])), true
	}
	numTables, ok := u16(4)
	if !ok {
		return nil, bad
	}
	cmap := -1
	for i := range numTables {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, bad
		}
		if string(ttf[rec:rec+4]) == "cmap" {
			cmap, _ = u32(rec + 8)
		}
	}
	n, ok := u16(cmap + 2)
	if cmap < 0 || !ok {
		return nil, bad
	}
	sub := -1
	for i := range n {
		rec := cmap + 4 + 8*i
		platform, _ := u16(rec)
		encoding, _ := u16(rec + 2)
		off, ok := u32(rec + 4)
		if format, _ := u16(cmap + off); ok && format == 4 && (platform == 3 && encoding == 1 || platform == 0) {
			sub = cmap + off
			break
		}
	}
	if sub < 0 {
		return nil, bad
	}
	segX2, ok := u16(sub + 6)
	if !ok {
		return nil, bad
	}
	ends, starts, deltas, ranges := sub+14, sub+16+segX2, sub+16+2*segX2, sub+16+3*segX2
	var set [1 << 16 / 64]uint64
	for s := 0; s < segX2; s += 2 {
		end, ok1 := u16(ends + s)
		start, ok2 := u16(starts + s)
		delta, ok3 := u16(deltas + s)
		rangeOff, ok4 := u16(ranges + s)
		if !(ok1 && ok2 && ok3 && ok4) {
			return nil, bad
		}
		for c := start; c <= end && c < 0xFFFF; c++ {
			g := c
			if rangeOff != 0 {
				if g, ok = u16(ranges + s + rangeOff + 2*(c-start)); !ok {
					return nil, bad
				}
				if g == 0 {
					continue
				}
			}
			if (g+delta)&0xFFFF != 0 {
				set[c/64] |= 1 << (c % 64)
			}
		}
	}
	return &set, nil
}

// printable prepares a text for fpdf: NFC (a decomposed "é" would print its
// accent as a separate glyph), white space and line breaks as single spaces,
// format characters (bidi controls, zero-width joiners) dropped, Arabic
// letters in their joined forms, and every character the fonts lack
// replaced by missingMark. missing reports whether any was replaced. The
// result is in logical order: see visual for drawing order.
func printable(s string) (out []rune, missing bool) {
	s = norm.NFC.String(s)
	out = make([]rune, 0, len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\u00A0' || r == '\u202F': // no-break spaces are part of some names
		case unicode.IsSpace(r) || unicode.IsControl(r):
			if len(out) > 0 && !space {
				out = append(out, ' ')
			}
			space = true
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		}
		space = false
		out = append(out, r)
	}
	if space && len(out) > 0 {
		out = out[:len(out)-1]
	}
	out = shapeArabic(out)
	for i, r := range out {
		if !covered(r) {
			out[i] = missingMark
			missing = true
		}
	}
	return out, missing
}

// meta cleans a text for the PDF's metadata, which viewers show in their
// own fonts: NFC, one line, control characters dropped, nothing replaced.
func meta(s string) string {
	return strings.Join(strings.FieldsFunc(norm.NFC.String(s), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}
