package verifier_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"
	"strings"
	"testing"

	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"
)

// highS returns jws with its ES256 signature (r, s) replaced by (r, n−s):
// the twin that ECDSA verifies just as well, for the same input and key.
func highS(tb testing.TB, jws string) string {
	tb.Helper()
	p := strings.Split(jws, ".")
	if len(p) != 3 {
		tb.Fatalf("not a compact JWS: %.40q", jws)
	}
	sig := unb64(tb, p[2])
	if len(sig) != 64 {
		tb.Fatalf("signature of %d bytes", len(sig))
	}
	s := new(big.Int).SetBytes(sig[32:])
	twin := append([]byte{}, sig...)
	new(big.Int).Sub(elliptic.P256().Params().N, s).FillBytes(twin[32:])
	return p[0] + "." + p[1] + "." + b64(twin)
}

// TestHighSRefused: the high-S twin of a genuine signature is a valid
// ECDSA signature of the same token, so accepting it gives one credential
// two valid JWS strings. Credentials and cards (in every form) refuse it as
// a bad signature; the genuine ones still verify.
func TestHighSRefused(t *testing.T) {
	fx := newFixture(t, keys.NewMemStore())
	is := fx.issue(t, "Éloïse Ndiaye-Bérénice")
	pub := &fx.key.Private.PublicKey
	for _, tc := range []struct{ name, genuine string }{
		{"credential", is.JWT},
		{"card", is.CardToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			twin := highS(t, tc.genuine)
			p := strings.Split(twin, ".")
			sig := unb64(t, p[2])
			digest := sha256.Sum256([]byte(p[0] + "." + p[1]))
			if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
				t.Fatal("the twin is not a valid ECDSA signature: the test proves nothing")
			}
			if r := verify(t, fx.v, []byte(tc.genuine)); !r.Valid {
				t.Fatalf("genuine %s refused: %s", tc.name, r.Reason)
			}
			inputs := []string{twin, "\n" + twin + "\n", `{"jwt":"` + twin + `"}`}
			if tc.name == "card" {
				qr := issuerQR(twin)
				inputs = append(inputs, qr, qr[strings.IndexByte(qr, '#')+1:])
			}
			for _, in := range inputs {
				r := verify(t, fx.v, []byte(in))
				if r.Valid || r.Reason != verifier.ReasonBadSignature {
					t.Errorf("high-S %s %.30q…: valid=%v reason=%q, want %s", tc.name, in, r.Valid, r.Reason, verifier.ReasonBadSignature)
				}
				if r.SignatureVerified || r.Learner != "" || r.Credential != nil {
					t.Errorf("high-S %s: signature reported verified or content shown", tc.name)
				}
			}
		})
	}
}

func issuerQR(cardToken string) string {
	return testBaseURL + "/c#" + schema.QRNumeric(cardToken)
}
