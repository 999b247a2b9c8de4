package oid4vci_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"carnet/oid4vci"

	"github.com/go-jose/go-jose/v4"
)

// TestOffer: the offer URI carries the offer inline, as wallets read it.
func TestOffer(t *testing.T) {
	uri, _ := oid4vci.Offer("https://carnet.example.org/", oid4vci.ConfigurationIDs(), "c0de+/=")
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "openid-credential-offer" {
		t.Fatalf("%q: %v", uri, err)
	}
	var o struct {
		Issuer string                       `json:"credential_issuer"`
		IDs    []string                     `json:"credential_configuration_ids"`
		Grants map[string]map[string]string `json:"grants"`
	}
	if err := json.Unmarshal([]byte(u.Query().Get("credential_offer")), &o); err != nil {
		t.Fatal(err)
	}
	if o.Issuer != "https://carnet.example.org" || len(o.IDs) != 2 || o.IDs[0] != "OpenBadgeCredential_jwt_vc_json" || o.IDs[1] != "OpenBadgeCredential_ldp_vc" || o.Grants[oid4vci.GrantPreAuth]["pre-authorized_code"] != "c0de+/=" {
		t.Errorf("offer %+v", o)
	}
	md := oid4vci.IssuerMetadata("https://carnet.example.org/")
	confs := md["credential_configurations_supported"].(map[string]any)
	for _, c := range oid4vci.Configurations {
		if confs[c.ID].(map[string]any)["format"] != c.Format {
			t.Errorf("configuration %s missing", c.ID)
		}
	}
}

// sign signs a JWT by hand with header h and claims c (ES256).
func sign(t *testing.T, k *ecdsa.PrivateKey, h, c map[string]any) string {
	t.Helper()
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(c)
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sum := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestReadProofLimits: an oversized proof and a did:jwk that holds no key
// are refused before any signature check; a did:jwk of the signing key is
// read.
func TestReadProofLimits(t *testing.T) {
	now := time.Now()
	if _, err := oid4vci.ReadProof(strings.Repeat("a", oid4vci.MaxProof+1), "https://i", now); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("oversized proof: %v", err)
	}
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	claims := map[string]any{"aud": "https://i", "iat": now.Unix(), "nonce": "n"}
	bad := sign(t, k, map[string]any{"alg": "ES256", "typ": oid4vci.ProofType, "kid": "did:jwk:bm90LWEta2V5"}, claims)
	if _, err := oid4vci.ReadProof(bad, "https://i", now); err == nil || !strings.Contains(err.Error(), "did:jwk") {
		t.Errorf("a did:jwk of no key: %v", err)
	}
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: &k.PublicKey})
	good := sign(t, k, map[string]any{"alg": "ES256", "typ": oid4vci.ProofType, "kid": "did:jwk:" + base64.RawURLEncoding.EncodeToString(jwk) + "#0"}, claims)
	p, err := oid4vci.ReadProof(good, "https://i", now)
	if err != nil || p.Nonce != "n" {
		t.Errorf("a did:jwk proof: %v", err)
	}
	claims["nonce"] = ""
	if _, err := oid4vci.ReadProof(sign(t, k, map[string]any{"alg": "ES256", "typ": oid4vci.ProofType, "jwk": json.RawMessage(jwk)}, claims), "https://i", now); err == nil || !strings.Contains(err.Error(), "invalid_nonce") {
		t.Errorf("a proof without a nonce: %v", err)
	}
}
