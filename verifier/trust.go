package verifier

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// TrustedIssuer is an issuer whose credentials this verifier accepts, with
// the public keys it may sign with.
type TrustedIssuer struct {
	ID     string // did:web id, the credentials' issuer.id and iss
	Name   string // display name, when known
	Source string // where the keys came from: "local", a file, a URL
	Local  bool   // a structure of this instance
	Keys   []jose.JSONWebKey
}

type keyRef struct {
	issuer *TrustedIssuer
	key    *jose.JSONWebKey
}

// Registry is the set of trusted issuers. It is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	issuers map[string]*TrustedIssuer
	byKID   map[string]keyRef   // absolute key id → key
	byThumb map[string][]keyRef // RFC 7638 thumbprint → keys (card tokens)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{issuers: map[string]*TrustedIssuer{}, byKID: map[string]keyRef{}, byThumb: map[string][]keyRef{}}
}

// Add trusts an issuer's keys, merging them with keys already trusted for
// the same issuer. Only public P-256 keys whose id is ISSUER#FRAGMENT are
// taken; the others are refused with an error.
func (r *Registry) Add(ti *TrustedIssuer) error {
	if !strings.HasPrefix(ti.ID, "did:") || strings.Contains(ti.ID, "#") {
		return schema.Errorf(schema.EINVALID, "issuer id %q is not a DID", "l'identifiant d'émetteur %q n'est pas un DID", ti.ID)
	}
	var good []jose.JSONWebKey
	for _, k := range ti.Keys {
		pub, ok := k.Key.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() || !k.Valid() {
			return schema.Errorf(schema.EINVALID, "key %q of %s is not a public P-256 (ES256) key", "la clé %q de %s n'est pas une clé publique P-256 (ES256)", k.KeyID, ti.ID)
		}
		if k.Algorithm != "" && k.Algorithm != string(jose.ES256) || k.Use != "" && k.Use != "sig" {
			return schema.Errorf(schema.EINVALID, "key %q of %s is not for ES256 signatures", "la clé %q de %s n'est pas destinée aux signatures ES256", k.KeyID, ti.ID)
		}
		if !strings.HasPrefix(k.KeyID, ti.ID+"#") || len(k.KeyID) == len(ti.ID)+1 {
			return schema.Errorf(schema.EINVALID, "key id %q does not belong to issuer %s", "l'identifiant de clé %q n'appartient pas à l'émetteur %s", k.KeyID, ti.ID)
		}
		good = append(good, jose.JSONWebKey{Key: pub, KeyID: k.KeyID, Algorithm: string(jose.ES256), Use: "sig"})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.issuers[ti.ID]
	merged := &TrustedIssuer{ID: ti.ID, Name: ti.Name, Source: ti.Source, Local: ti.Local}
	if cur != nil {
		merged.Keys = append(merged.Keys, cur.Keys...)
		merged.Local = merged.Local || cur.Local
		if merged.Name == "" {
			merged.Name = cur.Name
		}
		if cur.Source != "" && cur.Source != ti.Source {
			merged.Source = cur.Source + ", " + ti.Source
		}
	}
	for _, k := range good {
		if _, dup := r.byKID[k.KeyID]; dup {
			continue
		}
		merged.Keys = append(merged.Keys, k)
	}
	// Drop the index entries of the issuer's previous version, then index
	// every key under its id, its thumbprint and its id fragment.
	for tp, refs := range r.byThumb {
		// Fresh slices: readers may hold the old ones (see byThumbprint).
		var kept []keyRef
		for _, ref := range refs {
			if ref.issuer.ID != ti.ID {
				kept = append(kept, ref)
			}
		}
		if len(kept) == 0 {
			delete(r.byThumb, tp)
		} else {
			r.byThumb[tp] = kept
		}
	}
	r.issuers[ti.ID] = merged
	for i := range merged.Keys {
		k := &merged.Keys[i]
		ref := keyRef{issuer: merged, key: k}
		r.byKID[k.KeyID] = ref
		tp, _ := keys.Thumbprint(k.Key)
		r.byThumb[tp] = append(r.byThumb[tp], ref)
		if frag := k.KeyID[strings.IndexByte(k.KeyID, '#')+1:]; frag != tp {
			r.byThumb[frag] = append(r.byThumb[frag], ref)
		}
	}
	return nil
}

// ReplaceWith makes r hold, at once, what other holds: the way to drop
// issuers or keys (build the new set in a fresh registry, then replace).
// Each look-up running meanwhile sees the old set or the new one. other
// must not be used afterwards.
func (r *Registry) ReplaceWith(other *Registry) {
	other.mu.RLock()
	issuers, byKID, byThumb := other.issuers, other.byKID, other.byThumb
	other.mu.RUnlock()
	r.mu.Lock()
	r.issuers, r.byKID, r.byThumb = issuers, byKID, byThumb
	r.mu.Unlock()
}

// Issuer returns the trusted issuer with this id, or nil.
func (r *Registry) Issuer(id string) *TrustedIssuer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.issuers[id]
}

