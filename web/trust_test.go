package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"carnet/schema"
	"carnet/verifier"
	"carnet/web"
)

// issueOn issues a credential on a fixture and returns its JWS.
func issueOn(t *testing.T, f *fixture, token string) string {
	t.Helper()
	var l struct{ ID string }
	if code := f.api(token, "POST", "/api/v1/learners", map[string]any{"name": "Lou Partenaire"}, &l); code != 201 {
		t.Fatalf("create learner: %d", code)
	}
	var c struct{ JWT string }
	if code := f.api(token, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3}}, &c); code != 201 || c.JWT == "" {
		t.Fatalf("issue: %d", code)
	}
	return c.JWT
}

// verifyOn verifies a credential through a fixture's API.
func verifyOn(t *testing.T, f *fixture, jws string) verifier.Result {
	t.Helper()
	var r verifier.Result
	if code := f.api("", "POST", "/api/v1/verify", map[string]any{"input": jws}, &r); code != 200 {
		t.Fatalf("verify: %d", code)
	}
	return r
}

// apiError calls the API in a language and returns the status and error.
func apiError(t *testing.T, f *fixture, token, lang, method, path string, body any) (int, string, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, f.srv.BaseURL+path, strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", lang)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var e struct {
		Error struct{ Code, Message string }
	}
	json.NewDecoder(res.Body).Decode(&e)
	return res.StatusCode, e.Error.Code, e.Error.Message
}

type trustSource struct {
	ID      int64
	URL     string
	Name    string
	Issuers []struct {
		ID   string
		Name string
		Keys int
	}
	LastSuccessAt *string `json:"last_success_at"`
	LastError     string  `json:"last_error"`
}

