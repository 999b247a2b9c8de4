package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
)

// TestServerStatusListsPublicOnly: an instance on a public address reads
// other issuers' status lists, as it resolves their DIDs, without ever
// connecting to loopback or private addresses; a loopback (development)
// instance may.
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
		if got := srv.Verifier.Status.PublicOnly; got != public {
			t.Errorf("%s: status lists PublicOnly = %v, want %v", base, got, public)
		}
		in.Close()
	}
}
