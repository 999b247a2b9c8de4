package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"carnet/schema"
	"carnet/web"
)

// behind returns the address of a second server on the fixture's stores
// and keys that believes forwarded headers from proxies (the test client
// is 127.0.0.1).
func (f *fixture) behind(proxies ...string) string {
	f.t.Helper()
	srv := &web.Server{App: f.srv.App, Secret: f.srv.Secret, TrustedProxies: proxies}
	hs := httptest.NewServer(srv.Handler())
	f.t.Cleanup(hs.Close)
	return hs.URL
}

// forged sends a request with an X-Forwarded-For header.
func forged(t *testing.T, b *browser, method, path, xff string, form url.Values) int {
	t.Helper()
	var req *http.Request
	if method == "GET" {
		req, _ = http.NewRequest(method, b.abs(path), nil)
	} else {
		req, _ = http.NewRequest(method, b.abs(path), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.base)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Forwarded-For", xff)
	req.Header.Set("X-Real-IP", xff)
	code, _, _ := b.do(req)
	return code
}

// lastAuditIP returns the address of the newest audit event of an action.
func lastAuditIP(t *testing.T, f *fixture, action string) string {
	t.Helper()
	events, err := f.srv.Audit.ListAudit(context.Background(), schema.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Action == action {
			return e.IP
		}
	}
	t.Fatalf("no %s event", action)
	return ""
}

// TestForwardedForIgnored: by default a forged X-Forwarded-For changes
// neither the throttled address nor the audit log's; from a trusted proxy
// it is the client's address.
func TestForwardedForIgnored(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	f.user("amina@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	verify := func(base, xff, code string) int {
		req, _ := http.NewRequest("POST", base+"/api/v1/verify", strings.NewReader(`{"input": "`+code+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", xff)
		req.Header.Set("X-Real-IP", xff)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	failLogin := func(base, xff string) {
		b := newBrowser(t, base)
		tok := b.csrf("/login")
		if code := forged(t, b, "POST", "/login", xff, url.Values{"email": {"amina@example.org"}, "password": {"mauvais mot de passe"}, "csrf_token": {tok}}); code != http.StatusUnauthorized {
			t.Fatalf("wrong password through %s: %d", base, code)
		}
	}

	t.Run("untrusted peer", func(t *testing.T) {
		// 30 unknown short codes, each "from" another address: the peer is
		// one address, so the 31st is refused.
		for i := 0; i < 30; i++ {
			if code := verify(f.srv.BaseURL, fmt.Sprintf("198.51.100.%d", i+1), fmt.Sprintf("ZZZZ-ZZZZ-%02d", i)); code != 200 {
				t.Fatalf("guess %d: %d", i, code)
			}
		}
		if code := verify(f.srv.BaseURL, "198.51.100.200", "ZZZZ-ZZZZ-99"); code != http.StatusTooManyRequests {
			t.Errorf("31st guess with a fresh forged address: %d, want 429", code)
		}
		failLogin(f.srv.BaseURL, "203.0.113.9")
		if ip := lastAuditIP(t, f, schema.AuditLoginFailed); ip != "127.0.0.1" {
			t.Errorf("audit IP %q, want the peer 127.0.0.1", ip)
		}
	})
	t.Run("trusted proxy", func(t *testing.T) {
		base := f.behind("127.0.0.1/32")
		for i := 0; i < 30; i++ {
			if code := verify(base, "198.51.100.7", fmt.Sprintf("YYYY-YYYY-%02d", i)); code != 200 {
				t.Fatalf("guess %d: %d", i, code)
			}
		}
		if code := verify(base, "198.51.100.7", "YYYY-YYYY-99"); code != http.StatusTooManyRequests {
			t.Errorf("31st guess from the same client: %d, want 429", code)
		}
		if code := verify(base, "198.51.100.8", "YYYY-YYYY-98"); code != 200 {
			t.Errorf("another client behind the proxy: %d, want 200", code)
		}
		failLogin(base, "203.0.113.9")
		if ip := lastAuditIP(t, f, schema.AuditLoginFailed); ip != "203.0.113.9" {
			t.Errorf("audit IP %q, want the forwarded 203.0.113.9", ip)
		}
	})
	t.Run("bad list", func(t *testing.T) {
		for _, bad := range []string{"proxy.example", "10.0.0.0/33", "300.1.1.1"} {
			if _, err := web.ParseTrustedProxies("10.0.0.1," + bad); schema.ErrorCode(err) != schema.EINVALID {
				t.Errorf("%q: %v", bad, err)
			}
		}
		if got, err := web.ParseTrustedProxies(" 10.0.0.0/8, ::1 ,"); err != nil || len(got) != 2 {
			t.Errorf("good list: %v %v", got, err)
		}
	})
}
