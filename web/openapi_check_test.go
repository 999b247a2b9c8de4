package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// This file holds what TestOpenAPI* need to read web/openapi.json: the
// document's operations and a small JSON Schema validator for the subset of
// JSON Schema 2020-12 the document uses. The validator refuses keywords it
// does not know, so the document cannot promise something no test checks.

// oaDoc is the parsed OpenAPI document.
type oaDoc struct {
	root map[string]any
}

// oaOp is one operation of the document.
type oaOp struct {
	Method string // upper case
	Path   string // "/api/v1/learners/{id}"
	Op     map[string]any
	Item   map[string]any // the path item, for its parameters
}

func (o oaOp) key() string { return o.Method + " " + o.Path }

// oaDecode decodes JSON keeping numbers as json.Number, so that integers
// and other numbers can be told apart.
func oaDecode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

func oaLoad(t testing.TB, b []byte) *oaDoc {
	t.Helper()
	v, err := oaDecode(b)
	if err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		t.Fatal("openapi.json is not a JSON object")
	}
	return &oaDoc{root: root}
}

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations lists the document's operations, sorted by path and method.
func (d *oaDoc) operations() []oaOp {
	var out []oaOp
	paths, _ := d.root["paths"].(map[string]any)
	for p, v := range paths {
		item, _ := v.(map[string]any)
		for _, m := range oaMethods {
			if op, ok := item[m].(map[string]any); ok {
				out = append(out, oaOp{Method: strings.ToUpper(m), Path: p, Op: op, Item: item})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// match returns the operation whose path template matches a concrete path
// (query string ignored); literal segments win over parameters.
func (d *oaDoc) match(method, path string) (oaOp, bool) {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	var best oaOp
	bestScore, found := -1, false
	for _, op := range d.operations() {
		if op.Method != method {
			continue
		}
		tsegs := strings.Split(op.Path, "/")
		if len(tsegs) != len(segs) {
			continue
		}
		score := 0
		for i, ts := range tsegs {
			switch {
			case ts == segs[i]:
				score++
			case strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "}") && segs[i] != "":
			default:
				score = -1
			}
			if score < 0 {
				break
			}
		}
		if score > bestScore {
			best, bestScore, found = op, score, true
		}
	}
	return best, found
}

// resolve follows a local JSON pointer ("#/components/schemas/Learner").
func (d *oaDoc) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("only local $ref are supported, not %q", ref)
	}
	var cur any = d.root
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not in an object", ref, part)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
	}
	return cur, nil
}

// deref follows $ref until an object without one (responses, parameters,
// request bodies).
func (d *oaDoc) deref(v any) (map[string]any, error) {
	for i := 0; i < 20; i++ {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("not an object: %v", v)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, nil
		}
		var err error
		if v, err = d.resolve(ref); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("$ref loop")
}

// response returns the documented response of an operation for a status.
func (d *oaDoc) response(op oaOp, status int) (map[string]any, bool) {
	rs, _ := op.Op["responses"].(map[string]any)
	r, ok := rs[strconv.Itoa(status)]
	if !ok {
		return nil, false
	}
	m, err := d.deref(r)
	return m, err == nil
}

// requestSchema returns the JSON schema of an operation's request body.
func (d *oaDoc) requestSchema(op oaOp) (any, bool) {
	rb, ok := op.Op["requestBody"]
	if !ok {
		return nil, false
	}
	m, err := d.deref(rb)
	if err != nil {
		return nil, false
	}
	content, _ := m["content"].(map[string]any)
	mt, _ := content["application/json"].(map[string]any)
	s, ok := mt["schema"]
	return s, ok
}

// public reports whether an operation needs no token (security: []).
func (o oaOp) public() bool {
	sec, ok := o.Op["security"].([]any)
	return ok && len(sec) == 0
}

// oaSchemaKeywords are the JSON Schema keywords the validator checks;
// oaAnnotations are those it may ignore.
var (
	oaSchemaKeywords = map[string]bool{"$ref": true, "type": true, "properties": true, "required": true,
		"additionalProperties": true, "items": true, "enum": true, "const": true, "format": true, "pattern": true,
		"minLength": true, "maxLength": true, "minimum": true, "maximum": true, "minItems": true, "minProperties": true}
	oaAnnotations = map[string]bool{"description": true, "title": true, "default": true, "example": true,
		"examples": true, "deprecated": true, "readOnly": true, "writeOnly": true, "$comment": true}
	oaFormats = map[string]bool{"date-time": true, "date": true, "uuid": true, "email": true, "uri": true}
)

