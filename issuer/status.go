package issuer

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"carnet/dataintegrity"
	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// Status list purposes (W3C Bitstring Status List v1.0). Revocation is
// final; suspension can be lifted.
const (
	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
)

// Status list limits and lifetimes.
const (
	// MaxStatusListSize is the largest list EncodeStatusList writes, the
	// largest Carnet's verifier reads (2 Mi entries, 256 KiB inflated).
	MaxStatusListSize = 1 << 21
	// DefaultStatusListTTL is the ttl of a list credential when
	// StatusListInput.TTL is zero: how long a verifier may cache it.
	DefaultStatusListTTL = 5 * time.Minute
	// StatusListValidity is how long a signed list credential stays valid
	// (validUntil - validFrom). Lists are re-signed when served, so a copy
	// kept by a cache or a proxy stops counting after a day.
	StatusListValidity = 24 * time.Hour
)

// SuspensionListURL is the URL of a structure's suspension status list:
// the sibling of its revocation list, with the same indexes. A credential
// carries one status entry (the strict OB 3.0 schema allows one), for
// revocation; verifiers find the suspension list beside it.
func SuspensionListURL(baseURL, slug string, list int) string {
	return StatusListURL(baseURL, slug, list) + "/suspension"
}

// EncodeStatusList returns the encodedList of a Bitstring Status List of
// size entries whose bits in set are 1: multibase "u" + base64url (no
// padding) of the GZIP of the bitstring, where index 0 is the most
// significant bit of byte 0. size must be a multiple of 8 between
// schema.StatusListSize and MaxStatusListSize.
func EncodeStatusList(set []int, size int) (string, error) {
	if size < schema.StatusListSize || size > MaxStatusListSize || size%8 != 0 {
		return "", schema.Errorf(schema.EINVALID, "a status list has %d to %d entries, a multiple of 8, not %d",
			"une liste de statut compte de %d à %d entrées, un multiple de 8, et non %d", schema.StatusListSize, MaxStatusListSize, size)
	}
	bits := make([]byte, size/8)
	for _, i := range set {
		if i < 0 || i >= size {
			return "", schema.Errorf(schema.EINVALID, "status index %d is outside the list (0 to %d)",
				"l'index de statut %d est hors de la liste (0 à %d)", i, size-1)
		}
		bits[i/8] |= 0x80 >> (i % 8)
	}
	var buf bytes.Buffer
	// No name or modification time in the header: the same bits always
	// give the same encodedList.
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", fmt.Errorf("issuer: status list: %w", err)
	}
	if _, err := zw.Write(bits); err != nil {
		return "", fmt.Errorf("issuer: status list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("issuer: status list: %w", err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// StatusListInput is what a status list credential is made of.
type StatusListInput struct {
	Issuer  string        // did:web id of the structure: the list's issuer and iss
	URL     string        // where the list is served: the list credential's id
	Purpose string        // PurposeRevocation or PurposeSuspension
	Set     []int         // indexes whose bit is 1 (revoked, or suspended)
	Size    int           // entries; schema.StatusListSize when zero
	Now     time.Time     // time.Now when zero
	TTL     time.Duration // DefaultStatusListTTL when zero
}

// statusListBody is a VC 2.0 BitstringStatusListCredential: the Data
// Integrity form as it is, the JWS payload with statusListClaims beside it.
type statusListBody struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	ValidUntil        string            `json:"validUntil"`
	CredentialSubject statusListSubject `json:"credentialSubject"`
}

// statusListClaims is the JWS payload of a status list: the list credential
// with the JWT claims beside it, as for credentials.
type statusListClaims struct {
	statusListBody
	Iss string `json:"iss"`
	Jti string `json:"jti"`
	Nbf int64  `json:"nbf"`
	Exp int64  `json:"exp"`
}

// statusListSubject is the BitstringStatusList. ttl lives here, not on the
// credential: the VC 2.0 context defines it only inside BitstringStatusList.
type statusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
	TTL           int64  `json:"ttl"` // milliseconds
}

