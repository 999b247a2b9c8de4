package issuer

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"

	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// credentialClaims is the JWS payload of a credential: the credential itself
// with the JWT claims OB 3.0 requires beside it (iss, jti, sub, nbf, exp).
type credentialClaims struct {
	*schema.Credential
	Iss string `json:"iss"`
	Jti string `json:"jti"`
	Sub string `json:"sub"`
	Nbf int64  `json:"nbf"`
	Exp int64  `json:"exp,omitempty"`
}

// SignCredential signs c with k as a compact JWS whose header is
// {alg: ES256, kid: <absolute did:web key id>, typ: JWT}. It returns the JWS
// and the signed payload.
func SignCredential(c *schema.Credential, k *keys.Key) (string, []byte, error) {
	from, err := time.Parse(time.RFC3339, c.ValidFrom)
	if err != nil {
		return "", nil, fmt.Errorf("issuer: validFrom: %w", err)
	}
	claims := credentialClaims{Credential: c, Iss: c.Issuer.ID, Jti: c.ID, Sub: c.CredentialSubject.ID, Nbf: from.Unix()}
	if c.ValidUntil != "" {
		until, err := time.Parse(time.RFC3339, c.ValidUntil)
		if err != nil {
			return "", nil, fmt.Errorf("issuer: validUntil: %w", err)
		}
		claims.Exp = until.Unix()
	}
	payload, err := schema.MarshalCompact(claims)
	if err != nil {
		return "", nil, fmt.Errorf("issuer: %w", err)
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	jws, err := sign(payload, jose.JSONWebKey{Key: k.Private, KeyID: k.KID(c.Issuer.ID)}, opts)
	return jws, payload, err
}

// SignVC signs the JSON payload of another verifiable credential Carnet
// issues (a CLR, issue 16), its JWT claims already in it, the way
// SignCredential signs an OB 3.0 credential: a compact ES256 JWS with header
// {alg: ES256, kid: <issuerID>#<key thumbprint>, typ: JWT}.
func SignVC(payload []byte, k *keys.Key, issuerID string) (string, error) {
	opts := (&jose.SignerOptions{}).WithType("JWT")
	return sign(payload, jose.JSONWebKey{Key: k.Private, KeyID: k.KID(issuerID)}, opts)
}

// CredentialDigest binds a card to its credential: the first 16 bytes of
// the SHA-256 of the credential's signed payload, base64url. It does not
// depend on the (malleable) ECDSA signature.
func CredentialDigest(payload []byte) string {
	sum := sha256.Sum256(payload)
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// SignCard signs card claims as a card token: a compact JWS with header
// {alg: ES256, zip: DEF} over the raw-DEFLATE of the minified claims, in the
// SMART Health Cards style, the credential id shortened by schema.CardJTI.
// The header names no key: every byte of the token is a QR module, and the
// issuer is already in the signed claims (iss); verifiers try the keys they
// trust for that issuer, never a key the token names. (Cards printed before
// issue 11 carry kid: <key thumbprint> and the full jti; verifiers still
// read them.)
func SignCard(c *schema.CardClaims, k *keys.Key) (string, error) {
	short := *c
	short.Jti = schema.CardJTI(c.Jti)
	raw, err := schema.MarshalCompact(&short)
	if err != nil {
		return "", fmt.Errorf("issuer: card: %w", err)
	}
	payload, err := deflate(raw)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithHeader("zip", "DEF")
	return sign(payload, jose.JSONWebKey{Key: k.Private}, opts)
}

// sign returns the compact ES256 JWS of payload, its signature always in
// canonical low-S form.
func sign(payload []byte, key jose.JSONWebKey, opts *jose.SignerOptions) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, opts)
	if err != nil {
		return "", fmt.Errorf("issuer: signer: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("issuer: sign: %w", err)
	}
	// crypto/ecdsa gives a high s half of the time; the canonical low-S
	// twin verifies alike and is the only form verifiers accept.
	obj.Signatures[0].Signature = keys.LowS(obj.Signatures[0].Signature)
	s, err := obj.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("issuer: serialize: %w", err)
	}
	return s, nil
}

// Best-compression DEFLATE writers cost ~800 KB to set up; reuse them.
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestCompression)
	return w
}}

func deflate(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("issuer: deflate: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("issuer: deflate: %w", err)
	}
	return buf.Bytes(), nil
}

// QRText returns the text of the card's QR code: BASE_URL/c# followed by the
// card token in numeric form. Phone cameras open it as a link; the fragment
// never reaches a server.
func QRText(baseURL, cardToken string) string {
	return strings.TrimRight(baseURL, "/") + "/c#" + schema.QRNumeric(cardToken)
}
