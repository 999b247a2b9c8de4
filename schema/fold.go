package schema

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldMap maps the accented Latin letters of French and of the names
// learners commonly carry to their base letter, so a search for "eloise"
// finds "Éloïse". Fold puts its input in NFC first, so that a decomposed
// "é" (e and a combining accent) is one of these letters.
var foldMap = func() map[rune]string {
	m := map[rune]string{}
	for base, variants := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđ", "e": "èéêëēĕėęě", "g": "ĝğġģ", "h": "ĥħ",
		"i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ", "l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏő",
		"r": "ŕŗř", "s": "śŝşšș", "t": "ţťŧț", "u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ", "z": "źżž",
		"ae": "æ", "oe": "œ", "ss": "ß",
	} {
		for _, r := range variants {
			m[r] = base
		}
	}
	return m
}()

// Fold lower-cases s and removes the accents of Latin letters, for
// accent-insensitive search.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(norm.NFC.String(s)) {
		if f, ok := foldMap[r]; ok {
			b.WriteString(f)
		} else if unicode.IsSpace(r) {
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
