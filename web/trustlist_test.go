package web_test

import (
	"crypto/ecdsa"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"carnet/issuer"

	"github.com/go-jose/go-jose/v4"
)

// TestTrustList: /trust-list.jwt lists the issuers this instance trusts,
// partners included, signed by its first structure's key as published in
// its did.json/JWKS, and dated.
func TestTrustList(t *testing.T) {
	partner := startFixture(t)
	partner.structure("partenaire")
	f := startFixture(t)
	f.structure("bib")
	f.structure("annexe")
	admin := f.user("admin@example.org", true)
	tok := f.token(admin)
	if code := f.api(tok, "POST", "/api/v1/trust", map[string]any{"url": partner.srv.BaseURL, "name": "Réseau partenaire"}, nil); code != 201 {
		t.Fatalf("trust partner: %d", code)
	}

	get := func(path string) []byte {
		res, err := http.Get(f.srv.BaseURL + path)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, err, res.StatusCode)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return b
	}
	jws := get("/trust-list.jwt")
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(get("/s/bib/jwks.json"), &set); err != nil {
		t.Fatal(err)
	}
	obj, err := jose.ParseSignedCompact(string(jws), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := obj.Verify(&set)
	if err != nil {
		t.Fatalf("the trust list does not verify with the first structure's published keys: %v", err)
	}
	var tl issuer.TrustList
	if err := json.Unmarshal(payload, &tl); err != nil {
		t.Fatal(err)
	}
	if tl.Iss != "did:web:"+hostOf(f.srv.BaseURL)+":s:bib" || tl.Sub != f.srv.BaseURL {
		t.Errorf("iss %s sub %s", tl.Iss, tl.Sub)
	}
	now := time.Now().Unix()
	if tl.Iat > now+5 || tl.Exp-tl.Iat != int64(issuer.TrustListValidity/time.Second) {
		t.Errorf("dates: iat %d exp %d", tl.Iat, tl.Exp)
	}
	got := map[string]issuer.TrustListIssuer{}
	for _, ti := range tl.Issuers {
		got[ti.ID] = ti
		for _, k := range ti.Keys.Keys {
			if !k.IsPublic() {
				t.Fatalf("%s publishes a private key", ti.ID)
			}
			// ES256 keys only: a Carnet before issue 16 refuses a list
			// with any other kind (the Ed25519 keys stay in did.json).
			if _, ok := k.Key.(*ecdsa.PublicKey); !ok || k.Algorithm != "ES256" {
				t.Errorf("%s: the trust list carries a non-ES256 key %s", ti.ID, k.KeyID)
			}
		}
	}
	for _, slug := range []string{"bib", "annexe"} {
		if ti, ok := got["did:web:"+hostOf(f.srv.BaseURL)+":s:"+slug]; !ok || ti.Source != "local" || len(ti.Keys.Keys) == 0 {
			t.Errorf("structure %s missing or keyless: %+v", slug, ti)
		}
	}
	if ti, ok := got["did:web:"+hostOf(partner.srv.BaseURL)+":s:partenaire"]; !ok || ti.Source == "local" || len(ti.Keys.Keys) == 0 {
		t.Errorf("partner missing: %+v", tl.Issuers)
	}
	// A tampered list does not verify.
	bad := []byte(string(jws))
	bad[len(bad)/2] ^= 1
	if o, err := jose.ParseSignedCompact(string(bad), []jose.SignatureAlgorithm{jose.ES256}); err == nil {
		if _, err := o.Verify(&set); err == nil {
			t.Error("a tampered trust list verifies")
		}
	}
}

func hostOf(base string) string {
	h := base[len("http://"):]
	out := ""
	for _, r := range h {
		if r == ':' {
			out += "%3A"
		} else {
			out += string(r)
		}
	}
	return out
}
