package card

import (
	"strings"
	"unicode"
)

// fpdf writes code points one glyph after another, left to right: it neither
// joins Arabic letters nor reorders right-to-left text. This file does the
// minimum for names written in Arabic script to print legibly: it replaces
// each letter by its contextual form from the Arabic Presentation Forms
// (which DejaVu Sans has), and reorders a line into visual order with a
// simplified Unicode bidirectional algorithm (one paragraph level, no
// explicit embeddings). Hebrew is reordered too; it needs no shaping.

// joinType is how an Arabic letter connects to its neighbours.
type joinType uint8

const (
	joinNone  joinType = iota // does not join (hamza, Latin, space…)
	joinRight                 // joins the previous letter only (alef, dal, reh, waw…)
	joinDual                  // joins both sides (beh, seen, lam…)
	joinCause                 // tatweel: joins both sides, has no forms
)

// arabicForm lists the presentation forms of a letter: isolated, final,
// initial, medial. Right-joining letters have no initial or medial form.
type arabicForm struct {
	isolated, final, initial, medial rune
}

func (f arabicForm) join() joinType {
	if f.initial == 0 {
		return joinRight
	}
	return joinDual
}

// arabicForms maps the Arabic letters that have presentation forms in
// DejaVu Sans (U+FE80–U+FEF4 and, for Persian and Urdu letters, U+FB56–
// U+FBFF) to those forms.
var arabicForms = map[rune]arabicForm{
	0x0622: {0xFE81, 0xFE82, 0, 0},           // alef with madda above
	0x0623: {0xFE83, 0xFE84, 0, 0},           // alef with hamza above
	0x0624: {0xFE85, 0xFE86, 0, 0},           // waw with hamza above
	0x0625: {0xFE87, 0xFE88, 0, 0},           // alef with hamza below
	0x0626: {0xFE89, 0xFE8A, 0xFE8B, 0xFE8C}, // yeh with hamza above
	0x0627: {0xFE8D, 0xFE8E, 0, 0},           // alef
	0x0628: {0xFE8F, 0xFE90, 0xFE91, 0xFE92}, // beh
	0x0629: {0xFE93, 0xFE94, 0, 0},           // teh marbuta
	0x062A: {0xFE95, 0xFE96, 0xFE97, 0xFE98}, // teh
	0x062B: {0xFE99, 0xFE9A, 0xFE9B, 0xFE9C}, // theh
	0x062C: {0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0}, // jeem
	0x062D: {0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4}, // hah
	0x062E: {0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8}, // khah
	0x062F: {0xFEA9, 0xFEAA, 0, 0},           // dal
	0x0630: {0xFEAB, 0xFEAC, 0, 0},           // thal
	0x0631: {0xFEAD, 0xFEAE, 0, 0},           // reh
	0x0632: {0xFEAF, 0xFEB0, 0, 0},           // zain
	0x0633: {0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4}, // seen
	0x0634: {0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8}, // sheen
	0x0635: {0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC}, // sad
	0x0636: {0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0}, // dad
	0x0637: {0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4}, // tah
	0x0638: {0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8}, // zah
	0x0639: {0xFEC9, 0xFECA, 0xFECB, 0xFECC}, // ain
	0x063A: {0xFECD, 0xFECE, 0xFECF, 0xFED0}, // ghain
	0x0641: {0xFED1, 0xFED2, 0xFED3, 0xFED4}, // feh
	0x0642: {0xFED5, 0xFED6, 0xFED7, 0xFED8}, // qaf
	0x0643: {0xFED9, 0xFEDA, 0xFEDB, 0xFEDC}, // kaf
	0x0644: {0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0}, // lam
	0x0645: {0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4}, // meem
	0x0646: {0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8}, // noon
	0x0647: {0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC}, // heh
	0x0648: {0xFEED, 0xFEEE, 0, 0},           // waw
	0x0649: {0xFEEF, 0xFEF0, 0, 0},           // alef maksura
	0x064A: {0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4}, // yeh
	0x067E: {0xFB56, 0xFB57, 0xFB58, 0xFB59}, // peh
	0x0686: {0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D}, // tcheh
	0x0698: {0xFB8A, 0xFB8B, 0, 0},           // jeh
	0x06A9: {0xFB8E, 0xFB8F, 0xFB90, 0xFB91}, // keheh
	0x06AF: {0xFB92, 0xFB93, 0xFB94, 0xFB95}, // gaf
	0x06CC: {0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF}, // farsi yeh
	0x0621: {0xFE80, 0, 0, 0},                // hamza: joins nothing
	0x0640: {0x0640, 0x0640, 0x0640, 0x0640}, // tatweel
}

// lamAlef maps the alef that follows a lam to the isolated form of the
// ligature; the final form is the next code point.
var lamAlef = map[rune]rune{0x0622: 0xFEF5, 0x0623: 0xFEF7, 0x0625: 0xFEF9, 0x0627: 0xFEFB}

