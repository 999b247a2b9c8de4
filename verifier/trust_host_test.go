package verifier_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"carnet/keys"
	"carnet/verifier"

	"github.com/go-jose/go-jose/v4"
)

// TestRegistryLocalKeysStayLocal: no partner document can add keys to a
// structure of this instance, and this instance's keys replace whatever a
// partner said about it.
func TestRegistryLocalKeysStayLocal(t *testing.T) {
	store := keys.NewMemStore()
	ours, _ := store.Ring("main")
	theirs, _ := store.Ring("evil")
	const did = "did:web:carnet.example.org:s:main"
	forged := theirs.JWKS(did).Keys // the partner's key, under our structure's id

	reg := verifier.NewRegistry()
	if err := reg.Add(verifier.LocalIssuer(did, "Médiathèque", ours)); err != nil {
		t.Fatal(err)
	}
	err := reg.Add(&verifier.TrustedIssuer{ID: did, Source: "https://partner.example.org/trust-list.jwt", Keys: forged})
	if err == nil || !strings.Contains(err.Error(), "structure of this instance") {
		t.Fatalf("a partner added keys to a local structure: %v", err)
	}
	if got := reg.Issuer(did); len(got.ES256Keys()) != 1 || got.Keys[0].KeyID != ours.JWKS(did).Keys[0].KeyID || !got.Local {
		t.Errorf("local issuer after the attempt: %+v", got)
	}

	// The other way round: a partner's keys first, then ours replace them.
	reg = verifier.NewRegistry()
	if err := reg.Add(&verifier.TrustedIssuer{ID: did, Source: "https://partner.example.org/trust-list.jwt", Keys: forged}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(verifier.LocalIssuer(did, "Médiathèque", ours)); err != nil {
		t.Fatal(err)
	}
	if got := reg.Issuer(did); len(got.ES256Keys()) != 1 || got.Keys[0].KeyID == forged[0].KeyID || !got.Local {
		t.Errorf("local issuer added after a partner's claim: %+v", got)
	}
}

// TestFetchDocumentSpeaksForItsHost: a JWKS or DID document fetched from a
// site names issuers of that site only.
func TestFetchDocumentSpeaksForItsHost(t *testing.T) {
	store := keys.NewMemStore()
	ring, _ := store.Ring("main")
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	own, err := keys.DIDWeb(srv.URL, "main")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		set  jose.JSONWebKeySet
		ok   bool
	}{
		{"own host", ring.JWKS(own), true},
		{"another site", ring.JWKS("did:web:mediatheque.example.org:s:main"), false},
		{"same host, another port", ring.JWKS(strings.Replace(own, "%3A", "%3A1", 1)), false},
		{"own and another", jose.JSONWebKeySet{Keys: append(ring.JWKS(own).Keys, ring.JWKS("did:web:autre.example.org:s:x").Keys...)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ = json.Marshal(tc.set)
			got, err := (&verifier.Fetcher{Client: local}).Load(context.Background(), srv.URL+"/.well-known/jwks.json")
			if tc.ok && (err != nil || len(got) != 1) {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "speaks for its own site only")) {
				t.Fatalf("accepted %d issuers, err %v", len(got), err)
			}
		})
	}
}
