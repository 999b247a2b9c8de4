package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carnet/schema"
)

// TestOpenRedirect: /lang/…?next=, GET /login?next= and POST /login next=
// follow only paths of this site; the classic bypasses give "/".
func TestOpenRedirect(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	u := f.user("amina@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	bad := []string{
		"/%09/evil.com", "/\t/evil.com", "//evil.com", "/\\evil.com", "/%5Cevil.com", "/%5cevil.com", "/%2F%2Fevil.com", "/%2f/evil.com",
		"https://evil.com", "http:evil.com", "javascript:alert(1)", "JavaScript:alert(1)", "/\r\n/evil.com", "/%0d%0a/evil.com",
		"///evil.com", "\\\\evil.com", " /evil", "/%7F/evil.com", "/\x7f/evil.com", "evil.com", "/x?y=%5C", "/%zz",
	}
	good := []string{"/verify", "/learners/123?ok=saved", "/", "/c#fragment", "/structures/bib"}

	// The language switch.
	b := newBrowser(t, f.srv.BaseURL)
	for _, next := range bad {
		if code, _, loc := b.get("/lang/en?next=" + url.QueryEscape(next)); code != http.StatusSeeOther || loc != "/" {
			t.Errorf("/lang/en?next=%q: %d Location %q, want /", next, code, loc)
		}
	}
	for _, next := range good {
		if _, _, loc := b.get("/lang/en?next=" + url.QueryEscape(next)); loc != next {
			t.Errorf("/lang/en?next=%q: Location %q", next, loc)
		}
	}
	// The sign-in page keeps only a safe next in its form.
	for _, next := range bad {
		_, body, _ := b.get("/login?next=" + url.QueryEscape(next))
		if !strings.Contains(body, `name="next" value="/"`) {
			t.Errorf("GET /login?next=%q keeps %q", next, html.UnescapeString(body[strings.Index(body, `name="next"`):][:60]))
		}
	}
	// Signing in with a bad next lands at home.
	for _, next := range bad {
		nb := newBrowser(t, f.srv.BaseURL)
		code, _, loc := nb.post("/login", nb.csrf("/login"), url.Values{"email": {u.Email}, "password": {"correct horse battery"}, "next": {next}})
		if code != http.StatusSeeOther || loc != "/" {
			t.Errorf("POST /login next=%q: %d Location %q, want /", next, code, loc)
		}
		// Signed in, GET /login?next= redirects at once: to "/" too.
		if code, _, loc := nb.get("/login?next=" + url.QueryEscape(next)); code != http.StatusSeeOther || loc != "/" {
			t.Errorf("signed in, GET /login?next=%q: %d Location %q, want /", next, code, loc)
		}
	}
	nb := newBrowser(t, f.srv.BaseURL)
	if _, _, loc := nb.post("/login", nb.csrf("/login"), url.Values{"email": {u.Email}, "password": {"correct horse battery"}, "next": {"/structures/bib"}}); loc != "/structures/bib" {
		t.Errorf("a good next after sign-in: %q", loc)
	}
}
