package outbound_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneClient: outside this package, Carnet's code builds no HTTP client,
// transport or dialer of its own and never uses net/http's defaults: every
// fetch goes through an outbound.Client (the verifier falls back to
// outbound.Public), so that no fetch escapes the policy.
func TestOneClient(t *testing.T) {
	forbidden := []string{"http.Client{", "http.DefaultClient", "http.DefaultTransport", "http.Transport{",
		"http.Get(", "http.Head(", "http.Post(", "http.PostForm(", "net.Dial(", "net.DialTimeout(", "net.Dialer{",
		"tls.Dial(", "ProxyFromEnvironment"}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from %s", root)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "outbound", "node_modules", "testdata", ".git":
				if path != root {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, f := range forbidden {
			if strings.Contains(string(b), f) {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s uses %s: fetch through an outbound.Client instead", rel, f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d source files seen under %s: the test proves nothing", files, root)
	}
}
