package web_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"carnet/schema"
	"carnet/verifier"
)

// statusTransport is the real HTTP transport, noting the status code of
// each answer by path.
type statusTransport struct {
	mu    sync.Mutex
	codes map[string][]int
}

func (st *statusTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		st.mu.Lock()
		st.codes[r.URL.Path] = append(st.codes[r.URL.Path], res.StatusCode)
		st.mu.Unlock()
	}
	return res, err
}

func (st *statusTransport) take(path string) []int {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.codes[path]
	delete(st.codes, path)
	return c
}

// TestStatusListHTTPCache: status lists are served with the max-age of
// their ttl and a weak ETag naming what they say, answer 304 to a verifier
// that holds them, even once signed again, and change ETag when one of
// their statuses changes. Another Carnet's verifier, reading them over HTTP, revalidates
// with 304s and sees the revocation.
func TestStatusListHTTPCache(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	tok := f.token(f.user("m@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator}))
	id, _ := f.issueCard(tok, map[string]any{"1.1": 2})
	other, _ := f.issueCard(tok, map[string]any{"1.1": 3})
	uuid := strings.TrimPrefix(id, "urn:uuid:")
	var cred struct{ JWT string }
	if code := f.api(tok, "GET", "/api/v1/credentials/"+uuid, nil, &cred); code != 200 || cred.JWT == "" {
		t.Fatalf("get credential: %d", code)
	}

	// A verifier elsewhere: no Local, its own clock.
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	wait := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	tr := &statusTransport{codes: map[string][]int{}}
	v := &verifier.Verifier{Trust: f.srv.Verifier.Trust, Frameworks: schema.NewFrameworks(), Now: clock,
		Status: &verifier.StatusLists{Client: &http.Client{Transport: tr}, Now: clock}}
	r := v.Verify(context.Background(), []byte(cred.JWT))
	if !r.Valid || r.Status != schema.StatusActive || r.Credential == nil || r.Credential.CredentialStatus == nil {
		t.Fatalf("verify: valid %v status %q reason %q", r.Valid, r.Status, r.Reason)
	}
	listURL := r.Credential.CredentialStatus.StatusListCredential
	listPath := strings.TrimPrefix(listURL, f.srv.BaseURL)
	if !strings.HasPrefix(listURL, f.srv.BaseURL+"/s/bib/status/") {
		t.Fatalf("status list %s", listURL)
	}
	if got := tr.take(listPath); len(got) != 1 || got[0] != 200 {
		t.Errorf("first read: %v, want [200]", got)
	}
	if got := tr.take(listPath + "/suspension"); len(got) != 1 || got[0] != 200 {
		t.Errorf("first read of the suspension list: %v, want [200]", got)
	}

	res, signed := f.get(listPath)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=300" || !strings.HasPrefix(etag, `W/"`) || len(signed) == 0 {
		t.Fatalf("GET %s: %d, Cache-Control %q, ETag %q", listPath, res.StatusCode, res.Header.Get("Cache-Control"), etag)
	}
	res, body := f.get(listPath, "If-None-Match", etag)
	if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag || res.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("with its ETag: %d, %d bytes, ETag %q, Cache-Control %q", res.StatusCode, len(body), res.Header.Get("ETag"), res.Header.Get("Cache-Control"))
	}
	if res, _ = f.get(listPath, "If-None-Match", `W/"other", "x"`); res.StatusCode != 200 {
		t.Errorf("with another ETag: %d, want 200", res.StatusCode)
	}
	if res, _ := f.get(listPath + "/suspension"); res.StatusCode != 200 || res.Header.Get("ETag") == etag || res.Header.Get("ETag") == "" {
		t.Errorf("suspension list: %d, ETag %q (revocation list's %q)", res.StatusCode, res.Header.Get("ETag"), etag)
	}

	// Suspending another credential of the list signs the revocation list
	// again: a new JWS saying the same, under the same ETag.
	if code := f.api(tok, "POST", "/api/v1/credentials/"+strings.TrimPrefix(other, "urn:uuid:")+"/suspend", map[string]any{"reason": "contrôle"}, nil); code != 200 {
		t.Fatalf("suspend: %d", code)
	}
	if res, body := f.get(listPath); res.StatusCode != 200 || res.Header.Get("ETag") != etag || string(body) == string(signed) {
		t.Errorf("signed again: %d, ETag %q (was %q), same JWS %v", res.StatusCode, res.Header.Get("ETag"), etag, string(body) == string(signed))
	}

	// Past max-age the verifier revalidates: 304, a confirmation now.
	wait(301 * time.Second)
	r = v.Verify(context.Background(), []byte(cred.JWT))
	if !r.Valid || r.Status != schema.StatusActive || r.StatusStale || r.StatusCheckedAt == nil || !r.StatusCheckedAt.Equal(clock().UTC()) {
		t.Errorf("revalidated: valid %v status %q stale %v checked at %v", r.Valid, r.Status, r.StatusStale, r.StatusCheckedAt)
	}
	if got := tr.take(listPath); len(got) != 1 || got[0] != http.StatusNotModified {
		t.Errorf("revalidation: %v, want [304]", got)
	}

	// A revocation changes the list and its ETag.
	if code := f.api(tok, "POST", "/api/v1/credentials/"+uuid+"/revoke", map[string]any{"reason": "erreur"}, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	res, _ = f.get(listPath, "If-None-Match", etag)
	if res.StatusCode != 200 || res.Header.Get("ETag") == etag {
		t.Errorf("after a revocation, with the old ETag: %d, ETag %q", res.StatusCode, res.Header.Get("ETag"))
	}
	wait(301 * time.Second)
	r = v.Verify(context.Background(), []byte(cred.JWT))
	if r.Valid || r.Status != schema.StatusRevoked {
		t.Errorf("after the revocation: valid %v status %q", r.Valid, r.Status)
	}
	if got := tr.take(listPath); len(got) != 1 || got[0] != 200 {
		t.Errorf("after the revocation: %v, want [200]", got)
	}
}
