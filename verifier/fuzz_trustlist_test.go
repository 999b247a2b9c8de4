package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/verifier"

	"github.com/go-jose/go-jose/v4"
)

// listSite answers the two documents a trust list import reads, in
// process: the signer's DID document and the list (the fuzzed bytes). The
// host is fixed, so that seeds signed in the coordinator name the same
// did:web as in the workers.
type listSite struct {
	did  []byte
	list []byte
}

func (s *listSite) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	switch r.URL.Path {
	case "/s/main/did.json":
		body = s.did
	case "/trust-list.jwt":
		body = s.list
	default:
		return &http.Response{StatusCode: 404, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
	}
	return &http.Response{StatusCode: 200, Body: io.NopCloser(bytes.NewReader(body)), Header: http.Header{}, Request: r, ContentLength: int64(len(body))}, nil
}

// FuzzTrustList feeds arbitrary bytes as another Carnet's /trust-list.jwt:
// the import never panics, and accepts only a list the signer's key signed,
// naming no issuer that list does not name.
func FuzzTrustList(f *testing.F) {
	const base = "https://reseau.example.org"
	const signer = "did:web:reseau.example.org:s:main"
	ring, err := (&fixedKeys{}).Ring("main")
	if err != nil {
		f.Fatal(err)
	}
	doc, _ := json.Marshal(ring.DIDDocument(signer, "Réseau"))
	partner, err := (&fixedKeys{}).Ring("partner")
	if err != nil {
		f.Fatal(err)
	}
	const partnerDID = "did:web:autre.example.org:s:partner"
	issuers := []issuer.TrustListIssuer{
		{ID: signer, Name: "Réseau", Source: "local", Keys: ring.JWKS(signer)},
		{ID: partnerDID, Name: "Partenaire", Source: "https://autre.example.org", Keys: partner.JWKS(partnerDID)},
	}
	now := time.Now()
	list, err := issuer.SignTrustList(signer, base, issuers, ring.Signer(), now.Add(-time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(list))
	f.Add([]byte(list[:len(list)-3] + "AAA"))
	f.Add([]byte(strings.Replace(list, ".", "..", 1)))
	f.Add([]byte("{}"))
	f.Add([]byte(""))
	pub := &ring.Signer().Private.PublicKey
	// The genuine list is imported: the fuzzer starts from a success.
	genuine := &verifier.Fetcher{Client: &http.Client{Transport: &listSite{did: doc, list: []byte(list)}}, Now: func() time.Time { return now }}
	if got, err := genuine.Load(context.Background(), base+"/trust-list.jwt"); err != nil || len(got) != 2 {
		f.Fatalf("the genuine list: %d issuers, %v", len(got), err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		site := &listSite{did: doc, list: data}
		fetcher := &verifier.Fetcher{Client: &http.Client{Transport: site}, Now: func() time.Time { return now }}
		got, err := fetcher.Load(context.Background(), base+"/trust-list.jwt")
		if err != nil {
			if len(got) != 0 {
				t.Fatalf("issuers returned with an error: %v", err)
			}
			return
		}
		obj, perr := jose.ParseSignedCompact(strings.TrimSpace(string(data)), []jose.SignatureAlgorithm{jose.ES256})
		if perr != nil {
			t.Fatalf("accepted a list that is not a compact JWS: %v", perr)
		}
		payload, verr := obj.Verify(pub)
		if verr != nil {
			t.Fatalf("accepted a list the signer's key did not sign: %v", verr)
		}
		for _, ti := range got {
			if !bytes.Contains(payload, []byte(`"`+ti.ID+`"`)) {
				t.Fatalf("accepted issuer %s that the signed list does not name", ti.ID)
			}
		}
	})
}
