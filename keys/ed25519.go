package keys

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mr-tron/base58"
)

// EdKey is one Ed25519 key of an issuer: it signs the Data Integrity form
// of credentials and status lists (cryptosuite eddsa-rdfc-2022), beside the
// P-256 key that signs their JWS form.
type EdKey struct {
	// Multibase is the key's publicKeyMultibase (z6Mk…): the fragment of
	// its did:web verification method id.
	Multibase string
	Private   ed25519.PrivateKey
	Created   time.Time
	Retired   time.Time // zero while the key signs
}

// ID returns the absolute verification method id of k for the issuer did.
func (k *EdKey) ID(did string) string { return did + "#" + k.Multibase }

// Public returns the public half of k.
func (k *EdKey) Public() ed25519.PublicKey { return k.Private.Public().(ed25519.PublicKey) }

// ed25519Multicodec is the multicodec prefix of an Ed25519 public key
// (0xed, varint-encoded).
var ed25519Multicodec = []byte{0xed, 0x01}

// Ed25519Multibase returns the Multikey publicKeyMultibase of pub: "z" and
// the base58btc of the multicodec prefix 0xed01 and the 32 key bytes.
func Ed25519Multibase(pub ed25519.PublicKey) string {
	return "z" + base58.Encode(append(append([]byte(nil), ed25519Multicodec...), pub...))
}

// ParseEd25519Multibase reads a Multikey publicKeyMultibase of an Ed25519
// public key (z6Mk…).
func ParseEd25519Multibase(s string) (ed25519.PublicKey, error) {
	if len(s) < 2 || len(s) > 64 || s[0] != 'z' {
		return nil, errors.New("keys: not a base58btc multibase Ed25519 key")
	}
	b, err := base58.Decode(s[1:])
	if err != nil || len(b) != 2+ed25519.PublicKeySize || b[0] != 0xed || b[1] != 0x01 {
		return nil, errors.New("keys: not a base58btc multibase Ed25519 key")
	}
	return ed25519.PublicKey(b[2:]), nil
}

// NewEdKey generates an Ed25519 key from r (crypto/rand when nil).
func NewEdKey(r io.Reader, now time.Time) (*EdKey, error) {
	if r == nil {
		r = rand.Reader
	}
	_, priv, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, fmt.Errorf("keys: generate Ed25519: %w", err)
	}
	return edKeyFrom(priv, now), nil
}

func edKeyFrom(priv ed25519.PrivateKey, created time.Time) *EdKey {
	k := &EdKey{Private: priv, Created: created.UTC()}
	k.Multibase = Ed25519Multibase(k.Public())
	return k
}

// EdSigner returns the Ed25519 key that signs new Data Integrity proofs,
// or nil when the ring has none.
func (r *Ring) EdSigner() *EdKey {
	for i := len(r.Ed) - 1; i >= 0; i-- {
		if r.Ed[i].Retired.IsZero() {
			return r.Ed[i]
		}
	}
	return nil
}
