package app

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// moduleImports returns, for every package directory of the module (relative to
// its root, "." for the root), the packages its Go files import, test
// files left out.
func moduleImports(t *testing.T, root string) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		dir = filepath.ToSlash(dir)
		if out[dir] == nil {
			out[dir] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[dir][p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBoundary keeps the imports one way: app knows nothing of HTTP or of
// the database (it imports neither gin, nor net/http, nor database/sql,
// nor carnet/sqlite or carnet/web, and nothing it imports from the module
// does either, but for what outbound and verifier fetch with), and web is
// the only importer of gin.
func TestBoundary(t *testing.T) {
	const module = "carnet/"
	imports := moduleImports(t, "..")
	if len(imports["app"]) == 0 || len(imports["web"]) == 0 {
		t.Fatalf("module not found from the app directory: %v", imports)
	}
	for _, banned := range []string{"github.com/gin-gonic/gin", "net/http", "database/sql", "carnet/sqlite", "carnet/web"} {
		if imports["app"][banned] {
			t.Errorf("package app imports %s", banned)
		}
	}
	// Every package of the module that app depends on, app included.
	deps := map[string]bool{}
	var walk func(dir string)
	walk = func(dir string) {
		if deps[dir] {
			return
		}
		deps[dir] = true
		for p := range imports[dir] {
			if rel, ok := strings.CutPrefix(p, module); ok {
				walk(rel)
			}
		}
	}
	walk("app")
	for dir := range deps {
		for _, banned := range []string{"github.com/gin-gonic/gin", "database/sql", "carnet/sqlite", "carnet/web", "carnet/cmd/carnet"} {
			if imports[dir][banned] {
				t.Errorf("package app depends on %s, which imports %s", dir, banned)
			}
		}
	}
	var gin []string
	for dir, imps := range imports {
		if imps["github.com/gin-gonic/gin"] && dir != "web" {
			gin = append(gin, dir)
		}
	}
	sort.Strings(gin)
	if len(gin) > 0 {
		t.Errorf("only web may import gin; so do %v", gin)
	}
	// The other way round: web and the command line use app.
	for _, dir := range []string{"web", "cmd/carnet"} {
		if !imports[dir]["carnet/app"] {
			t.Errorf("%s does not import carnet/app", dir)
		}
	}
}
