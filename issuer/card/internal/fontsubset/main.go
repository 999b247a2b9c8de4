// Command fontsubset writes the fonts the card embeds: DejaVu Sans and Sans
// Bold cut down to the characters Carnet prints (see package ttf for what a
// subset keeps), with the name records of the family, the copyright and the
// licence. The binary carries 400 KB of fonts instead of 1.5 MB, and
// Render's coverage map and per-card subsets start from fewer glyphs.
//
// Run it with go generate in issuer/card; the sources are Debian 12's
// fonts-dejavu-core 2.37-6, checked by SHA-256.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"carnet/issuer/card/internal/ttf"
)

// A span is an inclusive range of code points.
type span struct{ lo, hi rune }

// textRanges are the characters of the two text fonts: the scripts of
// learners' names Carnet prints (Latin with all its extensions, Greek,
// Cyrillic, Armenian, Hebrew, Arabic with the presentation forms the card
// joins letters with, Georgian), the punctuation of French and English, and
// the signs the card draws.
var textRanges = []span{
	{0x0020, 0x007E}, // Basic Latin
	{0x00A0, 0x024F}, // Latin-1 Supplement, Latin Extended-A and -B
	{0x0250, 0x02FF}, // IPA Extensions (ɛ, ɔ in West African names), spacing modifiers (ʻ, ʼ)
	{0x0300, 0x036F}, // combining diacritical marks (NFC leaves some, as in ọ̀)
	{0x0370, 0x03FF}, // Greek
	{0x0400, 0x052F}, // Cyrillic and Cyrillic Supplement
	{0x0530, 0x058F}, // Armenian
	{0x0590, 0x05FF}, // Hebrew
	{0x0600, 0x06FF}, // Arabic
	{0x10A0, 0x10FF}, // Georgian
	{0x1E00, 0x1EFF}, // Latin Extended Additional (Vietnamese)
	{0x1F00, 0x1FFF}, // Greek Extended
	{0x2000, 0x206F}, // General Punctuation (– — ‘ ’ “ ” … • ‹ ›)
	{0x20A0, 0x20CF}, // currency signs
	{0x2100, 0x214F}, // letterlike symbols (№)
	{0x2190, 0x2199}, // arrows
	{0x2212, 0x2212}, // minus sign
	{0x2580, 0x259F}, // block elements
	{0x25A0, 0x25FF}, // geometric shapes (■ □ ● ○, □ stands for a missing character)
	{0x2702, 0x2702}, // ✂
	{0x2713, 0x2714}, // ✓ ✔
	{0x2C60, 0x2C7F}, // Latin Extended-C
	{0xA720, 0xA7FF}, // Latin Extended-D
	{0xFB00, 0xFB4F}, // Latin and Hebrew ligatures and presentation forms
	{0xFB50, 0xFDFF}, // Arabic Presentation Forms-A
	{0xFE70, 0xFEFF}, // Arabic Presentation Forms-B
	{0xFFFD, 0xFFFD}, // replacement character
}

type job struct {
	src, dst string
	sha256   string // of the source
	ranges   []span
}

var jobs = []job{
	{"DejaVuSans.ttf", "DejaVuSans-subset.ttf", "abdc775b21b1bc470d50c97e790d276f2054b7504e56e5bd3e64f48d68582322", textRanges},
	{"DejaVuSans-Bold.ttf", "DejaVuSans-Bold-subset.ttf", "0d977336a6d5fba34eab8e3199eb218327161b5143749f802982c2bc34df0c96", textRanges},
}

func main() {
	src := flag.String("src", "/usr/share/fonts/truetype/dejavu", "directory of the DejaVu TrueType fonts (apt-get install fonts-dejavu-core)")
	dst := flag.String("dst", "fonts", "directory to write the subsets to")
	anyVersion := flag.Bool("any-version", false, "accept sources other than fonts-dejavu-core 2.37-6")
	flag.Parse()
	for _, j := range jobs {
		in, err := os.ReadFile(filepath.Join(*src, j.src))
		if err != nil {
			log.Fatal(err)
		}
		if sum := sha256.Sum256(in); hex.EncodeToString(sum[:]) != j.sha256 && !*anyVersion {
			log.Fatalf("%s: SHA-256 %x is not that of fonts-dejavu-core 2.37-6 (use -any-version to go on)", j.src, sum)
		}
		f, err := ttf.Parse(in)
		if err != nil {
			log.Fatalf("%s: %v", j.src, err)
		}
		all := f.Runes()
		var runes []rune
		for _, r := range all {
			for _, s := range j.ranges {
				if r >= s.lo && r <= s.hi {
					runes = append(runes, r)
					break
				}
			}
		}
		// The names a PDF's font needs, and the copyright and licence:
		// copyright, family, subfamily, unique id, full name, version,
		// PostScript name, licence description and licence URL.
		f.KeepNames(0, 1, 2, 3, 4, 5, 6, 13, 14)
		out, glyphs, err := f.Subset(runes)
		if err != nil {
			log.Fatalf("%s: %v", j.src, err)
		}
		if err := os.WriteFile(filepath.Join(*dst, j.dst), out, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d bytes, %d characters -> %s: %d bytes, %d characters, %d glyphs\n", j.src, len(in), len(all), j.dst, len(out), len(runes), glyphs)
	}
}
