package card

import (
	_ "embed"
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"carnet/issuer/card/internal/ttf"
)

// The fonts are DejaVu Sans and Sans Bold from Debian's fonts-dejavu-core
// (licence in fonts/LICENSE), cut down ahead of time to the scripts Carnet
// prints (fonts/README.md): Latin, Greek, Cyrillic, Armenian, Hebrew,
// Georgian and Arabic. fpdf parses every font it is given again for each
// PDF, and the work grows with the font, so each card gets its own subset
// of the characters it prints (a hundred or two), not the embedded fonts.
//
//go:generate go run ./internal/fontsubset -dst fonts
var (
	//go:embed fonts/DejaVuSans-subset.ttf
	sansTTF []byte
	//go:embed fonts/DejaVuSans-Bold-subset.ttf
	sansBoldTTF []byte
)

// missingMark stands on the card for a character the fonts cannot draw
// (Chinese, Japanese, Korean, Devanagari, emoji…): U+25A1 WHITE SQUARE, the
// usual "tofu", so the reader sees that something is missing and how much.
const missingMark = '□'

var (
	fontsOnce      sync.Once
	fontsErr       error
	sansFont, bold *ttf.Font
	coverage       [1 << 16 / 64]uint64 // the BMP runes both fonts have
)

// loadFonts parses the embedded fonts, once.
func loadFonts() error {
	fontsOnce.Do(func() {
		var err1, err2 error
		sansFont, err1 = ttf.Parse(sansTTF)
		bold, err2 = ttf.Parse(sansBoldTTF)
		if fontsErr = errors.Join(err1, err2); fontsErr != nil {
			return
		}
		for _, r := range sansFont.Runes() {
			if bold.Has(r) {
				coverage[r/64] |= 1 << (r % 64)
			}
		}
	})
	return fontsErr
}

// covered reports whether both text fonts have a glyph for r. fpdf reads
// only a font's Basic Multilingual Plane cmap, and so does ttf: runes
// beyond U+FFFF are never covered.
func covered(r rune) bool { return r >= 0 && r <= 0xFFFF && coverage[r/64]&(1<<(r%64)) != 0 }

// fontSubsets returns the two text fonts cut down to runes.
func fontSubsets(runes []rune) (regular, boldSub []byte, err error) {
	if regular, _, err = sansFont.Subset(runes); err != nil {
		return nil, nil, err
	}
	if boldSub, _, err = bold.Subset(runes); err != nil {
		return nil, nil, err
	}
	return regular, boldSub, nil
}

// runeSet is the set of characters a page may print.
type runeSet map[rune]struct{}

// add adds the characters of s as printable prepares them, and the
// mirror images of brackets, which right-to-left lines turn around.
func (rs runeSet) add(ss ...string) {
	for _, s := range ss {
		p, _ := printable(s)
		for _, r := range p {
			rs[r] = struct{}{}
			if m, ok := mirrored[r]; ok {
				rs[m] = struct{}{}
			}
		}
	}
}

func (rs runeSet) sorted() []rune {
	out := make([]rune, 0, len(rs))
	for r := range rs {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
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