func joiningOf(r rune) joinType {
	switch r {
	case 0x0640:
		return joinCause
	case 0x0621:
		return joinNone
	}
	if f, ok := arabicForms[r]; ok {
		return f.join()
	}
	return joinNone
}

// transparent reports whether r is a mark that Arabic joining skips over
// (harakat, shadda, superscript alef).
func transparent(r rune) bool { return unicode.Is(unicode.Mn, r) }

// shapeArabic replaces Arabic letters by their contextual presentation
// forms and lam-alef pairs by their ligature. Text without Arabic letters is
// returned unchanged. The result is still in logical order.
func shapeArabic(s []rune) []rune {
	has := false
	for _, r := range s {
		if _, ok := arabicForms[r]; ok {
			has = true
			break
		}
	}
	if !has {
		return s
	}
	// neighbour returns the joining type of the nearest non-transparent
	// rune before (dir -1) or after (dir +1) i.
	neighbour := func(i, dir int) (joinType, int) {
		for j := i + dir; j >= 0 && j < len(s); j += dir {
			if !transparent(s[j]) {
				return joiningOf(s[j]), j
			}
		}
		return joinNone, -1
	}
	joinsNext := func(t joinType) bool { return t == joinDual || t == joinCause }
	joinsPrev := func(t joinType) bool { return t == joinDual || t == joinRight || t == joinCause }

	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		r := s[i]
		f, ok := arabicForms[r]
		if !ok || r == 0x0640 {
			out = append(out, r)
			continue
		}
		self := joiningOf(r)
		prev, _ := neighbour(i, -1)
		toPrev := joinsNext(prev) && joinsPrev(self)
		if r == 0x0644 { // lam + alef → one ligature, which joins only its previous letter
			if _, j := neighbour(i, +1); j >= 0 && j == i+1 {
				if lig, ok := lamAlef[s[j]]; ok {
					if toPrev {
						lig++
					}
					out = append(out, lig)
					i = j
					continue
				}
			}
		}
		next, _ := neighbour(i, +1)
		toNext := joinsNext(self) && joinsPrev(next)
		switch {
		case toPrev && toNext:
			out = append(out, f.medial)
		case toPrev:
			out = append(out, f.final)
		case toNext:
			out = append(out, f.initial)
		default:
			out = append(out, f.isolated)
		}
	}
	return out
}

// bidiClass is the simplified bidirectional type of a rune.
type bidiClass uint8

const (
	bidiN  bidiClass = iota // neutral: spaces, punctuation, symbols
	bidiL                   // left-to-right letters, and digits
	bidiR                   // right-to-left letters (Hebrew, Arabic and their presentation forms)
	bidiM                   // non-spacing mark: takes the class of its base
	bidiEN                  // a digit, European or Arabic-Indic: not strong, takes its direction from the text before it
	bidiAN                  // a digit after right-to-left text: a left-to-right run inside it (rule W2)
)

// dir is the direction a class counts as for neutrals and brackets: a
// number after right-to-left text counts as right to left (rule N1).
func dir(c bidiClass) bidiClass {
	if c == bidiAN {
		return bidiR
	}
	return c
}

func classOf(r rune) bidiClass {
	switch {
	case transparent(r):
		return bidiM
	case unicode.IsDigit(r): // digits read left to right, in a run of their own
		return bidiEN
	case r >= 0x0590 && r <= 0x08FF, r >= 0xFB1D && r <= 0xFDFF, r >= 0xFE70 && r <= 0xFEFC:
		if unicode.IsLetter(r) || r == 0x0640 {
			return bidiR
		}
		return bidiN
	case unicode.IsLetter(r):
		return bidiL
	}
	return bidiN
}

// isRTL reports whether a paragraph is right to left: its first strong
// character is (rule P2 of the Unicode bidirectional algorithm).
// Digits are not strong: "2024 محمد" is right to left.
func isRTL(s []rune) bool {
	for _, r := range s {
		switch classOf(r) {
		case bidiL:
			return false
		case bidiR:
			return true
		}
	}
	return false
}

// mirrored holds the paired punctuation that turns around in a
// right-to-left run.
var mirrored = map[rune]rune{'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«', '‹': '›', '›': '‹'}

