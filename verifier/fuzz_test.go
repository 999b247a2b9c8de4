package verifier_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"

	"github.com/go-jose/go-jose/v4"
)

// fixedKeys is a key store whose keys derive from the slug. A fuzz worker is
// a separate process from the coordinator that holds the seed corpus, and
// keys.MemStore draws fresh keys in each process (since Go 1.26
// ecdsa.GenerateKey ignores the reader it is given): seeds signed in one
// process would meet an unknown key in the other and never reach the checks
// past the signature. The keys are real P-256 keys; only their scalar is
// fixed.
type fixedKeys struct {
	mu    sync.Mutex
	rings map[string]*keys.Ring
}

func (s *fixedKeys) Ring(slug string) (*keys.Ring, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.rings[slug]; ok {
		return r, nil
	}
	d := sha256.Sum256([]byte("carnet fuzz key " + slug))
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		return nil, fmt.Errorf("fixed key of %s: %w", slug, err)
	}
	tp, err := keys.Thumbprint(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	seed := sha256.Sum256([]byte("carnet fuzz Ed25519 key " + slug))
	ed := &keys.EdKey{Private: ed25519.NewKeyFromSeed(seed[:]), Created: fixedNow}
	ed.Multibase = keys.Ed25519Multibase(ed.Public())
	r := &keys.Ring{Keys: []*keys.Key{{Thumbprint: tp, Private: priv, Created: fixedNow}}, Ed: []*keys.EdKey{ed}}
	if s.rings == nil {
		s.rings = map[string]*keys.Ring{}
	}
	s.rings[slug] = r
	return r, nil
}

func (s *fixedKeys) Create(slug string) (*keys.Ring, error) { return s.Ring(slug) }

func (s *fixedKeys) Rotate(string) (*keys.Key, error) {
	return nil, errors.New("fixed keys do not rotate")
}

// knownReason reports whether reason is one of the verifier's codes.
func knownReason(reason string) bool {
	en, _ := verifier.ReasonText(reason)
	return reason != "" && en != reason
}

// checkInvariants holds for any input: a refusal carries a known reason, and
// an acceptance comes from a key of an issuer of the registry.
func checkInvariants(t *testing.T, reg *verifier.Registry, r *verifier.Result) {
	t.Helper()
	if !r.Valid {
		if !knownReason(r.Reason) {
			t.Fatalf("refused with unknown reason %q", r.Reason)
		}
		return
	}
	if r.Reason != "" {
		t.Fatalf("valid with reason %q", r.Reason)
	}
	if r.Issuer == nil || !r.Issuer.Trusted {
		t.Fatalf("valid with untrusted issuer %+v", r.Issuer)
	}
	ti := reg.Issuer(r.Issuer.ID)
	if ti == nil {
		t.Fatalf("valid with issuer %s outside the registry", r.Issuer.ID)
	}
	for _, k := range ti.Keys {
		if k.KeyID == r.Issuer.KeyID {
			return
		}
	}
	t.Fatalf("valid with key %s that %s is not trusted with", r.Issuer.KeyID, r.Issuer.ID)
}

// FuzzVerify feeds arbitrary bytes to Verify: it must never panic, and
// whatever it accepts must come from a trusted issuer's key.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f, &fixedKeys{})
	is := fx.issue(f, "Éloïse Ndiaye-Bérénice")
	for _, s := range []string{
		is.JWT,
		is.CardToken,
		is.QRText,
		is.QRText[strings.IndexByte(is.QRText, '#')+1:],
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,` + is.JWT + `"}`,
		`{"jwt":"` + is.JWT + `"}`,
		is.Record.ShortCode,
	} {
		f.Add([]byte(s))
	}
	// A small deflate bomb (1 MB of zeros) signed with the trusted key; the
	// 50 MB one of the hostile cases is too large a seed to mutate well.
	bomb := compact(`{"alg":"ES256","kid":`+jsonString(fx.key.Thumbprint)+`,"zip":"DEF"}`,
		deflate(f, make([]byte, 1<<20)), ecdsaSigner(f, fx.key.Private, crypto.SHA256))
	f.Add([]byte(bomb))
	for _, tc := range hostileCases(f, fx) {
		if len(tc.input) <= 64<<10 {
			f.Add(tc.input)
		}
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		r := verify(t, fx.v, input)
		checkInvariants(t, fx.reg, r)
	})
}

// cardJWS returns the compact JWS a card input carries, as a scanner reads
// it: the token itself, or the fragment of a QR URL, in numeric form or not.
func cardJWS(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[i+1:]
		}
	}
	if len(s) >= 40 {
		if jws, ok := schema.QRDecodeNumeric(s); ok {
			return jws
		}
	}
	return s
}

// FuzzCardToken mutates genuine card tokens. Nothing but the issuer's key
// can sign a card, so a mutated token the verifier accepts must be a
// signature of that key over one of the payloads it signed: the displayed
// claims are those issued, and the token verifies with the key on its own.
func FuzzCardToken(f *testing.F) {
	fx := newFixture(f, &fixedKeys{})
	pub := &fx.key.Private.PublicKey
	// The service's clock and randomness are fixed, so every process issues
	// the same cards (with other ECDSA signatures over the same payloads).
	issued := map[string]*issuer.Issued{}
	genuine := map[string]bool{}
	for _, name := range []string{"Éloïse Ndiaye-Bérénice", "Олена Шевченко", "محمد"} {
		is := fx.issue(f, name)
		issued[is.Credential.ID] = is
		genuine[is.CardToken] = true
		f.Add(is.CardToken)
	}
	f.Fuzz(func(t *testing.T, token string) {
		r := verify(t, fx.v, []byte(token))
		checkInvariants(t, fx.reg, r)
		if genuine[token] && !r.Valid {
			t.Fatalf("genuine card refused: %s", r.Reason)
		}
		if !r.Valid || r.Kind != "card" {
			return
		}
		if r.Issuer.ID != fx.did || r.Issuer.KeyID != fx.kid {
			t.Fatalf("card accepted from %s key %s, want %s key %s", r.Issuer.ID, r.Issuer.KeyID, fx.did, fx.kid)
		}
		is := issued[r.CredentialID]
		if is == nil {
			t.Fatalf("card accepted for credential %q that was never issued", r.CredentialID)
		}
		if r.Learner != is.Record.LearnerName || r.Framework != is.Record.Framework ||
			r.Digest != issuer.CredentialDigest(mustPayload(t, is.JWT)) || !r.ValidFrom.Equal(is.Record.IssuedAt) {
			t.Fatalf("card accepted with claims %q %q %q %v, issued %q %q %v",
				r.Learner, r.Framework, r.Digest, r.ValidFrom, is.Record.LearnerName, is.Record.Framework, is.Record.IssuedAt)
		}
		jws := cardJWS(token)
		if strings.Count(jws, ".") != 2 || strings.ContainsAny(jws, "{}\" ") {
			return // another envelope (JSON) around a card: the claims check above holds
		}
		obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatalf("accepted card does not parse as a JWS: %v", err)
		}
		if _, err := obj.Verify(pub); err != nil {
			t.Fatalf("accepted card does not verify with the issuer's key: %v", err)
		}
	})
}

func mustPayload(t *testing.T, jws string) []byte {
	t.Helper()
	_, p, _ := parts(t, jws)
	return p
}
