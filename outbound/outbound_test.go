package outbound_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"carnet/outbound"
	"carnet/schema"
)

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// server starts an HTTP server on addr ("127.0.0.1:0", "[::1]:0") that
// counts its connections.
func server(t *testing.T, addr string, h http.Handler) (*httptest.Server, *countingListener) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	srv := &httptest.Server{Listener: cl, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, cl
}

// banner starts a TCP service on loopback that is not HTTP: it writes text
// to whoever connects (an internal service, a database).
func banner(t *testing.T, text string) string {
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
				c.Write([]byte(text))
				c.SetReadDeadline(time.Now().Add(time.Second))
				io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// get fetches u as Carnet's fetchers do: errors through Explain.
func get(c *outbound.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP().Do(req)
	if err != nil {
		return nil, outbound.Explain(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, outbound.Explain(err)
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) })

// TestPublicRefusesPrivate: an instance with a public base URL never
// connects to loopback, link-local or private addresses, whether named by
// IP or by a name that resolves to one, over http or https.
func TestPublicRefusesPrivate(t *testing.T) {
	c := outbound.ForBaseURL("https://carnet.example.org")
	if !c.PublicOnly() {
		t.Fatal("a public instance's client may dial private addresses")
	}
	srv, ln := server(t, "127.0.0.1:0", ok)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	urls := []string{srv.URL + "/", strings.Replace(srv.URL, "http:", "https:", 1) + "/",
		"http://localhost:" + strconv.Itoa(port) + "/", "https://localhost:" + strconv.Itoa(port) + "/.well-known/jwks.json",
		"https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/", "https://[::ffff:127.0.0.1]:" + strconv.Itoa(port) + "/"}
	var ln6 *countingListener
	if l, err := net.Listen("tcp", "[::1]:0"); err == nil {
		l.Close()
		srv6, cl := server(t, "[::1]:0", ok)
		ln6 = cl
		urls = append(urls, srv6.URL+"/", strings.Replace(srv6.URL, "http:", "https:", 1)+"/")
	}
	for _, u := range urls {
		_, err := get(c, u)
		if !errors.Is(err, outbound.ErrNotAllowed) {
			t.Errorf("GET %s: %v, want ErrNotAllowed", u, err)
		}
		if msg := schema.ErrorMessage(err); msg != "address not allowed: not a public address" {
			t.Errorf("GET %s: message %q", u, msg)
		}
		if msg := schema.ErrorMessageFR(err); msg != "adresse refusée : pas une adresse publique" {
			t.Errorf("GET %s: French message %q", u, msg)
		}
	}
	if n := ln.n.Load(); n != 0 {
		t.Errorf("the loopback server accepted %d connections", n)
	}
	if ln6 != nil && ln6.n.Load() != 0 {
		t.Errorf("the [::1] server accepted %d connections", ln6.n.Load())
	}
	// The same server is reached by a development instance.
	for _, base := range []string{"http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080"} {
		dev := outbound.ForBaseURL(base)
		if dev.PublicOnly() {
			t.Errorf("%s: a loopback instance's client is public-only", base)
		}
		if resp, err := get(dev, srv.URL+"/"); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("%s: GET %s: %v", base, srv.URL, err)
		}
	}
	if (*outbound.Client)(nil).PublicOnly() != true || outbound.Public().PublicOnly() != true {
		t.Error("the default client may dial private addresses")
	}
}

// TestRedirectRechecked: every redirect is checked as the first URL: a
// server that the policy allows cannot send the fetch to loopback, by
// name, by IP, over http or https.
func TestRedirectRechecked(t *testing.T) {
	_, inner := server(t, "127.0.0.1:0", ok)
	innerPort := strconv.Itoa(inner.Addr().(*net.TCPAddr).Port)
	var target atomic.Value
	first, outer := server(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.Load().(string), http.StatusFound)
	}))
	// The first server stands for a public partner.
	c := outbound.New(outbound.Config{Allow: []netip.AddrPort{netip.MustParseAddrPort(first.Listener.Addr().String())}})
	for _, to := range []string{"http://localhost:" + innerPort + "/", "https://localhost:" + innerPort + "/",
		"https://127.0.0.1:" + innerPort + "/", "http://127.0.0.1:" + innerPort + "/", "https://169.254.169.254/"} {
		target.Store(to)
		_, err := get(c, first.URL+"/jwks.json")
		if !errors.Is(err, outbound.ErrNotAllowed) {
			t.Errorf("redirect to %s: %v, want ErrNotAllowed", to, err)
		}
	}
	target.Store("http://carnet.example.org/")
	if _, err := get(c, first.URL+"/jwks.json"); !errors.Is(err, outbound.ErrNotHTTPS) {
		t.Errorf("redirect to plain http: %v, want ErrNotHTTPS", err)
	}
	if n := inner.n.Load(); n != 0 {
		t.Errorf("the redirect target accepted %d connections", n)
	}
	if outer.n.Load() == 0 {
		t.Error("the first server was never reached: the test proves nothing")
	}
}