// Issuers returns all trusted issuers, sorted by id.
func (r *Registry) Issuers() []*TrustedIssuer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*TrustedIssuer, 0, len(r.issuers))
	for _, ti := range r.issuers {
		out = append(out, ti)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (r *Registry) byKeyID(kid string) (keyRef, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ref, ok := r.byKID[kid]
	return ref, ok
}

func (r *Registry) byThumbprint(tp string) []keyRef {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]keyRef(nil), r.byThumb[tp]...)
}

// LocalIssuer is the trusted issuer of a structure of this instance.
func LocalIssuer(did, name string, ring *keys.Ring) *TrustedIssuer {
	return &TrustedIssuer{ID: did, Name: name, Source: "local", Local: true, Keys: ring.JWKS(did).Keys}
}

// ParseTrust reads a JWKS or a DID document and returns the issuers it names.
// A JWKS names issuers through its absolute key ids (did:web:…#…); a DID
// document is one issuer whose assertion keys are JsonWebKey methods.
func ParseTrust(data []byte, source string) ([]*TrustedIssuer, error) {
	if err := checkJSON(data); err != nil {
		return nil, schema.Errorf(schema.EINVALID, "%s: not a JSON object (%v)", "%s : pas un objet JSON (%v)", source, err)
	}
	var probe struct {
		ID   string          `json:"id"`
		Keys json.RawMessage `json:"keys"`
		Name string          `json:"name"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, schema.Errorf(schema.EINVALID, "%s: %v", "%s : %v", source, err)
	}
	switch {
	case probe.Keys != nil:
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(data, &set); err != nil {
			return nil, schema.Errorf(schema.EINVALID, "%s: invalid JWKS: %v", "%s : JWKS invalide : %v", source, err)
		}
		byIssuer := map[string]*TrustedIssuer{}
		var order []string
		for _, k := range set.Keys {
			did, _, ok := strings.Cut(k.KeyID, "#")
			if !ok || !strings.HasPrefix(did, "did:") {
				return nil, schema.Errorf(schema.EINVALID, "%s: key id %q is not an absolute DID URL, so it names no issuer",
					"%s : l'identifiant de clé %q n'est pas une URL DID absolue : il ne désigne aucun émetteur", source, k.KeyID)
			}
			ti := byIssuer[did]
			if ti == nil {
				ti = &TrustedIssuer{ID: did, Source: source}
				byIssuer[did] = ti
				order = append(order, did)
			}
			ti.Keys = append(ti.Keys, k)
		}
		out := make([]*TrustedIssuer, 0, len(order))
		for _, did := range order {
			out = append(out, byIssuer[did])
		}
		if len(out) == 0 {
			return nil, schema.Errorf(schema.EINVALID, "%s: the JWKS has no keys", "%s : le JWKS ne contient aucune clé", source)
		}
		return out, nil
	case strings.HasPrefix(probe.ID, "did:"):
		var doc keys.DIDDocument
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, schema.Errorf(schema.EINVALID, "%s: invalid DID document: %v", "%s : document DID invalide : %v", source, err)
		}
		assert := map[string]bool{}
		for _, id := range doc.AssertionMethod {
			assert[absoluteID(doc.ID, id)] = true
		}
		ti := &TrustedIssuer{ID: doc.ID, Name: doc.Name, Source: source}
		for _, vm := range doc.VerificationMethod {
			id := absoluteID(doc.ID, vm.ID)
			if !assert[id] || vm.PublicKeyJwk.Key == nil {
				continue
			}
			k := vm.PublicKeyJwk
			k.KeyID = id
			ti.Keys = append(ti.Keys, k)
		}
		if len(ti.Keys) == 0 {
			return nil, schema.Errorf(schema.EINVALID, "%s: the DID document has no assertion key", "%s : le document DID n'a aucune clé d'assertion", source)
		}
		return []*TrustedIssuer{ti}, nil
	}
	return nil, schema.Errorf(schema.EINVALID, "%s: neither a JWKS nor a DID document", "%s : ni un JWKS ni un document DID", source)
}

func absoluteID(did, id string) string {
	if strings.HasPrefix(id, "#") {
		return did + id
	}
	return id
}

// MaxTrustDocument bounds a fetched or read JWKS / DID document.
const MaxTrustDocument = 1 << 20

// Fetcher loads trust sources: files, did:web ids and URLs.
type Fetcher struct {
	Client *http.Client // a client with a 10 s timeout when nil
}

func (f *Fetcher) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// Load returns the issuers named by src: a JWKS or DID document file, a
// did:web id, a JWKS or DID document URL, or a Carnet instance's base URL
// (whose /.well-known/jwks.json lists its structures' keys).
func (f *Fetcher) Load(ctx context.Context, src string) ([]*TrustedIssuer, error) {
	switch {
	case strings.HasPrefix(src, "did:web:"):
		u, err := keys.DIDDocumentURL(src)
		if err != nil {
			return nil, err
		}
		iss, err := f.fetch(ctx, u)
		if err != nil {
			return nil, err
		}
		for _, ti := range iss {
			if ti.ID != src {
				return nil, schema.Errorf(schema.EINVALID, "%s: the document is for %s, not %s", "%s : le document concerne %s, pas %s", u, ti.ID, src)
			}
		}
		return iss, nil
	case strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://"):
		u, err := url.Parse(src)
		if err != nil || u.Host == "" {
			return nil, schema.Errorf(schema.EINVALID, "invalid URL %q", "URL %q invalide", src)
		}
		if u.Scheme == "http" && !keys.IsLoopback(u.Hostname()) {
			return nil, schema.Errorf(schema.EINVALID, "%s: plain http is allowed for localhost only", "%s : http simple n'est permis que pour localhost", src)
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/.well-known/jwks.json"
		}
		return f.fetch(ctx, u.String())
	default:
		data, err := readLimited(src)
		if err != nil {
			return nil, err
		}
		return ParseTrust(data, src)
	}
}

func readLimited(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "cannot read trust file %s: %v", "impossible de lire le fichier de confiance %s : %v", path, errors.Unwrap(err))
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxTrustDocument+1))
	if err != nil {
		return nil, fmt.Errorf("verifier: read %s: %w", path, err)
	}
	if len(data) > MaxTrustDocument {
		return nil, schema.Errorf(schema.EINVALID, "%s is larger than %d bytes", "%s dépasse %d octets", path, MaxTrustDocument)
	}
	return data, nil
}

func (f *Fetcher) fetch(ctx context.Context, u string) ([]*TrustedIssuer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "invalid URL %q", "URL %q invalide", u)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/did+json, application/json")
	resp, err := f.client().Do(req)
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "cannot fetch %s: %v", "impossible de récupérer %s : %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, schema.Errorf(schema.EINVALID, "%s answered %s", "%s a répondu %s", u, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxTrustDocument+1))
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "cannot read %s: %v", "impossible de lire %s : %v", u, err)
	}
	if len(data) > MaxTrustDocument {
		return nil, schema.Errorf(schema.EINVALID, "%s is larger than %d bytes", "%s dépasse %d octets", u, MaxTrustDocument)
	}
	return ParseTrust(data, u)
}