// SignStatusList builds the BitstringStatusListCredential of a list and
// signs it with k as a compact JWS, exactly as credentials are signed:
// header {alg: ES256, kid: <absolute did:web key id>, typ: JWT}, claims iss,
// jti (the list URL), nbf and exp. The list is valid from Now (whole
// seconds) for StatusListValidity.
func SignStatusList(in StatusListInput, k *keys.Key) (string, error) {
	if k == nil || k.Private == nil {
		return "", fmt.Errorf("issuer: status list: no signing key")
	}
	c, err := buildStatusList(in)
	if err != nil {
		return "", err
	}
	from, _ := time.Parse(time.RFC3339, c.ValidFrom)
	until, _ := time.Parse(time.RFC3339, c.ValidUntil)
	payload, err := schema.MarshalCompact(statusListClaims{statusListBody: c, Iss: in.Issuer, Jti: in.URL, Nbf: from.Unix(), Exp: until.Unix()})
	if err != nil {
		return "", fmt.Errorf("issuer: status list: %w", err)
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	return sign(payload, jose.JSONWebKey{Key: k.Private, KeyID: k.KID(in.Issuer)}, opts)
}

// SignStatusListDI builds the same BitstringStatusListCredential as
// SignStatusList, without the JWT claims, and secures it with a Data
// Integrity proof (eddsa-rdfc-2022) by the Ed25519 key k, created at the
// list's validFrom.
func SignStatusListDI(in StatusListInput, k *keys.EdKey) ([]byte, error) {
	if k == nil || k.Private == nil {
		return nil, fmt.Errorf("issuer: status list: no Ed25519 signing key")
	}
	c, err := buildStatusList(in)
	if err != nil {
		return nil, err
	}
	body, err := schema.MarshalCompact(c)
	if err != nil {
		return nil, fmt.Errorf("issuer: status list: %w", err)
	}
	from, _ := time.Parse(time.RFC3339, c.ValidFrom)
	return dataintegrity.Sign(body, k.Private, k.ID(in.Issuer), from)
}

// buildStatusList checks in and returns the list credential.
func buildStatusList(in StatusListInput) (statusListBody, error) {
	if !strings.HasPrefix(in.Issuer, "did:") || strings.Contains(in.Issuer, "#") {
		return statusListBody{}, schema.Errorf(schema.EINVALID, "status list issuer %q is not a DID", "l'émetteur de liste de statut %q n'est pas un DID", in.Issuer)
	}
	if u, err := url.Parse(in.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return statusListBody{}, schema.Errorf(schema.EINVALID, "invalid status list URL %q", "URL de liste de statut %q invalide", in.URL)
	}
	if in.Purpose != PurposeRevocation && in.Purpose != PurposeSuspension {
		return statusListBody{}, schema.Errorf(schema.EINVALID, "unknown status purpose %q", "finalité de statut %q inconnue", in.Purpose)
	}
	if in.TTL < 0 {
		return statusListBody{}, schema.Errorf(schema.EINVALID, "negative status list ttl", "durée de cache de liste de statut négative")
	}
	size, ttl, now := in.Size, in.TTL, in.Now
	if size == 0 {
		size = schema.StatusListSize
	}
	if ttl == 0 {
		ttl = DefaultStatusListTTL
	}
	if now.IsZero() {
		now = time.Now()
	}
	list, err := EncodeStatusList(in.Set, size)
	if err != nil {
		return statusListBody{}, err
	}
	from := now.UTC().Truncate(time.Second)
	until := from.Add(StatusListValidity)
	return statusListBody{
		Context:    []string{schema.ContextVC2},
		ID:         in.URL,
		Type:       []string{schema.TypeVC, "BitstringStatusListCredential"},
		Issuer:     in.Issuer,
		ValidFrom:  schema.FormatTime(from),
		ValidUntil: schema.FormatTime(until),
		CredentialSubject: statusListSubject{
			ID: in.URL + "#list", Type: "BitstringStatusList", StatusPurpose: in.Purpose,
			EncodedList: list, TTL: ttl.Milliseconds(),
		},
	}, nil
}
