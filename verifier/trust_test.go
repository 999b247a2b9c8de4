package verifier_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"
)

func TestRegistryReAddReplacesIndex(t *testing.T) {
	mem := keys.NewMemStore()
	ring, _ := mem.Ring("lille")
	did := "did:web:carnet.example.org:s:lille"
	reg := verifier.NewRegistry()
	if err := reg.Add(&verifier.TrustedIssuer{ID: did, Name: "Old", Source: "a", Keys: ring.JWKS(did).Keys}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(&verifier.TrustedIssuer{ID: did, Name: "New", Source: "a", Keys: ring.JWKS(did).Keys}); err != nil {
		t.Fatal(err)
	}
	got := reg.Issuer(did)
	if got.Name != "New" || len(got.Keys) != 1 || len(reg.Issuers()) != 1 {
		t.Errorf("after re-add: %+v", got)
	}
}

func TestRegistryRefusesBadKeys(t *testing.T) {
	mem := keys.NewMemStore()
	ring, _ := mem.Ring("lille")
	did := "did:web:carnet.example.org:s:lille"
	good := ring.JWKS(did).Keys[0]
	private := good
	private.Key = ring.Signer().Private
	foreign := good
	foreign.KeyID = "did:web:evil.example#k"
	bare := good
	bare.KeyID = "k1"
	for _, tc := range []struct {
		name string
		ti   verifier.TrustedIssuer
	}{
		{"not a DID", verifier.TrustedIssuer{ID: "https://example.org", Keys: ring.JWKS(did).Keys}},
		{"private key", verifier.TrustedIssuer{ID: did, Keys: append(ring.JWKS(did).Keys[:0:0], private)}},
		{"key of another issuer", verifier.TrustedIssuer{ID: did, Keys: append(ring.JWKS(did).Keys[:0:0], foreign)}},
		{"bare key id", verifier.TrustedIssuer{ID: did, Keys: append(ring.JWKS(did).Keys[:0:0], bare)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := verifier.NewRegistry().Add(&tc.ti); schema.ErrorCode(err) != schema.EINVALID {
				t.Errorf("err = %v, want invalid", err)
			}
		})
	}
}

func TestFetcherLoadsTrustSources(t *testing.T) {
	mem := keys.NewMemStore()
	ringA, _ := mem.Ring("a")
	ringB, _ := mem.Ring("b")
	srv := httptest.NewServer(nil)
	defer srv.Close()
	base := srv.URL
	didA, _ := keys.DIDWeb(base, "a")
	didB, _ := keys.DIDWeb(base, "b")
	jwks := ringA.JWKS(didA)
	jwks.Keys = append(jwks.Keys, ringB.JWKS(didB).Keys...)
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) { json.NewEncoder(w).Encode(jwks) })
	mux.HandleFunc("/s/a/did.json", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(ringA.DIDDocument(didA, "Structure A"))
	})
	mux.HandleFunc("/huge.json", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"keys":[` + strings.Repeat(" ", verifier.MaxTrustDocument) + `]}`))
	})
	srv.Config.Handler = mux

	f := &verifier.Fetcher{Client: local}
	ctx := context.Background()
	iss, err := f.Load(ctx, base) // a Carnet instance's base URL
	if err != nil || len(iss) != 2 || iss[0].ID != didA || iss[1].ID != didB {
		t.Fatalf("instance URL: %v %v", iss, err)
	}
	iss, err = f.Load(ctx, didA) // did:web, resolved to http on loopback
	if err != nil || len(iss) != 1 || iss[0].Name != "Structure A" || len(iss[0].ES256Keys()) != 1 || len(iss[0].Keys) != 2 {
		t.Fatalf("did:web: %+v %v", iss, err)
	}
	if _, err := f.Load(ctx, base+"/huge.json"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge document: %v", err)
	}
	if _, err := f.Load(ctx, base+"/nothing.json"); err == nil {
		t.Error("404 accepted")
	}
	if _, err := f.Load(ctx, "http://carnet.example.org/"); err == nil {
		t.Error("plain http off loopback accepted")
	}
	dir := t.TempDir()
	bare := `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"` + strings.Repeat("A", 43) + `","y":"` + strings.Repeat("A", 43) + `"}]}`
	os.WriteFile(filepath.Join(dir, "bare.json"), []byte(bare), 0o644)
	if _, err := f.Load(ctx, filepath.Join(dir, "bare.json")); err == nil {
		t.Error("a JWKS whose key ids name no issuer was accepted")
	}
	os.WriteFile(filepath.Join(dir, "dup.json"), []byte(`{"keys":[],"keys":[]}`), 0o644)
	if _, err := f.Load(ctx, filepath.Join(dir, "dup.json")); err == nil {
		t.Error("duplicate members accepted")
	}
}
