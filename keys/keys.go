// Package keys holds the signing keys of each issuer (structure): ES256
// (P-256) keys for JWS and Ed25519 keys for Data Integrity proofs, in key
// rings stored in the data dir or in memory; absolute did:web key ids, JWKS
// and DID documents, and rotation (a new key signs, earlier keys keep
// verifying).
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// Key is one ES256 (P-256) signing key of an issuer.
type Key struct {
	// Thumbprint is the RFC 7638 SHA-256 JWK thumbprint, base64url: the
	// fragment of the key's did:web id.
	Thumbprint string
	Private    *ecdsa.PrivateKey
	Created    time.Time
	Retired    time.Time // zero while the key signs
}

// KID returns the absolute key id of k for the issuer did.
func (k *Key) KID(did string) string { return did + "#" + k.Thumbprint }

// PublicJWK returns the public JWK of k with its absolute key id.
func (k *Key) PublicJWK(did string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: &k.Private.PublicKey, KeyID: k.KID(did), Algorithm: string(jose.ES256), Use: "sig"}
}

// NewKey generates a P-256 key from r (crypto/rand when nil).
func NewKey(r io.Reader, now time.Time) (*Key, error) {
	if r == nil {
		r = rand.Reader
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), r)
	if err != nil {
		return nil, fmt.Errorf("keys: generate: %w", err)
	}
	return keyFrom(priv, now)
}

func keyFrom(priv *ecdsa.PrivateKey, created time.Time) (*Key, error) {
	tp, err := Thumbprint(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Key{Thumbprint: tp, Private: priv, Created: created.UTC()}, nil
}

// Thumbprint returns the base64url RFC 7638 SHA-256 thumbprint of a public key.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	b, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("keys: thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Ring is the set of keys of one issuer, oldest first. The newest key that
// is not retired signs; all keys verify.
type Ring struct {
	Keys []*Key
	// Ed are the Ed25519 keys (Data Integrity), oldest first, published
	// beside Keys in the DID document; the JWKS lists Keys only.
	Ed []*EdKey
}

// Signer returns the key that signs new credentials.
func (r *Ring) Signer() *Key {
	for i := len(r.Keys) - 1; i >= 0; i-- {
		if r.Keys[i].Retired.IsZero() {
			return r.Keys[i]
		}
	}
	return nil
}

// Find returns the key with this thumbprint, or nil.
func (r *Ring) Find(thumbprint string) *Key {
	for _, k := range r.Keys {
		if k.Thumbprint == thumbprint {
			return k
		}
	}
	return nil
}

// JWKS returns the public keys of the ring with absolute key ids for did.
func (r *Ring) JWKS(did string) jose.JSONWebKeySet {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(r.Keys))}
	for _, k := range r.Keys {
		set.Keys = append(set.Keys, k.PublicJWK(did))
	}
	return set
}

// DIDDocument is a did:web document listing an issuer's keys usable for
// assertions: the P-256 keys as JsonWebKey methods, the Ed25519 keys as
// Multikey methods.
type DIDDocument struct {
	Context            []string             `json:"@context"`
	ID                 string               `json:"id"`
	VerificationMethod []VerificationMethod `json:"verificationMethod"`
	AssertionMethod    []string             `json:"assertionMethod"`
	// Name is not a DID core property: it lets a verifier show the issuer's
	// name before anything else is known (non-normative, ignored by others).
	Name string `json:"name,omitempty"`
}

// VerificationMethod is one key of a DID document: a JsonWebKey method
// (PublicKeyJwk) or a Multikey one (PublicKeyMultibase).
type VerificationMethod struct {
	ID                 string           `json:"id"`
	Type               string           `json:"type"`
	Controller         string           `json:"controller"`
	PublicKeyJwk       *jose.JSONWebKey `json:"publicKeyJwk,omitempty"`
	PublicKeyMultibase string           `json:"publicKeyMultibase,omitempty"`
}

// Context of the Multikey verification methods of a DID document.
const ContextMultikey = "https://w3id.org/security/multikey/v1"

// DIDDocument returns the DID document of the ring for did.
func (r *Ring) DIDDocument(did, name string) DIDDocument {
	doc := DIDDocument{
		Context: []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"},
		ID:      did,
		Name:    name,
	}
	for _, k := range r.Keys {
		kid := k.KID(did)
		jwk := k.PublicJWK(did)
		doc.VerificationMethod = append(doc.VerificationMethod, VerificationMethod{ID: kid, Type: "JsonWebKey2020", Controller: did, PublicKeyJwk: &jwk})
		doc.AssertionMethod = append(doc.AssertionMethod, kid)
	}
	if len(r.Ed) > 0 {
		doc.Context = append(doc.Context, ContextMultikey)
	}
	for _, k := range r.Ed {
		id := k.ID(did)
		doc.VerificationMethod = append(doc.VerificationMethod, VerificationMethod{ID: id, Type: "Multikey", Controller: did, PublicKeyMultibase: k.Multibase})
		doc.AssertionMethod = append(doc.AssertionMethod, id)
	}
	return doc
}

// DIDWeb returns the did:web id of a structure served at baseURL:
// did:web:HOST[%3APORT][:PATH…]:s:SLUG.
func DIDWeb(baseURL, slug string) (string, error) {
	if err := schema.ValidateSlug(slug); err != nil {
		return "", err
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", schema.Errorf(schema.EINVALID, "invalid base URL %q: expected http(s)://host[:port][/path]",
			"URL de base %q invalide : attendu http(s)://hôte[:port][/chemin]", baseURL)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return "", schema.Errorf(schema.EINVALID, "base URL %q: plain http is allowed for localhost only; use https",
			"URL de base %q : http simple n'est permis que pour localhost ; utilisez https", baseURL)
	}
	did := "did:web:" + strings.ReplaceAll(strings.ToLower(u.Host), ":", "%3A")
	for _, seg := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if seg != "" {
			did += ":" + url.PathEscape(seg)
		}
	}
	return did + ":s:" + slug, nil
}

// DIDDocumentURL returns the URL of the did.json document of a did:web id
// (https, or http for loopback hosts), as did:web resolution defines it.
func DIDDocumentURL(did string) (string, error) {
	bad := schema.Errorf(schema.EINVALID, "not a did:web identifier: %q", "identifiant did:web invalide : %q", did)
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok || rest == "" || strings.ContainsAny(rest, "#?/") {
		return "", bad
	}
	parts := strings.Split(rest, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil || host == "" || strings.ContainsAny(host, "@ ") {
		return "", bad
	}
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	scheme := "https"
	if IsLoopback(h) {
		scheme = "http"
	}
	path := ""
	for _, p := range parts[1:] {
		seg, err := url.PathUnescape(p)
		if err != nil || seg == "" || seg == "." || seg == ".." {
			return "", bad
		}
		path += "/" + url.PathEscape(seg)
	}
	if path == "" {
		return scheme + "://" + host + "/.well-known/did.json", nil
	}
	return scheme + "://" + host + path + "/did.json", nil
}

// IsLoopback reports whether host names this machine (localhost, 127.0.0.0/8, ::1).
func IsLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