// TestTrustPartner trusts a second real instance through the API: its
// credential is unknown_issuer before, valid after, still valid with cached
// keys while it is down, and unknown_issuer again once removed.
func TestTrustPartner(t *testing.T) {
	ctx := context.Background()
	a := startFixture(t) // the partner
	stA := a.structure("bib-partenaire")
	tokA := a.token(a.user("admin@a.example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleAdmin}))
	jwsA := issueOn(t, a, tokA)

	b := startFixture(t)
	store := b.trust
	stB := b.structure("bib-b")
	adminB := b.user("admin@b.example.org", true, schema.Membership{StructureID: stB.ID, Role: schema.RoleAdmin})
	tokB := b.token(adminB)
	tokMed := b.token(b.user("mediatrice@b.example.org", false, schema.Membership{StructureID: stB.ID, Role: schema.RoleMediator}))
	jwsB := issueOn(t, b, tokB)

	if r := verifyOn(t, b, jwsA); r.Valid || r.Reason != verifier.ReasonUnknownIssuer {
		t.Fatalf("before trust: valid %v reason %q", r.Valid, r.Reason)
	}

	t.Run("mediator refused", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{{"POST", "/api/v1/trust"}, {"GET", "/api/v1/trust"},
			{"DELETE", "/api/v1/trust/1"}, {"POST", "/api/v1/trust/1/refresh"}} {
			var body any
			if c.path == "/api/v1/trust" && c.method == "POST" {
				body = map[string]any{"url": a.srv.BaseURL}
			}
			if code, ecode, _ := apiError(t, b, tokMed, "en", c.method, c.path, body); code != 403 || ecode != schema.EFORBIDDEN {
				t.Errorf("%s %s: %d %s", c.method, c.path, code, ecode)
			}
		}
	})

	t.Run("bad addresses", func(t *testing.T) {
		for _, tc := range []struct{ name, url string }{
			{"empty", ""},
			{"file path", "/etc/passwd"},
			{"not a url", "partenaire"},
			{"plain http elsewhere", "http://example.org"},
			{"nothing listening", "http://127.0.0.1:1"},
			{"not a key document", a.srv.BaseURL + "/healthz"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, ecode, en := apiError(t, b, tokB, "en", "POST", "/api/v1/trust", map[string]any{"url": tc.url})
				_, _, fr := apiError(t, b, tokB, "fr", "POST", "/api/v1/trust", map[string]any{"url": tc.url})
				if code != 400 || ecode != schema.EINVALID || en == "" || fr == "" || en == fr {
					t.Errorf("%d %s\nen: %s\nfr: %s", code, ecode, en, fr)
				}
			})
		}
		if list, _ := store.ListTrustedSources(ctx); len(list) != 0 {
			t.Errorf("refused sources were stored: %d", len(list))
		}
	})

	var ts trustSource
	if code := b.api(tokB, "POST", "/api/v1/trust", map[string]any{"url": a.srv.BaseURL, "name": "Réseau A"}, &ts); code != 201 {
		t.Fatalf("add: %d", code)
	}
	if ts.ID == 0 || ts.Name != "Réseau A" || ts.URL != a.srv.BaseURL || len(ts.Issuers) != 1 || ts.Issuers[0].Keys == 0 ||
		ts.Issuers[0].ID != "did:web:"+strings.ReplaceAll(strings.TrimPrefix(a.srv.BaseURL, "http://"), ":", "%3A")+":s:bib-partenaire" ||
		ts.LastSuccessAt == nil || ts.LastError != "" {
		t.Errorf("added: %+v", ts)
	}
	if r := verifyOn(t, b, jwsA); !r.Valid || r.Issuer == nil || !r.Issuer.Trusted {
		t.Fatalf("after trust: valid %v reason %q", r.Valid, r.Reason)
	}
	if code := b.api(tokB, "POST", "/api/v1/trust", map[string]any{"url": a.srv.BaseURL}, nil); code != 409 {
		t.Errorf("added twice: %d", code)
	}
	var list struct{ Sources []trustSource }
	if code := b.api(tokB, "GET", "/api/v1/trust", nil, &list); code != 200 || len(list.Sources) != 1 {
		t.Errorf("list: %d %+v", code, list)
	}
	id := itoa64(ts.ID)
	var rs trustSource
	if code := b.api(tokB, "POST", "/api/v1/trust/"+id+"/refresh", nil, &rs); code != 200 || rs.LastError != "" || len(rs.Issuers) != 1 {
		t.Errorf("refresh: %d %+v", code, rs)
	}
	if r := verifyOn(t, b, jwsA); !r.Valid {
		t.Fatalf("after refresh: %q", r.Reason)
	}

	// The page, for a network administrator only.
	br := newBrowser(t, b.srv.BaseURL)
	br.login(adminB.Email)
	if code, body, _ := br.get("/trust"); code != 200 || !strings.Contains(body, "Réseau A") || !strings.Contains(body, `action="/trust/`+id+`/delete"`) ||
		!strings.Contains(body, `href="/trust"`) {
		t.Errorf("trust page: %d\n%.2000s", code, body)
	}
	if code, body, _ := br.post("/trust", br.csrf("/trust"), url.Values{"url": {"ftp://example.org"}}); code != 400 || !strings.Contains(body, "did:web") {
		t.Errorf("page add bad url: %d\n%.1000s", code, body)
	}
	brMed := newBrowser(t, b.srv.BaseURL)
	brMed.login("mediatrice@b.example.org")
	if code, _, _ := brMed.get("/trust"); code != 403 {
		t.Errorf("trust page for a mediator: %d", code)
	}

	// The partner is down: a refresh records the error, the keys stay.
	a.http.Close()
	good := *rs.LastSuccessAt
	if code := b.api(tokB, "POST", "/api/v1/trust/"+id+"/refresh", nil, &rs); code != 200 || rs.LastError == "" || len(rs.Issuers) != 1 ||
		rs.LastSuccessAt == nil || *rs.LastSuccessAt != good {
		t.Errorf("refresh while down: %d %+v", code, rs)
	}
	if r := verifyOn(t, b, jwsA); !r.Valid {
		t.Fatalf("partner down: %q", r.Reason)
	}
	// At start-up the stored keys alone are trusted (cmd/carnet does this).
	sources, err := store.ListTrustedSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reg := verifier.NewRegistry()
	if err := web.TrustSources(reg, sources, time.Now()); err != nil {
		t.Fatal(err)
	}
	if r := (&verifier.Verifier{Trust: reg}).Verify(ctx, []byte(jwsA)); !r.Valid {
		t.Errorf("from the stored keys: %q", r.Reason)
	}

	// Removed: unknown again; the instance's own structures still verify.
	if code := b.api(tokB, "DELETE", "/api/v1/trust/"+id, nil, nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if r := verifyOn(t, b, jwsA); r.Valid || r.Reason != verifier.ReasonUnknownIssuer {
		t.Errorf("after delete: valid %v reason %q", r.Valid, r.Reason)
	}
	if r := verifyOn(t, b, jwsB); !r.Valid {
		t.Errorf("own credential after delete: %q", r.Reason)
	}
	if code := b.api(tokB, "DELETE", "/api/v1/trust/"+id, nil, nil); code != 404 {
		t.Errorf("delete twice: %d", code)
	}
	var audit struct{ Events []struct{ Action string } }
	b.api(tokB, "GET", "/api/v1/audit?limit=100", nil, &audit)
	seen := map[string]bool{}
	for _, e := range audit.Events {
		seen[e.Action] = true
	}
	for _, want := range []string{schema.AuditTrustAdded, schema.AuditTrustRefreshed, schema.AuditTrustRemoved} {
		if !seen[want] {
			t.Errorf("audit has no %s", want)
		}
	}
}

// TestTrustSwapConcurrent verifies without pause while partners are added
// and removed through the pages: run with -race, the instance's own
// credential must stay valid throughout.
func TestTrustSwapConcurrent(t *testing.T) {
	a := startFixture(t)
	a.structure("partenaire")
	b := startFixture(t)
	stB := b.structure("bib-b")
	adminB := b.user("admin@b.example.org", true, schema.Membership{StructureID: stB.ID, Role: schema.RoleAdmin})
	jwsB := issueOn(t, b, b.token(adminB))
	br := newBrowser(t, b.srv.BaseURL)
	br.login(adminB.Email)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var res verifier.Result
				if code := b.api("", "POST", "/api/v1/verify", map[string]any{"input": jwsB}, &res); code != 200 || !res.Valid {
					t.Errorf("own credential during swaps: %d %q", code, res.Reason)
					return
				}
			}
		}()
	}
	for i := 0; i < 5; i++ {
		tok := br.csrf("/trust")
		if code, body, _ := br.post("/trust", tok, url.Values{"url": {a.srv.BaseURL}, "name": {"A"}}); code != 303 {
			t.Fatalf("add: %d\n%.500s", code, body)
		}
		code, body, _ := br.get("/trust?ok=trust_added")
		m := regexpTrustDelete.FindStringSubmatch(body)
		if code != 200 || m == nil {
			t.Fatalf("page: %d\n%.1000s", code, body)
		}
		if code, _, _ := br.post("/trust/"+m[1]+"/refresh", br.csrf("/trust"), url.Values{}); code != 303 {
			t.Fatalf("refresh: %d", code)
		}
		if code, _, loc := br.post("/trust/"+m[1]+"/delete", br.csrf("/trust"), url.Values{}); code != 303 || loc != "/trust?ok=trust_removed" {
			t.Fatalf("delete: %d %s", code, loc)
		}
	}
	close(stop)
	wg.Wait()
}

var regexpTrustDelete = regexp.MustCompile(`action="/trust/([0-9]+)/delete"`)