// oaValidator validates JSON values against the document's schemas.
type oaValidator struct {
	doc *oaDoc
	// closed treats an object schema with properties and no
	// additionalProperties as closed: answers are checked for members the
	// document does not describe, while the published document stays open
	// to additions (clients must ignore unknown members).
	closed bool
}

var oaUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// validate returns the ways value breaks schema, each prefixed with where.
func (v *oaValidator) validate(schema, value any, at string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		if b, isBool := schema.(bool); isBool {
			if !b {
				return []string{at + ": not allowed"}
			}
			return nil
		}
		return []string{at + ": schema is not an object"}
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for k := range s {
		if !oaSchemaKeywords[k] && !oaAnnotations[k] {
			bad("the test's validator does not support the keyword %q", k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		target, err := v.doc.resolve(ref)
		if err != nil {
			return append(errs, at+": "+err.Error())
		}
		errs = append(errs, v.validate(target, value, at)...)
	}
	if t, ok := s["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				xs, _ := x.(string)
				types = append(types, xs)
			}
		}
		match := false
		for _, typ := range types {
			if oaIsType(value, typ) {
				match = true
			}
		}
		if !match {
			bad("%s is not of type %s", oaShort(value), strings.Join(types, " or "))
			return errs // the other keywords would only repeat it
		}
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, x := range e {
			if oaEqual(x, value) {
				found = true
			}
		}
		if !found {
			bad("%s is not one of %s", oaShort(value), oaShort(e))
		}
	}
	if c, ok := s["const"]; ok && !oaEqual(c, value) {
		bad("%s is not %s", oaShort(value), oaShort(c))
	}
	switch val := value.(type) {
	case string:
		n := utf8.RuneCountInString(val)
		if m, ok := oaInt(s["minLength"]); ok && n < m {
			bad("%q is shorter than %d", val, m)
		}
		if m, ok := oaInt(s["maxLength"]); ok && n > m {
			bad("%q is longer than %d", val, m)
		}
		if p, ok := s["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				bad("bad pattern %q: %v", p, err)
			} else if !re.MatchString(val) {
				bad("%q does not match %s", val, p)
			}
		}
		if f, ok := s["format"].(string); ok {
			if !oaFormats[f] {
				bad("the test's validator does not support the format %q", f)
			} else if err := oaCheckFormat(f, val); err != nil {
				bad("%q is not a %s: %v", val, f, err)
			}
		}
	case json.Number:
		x, _ := val.Float64()
		if m, ok := s["minimum"].(json.Number); ok {
			if mf, _ := m.Float64(); x < mf {
				bad("%s is below %s", val, m)
			}
		}
		if m, ok := s["maximum"].(json.Number); ok {
			if mf, _ := m.Float64(); x > mf {
				bad("%s is above %s", val, m)
			}
		}
	case []any:
		if m, ok := oaInt(s["minItems"]); ok && len(val) < m {
			bad("%d items, fewer than %d", len(val), m)
		}
		if items, ok := s["items"]; ok {
			for i, x := range val {
				errs = append(errs, v.validate(items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	case map[string]any:
		if m, ok := oaInt(s["minProperties"]); ok && len(val) < m {
			bad("%d members, fewer than %d", len(val), m)
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			name, _ := r.(string)
			if _, ok := val[name]; !ok {
				bad("required member %q is missing", name)
			}
		}
		props, hasProps := s["properties"].(map[string]any)
		addl, hasAddl := s["additionalProperties"]
		names := make([]string, 0, len(val))
		for k := range val {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			sub := at + "." + k
			if ps, ok := props[k]; ok {
				errs = append(errs, v.validate(ps, val[k], sub)...)
				continue
			}
			switch {
			case hasAddl:
				errs = append(errs, v.validate(addl, val[k], sub)...)
			case hasProps && v.closed:
				bad("member %q is not in the document", k)
			}
		}
	}
	return errs
}

func oaIsType(v any, typ string) bool {
	switch typ {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		if _, err := n.Int64(); err == nil {
			return true
		}
		f, err := n.Float64()
		return err == nil && f == float64(int64(f))
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

func oaCheckFormat(f, s string) error {
	switch f {
	case "date-time":
		_, err := time.Parse(time.RFC3339Nano, s)
		return err
	case "date":
		_, err := time.Parse("2006-01-02", s)
		return err
	case "uuid":
		if !oaUUID.MatchString(s) {
			return fmt.Errorf("not a lowercase UUID")
		}
	case "email":
		a, err := mail.ParseAddress(s)
		if err != nil {
			return err
		}
		if a.Address != s {
			return fmt.Errorf("not a bare address")
		}
	case "uri":
		u, err := url.Parse(s)
		if err != nil {
			return err
		}
		if u.Scheme == "" {
			return fmt.Errorf("not absolute")
		}
	}
	return nil
}

func oaInt(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return int(i), err == nil
}

func oaEqual(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

func oaShort(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

// lintSchema checks, without a value, that a schema uses only the keywords
// and formats the validator knows and that its $refs resolve.
func (v *oaValidator) lintSchema(schema any, at string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		if _, isBool := schema.(bool); isBool {
			return nil
		}
		return []string{at + ": schema is not an object"}
	}
	var errs []string
	for k, x := range s {
		switch {
		case k == "$ref":
			ref, _ := x.(string)
			if _, err := v.doc.resolve(ref); err != nil {
				errs = append(errs, at+": "+err.Error())
			}
		case k == "properties":
			props, _ := x.(map[string]any)
			for name, p := range props {
				errs = append(errs, v.lintSchema(p, at+".properties."+name)...)
			}
		case k == "items" || k == "additionalProperties":
			errs = append(errs, v.lintSchema(x, at+"."+k)...)
		case k == "format":
			if f, _ := x.(string); !oaFormats[f] {
				errs = append(errs, fmt.Sprintf("%s: the test's validator does not support the format %q", at, f))
			}
		case k == "required":
			req, _ := x.([]any)
			props, _ := s["properties"].(map[string]any)
			for _, r := range req {
				if _, ok := props[r.(string)]; !ok {
					errs = append(errs, fmt.Sprintf("%s: required member %q has no property", at, r))
				}
			}
		case !oaSchemaKeywords[k] && !oaAnnotations[k]:
			errs = append(errs, fmt.Sprintf("%s: the test's validator does not support the keyword %q", at, k))
		}
	}
	return errs
}

// TestOpenAPIValidator checks the validator itself on values it must
// accept and values it must refuse, so that a silent validator cannot make
// the other tests pass.
func TestOpenAPIValidator(t *testing.T) {
	doc := oaLoad(t, []byte(`{"components": {"schemas": {
		"E": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string", "enum": ["a", "b"]}}, "additionalProperties": false},
		"O": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}, "t": {"type": ["string", "null"], "format": "date-time"},
			"l": {"type": "array", "items": {"$ref": "#/components/schemas/E"}}, "m": {"type": "object", "additionalProperties": {"type": "string"}},
			"s": {"type": "string", "pattern": "^urn:", "maxLength": 8}, "u": {"type": "string", "format": "uuid"}}}}}}`))
	ref := map[string]any{"$ref": "#/components/schemas/O"}
	for _, tc := range []struct {
		name   string
		value  string
		closed bool
		ok     bool
	}{
		{"empty object", `{}`, true, true},
		{"all good", `{"n": 2, "t": "2025-01-02T03:04:05Z", "l": [{"code": "a"}], "m": {"x": "y"}, "s": "urn:x", "u": "0a1b2c3d-0000-4000-8000-000000000000"}`, true, true},
		{"null allowed", `{"t": null}`, true, true},
		{"open when not closed", `{"zz": 1}`, false, true},
		{"closed refuses unknown member", `{"zz": 1}`, true, false},
		{"not an object", `[]`, false, false},
		{"integer refuses fraction", `{"n": 1.5}`, false, false},
		{"integer refuses string", `{"n": "1"}`, false, false},
		{"minimum", `{"n": 0}`, false, false},
		{"date-time", `{"t": "yesterday"}`, false, false},
		{"ref required", `{"l": [{}]}`, false, false},
		{"ref enum", `{"l": [{"code": "c"}]}`, false, false},
		{"additionalProperties false", `{"l": [{"code": "a", "x": 1}]}`, false, false},
		{"additionalProperties schema", `{"m": {"x": 1}}`, false, false},
		{"pattern", `{"s": "x"}`, false, false},
		{"maxLength", `{"s": "urn:123456789"}`, false, false},
		{"uuid", `{"u": "nope"}`, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := oaDecode([]byte(tc.value))
			if err != nil {
				t.Fatal(err)
			}
			errs := (&oaValidator{doc: doc, closed: tc.closed}).validate(ref, v, "$")
			if tc.ok && len(errs) > 0 {
				t.Errorf("refused: %v", errs)
			}
			if !tc.ok && len(errs) == 0 {
				t.Error("accepted")
			}
		})
	}
	if errs := (&oaValidator{doc: doc}).validate(map[string]any{"oneOf": []any{}}, "x", "$"); len(errs) == 0 {
		t.Error("an unsupported keyword was ignored")
	}
}
