package schema

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// What people type reaches credentials, cards, pages, the audit log and
// other systems, so it is checked and put in one form where it comes in:
//
//   - valid UTF-8, refused otherwise (never repaired into U+FFFD, which
//     would store something nobody typed);
//   - Unicode NFC, so that "é" typed as one character or as "e" and a
//     combining accent is one name, shown, searched and signed alike;
//   - no control characters, and none of the explicit bidirectional
//     controls (U+202A–U+202E, U+2066–U+2069) that reorder what is shown
//     beyond them ("Trojan Source"): "Anne\u202Eevif" would read "Annefive".
//
// Names (CleanName, CleanLabel) are stricter than free text (CleanText):
// they are shown alone, on a card, in a list, so every bidirectional mark
// and every invisible character is refused, and a name must have a letter
// (a learner) or a letter or digit (anything else): a name of only U+00A0
// or U+200B looks empty and breaks a card.

// Names may keep two invisible characters: the zero-width non-joiner and
// joiner, which shape Persian, Indic scripts and emoji sequences.
const (
	zwnj = '\u200c'
	zwj  = '\u200d'
)

// explicitBidi reports whether r is a bidirectional embedding, override or
// isolate control: it reorders the text after it, up to its terminator or
// the end of the paragraph. The marks LRM, RLM and ALM act only on their
// neighbours and are kept in free text.
func explicitBidi(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// noncharacter reports whether r is one of the 66 Unicode noncharacters.
func noncharacter(r rune) bool {
	return r >= '\ufdd0' && r <= '\ufdef' || r&0xfffe == 0xfffe
}

func textError(fieldEN, fieldFR, en, fr string, r rune) *Error {
	u := fmt.Sprintf("U+%04X", r)
	return &Error{Code: EINVALID, Message: fieldEN + ": " + fmt.Sprintf(en, u), MessageFR: fieldFR + " : " + fmt.Sprintf(fr, u)}
}

func invalidUTF8(fieldEN, fieldFR string) *Error {
	return &Error{Code: EINVALID, Message: fieldEN + ": the text is not valid UTF-8",
		MessageFR: fieldFR + " : le texte n'est pas de l'UTF-8 valide"}
}

func tooLong(fieldEN, fieldFR string, max int) *Error {
	return &Error{Code: EINVALID,
		Message:   fieldEN + " is too long (" + itoa(max) + " characters at most)",
		MessageFR: fieldFR + " est trop long (" + itoa(max) + " caractères au plus)"}
}

// checkNameRunes refuses what a name may not contain.
func checkNameRunes(s, fieldEN, fieldFR string) error {
	for _, r := range s {
		switch {
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return textError(fieldEN, fieldFR, "control characters (here %s) are not accepted",
				"les caractères de contrôle (ici %s) ne sont pas acceptés", r)
		case unicode.Is(unicode.Bidi_Control, r):
			return textError(fieldEN, fieldFR, "bidirectional control characters (here %s) are not accepted",
				"les caractères de contrôle bidirectionnel (ici %s) ne sont pas acceptés", r)
		case r == utf8.RuneError:
			return textError(fieldEN, fieldFR, "%s, the mark of text damaged by a wrong encoding, is not accepted",
				"%s, la marque d'un texte abîmé par un mauvais encodage, n'est pas accepté", r)
		case unicode.Is(unicode.Cf, r) && r != zwnj && r != zwj,
			unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r), noncharacter(r):
			return textError(fieldEN, fieldFR, "invisible or unprintable characters (here %s) are not accepted",
				"les caractères invisibles ou non imprimables (ici %s) ne sont pas acceptés", r)
		}
	}
	return nil
}

// cleanName is CleanName and CleanLabel: the text in NFC, runs of ASCII
// white space collapsed to one space (no-break spaces are part of how some
// names are written and are kept inside), white space trimmed at both ends.
// letter says what a non-empty name must contain.
func cleanName(s string, max int, fieldEN, fieldFR string, letter func(rune) bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalidUTF8(fieldEN, fieldFR)
	}
	s = norm.NFC.String(s)
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < utf8.RuneSelf && unicode.IsSpace(r) }), " ")
	s = strings.TrimFunc(s, unicode.IsSpace)
	if err := checkNameRunes(s, fieldEN, fieldFR); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) > max {
		return "", tooLong(fieldEN, fieldFR, max)
	}
	if s != "" && strings.IndexFunc(s, letter) < 0 {
		return "", &Error{Code: EINVALID, Message: fieldEN + ": at least one visible letter is needed",
			MessageFR: fieldFR + " : il faut au moins une lettre visible"}
	}
	return s, nil
}

// CleanLabel cleans the name of something other than a learner: a
// structure, a person's own name, an API token, a partner, a resource or
// its provider. It applies the rules of CleanName, with its own length and
// field, and a non-empty label needs a letter or a digit; "" stays ""
// (callers that require a label say so).
func CleanLabel(s string, max int, fieldEN, fieldFR string) (string, error) {
	return cleanName(s, max, fieldEN, fieldFR, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// CleanText trims a free-text field (contact, notes, evidence, method,
// reason) and checks it: valid UTF-8, no control character but tab and line
// breaks, no explicit bidirectional control, at most max characters. It
// returns the text in NFC. field names the field in errors.
func CleanText(s string, max int, fieldEN, fieldFR string) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalidUTF8(fieldEN, fieldFR)
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	for _, r := range s {
		switch {
		case unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r':
			return "", textError(fieldEN, fieldFR, "control characters (here %s) are not accepted",
				"les caractères de contrôle (ici %s) ne sont pas acceptés", r)
		case explicitBidi(r):
			return "", textError(fieldEN, fieldFR, "bidirectional control characters (here %s) are not accepted",
				"les caractères de contrôle bidirectionnel (ici %s) ne sont pas acceptés", r)
		}
	}
	if utf8.RuneCountInString(s) > max {
		return "", tooLong(fieldEN, fieldFR, max)
	}
	return s, nil
}
