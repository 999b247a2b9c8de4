package schema

import (
	"encoding/json"
	"errors"
	"unicode"
	"unicode/utf8"
)

// MaxJSONDepth bounds the nesting of any JSON Carnet reads from outside.
const MaxJSONDepth = 32

// The errors of CheckJSON.
var (
	ErrJSONInvalidUTF8  = errors.New("text is not valid UTF-8")
	ErrJSONInvalid      = errors.New("not valid JSON")
	ErrJSONDuplicateKey = errors.New("duplicate key in a JSON object")
	ErrJSONTooDeep      = errors.New("JSON nested too deeply")
	ErrJSONNotObject    = errors.New("not a JSON object")
)

// CheckJSON accepts b only if it is one valid UTF-8 JSON object without
// duplicate keys at any depth (keys differing only by case count as
// duplicates, since encoding/json matches struct fields case-insensitively)
// and nested at most MaxJSONDepth levels. encoding/json alone would silently
// keep the last of two keys and replace invalid UTF-8, so a signed payload
// could be read two ways, and an API body would store what nobody meant.
func CheckJSON(b []byte) error {
	if !utf8.Valid(b) {
		return ErrJSONInvalidUTF8
	}
	if !json.Valid(b) {
		return ErrJSONInvalid
	}
	if i := firstNonSpace(b); i == len(b) || b[i] != '{' {
		return ErrJSONNotObject
	}
	// b is valid JSON: a byte scan that follows strings and brackets finds
	// every object key, far faster than json.Decoder.Token.
	type frame struct {
		keys   map[string]struct{}
		expKey bool // the next string of this object is a key
	}
	var stack []frame
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			if len(stack) == 0 && c != '{' {
				return ErrJSONNotObject
			}
			if len(stack) >= MaxJSONDepth {
				return ErrJSONTooDeep
			}
			f := frame{}
			if c == '{' {
				f.keys, f.expKey = make(map[string]struct{}), true
			}
			stack = append(stack, f)
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			if top := len(stack) - 1; stack[top].keys != nil {
				stack[top].expKey = true
			}
		case '"':
			j, escaped := i+1, false
			for ; b[j] != '"'; j++ {
				if b[j] == '\\' {
					escaped = true
					j++
				}
			}
			if top := len(stack) - 1; top >= 0 && stack[top].expKey {
				key := string(b[i+1 : j])
				if escaped {
					if err := json.Unmarshal(b[i:j+1], &key); err != nil {
						return ErrJSONInvalid
					}
				}
				k := foldKey(key)
				if _, dup := stack[top].keys[k]; dup {
					return ErrJSONDuplicateKey
				}
				stack[top].keys[k] = struct{}{}
				stack[top].expKey = false
			}
			i = j
		default:
			if len(stack) == 0 {
				return ErrJSONNotObject
			}
		}
	}
	return nil
}

// foldKey maps a key to a canonical form under Unicode simple case folding,
// the equivalence encoding/json uses to match member names to fields: each
// rune becomes the smallest rune of its folding orbit ("ſ", "s" and "S" →
// "S", the Kelvin sign → "K"). For ASCII that is upper case.
func foldKey(s string) string {
	ascii, lower := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		lower = lower || c >= 'a' && c <= 'z'
	}
	if ascii {
		if !lower {
			return s
		}
		b := []byte(s)
		for i, c := range b {
			if c >= 'a' && c <= 'z' {
				b[i] = c - 'a' + 'A'
			}
		}
		return string(b)
	}
	r := make([]rune, 0, len(s))
	for _, c := range s {
		min := c
		for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		r = append(r, min)
	}
	return string(r)
}

func firstNonSpace(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
