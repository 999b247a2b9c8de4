package web_test

import (
	"io"
	"net/http"
	"testing"
)

// TestPublicDocumentsRevalidate: keys, DID documents and the trust list
// carry an ETag and max-age, and a partner that already holds them gets
// 304 Not Modified; the trust list keeps its bytes until what it says
// changes.
func TestPublicDocumentsRevalidate(t *testing.T) {
	partner := startFixture(t)
	partner.structure("partenaire")
	f := startFixture(t)
	f.structure("bib")
	get := func(path, etag string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.srv.BaseURL+path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode == 200 && res.Header.Get("Cache-Control") != "public, max-age=300" {
			t.Errorf("%s: Cache-Control %q", path, res.Header.Get("Cache-Control"))
		}
		return res.StatusCode, res.Header.Get("ETag"), b
	}
	for _, path := range []string{"/.well-known/jwks.json", "/s/bib/jwks.json", "/s/bib/did.json", "/trust-list.jwt"} {
		code, etag, body := get(path, "")
		if code != 200 || etag == "" || len(body) == 0 {
			t.Fatalf("%s: %d etag %q", path, code, etag)
		}
		if code, _, body := get(path, etag); code != http.StatusNotModified || len(body) != 0 {
			t.Errorf("%s with If-None-Match %s: %d (%d bytes)", path, etag, code, len(body))
		}
		if code, _, _ := get(path, `W/`+etag+`, "other"`); code != http.StatusNotModified {
			t.Errorf("%s with a list of validators: %d", path, code)
		}
		if code, _, _ := get(path, `"stale"`); code != 200 {
			t.Errorf("%s with another validator: %d", path, code)
		}
	}
	// The trust list is the same bytes until the trusted set changes.
	_, etag1, list1 := get("/trust-list.jwt", "")
	_, etag2, list2 := get("/trust-list.jwt", "")
	if etag1 != etag2 || string(list1) != string(list2) {
		t.Error("the trust list is signed again although nothing changed")
	}
	tok := f.token(f.user("admin@example.org", true))
	if code := f.api(tok, "POST", "/api/v1/trust", map[string]any{"url": partner.srv.BaseURL}, nil); code != 201 {
		t.Fatalf("trust partner: %d", code)
	}
	if code, _, _ := get("/trust-list.jwt", etag1); code != 200 {
		t.Errorf("the trust list did not change when a partner was trusted: %d", code)
	}
}
