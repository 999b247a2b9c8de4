package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// verbs returns the printf verbs of a format as "argument:verb" (with
// explicit indexes resolved), sorted, so two texts that take the same
// arguments in another order compare equal.
func verbs(format string) []string {
	var out []string
	arg := 1
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		// flags, an index, width and precision
		for i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0 {
			i++
		}
		if i < len(format) && format[i] == '[' {
			end := strings.IndexByte(format[i:], ']')
			if end < 0 {
				return append(out, "bad index")
			}
			n, err := strconv.Atoi(format[i+1 : i+end])
			if err != nil {
				return append(out, "bad index")
			}
			arg = n
			i += end + 1
		}
		for i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == '.') {
			i++
		}
		if i >= len(format) {
			return append(out, "trailing %")
		}
		if format[i] == '%' {
			continue
		}
		out = append(out, fmt.Sprintf("%d:%c", arg, format[i]))
		arg++
	}
	sort.Strings(out)
	return out
}

// TestEveryMessageInBothLanguages: every key of every domain has a French
// and an English text, not empty, taking the same printf arguments.
func TestEveryMessageInBothLanguages(t *testing.T) {
	n := 0
	for _, d := range Domains {
		keys := Keys(d)
		if len(keys) == 0 {
			t.Errorf("domain %s has no message", d)
		}
		for _, k := range keys {
			n++
			fr, _ := Lookup(d, "fr", k)
			en, _ := Lookup(d, "en", k)
			if strings.TrimSpace(fr) == "" || strings.TrimSpace(en) == "" {
				t.Errorf("%s/%s: a text is empty (fr %q, en %q)", d, k, fr, en)
				continue
			}
			if vf, ve := verbs(fr), verbs(en); strings.Join(vf, " ") != strings.Join(ve, " ") {
				t.Errorf("%s/%s: French takes %v, English %v", d, k, vf, ve)
			}
		}
	}
	for _, d := range Domains {
		for _, k := range PluralKeys(d) {
			n++
			fr, _ := PluralForms(d, "fr", k)
			en, _ := PluralForms(d, "en", k)
			for i, form := range []string{"one", "other"} {
				if strings.TrimSpace(fr[i]) == "" || strings.TrimSpace(en[i]) == "" {
					t.Errorf("%s/%s: a %s form is empty (fr %q, en %q)", d, k, form, fr[i], en[i])
				}
				if vf, ve := verbs(fr[i]), verbs(en[i]); strings.Join(vf, " ") != "1:d" || strings.Join(ve, " ") != "1:d" {
					t.Errorf("%s/%s: the %s forms take %v (fr), %v (en), want the count alone", d, k, form, vf, ve)
				}
			}
		}
	}
	if n < 500 {
		t.Fatalf("only %d messages: the catalogue is not loaded", n)
	}
}

// TestVerbs checks the verb scanner the test above relies on.
func TestVerbs(t *testing.T) {
	for in, want := range map[string]string{
		"%s et %d":           "1:s 2:d",
		"%[2]s puis %[1]s":   "1:s 2:s",
		"100 %% sûr, %.1f":   "1:f",
		"%[1]s a dit %[2]q.": "1:s 2:q",
		"aucun":              "",
	} {
		if got := strings.Join(verbs(in), " "); got != want {
			t.Errorf("verbs(%q) = %q, want %q", in, got, want)
		}
	}
	if strings.Join(verbs("%s"), "") == strings.Join(verbs("%d"), "") {
		t.Error("verbs s and d compare equal")
	}
	for _, c := range []struct {
		en, fr string
		same   bool
	}{
		{"column %q twice", "colonne « %s » deux fois", true},
		{"the logo %[1]s", "le logo %[2]s", true},
		{"%s of %d", "%s sur %s", false},
		{"%s and %s", "%s", false},
	} {
		if got := sameArguments(verbs(c.en), verbs(c.fr)); got != c.same {
			t.Errorf("sameArguments(%q, %q) = %v", c.en, c.fr, got)
		}
	}
}

