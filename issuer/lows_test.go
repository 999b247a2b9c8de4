package issuer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
)

// TestSignaturesLowS: crypto/ecdsa gives a high s about half of the time;
// every JWS the issuer writes carries the canonical low-S form, and still
// verifies.
func TestSignaturesLowS(t *testing.T) {
	s := newService(5)
	is, err := s.Issue(context.Background(), lille, schema.Assessment{LearnerName: "Éloïse", Framework: "digcomp-2.2", Results: sixLevels()})
	if err != nil {
		t.Fatal(err)
	}
	ring, _ := s.Keys.Ring(lille.Slug)
	k := ring.Signer()
	claims := &schema.CardClaims{Iss: is.Credential.Issuer.ID, Jti: is.Record.ID, Nbf: clock.Unix(), Name: "Éloïse",
		Framework: "digcomp-2.2", Levels: []schema.CardLevel{{Competency: "1.1", Level: "3"}}, Digest: "AAAAAAAAAAAAAAAAAAAAAA"}
	const n = 1000
	for i := range n {
		var jws string
		switch i % 3 {
		case 0:
			jws, err = issuer.SignCard(claims, k)
		case 1:
			jws, _, err = issuer.SignCredential(is.Credential, k)
		default:
			jws, err = issuer.SignStatusList(issuer.StatusListInput{Issuer: is.Credential.Issuer.ID,
				URL: issuer.StatusListURL(s.BaseURL, lille.Slug, 0), Purpose: issuer.PurposeRevocation, Now: clock}, k)
		}
		if err != nil {
			t.Fatal(err)
		}
		p := strings.Split(jws, ".")
		sig, err := base64.RawURLEncoding.DecodeString(p[2])
		if err != nil {
			t.Fatal(err)
		}
		if !keys.CanonicalES256(sig) {
			t.Fatalf("signature %d has a high s: %s", i, p[2])
		}
		digest := sha256.Sum256([]byte(p[0] + "." + p[1]))
		if !ecdsa.Verify(&k.Private.PublicKey, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			t.Fatalf("signature %d does not verify", i)
		}
	}
}