// visual reorders one line in logical order into the left-to-right order in
// which fpdf draws it. rtl is the paragraph direction. A number (digits,
// with one separator between two digits: "12-34", "1.5") takes the
// direction of the strong text before it: after right-to-left text it is a
// left-to-right run inside it, and reads as such ("محمد 2024" shows 2024
// at the left, in order), as in the Unicode bidirectional algorithm (rules
// W2, W4, W7, I1, I2). Bracket pairs are resolved together; other neutrals
// between two runs of the same direction take it, the rest take the
// paragraph's; a hyphen that ends a line after a left-to-right letter (a
// word broken there) stays with it; marks stay after their base letter.
func visual(s []rune, rtl bool) []rune {
	n := len(s)
	if n == 0 {
		return s
	}
	base := bidiL
	if rtl {
		base = bidiR
	}
	cls := make([]bidiClass, n)
	for i, r := range s {
		cls[i] = classOf(r)
		if cls[i] == bidiM {
			if i > 0 {
				cls[i] = cls[i-1]
			} else {
				cls[i] = base
			}
		}
	}
	// Rule W4: one separator between two digits joins the number.
	for i := 1; i+1 < n; i++ {
		if cls[i] == bidiN && cls[i-1] == bidiEN && cls[i+1] == bidiEN && strings.ContainsRune(".,:/-+\u066B\u066C", s[i]) {
			cls[i] = bidiEN
		}
	}
	// Rules W2, W7: a number after right-to-left text (or at the start of
	// a right-to-left paragraph) is a number inside it; else left to right.
	last := base
	anyR := false
	for i, c := range cls {
		switch c {
		case bidiL, bidiR:
			last = c
		case bidiEN:
			if last == bidiR {
				cls[i] = bidiAN
			} else {
				cls[i] = bidiL
			}
		}
		anyR = anyR || cls[i] == bidiR || cls[i] == bidiAN
	}
	if !anyR {
		return s
	}
	// A hyphen that ends the line after a letter of a left-to-right word
	// broken there.
	if k := n - 1; k > 0 && (s[k] == '-' || s[k] == '‐') && cls[k-1] == bidiL {
		cls[k] = bidiL
	}
	resolveBrackets(s, cls, base)
	for i := 0; i < n; {
		if cls[i] != bidiN {
			i++
			continue
		}
		j := i
		for j < n && cls[j] == bidiN {
			j++
		}
		before, after := base, base
		if i > 0 {
			before = dir(cls[i-1])
		}
		if j < n {
			after = dir(cls[j])
		}
		c := base
		if before == after {
			c = before
		}
		for k := i; k < j; k++ {
			cls[k] = c
		}
		i = j
	}
	// Embedding levels (rules I1, I2): even is left to right.
	level := make([]int, n)
	for i, c := range cls {
		switch {
		case c == bidiR:
			level[i] = 1
		case c == bidiAN: // 0 + 2 in a left-to-right paragraph, 1 + 1 in a right-to-left one
			level[i] = 2
		case rtl && c == bidiL:
			level[i] = 2
		}
	}
	// Clusters: a base rune with its marks moves as one unit (rule L3).
	type cluster struct{ from, to, level int }
	var cl []cluster
	for i := 0; i < n; i++ {
		if i > 0 && transparent(s[i]) && len(cl) > 0 {
			cl[len(cl)-1].to = i + 1
			continue
		}
		cl = append(cl, cluster{i, i + 1, level[i]})
	}
	maxLevel, minOdd := 0, 1<<30
	for _, c := range cl {
		maxLevel = max(maxLevel, c.level)
		if c.level%2 == 1 {
			minOdd = min(minOdd, c.level)
		}
	}
	// Rule L2: from the highest level down to the lowest odd one, reverse
	// every run at that level or higher.
	for lv := maxLevel; lv >= minOdd && lv > 0; lv-- {
		for i := 0; i < len(cl); {
			if cl[i].level < lv {
				i++
				continue
			}
			j := i
			for j < len(cl) && cl[j].level >= lv {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				cl[a], cl[b] = cl[b], cl[a]
			}
			i = j
		}
	}
	out := make([]rune, 0, n)
	for _, c := range cl {
		for k := c.from; k < c.to; k++ {
			r := s[k]
			if c.level%2 == 1 {
				if m, ok := mirrored[r]; ok {
					r = m
				}
			}
			out = append(out, r)
		}
	}
	return out
}

// resolveBrackets gives both brackets of each pair one direction (rule N0
// of the bidirectional algorithm): the paragraph's when the content has a
// letter of that direction, the other one when the content has only
// letters of the other direction and so does the text before the pair.
// "علي (Ali)" keeps its brackets around "Ali".
func resolveBrackets(s []rune, cls []bidiClass, base bidiClass) {
	var stack []int
	for i, r := range s {
		switch r {
		case '(', '[', '{':
			stack = append(stack, i)
		case ')', ']', '}':
			open := -1
			for k := len(stack) - 1; k >= 0; k-- {
				if mirrored[s[stack[k]]] == r {
					open = stack[k]
					stack = stack[:k]
					break
				}
			}
			if open < 0 {
				continue
			}
			inBase, inOther := false, false
			for k := open + 1; k < i; k++ {
				inBase = inBase || dir(cls[k]) == base
				inOther = inOther || dir(cls[k]) != base && cls[k] != bidiN
			}
			c := bidiN
			switch {
			case inBase:
				c = base
			case inOther:
				c = base
				for k := open - 1; k >= 0; k-- {
					if cls[k] != bidiN {
						c = dir(cls[k])
						break
					}
				}
			}
			if c != bidiN {
				cls[open], cls[i] = c, c
			}
		}
	}
}
