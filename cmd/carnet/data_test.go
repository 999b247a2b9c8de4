package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"carnet/schema"
	"carnet/web"
)

// TestServerStatusListsPublicOnly: an instance on a public address reads
// other issuers' status lists, as it fetches its partners, with its one
// outbound client, which never connects to loopback or private addresses;
// a loopback (development) instance's may.
func TestServerStatusListsPublicOnly(t *testing.T) {
	ctx := context.Background()
	for base, public := range map[string]bool{
		"https://carnet.example.org": true,
		"http://127.0.0.1:8080":      false,
		"http://localhost:8080":      false,
	} {
		in, err := openInstance(ctx, filepath.Join(t.TempDir(), "data"), base, "", nil, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := in.server(ctx, nil)
		if err != nil {
			in.Close()
			t.Fatal(err)
		}
		if got := srv.Outbound.PublicOnly(); got != public {
			t.Errorf("%s: outbound client PublicOnly = %v, want %v", base, got, public)
		}
		if srv.Verifier.Status.Client != srv.Outbound.HTTP() {
			t.Errorf("%s: status lists are not read with the instance's outbound client", base)
		}
		in.Close()
	}
}

// TestServePublicRefusesLoopback: the server that `carnet serve` builds for
// a public base URL never connects to the host's own network for a
// partner, whether an administrator adds it through the API or a stored
// one is refreshed on schedule.
func TestServePublicRefusesLoopback(t *testing.T) {
	ctx := context.Background()
	in, err := openInstance(ctx, filepath.Join(t.TempDir(), "data"), "https://carnet.example.org", "", nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	srv, err := in.server(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := in.firstAdmin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := web.CreateAPIToken(ctx, in.users, admin, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(srv.Handler())
	defer front.Close()

	var conns atomic.Int64
	internal := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"keys": []}`))
	}))
	internal.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	internal.Start()
	defer internal.Close()
	_, port, _ := net.SplitHostPort(internal.Listener.Addr().String())

	for _, src := range []string{internal.URL + "/.well-known/jwks.json", "https://localhost:" + port + "/", "did:web:127.0.0.1%3A" + port} {
		body, _ := json.Marshal(map[string]string{"url": src})
		req, _ := http.NewRequest("POST", front.URL+"/api/v1/trust", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(msg), "pas une adresse publique") {
			t.Errorf("trust %s: %d %s", src, res.StatusCode, msg)
		}
	}
	stored := &schema.TrustedSource{Source: internal.URL + "/.well-known/jwks.json", Name: "Interne", AddedBy: "test"}
	if err := in.trust.CreateTrustedSource(ctx, stored); err != nil {
		t.Fatal(err)
	}
	if n, err := srv.RefreshTrust(ctx); err != nil || n != 1 {
		t.Fatalf("refresh: %d fetched, %v", n, err)
	}
	if got, err := in.trust.FindTrustedSource(ctx, stored.ID); err != nil || !strings.Contains(got.LastError, "not a public address") {
		t.Errorf("refreshed: %+v %v", got, err)
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("the internal service accepted %d connections", n)
	}
}
