package web_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"carnet/keys"
	"carnet/outbound"
	"carnet/schema"
	"carnet/verifier"
)

// publicBase is the base URL of an instance reachable from the Internet.
const publicBase = "https://carnet.example.org"

// secretBanner is what an internal service of the host answers: no error
// message may ever repeat it.
const secretBanner = "redis secret banner"

// internal starts an HTTP service on addr ("127.0.0.1:0", "[::1]:0")
// that counts the connections it accepts and answers every request with
// secretBanner, as a service of the host's own network would.
func internal(t *testing.T, addr string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	srv := &httptest.Server{Listener: ln, Config: &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"keys": [], "banner": "` + secretBanner + `"}`))
		}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				n.Add(1)
			}
		}}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &n
}

// rawService starts a TCP service on 127.0.0.1 that writes answer to
// whoever connects: not HTTP (a database's banner), or HTTP whose status
// line says what it is.
func rawService(t *testing.T, answer string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(2 * time.Second))
				buf := make([]byte, 4096)
				c.Read(buf)
				c.Write([]byte(answer))
			}()
		}
	}()
	return ln.Addr().String()
}

// addTrust POSTs /api/v1/trust in a language and returns the status and
// the error's code and message.
func addTrust(t *testing.T, f *fixture, token, lang, source string) (int, string, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"url": source})
	req, _ := http.NewRequest("POST", f.http.URL+"/api/v1/trust", strings.NewReader(string(b)))
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

func hostPort(srv *httptest.Server) (host, port string) {
	host, port, _ = net.SplitHostPort(srv.Listener.Addr().String())
	return host, port
}

// TestTrustPublicOnly: on an instance whose base URL is public, a network
// administrator cannot make it connect to the host's own network by
// trusting a partner there: loopback by IP or by name, IPv6 loopback, the
// cloud metadata address, a did:web on loopback. Each is refused with a
// 400 that says, in both languages, that the address is not allowed, and
// the internal service sees no connection.
func TestTrustPublicOnly(t *testing.T) {
	f := startFixtureAt(t, publicBase)
	tok := f.token(f.user("admin@example.org", true))
	srv, conns := internal(t, "127.0.0.1:0")
	_, port := hostPort(srv)
	sources := []string{
		srv.URL + "/.well-known/jwks.json",
		"https://127.0.0.1:" + port + "/.well-known/jwks.json",
		"http://localhost:" + port + "/",
		"https://localhost:" + port + "/",
		"https://169.254.169.254/latest/meta-data/",
		"did:web:localhost%3A" + port,
		"did:web:127.0.0.1%3A" + port,
	}
	var conns6 *atomic.Int64
	if ln, err := net.Listen("tcp", "[::1]:0"); err == nil {
		ln.Close()
		srv6, n := internal(t, "[::1]:0")
		conns6 = n
		_, port6 := hostPort(srv6)
		sources = append(sources, "http://[::1]:"+port6+"/", "https://[::1]:"+port6+"/")
	} else {
		t.Log("no IPv6 loopback here: [::1] not tried")
	}
	for _, src := range sources {
		for lang, want := range map[string]string{"en": "not a public address", "fr": "pas une adresse publique"} {
			code, ecode, msg := addTrust(t, f, tok, lang, src)
			if code != http.StatusBadRequest || ecode != schema.EINVALID || !strings.Contains(msg, want) || strings.Contains(msg, secretBanner) {
				t.Errorf("trust %s (%s): %d %s %q", src, lang, code, ecode, msg)
			}
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("the internal service on 127.0.0.1 accepted %d connections", n)
	}
	if conns6 != nil && conns6.Load() != 0 {
		t.Errorf("the internal service on [::1] accepted %d connections", conns6.Load())
	}
	if list, _ := f.trust.ListTrustedSources(context.Background()); len(list) != 0 {
		t.Errorf("refused sources were stored: %d", len(list))
	}
}

// TestTrustRedirectPublicOnly: a partner the policy allows cannot redirect
// the fetch to the host's own network; the redirect is refused before any
// connection to it.
func TestTrustRedirectPublicOnly(t *testing.T) {
	f := startFixtureAt(t, publicBase)
	tok := f.token(f.user("admin@example.org", true))
	inner, conns := internal(t, "127.0.0.1:0")
	_, innerPort := hostPort(inner)
	var target atomic.Value
	var hops atomic.Int64
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hops.Add(1)
		http.Redirect(w, r, target.Load().(string), http.StatusFound)
	}))
	t.Cleanup(first.Close)
	// The first server stands for a public partner: the instance's policy
	// with one address allowed, as a test hook.
	f.srv.Outbound = outbound.New(outbound.Config{Allow: []netip.AddrPort{netip.MustParseAddrPort(first.Listener.Addr().String())}})
	for _, to := range []string{"http://localhost:" + innerPort + "/.well-known/jwks.json", "https://localhost:" + innerPort + "/.well-known/jwks.json",
		"http://127.0.0.1:" + innerPort + "/", "https://127.0.0.1:" + innerPort + "/", "https://169.254.169.254/latest/meta-data/"} {
		target.Store(to)
		code, ecode, msg := addTrust(t, f, tok, "en", first.URL+"/.well-known/jwks.json")
		if code != http.StatusBadRequest || ecode != schema.EINVALID || !strings.Contains(msg, "not a public address") || strings.Contains(msg, secretBanner) {
			t.Errorf("redirect to %s: %d %s %q", to, code, ecode, msg)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("the redirect target accepted %d connections", n)
	}
	if hops.Load() == 0 {
		t.Fatal("the first server was never asked: the test proves nothing")
	}
}

// TestTrustRefreshPublicOnly: a partner already stored that points at the
// host's own network (stored before the policy, or by hand) is never
// fetched by the scheduled refresh nor by an administrator's refresh: each
// records a generic error.
func TestTrustRefreshPublicOnly(t *testing.T) {
	ctx := context.Background()
	f := startFixtureAt(t, publicBase)
	tok := f.token(f.user("admin@example.org", true))
	srv, conns := internal(t, "127.0.0.1:0")
	_, port := hostPort(srv)
	scheduled := &schema.TrustedSource{Source: srv.URL + "/.well-known/jwks.json", Name: "Interne", AddedBy: "test"}
	onDemand := &schema.TrustedSource{Source: "https://localhost:" + port + "/", Name: "Interne 2", AddedBy: "test",
		LastFetchAt: time.Now().UTC()} // not due: only an administrator's refresh fetches it
	for _, ts := range []*schema.TrustedSource{scheduled, onDemand} {
		if err := f.trust.CreateTrustedSource(ctx, ts); err != nil {
			t.Fatal(err)
		}
	}
	wantRefused := func(what, lastError string) {
		t.Helper()
		if !strings.Contains(lastError, "pas une adresse publique") || !strings.Contains(lastError, "not a public address") ||
			strings.Contains(lastError, secretBanner) {
			t.Errorf("%s: last error %q", what, lastError)
		}
	}

	if n, err := f.srv.RefreshTrust(ctx); err != nil || n != 1 {
		t.Fatalf("scheduled refresh: %d fetched, %v", n, err)
	}
	got, err := f.trust.FindTrustedSource(ctx, scheduled.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRefused("scheduled refresh", got.LastError)

	var rs trustSource
	if code := f.api(tok, "POST", "/api/v1/trust/"+strconv.FormatInt(onDemand.ID, 10)+"/refresh", nil, &rs); code != http.StatusOK {
		t.Fatalf("on-demand refresh: %d", code)
	}
	wantRefused("on-demand refresh", rs.LastError)
	if n := conns.Load(); n != 0 {
		t.Errorf("the internal service accepted %d connections", n)
	}
}

// TestVerifyFetchesPublicOnly: verifying a credential fetches through the
// instance's client too: a public instance neither resolves the did:web of
// an issuer on loopback nor reads a status list there; a development
// instance, wired the same way, does read it (the control).
func TestVerifyFetchesPublicOnly(t *testing.T) {
	// The partner's base URL is an internal service: its credentials name
	// a did:web and status lists there.
	srv, conns := internal(t, "127.0.0.1:0")
	p := startFixtureAt(t, srv.URL)
	st := p.structure("bib")
	jws := issueOn(t, p, p.token(p.user("admin@p.example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})))
	did, err := keys.DIDWeb(srv.URL, "bib")
	if err != nil {
		t.Fatal(err)
	}
	ring, err := p.srv.Keys.Ring("bib")
	if err != nil {
		t.Fatal(err)
	}

	f := startFixtureAt(t, publicBase)
	if r := verifyOn(t, f, jws); r.Valid || r.Reason != verifier.ReasonUnknownIssuer || r.SignatureVerified {
		t.Errorf("untrusted issuer on loopback: %+v", r)
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("did:web resolution: the internal service accepted %d connections", n)
	}
	// Trusted: the signature verifies, the status list is not read.
	if err := f.srv.Verifier.Trust.Add(verifier.LocalIssuer(did, "Bib", ring)); err != nil {
		t.Fatal(err)
	}
	if r := verifyOn(t, f, jws); !r.Valid || r.Status != verifier.StatusUnchecked {
		t.Errorf("trusted issuer with a status list on loopback: %+v", r)
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("status list: the internal service accepted %d connections", n)
	}

	dev := startFixture(t)
	if err := dev.srv.Verifier.Trust.Add(verifier.LocalIssuer(did, "Bib", ring)); err != nil {
		t.Fatal(err)
	}
	verifyOn(t, dev, jws)
	if conns.Load() == 0 {
		t.Error("a development instance did not read the status list: the test proves nothing")
	}
}

// TestTrustErrorsSayNothing: even on a development instance, which may
// reach the host's services, a failed partner fetch never says what
// answered there: a database's banner, an HTTP status line.
func TestTrustErrorsSayNothing(t *testing.T) {
	f := startFixture(t)
	tok := f.token(f.user("admin@example.org", true))
	for name, answer := range map[string]string{
		"not HTTP":    "-ERR " + secretBanner + "\r\n",
		"status line": "HTTP/1.1 403 " + strings.ReplaceAll(secretBanner, " ", "-") + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
	} {
		addr := rawService(t, answer)
		for _, lang := range []string{"en", "fr"} {
			code, ecode, msg := addTrust(t, f, tok, lang, "http://"+addr+"/.well-known/jwks.json")
			if code != http.StatusBadRequest || ecode != schema.EINVALID || msg == "" ||
				strings.Contains(msg, "redis") || strings.Contains(msg, "secret") || strings.Contains(msg, "ERR") {
				t.Errorf("%s (%s): %d %s %q", name, lang, code, ecode, msg)
			}
		}
	}
}
