package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of any JSON Carnet reads from outside.
const maxJSONDepth = 32

var (
	errInvalidUTF8  = errors.New("text is not valid UTF-8")
	errDuplicateKey = errors.New("duplicate key in a JSON object")
	errTooDeep      = errors.New("JSON nested too deeply")
	errNotObject    = errors.New("not a JSON object")
)

// checkJSON accepts b only if it is one valid UTF-8 JSON object without
// duplicate keys at any depth (keys differing only by case count as
// duplicates, since encoding/json matches struct fields case-insensitively) and nested at most maxJSONDepth levels.
// encoding/json alone would silently keep the last of two keys and replace
// invalid UTF-8, so a signed payload could be read two ways.
func checkJSON(b []byte) error {
	if !utf8.Valid(b) {
		return errInvalidUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		keys   map[string]struct{}
		object bool
		expKey bool
	}
	var stack []frame
	first := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		if first {
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return errNotObject
			}
			first = false
		}
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top >= 0 && stack[top].object {
					stack[top].expKey = true // this value completes a member
				}
				if len(stack) >= maxJSONDepth {
					return errTooDeep
				}
				stack = append(stack, frame{object: t == '{', expKey: true})
				if t == '{' {
					stack[len(stack)-1].keys = make(map[string]struct{})
				}
			default:
				stack = stack[:top]
				if len(stack) == 0 {
					if dec.More() {
						return errors.New("data after the JSON object")
					}
				}
			}
			continue
		case string:
			if top >= 0 && stack[top].object && stack[top].expKey {
				k := foldKey(t)
				if _, dup := stack[top].keys[k]; dup {
					return errDuplicateKey
				}
				stack[top].keys[k] = struct{}{}
				stack[top].expKey = false
				continue
			}
		}
		if top >= 0 && stack[top].object {
			stack[top].expKey = true
		}
	}
	if first || len(stack) != 0 {
		return errors.New("incomplete JSON")
	}
	return nil
}

// foldKey maps a key to a canonical form under Unicode simple case folding,
// the equivalence encoding/json uses to match member names to fields: each
// rune becomes the smallest rune of its folding orbit ("ſ" and "S" → "S",
// the Kelvin sign → "K").
func foldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c >= 'a' && c <= 'z' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	b := make([]rune, 0, len(s))
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b = append(b, min)
	}
	return string(b)
}
