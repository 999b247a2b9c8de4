package outbound_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"carnet/outbound"
)

// TestGetBounded: Get returns the body of a 200 answer, whose reading
// stops with ErrTooLarge one byte past the limit (an answer of exactly
// the limit is whole); another status is ErrStatus; and the policy holds:
// the public-only client does not reach a server on loopback, that the
// test lets stand for a public partner (Config.Allow) or that a client
// on loopback reaches.
func TestGetBounded(t *testing.T) {
	srv, conns := server(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/json" {
			http.Error(w, "accept", http.StatusNotAcceptable)
			return
		}
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(strings.Repeat("x", n)))
	}))
	ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
	allowed := outbound.New(outbound.Config{Allow: []netip.AddrPort{ap}})
	ctx := context.Background()
	for _, c := range []struct {
		size    int
		tooLong bool
	}{{0, false}, {99, false}, {100, false}, {101, true}, {100000, true}} {
		body, err := allowed.Get(ctx, srv.URL+"/"+strconv.Itoa(c.size), "application/json", 100)
		if err != nil {
			t.Fatalf("%d: %v", c.size, err)
		}
		b, err := io.ReadAll(body)
		body.Close()
		if c.tooLong != errors.Is(err, outbound.ErrTooLarge) || len(b) > 100 || (!c.tooLong && (err != nil || len(b) != c.size)) {
			t.Errorf("%d bytes: read %d, %v", c.size, len(b), err)
		}
	}
	if _, err := allowed.Get(ctx, srv.URL+"/nothing", "application/json", 100); !errors.Is(err, outbound.ErrStatus) || !outbound.NotFound(err) || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("404: %v", err)
	}
	if _, err := allowed.Get(ctx, srv.URL+"/1", "text/html", 100); !errors.Is(err, outbound.ErrStatus) || outbound.NotFound(err) || outbound.StatusCode(err) != http.StatusNotAcceptable {
		t.Errorf("406: %v", err)
	}
	if outbound.StatusCode(outbound.ErrUnreachable) != 0 || outbound.NotFound(nil) {
		t.Errorf("a status where there is none")
	}
	before := conns.n.Load()
	if _, err := outbound.Public().Get(ctx, srv.URL+"/1", "application/json", 100); !errors.Is(err, outbound.ErrNotAllowed) && !errors.Is(err, outbound.ErrNotHTTPS) {
		t.Errorf("public-only client on loopback: %v", err)
	}
	if conns.n.Load() != before {
		t.Errorf("the public-only client connected to loopback")
	}
	if body, err := outbound.New(outbound.Config{Private: true}).Get(ctx, srv.URL+"/1", "application/json", 100); err != nil {
		t.Errorf("a client on loopback: %v", err)
	} else {
		body.Close()
	}
}