// TestLookupSemantics: French unless English is asked, the key itself
// when unknown, arguments formatted as fmt does.
func TestLookupSemantics(t *testing.T) {
	if got := T("fr", "nav_learners"); got != "Personnes" {
		t.Errorf("fr: %q", got)
	}
	if got := T("", "nav_learners"); got != "Personnes" {
		t.Errorf("no language: %q, want French", got)
	}
	if got := T("de", "nav_learners"); got != "Personnes" {
		t.Errorf("another language: %q, want French", got)
	}
	if got := T("en", "nav_learners"); got != "Learners" {
		t.Errorf("en: %q", got)
	}
	if got := T("en", "no_such_key"); got != "no_such_key" {
		t.Errorf("unknown key: %q", got)
	}
	if got := T("fr", "orient_from_postcode", "75011"); got != "Distances depuis le code postal 75011." {
		t.Errorf("with an argument: %q", got)
	}
	if got := Text(Card, "fr", "more", 2026); got != "et 2026 autres compétences, dans le QR code" {
		t.Errorf("a number through T is written as fmt writes it: %q", got)
	}
	if _, ok := Lookup(Report, "fr", "nav_learners"); ok {
		t.Error("a page key found in the report domain")
	}
}

// TestPrinter: the x/text catalogue holds the same texts, and its printer
// writes numbers as each language does.
func TestPrinter(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		p := Printer(lang)
		for _, d := range Domains {
			for _, k := range Keys(d) {
				s, _ := Lookup(d, lang, k)
				if len(verbs(s)) > 0 || strings.Contains(s, "%") {
					continue
				}
				if got := p.Sprintf(CatalogKey(d, k)); got != s {
					t.Errorf("%s %s/%s: printer %q, table %q", lang, d, k, got, s)
				}
			}
		}
	}
	if got := Printer("fr").Sprintf(CatalogKey(Card, "more"), 1234); got != "et 1\u00a0234 autres compétences, dans le QR code" {
		t.Errorf("French printer: %q", got)
	}
	if got := Printer("en").Sprintf(CatalogKey(Card, "more"), 1234); got != "and 1,234 more competencies, in the QR code" {
		t.Errorf("English printer: %q", got)
	}
	// Plurals: by each language's rules, numbers as each writes them.
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"fr", 1, "1 jour"}, {"fr", 2, "2 jours"}, {"fr", 1500, "1\u00a0500 jours"},
		{"en", 1, "1 day"}, {"en", 2, "2 days"}, {"en", 1500, "1,500 days"},
	} {
		if got := Plural(Verifier, c.lang, "age_days", c.n); got != c.want {
			t.Errorf("Plural(%s, age_days, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
	if got := Plural(Verifier, "fr", "no_such_key", 2); got != "no_such_key" {
		t.Errorf("unknown plural key: %q", got)
	}
}

// labelRE is a key given to a label builder's l (issuer, issuer/card).
var labelRE = regexp.MustCompile(`\bl\("([a-z0-9_]+)"`)

// labelFile tells the files whose l("key") are catalogue keys, their
// domain and the prefix l adds.
func labelFile(path string) (Domain, string, bool) {
	switch filepath.ToSlash(path) {
	case "../issuer/credential.go":
		return Credential, "", true
	case "../issuer/card/texts.go":
		return Card, "", true
	case "../issuer/card/texts_a4.go":
		return Card, "a4_", true
	}
	return "", "", false
}

// TestEveryUsedKeyExists scans the page templates for {{t "key"}} and
// {{tf "key" …}}, and the Go sources for keys passed as string literals to
// the catalogue (i18n.T, i18n.Text, i18n.Lookup, web's tr), and checks
// each exists. Keys built at run time are checked by the packages that
// build them (web's TestMessagesComplete, verifier's and card's tests).
func TestEveryUsedKeyExists(t *testing.T) {
	tmplRE := regexp.MustCompile(`\b(?:t|tf) "([A-Za-z0-9_]+)"`)
	// A literal followed by "+" is a prefix: those keys are built at run time.
	goRE := regexp.MustCompile(`(?:\bi18n\.T|\btr)\((?:[A-Za-z.]+|"[a-z]+"), "([A-Za-z0-9_]+)"\s*[,)]|\bi18n\.(?:Text|Lookup|Plural)\(i18n\.(\w+), (?:[A-Za-z.]+|"[a-z]+"), "([A-Za-z0-9_]+)"\s*[,)]`)
	type use struct {
		d   Domain
		key string
	}
	used := map[use][]string{}
	templates, _ := filepath.Glob("../web/templates/*.html")
	if len(templates) < 20 {
		t.Fatalf("only %d templates found", len(templates))
	}
	for _, name := range templates {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tmplRE.FindAllStringSubmatch(string(b), -1) {
			used[use{Web, m[1]}] = append(used[use{Web, m[1]}], name)
		}
	}
	err := filepath.WalkDir("..", func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == "node_modules" || strings.HasPrefix(e.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range goRE.FindAllStringSubmatch(string(b), -1) {
			u := use{Web, m[1]}
			if m[1] == "" {
				u = use{Domain(strings.ToLower(m[2])), m[3]}
			}
			used[u] = append(used[u], path)
		}
		// The card's and the credential's label builders: l("key").
		if d, prefix, ok := labelFile(path); ok {
			for _, m := range labelRE.FindAllStringSubmatch(string(b), -1) {
				u := use{d, prefix + m[1]}
				used[u] = append(used[u], path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 300 {
		t.Fatalf("only %d keys found: the scan is broken", len(used))
	}
	for u, where := range used {
		if _, ok := tables[u.d]; !ok {
			t.Errorf("unknown domain %q used in %v", u.d, where)
			continue
		}
		_, plain := Lookup(u.d, "fr", u.key)
		_, counted := PluralForms(u.d, "fr", u.key)
		if !plain && !counted {
			t.Errorf("%s/%s used in %v is not in the catalogue", u.d, u.key, where)
		}
	}
}

// TestInlineErrorsBilingual: the errors written inline as
// schema.Errorf(code, "English", "French", args…) stay out of the
// catalogue, bilingual by construction; this checks each such pair of
// literals has both texts, with as many verbs, an argument both use
// printed alike (French may quote « %s » where English has %q; a text
// may pick its own language's argument, as the card's logo errors do).
func TestInlineErrorsBilingual(t *testing.T) {
	n := 0
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && path != ".." && (e.Name() == "node_modules" || e.Name() == "testdata" || strings.HasPrefix(e.Name(), ".")) {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inSchema := f.Name.Name == "schema"
		ast.Inspect(f, func(node ast.Node) bool {
			call, ok := node.(*ast.CallExpr)
			if !ok || len(call.Args) < 3 {
				return true
			}
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); !ok || x.Name != "schema" || fn.Sel.Name != "Errorf" {
					return true
				}
			case *ast.Ident:
				if !inSchema || fn.Name != "Errorf" {
					return true
				}
			default:
				return true
			}
			en, ok1 := stringLit(call.Args[1])
			fr, ok2 := stringLit(call.Args[2])
			if !ok1 || !ok2 {
				return true
			}
			n++
			where := fset.Position(call.Pos()).String()
			if strings.TrimSpace(en) == "" || strings.TrimSpace(fr) == "" {
				t.Errorf("%s: an empty text (en %q, fr %q)", where, en, fr)
			}
			if ve, vf := verbs(en), verbs(fr); !sameArguments(ve, vf) {
				t.Errorf("%s: English takes %v, French %v", where, ve, vf)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d schema.Errorf calls found: the scan is broken", n)
	}
}

// stringLit is the value of a string literal (or of literals joined by +).
func stringLit(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringLit(x.X)
		b, ok2 := stringLit(x.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return stringLit(x.X)
	}
	return "", false
}

// verbClass groups the verbs that print a value the same way for this
// check: text (s, q, v), integers, floats.
func verbClass(v byte) byte {
	switch v {
	case 's', 'q', 'v':
		return 's'
	case 'd', 'x', 'X', 'o', 'b', 'c':
		return 'd'
	case 'f', 'F', 'g', 'G', 'e', 'E':
		return 'f'
	}
	return v
}

// sameArguments compares two lists of verbs: as many, and an
// argument used in both of the same class.
func sameArguments(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	class := map[string]byte{}
	for _, v := range a {
		arg, verb, _ := strings.Cut(v, ":")
		class[arg] = verbClass(verb[0])
	}
	for _, v := range b {
		arg, verb, _ := strings.Cut(v, ":")
		if c, ok := class[arg]; ok && c != verbClass(verb[0]) {
			return false
		}
	}
	return true
}