// TestRedirectLimit: at most MaxRedirects redirects are followed.
func TestRedirectLimit(t *testing.T) {
	var hits atomic.Int64
	srv, _ := server(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/again", http.StatusFound)
	}))
	_, err := get(outbound.ForBaseURL("http://localhost:8080"), srv.URL+"/")
	if !errors.Is(err, outbound.ErrTooManyRedirects) {
		t.Errorf("endless redirects: %v", err)
	}
	if n := hits.Load(); n != outbound.MaxRedirects+1 {
		t.Errorf("%d requests, want %d", n, outbound.MaxRedirects+1)
	}
}

// TestErrorsSayNothingOfTheService: what an internal service answers (a
// banner, a TLS certificate) is never in the message of the error, even on
// a development instance that may reach it; the cause stays for logs.
func TestErrorsSayNothingOfTheService(t *testing.T) {
	addr := banner(t, "-ERR redis secret banner 7.2.4\r\n")
	tlsSrv := httptest.NewTLSServer(ok)
	t.Cleanup(tlsSrv.Close)
	dev := outbound.ForBaseURL("http://localhost:8080")
	for u, want := range map[string]error{
		"http://" + addr + "/":  outbound.ErrUnreachable,
		"https://" + addr + "/": outbound.ErrTLS,
		tlsSrv.URL + "/":        outbound.ErrTLS,
	} {
		_, err := get(dev, u)
		if !errors.Is(err, want) {
			t.Errorf("GET %s: %v, want %v", u, err, want)
			continue
		}
		for _, msg := range []string{schema.ErrorMessage(err), schema.ErrorMessageFR(err)} {
			if strings.Contains(msg, "redis") || strings.Contains(msg, "ERR") || strings.Contains(msg, "x509") ||
				strings.Contains(msg, "example.com") || strings.Contains(msg, "certificate") {
				t.Errorf("GET %s: the message tells what answered: %q", u, msg)
			}
		}
		if schema.ErrorCode(err) != schema.EINVALID {
			t.Errorf("GET %s: code %s", u, schema.ErrorCode(err))
		}
	}
	// A service that accepts and never answers: a timeout.
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
			t.Cleanup(func() { c.Close() })
		}
	}()
	slow := outbound.New(outbound.Config{Private: true, Timeout: 200 * time.Millisecond})
	if _, err := get(slow, "http://"+ln.Addr().String()+"/"); !errors.Is(err, outbound.ErrTimeout) {
		t.Errorf("silent service: %v, want ErrTimeout", err)
	}
}

// TestCheckURL: https everywhere; plain http only on loopback hosts, and
// only for a client that may reach them.
func TestCheckURL(t *testing.T) {
	public, dev := outbound.Public(), outbound.New(outbound.Config{Private: true})
	allowed := outbound.New(outbound.Config{Allow: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:8080")}})
	for _, tc := range []struct {
		c    *outbound.Client
		url  string
		want error
	}{
		{public, "https://carnet.example.org/", nil},
		{public, "http://carnet.example.org/", outbound.ErrNotHTTPS},
		{public, "http://localhost:8080/", outbound.ErrNotAllowed},
		{public, "http://127.0.0.1:8080/", outbound.ErrNotAllowed},
		{public, "ftp://carnet.example.org/", outbound.ErrNotHTTPS},
		{public, "https://user@carnet.example.org/", outbound.ErrBadURL},
		{dev, "http://localhost:8080/", nil},
		{dev, "http://[::1]:8080/", nil},
		{dev, "http://192.168.1.2/", outbound.ErrNotHTTPS},
		{allowed, "http://127.0.0.1:8080/", nil},
		{allowed, "http://127.0.0.1:8081/", outbound.ErrNotAllowed},
		{nil, "http://localhost/", outbound.ErrNotAllowed},
	} {
		u, _ := url.Parse(tc.url)
		if err := tc.c.CheckURL(u); err != tc.want {
			t.Errorf("CheckURL(%s) (public only %v) = %v, want %v", tc.url, tc.c.PublicOnly(), err, tc.want)
		}
	}
}
