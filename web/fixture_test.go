package web_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"carnet/keys"
	"carnet/outbound"
	"carnet/schema"
	"carnet/sqlite"
	"carnet/web"
)

// fixture is a real Carnet server for tests: SQLite in a temp dir, keys in
// a temp dir, listening on 127.0.0.1.
type fixture struct {
	t      *testing.T
	dir    string
	db     *sqlite.DB
	srv    *web.Server
	http   *httptest.Server
	users  *sqlite.UserStore
	sts    *sqlite.StructureStore
	creds  *sqlite.CredentialStore
	learns *sqlite.LearnerStore
	trust  *sqlite.TrustStore
	imps   *sqlite.ImportStore
	res    *sqlite.ResourceStore
}

func startFixture(t *testing.T) *fixture {
	t.Helper()
	return startFixtureAt(t, "")
}

// startFixtureAt is startFixture for an instance whose base URL is base
// ("": its listener's, a development instance), wired as carnet serve
// wires it: one outbound client for the instance (outbound.ForBaseURL).
func startFixtureAt(t *testing.T, base string) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ks, err := keys.NewFileStore(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, dir: dir, db: db, users: sqlite.NewUserStore(db), sts: sqlite.NewStructureStore(db),
		creds: sqlite.NewCredentialStore(db), learns: sqlite.NewLearnerStore(db), trust: sqlite.NewTrustStore(db),
		imps: sqlite.NewImportStore(db)}
	f.http = httptest.NewUnstartedServer(nil)
	if base == "" {
		base = "http://" + f.http.Listener.Addr().String()
	}
	out := outbound.ForBaseURL(base)
	fws := schema.NewFrameworks()
	f.res = sqlite.NewResourceStore(db, fws)
	secret := make([]byte, 32)
	rand.Read(secret)
	// Wired as `carnet serve` wires it (cmd/carnet/data.go).
	f.srv, err = web.NewServer(context.Background(), web.Config{
		BaseURL: base, Structures: f.sts, Users: f.users, Learners: f.learns, Credentials: f.creds,
		Audit: sqlite.NewAuditStore(db), Trust: f.trust, Imports: f.imps, Resources: f.res, Keys: ks, Frameworks: fws,
		Tx: db, StatusStore: db, Secret: secret, Outbound: out, Places: sqlite.NewPlaceStore(db), Reports: sqlite.NewReportStore(db),
		Batches: sqlite.NewBatchStore(db), Workshops: sqlite.NewWorkshopStore(db),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.srv.WaitBatches) // before the database closes
	f.http.Config.Handler = f.srv.Handler()
	f.http.Start()
	t.Cleanup(f.http.Close)
	return f
}

// structure creates a structure with its keys and trusts it.
func (f *fixture) structure(slug string) *schema.Structure {
	f.t.Helper()
	st := &schema.Structure{Slug: slug, Name: "Structure " + slug}
	if err := f.sts.CreateStructure(context.Background(), st); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.srv.Keys.Create(slug); err != nil {
		f.t.Fatal(err)
	}
	did, _ := keys.DIDWeb(f.srv.BaseURL, slug)
	if err := f.srv.Verifier.Trust.AddLocal(did, st.Name, slug, f.srv.Keys); err != nil {
		f.t.Fatal(err)
	}
	return st
}

// user creates a user with a password and memberships.
func (f *fixture) user(email string, networkAdmin bool, ms ...schema.Membership) *schema.User {
	f.t.Helper()
	hash, err := web.HashPassword("correct horse battery")
	if err != nil {
		f.t.Fatal(err)
	}
	u := &schema.User{Email: email, NetworkAdmin: networkAdmin, PasswordHash: hash, Memberships: ms}
	if err := f.users.CreateUser(context.Background(), u); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// token returns a bearer token of a user.
func (f *fixture) token(u *schema.User) string {
	f.t.Helper()
	secret, _, err := web.CreateAPIToken(context.Background(), f.users, u, "test", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return secret
}

// api calls the JSON API and decodes the answer into out (when not nil).
func (f *fixture) api(token, method, path string, body any, out any) int {
	f.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, f.http.URL+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			f.t.Fatalf("%s %s: %d %s: %v", method, path, res.StatusCode, b, err)
		}
	}
	return res.StatusCode
}

// browser is a cookie-keeping client that fills forms with their CSRF
// token, as a person's browser does.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get returns the status, body and Location of a page.
func (b *browser) get(path string) (int, string, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.abs(path), nil)
	req.Header.Set("Accept", "text/html")
	return b.do(req)
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.base + path
}

func (b *browser) do(req *http.Request) (int, string, string) {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), res.Header.Get("Location")
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf returns the CSRF token of a page.
func (b *browser) csrf(page string) string {
	b.t.Helper()
	_, body, _ := b.get(page)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s:\n%s", page, body)
	}
	return m[1]
}

// post submits a form as the page's own form would, with the token.
func (b *browser) post(path, token string, form url.Values) (int, string, string) {
	b.t.Helper()
	if token != "" {
		form.Set("csrf_token", token)
	}
	req, _ := http.NewRequest("POST", b.abs(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

// login signs in with the test password.
func (b *browser) login(email string) {
	b.t.Helper()
	tok := b.csrf("/login")
	code, body, loc := b.post("/login", tok, url.Values{"email": {email}, "password": {"correct horse battery"}})
	if code != http.StatusSeeOther || loc != "/" {
		b.t.Fatalf("login %s: %d %s\n%s", email, code, loc, body)
	}
}
