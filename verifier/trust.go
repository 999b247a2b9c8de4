package verifier

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
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
	"carnet/outbound"
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

// ES256Keys returns the P-256 keys of ti: what trust lists and the card
// page's offline trust list publish (an older verifier refuses any other
// kind of key).
func (ti *TrustedIssuer) ES256Keys() []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range ti.Keys {
		if _, ok := k.Key.(*ecdsa.PublicKey); ok {
			out = append(out, k)
		}
	}
	return out
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
	local   map[string]*localRing
}

// localRing is where a structure of this instance added with AddLocal
// takes its keys: the ring its trusted keys were last read from, so that a
// rotation (by this process or another on the same key files) is seen at
// the next look-up.
type localRing struct {
	slug, name string
	store      keys.Store
	ring       *keys.Ring
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{issuers: map[string]*TrustedIssuer{}, byKID: map[string]keyRef{}, byThumb: map[string][]keyRef{}, local: map[string]*localRing{}}
}

// AddLocal trusts a structure of this instance, whose keys the registry
// reads from its key store at every look-up of its keys rather than
// copying them once: a key rotation, made by this process or by another
// on the same store (`carnet keys rotate` beside a running server), is
// trusted at once, and a key removed from the ring stops being trusted. The
// keys read are the ring's public keys (Ring.JWKS). A later read that
// fails keeps the keys of the last good one.
func (r *Registry) AddLocal(did, name, slug string, store keys.Store) error {
	ring, err := store.Ring(slug)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.addLocked(LocalIssuer(did, name, ring), true); err != nil {
		return err
	}
	if r.local == nil {
		r.local = map[string]*localRing{}
	}
	r.local[did] = &localRing{slug: slug, name: name, store: store, ring: ring}
	return nil
}

// syncLocal reads again the ring of the local structure did (every local
// structure when did is empty) and replaces its keys when the ring
// changed. A keys.FileStore answers from its cache while the ring's file is
// unchanged (one stat), with the same *Ring.
func (r *Registry) syncLocal(did string) {
	r.mu.RLock()
	if len(r.local) == 0 {
		r.mu.RUnlock()
		return
	}
	var todo []string
	if did != "" {
		if _, ok := r.local[did]; ok {
			todo = append(todo, did)
		}
	} else {
		for d := range r.local {
			todo = append(todo, d)
		}
	}
	r.mu.RUnlock()
	for _, d := range todo {
		r.mu.RLock()
		lr := r.local[d]
		r.mu.RUnlock()
		if lr == nil {
			continue
		}
		// Read outside the lock: the store may read a file.
		ring, err := lr.store.Ring(lr.slug)
		if err != nil || ring == lr.ring {
			continue
		}
		r.mu.Lock()
		if r.local[d] == lr { // not replaced meanwhile
			if r.addLocked(LocalIssuer(d, lr.name, ring), true) == nil {
				r.local[d] = &localRing{slug: lr.slug, name: lr.name, store: lr.store, ring: ring}
			}
		}
		r.mu.Unlock()
	}
}

// Add trusts an issuer's keys, merging them with keys already trusted for
// the same issuer. Only public P-256 keys whose id is ISSUER#FRAGMENT are
// taken; the others are refused with an error. A structure of this
// instance (Local) takes keys from this instance only: another source
// naming it is refused, and a local issuer replaces a partner's keys.
func (r *Registry) Add(ti *TrustedIssuer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addLocked(ti, false)
}

// addLocked is Add under r.mu; replace drops the keys trusted before for
// the issuer instead of merging with them.
func (r *Registry) addLocked(ti *TrustedIssuer, replace bool) error {
	if !strings.HasPrefix(ti.ID, "did:") || strings.Contains(ti.ID, "#") {
		return schema.Errorf(schema.EINVALID, "issuer id %q is not a DID", "l'identifiant d'émetteur %q n'est pas un DID", ti.ID)
	}
	var good []jose.JSONWebKey
	for _, k := range ti.Keys {
		if ed, ok := k.Key.(ed25519.PublicKey); ok {
			// An Ed25519 key verifies Data Integrity proofs (eddsa-rdfc-2022) only.
			if len(ed) != ed25519.PublicKeySize || k.Algorithm != "" && k.Algorithm != string(jose.EdDSA) || k.Use != "" && k.Use != "sig" {
				return schema.Errorf(schema.EINVALID, "key %q of %s is not for EdDSA signatures", "la clé %q de %s n'est pas destinée aux signatures EdDSA", k.KeyID, ti.ID)
			}
			if !strings.HasPrefix(k.KeyID, ti.ID+"#") || len(k.KeyID) == len(ti.ID)+1 {
				return schema.Errorf(schema.EINVALID, "key id %q does not belong to issuer %s", "l'identifiant de clé %q n'appartient pas à l'émetteur %s", k.KeyID, ti.ID)
			}
			good = append(good, jose.JSONWebKey{Key: ed, KeyID: k.KeyID, Algorithm: string(jose.EdDSA), Use: "sig"})
			continue
		}
		pub, ok := k.Key.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() || !k.Valid() {
			return schema.Errorf(schema.EINVALID, "key %q of %s is not a public P-256 (ES256) or Ed25519 key", "la clé %q de %s n'est pas une clé publique P-256 (ES256) ou Ed25519", k.KeyID, ti.ID)
		}
		if k.Algorithm != "" && k.Algorithm != string(jose.ES256) || k.Use != "" && k.Use != "sig" {
			return schema.Errorf(schema.EINVALID, "key %q of %s is not for ES256 signatures", "la clé %q de %s n'est pas destinée aux signatures ES256", k.KeyID, ti.ID)
		}
		if !strings.HasPrefix(k.KeyID, ti.ID+"#") || len(k.KeyID) == len(ti.ID)+1 {
			return schema.Errorf(schema.EINVALID, "key id %q does not belong to issuer %s", "l'identifiant de clé %q n'appartient pas à l'émetteur %s", k.KeyID, ti.ID)
		}
		good = append(good, jose.JSONWebKey{Key: pub, KeyID: k.KeyID, Algorithm: string(jose.ES256), Use: "sig"})
	}
	cur := r.issuers[ti.ID]
	switch {
	case cur != nil && cur.Local && !ti.Local:
		// A partner's document may not add keys to a structure of this
		// instance: they would sign as one of our own structures.
		return schema.Errorf(schema.EINVALID, "%s names %s, a structure of this instance: its keys come from this instance only",
			"%s désigne %s, une structure de cette instance : ses clés ne viennent que de cette instance", ti.Source, ti.ID)
	case cur != nil && !cur.Local && ti.Local:
		replace = true // this instance's own keys replace whatever a partner said
	}
	if replace && cur != nil {
		for _, k := range cur.Keys {
			if ref, ok := r.byKID[k.KeyID]; ok && ref.issuer.ID == ti.ID {
				delete(r.byKID, k.KeyID)
			}
		}
		cur = nil
	}
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
		if _, ok := k.Key.(*ecdsa.PublicKey); !ok {
			continue // cards are ES256: an Ed25519 key is found by its id only
		}
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
	issuers, byKID, byThumb, local := other.issuers, other.byKID, other.byThumb, other.local
	other.mu.RUnlock()
	r.mu.Lock()
	r.issuers, r.byKID, r.byThumb, r.local = issuers, byKID, byThumb, local
	r.mu.Unlock()
}

// Issuer returns the trusted issuer with this id, or nil.
func (r *Registry) Issuer(id string) *TrustedIssuer {
	r.syncLocal(id)
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.issuers[id]
}

// Issuers returns all trusted issuers, sorted by id.
func (r *Registry) Issuers() []*TrustedIssuer {
	r.syncLocal("")
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
	if did, _, ok := strings.Cut(kid, "#"); ok {
		r.syncLocal(did)
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	ref, ok := r.byKID[kid]
	return ref, ok
}

func (r *Registry) byThumbprint(tp string) []keyRef {
	r.syncLocal("") // a card names its key, not its issuer
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]keyRef(nil), r.byThumb[tp]...)
}

// LocalIssuer is the trusted issuer of a structure of this instance.
func LocalIssuer(did, name string, ring *keys.Ring) *TrustedIssuer {
	ks := ring.JWKS(did).Keys
	for _, k := range ring.Ed {
		ks = append(ks, jose.JSONWebKey{Key: k.Public(), KeyID: k.ID(did), Algorithm: string(jose.EdDSA), Use: "sig"})
	}
	return &TrustedIssuer{ID: did, Name: name, Source: "local", Local: true, Keys: ks}
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
			if !assert[id] {
				continue
			}
			if vm.Type == "Multikey" && vm.PublicKeyJwk == nil {
				pub, err := keys.ParseEd25519Multibase(vm.PublicKeyMultibase)
				if err != nil {
					continue // a Multikey of another kind (P-256, BLS…)
				}
				ti.Keys = append(ti.Keys, jose.JSONWebKey{Key: pub, KeyID: id, Algorithm: string(jose.EdDSA), Use: "sig"})
				continue
			}
			if vm.PublicKeyJwk == nil || vm.PublicKeyJwk.Key == nil {
				continue
			}
			k := *vm.PublicKeyJwk
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

// MaxTrustDocument bounds a fetched or read JWKS / DID document or trust
// list.
const MaxTrustDocument = 1 << 20

// FetchTimeout bounds one fetch of a trust source.
const FetchTimeout = outbound.Timeout

// Fetcher loads trust sources: files, did:web ids, JWKS and DID document
// URLs, Carnet base URLs and signed trust lists. Only https URLs are
// fetched, and plain http on loopback hosts, redirects included.
type Fetcher struct {
	// Client fetches: the instance's outbound client (outbound.Client.HTTP),
	// whose policy says which addresses may be reached, redirects included.
	// When nil, the public-only client (outbound.Public).
	Client *http.Client
	// Now is time.Now when nil: it dates trust lists and Expires headers.
	Now func() time.Time
}

// FetchInfo is what a source's HTTP answer says about caching it: the
// validators to send back (If-None-Match, If-Modified-Since) and how long
// the answer stays fresh.
type FetchInfo struct {
	ETag         string
	LastModified string
	// MaxAge is Cache-Control max-age minus Age, else Expires minus Date;
	// 0 when the answer says none, or no-cache or no-store.
	MaxAge time.Duration
	// Expires is when the document itself stops vouching for its issuers
	// (a signed trust list's exp); zero for documents that say nothing.
	Expires time.Time
}

func (f *Fetcher) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	return outbound.Public().HTTP()
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// checkFetchURL accepts https URLs, and plain http ones on loopback hosts
// (which the outbound client refuses on a public instance). Status lists
// are fetched under the same rules.
func checkFetchURL(u *url.URL) error {
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return schema.Errorf(schema.EINVALID, "invalid URL %q", "URL %q invalide", u.Redacted())
	}
	if u.Scheme == "http" && !keys.IsLoopback(u.Hostname()) {
		return schema.Errorf(schema.EINVALID, "%s: plain http is allowed for localhost only", "%s : http simple n'est permis que pour localhost", u.Redacted())
	}
	return nil
}

// Load returns the issuers named by src: a JWKS or DID document file, a
// did:web id, a JWKS or DID document URL, a Carnet instance's base URL
// (whose /.well-known/jwks.json lists its structures' keys) or the URL of a
// signed trust list (…/trust-list.jwt).
func (f *Fetcher) Load(ctx context.Context, src string) ([]*TrustedIssuer, error) {
	issuers, _, _, err := f.Fetch(ctx, src, nil)
	return issuers, err
}

// Fetch is Load for a source read before: prev holds the validators of the
// previous answer (nil: none), sent as If-None-Match and If-Modified-Since.
// When the source answers 304 Not Modified, notModified is true, issuers is
// nil and info holds the new freshness (with prev's validators where the
// answer repeats none). Files are always read (info is zero).
//
// A trust list is fetched conditionally; its signer's DID document, read to
// check its signature, is not.
func (f *Fetcher) Fetch(ctx context.Context, src string, prev *FetchInfo) (issuers []*TrustedIssuer, info FetchInfo, notModified bool, err error) {
	switch {
	case strings.HasPrefix(src, "did:web:"):
		u, err := keys.DIDDocumentURL(src)
		if err != nil {
			return nil, FetchInfo{}, false, err
		}
		data, info, nm, err := f.get(ctx, u, prev, acceptJSON)
		if err != nil || nm {
			return nil, info, nm, err
		}
		ti, err := parseDIDDocument(data, src, u)
		if err != nil {
			return nil, info, false, err
		}
		return []*TrustedIssuer{ti}, info, false, nil
	case strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://"):
		u, err := url.Parse(src)
		if err != nil || u.Host == "" {
			return nil, FetchInfo{}, false, schema.Errorf(schema.EINVALID, "invalid URL %q", "URL %q invalide", src)
		}
		if err := checkFetchURL(u); err != nil {
			return nil, FetchInfo{}, false, err
		}
		u.Fragment, u.RawFragment = "", ""
		if isTrustListURL(u) {
			return f.fetchTrustList(ctx, u, prev)
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/.well-known/jwks.json"
		}
		data, info, nm, err := f.get(ctx, u.String(), prev, acceptJSON)
		if err != nil || nm {
			return nil, info, nm, err
		}
		issuers, err := ParseTrust(data, u.String())
		if err != nil {
			return nil, info, false, err
		}
		// A document speaks for the issuers of its own host only: a JWKS
		// naming another site's did:web would let its publisher sign as
		// that site. (A signed trust list, above, is the way to vouch for
		// others.)
		for _, ti := range issuers {
			if !issuerOnHost(ti.ID, u) {
				return nil, info, false, schema.Errorf(schema.EINVALID, "%s names %s, which is not on its host %s: a document speaks for its own site only (a signed trust list vouches for others)",
					"%s désigne %s, qui n'est pas sur son hôte %s : un document ne parle que pour son propre site (une liste de confiance signée engage pour d'autres)", u, ti.ID, u.Host)
			}
		}
		return issuers, info, false, nil
	default:
		data, err := readLimited(src)
		if err != nil {
			return nil, FetchInfo{}, false, err
		}
		issuers, err := ParseTrust(data, src)
		return issuers, FetchInfo{}, false, err
	}
}

// issuerOnHost reports whether the issuer id is a did:web of u's host.
func issuerOnHost(id string, u *url.URL) bool {
	doc, err := keys.DIDDocumentURL(id)
	if err != nil {
		return false
	}
	du, err := url.Parse(doc)
	return err == nil && sameHost(du, u)
}

// resolveDID reads the DID document of a did:web id and returns its issuer
// with its assertion keys.
func (f *Fetcher) resolveDID(ctx context.Context, did string) (*TrustedIssuer, error) {
	u, err := keys.DIDDocumentURL(did)
	if err != nil {
		return nil, err
	}
	data, _, _, err := f.get(ctx, u, nil, acceptJSON)
	if err != nil {
		return nil, err
	}
	return parseDIDDocument(data, did, u)
}

// parseDIDDocument reads the document of did, fetched from source: its id
// must be did, and its keys did's.
func parseDIDDocument(data []byte, did, source string) (*TrustedIssuer, error) {
	if err := checkJSON(data); err != nil {
		return nil, schema.Errorf(schema.EINVALID, "%s: not a JSON object (%v)", "%s : pas un objet JSON (%v)", source, err)
	}
	var probe struct {
		ID json.RawMessage `json:"id"`
	}
	var id string
	if json.Unmarshal(data, &probe) != nil || probe.ID == nil || json.Unmarshal(probe.ID, &id) != nil || id != did {
		return nil, schema.Errorf(schema.EINVALID, "%s: the document is for %.300q, not %s", "%s : le document concerne %.300q, pas %s", source, id, did)
	}
	issuers, err := ParseTrust(data, source)
	if err != nil {
		return nil, err
	}
	for _, ti := range issuers {
		if ti.ID != did {
			return nil, schema.Errorf(schema.EINVALID, "%s: the document is for %s, not %s", "%s : le document concerne %s, pas %s", source, ti.ID, did)
		}
	}
	if len(issuers) != 1 {
		return nil, schema.Errorf(schema.EINVALID, "%s: the document has no key of %s", "%s : le document n'a aucune clé de %s", source, did)
	}
	return issuers[0], nil
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

const (
	acceptJSON = "application/jwk-set+json, application/did+json, application/json"
	acceptJWT  = "application/jwt, text/plain;q=0.5"
)

// get fetches u, at most MaxTrustDocument bytes, conditionally when prev
// holds validators.
func (f *Fetcher) get(ctx context.Context, u string, prev *FetchInfo, accept string) (data []byte, info FetchInfo, notModified bool, err error) {
	pu, err := url.Parse(u)
	if err != nil {
		return nil, FetchInfo{}, false, schema.Errorf(schema.EINVALID, "invalid URL %q", "URL %q invalide", u)
	}
	if err := checkFetchURL(pu); err != nil {
		return nil, FetchInfo{}, false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, FetchInfo{}, false, schema.Errorf(schema.EINVALID, "invalid URL %q", "URL %q invalide", u)
	}
	req.Header.Set("Accept", accept)
	conditional := prev != nil && setValidators(req.Header, prev.ETag, prev.LastModified)
	resp, err := f.client().Do(req)
	if err != nil {
		return nil, FetchInfo{}, false, fetchFailed("cannot fetch %s: %s", "impossible de récupérer %s : %s", u, err)
	}
	defer resp.Body.Close()
	// A caller's client may follow redirects anywhere: check where it landed.
	if resp.Request != nil && resp.Request.URL != nil {
		if err := checkFetchURL(resp.Request.URL); err != nil {
			return nil, FetchInfo{}, false, err
		}
	}
	info = cacheInfo(resp.Header, f.now())
	if resp.StatusCode == http.StatusNotModified {
		// Only a conditional request may be answered 304: an unexpected one
		// is an error, never an empty success.
		if !conditional {
			return nil, FetchInfo{}, false, schema.Errorf(schema.EINVALID, "%s answered 304 Not Modified to a request that was not conditional",
				"%s a répondu 304 Not Modified à une requête qui n'était pas conditionnelle", u)
		}
		if info.ETag == "" {
			info.ETag = validator(prev.ETag)
		}
		if info.LastModified == "" {
			info.LastModified = validator(prev.LastModified)
		}
		return nil, info, true, nil
	}
	if resp.StatusCode != http.StatusOK {
		// The code only: the reason phrase is whatever the server wrote.
		return nil, FetchInfo{}, false, schema.Errorf(schema.EINVALID, "%s answered HTTP %d", "%s a répondu HTTP %d", u, resp.StatusCode)
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, MaxTrustDocument+1))
	if err != nil {
		return nil, FetchInfo{}, false, fetchFailed("cannot read %s: %s", "impossible de lire %s : %s", u, err)
	}
	if len(data) > MaxTrustDocument {
		return nil, FetchInfo{}, false, schema.Errorf(schema.EINVALID, "%s is larger than %d bytes", "%s dépasse %d octets", u, MaxTrustDocument)
	}
	return data, info, false, nil
}

// fetchFailed is the error of a fetch of u that failed: its user message
// is outbound's generic one (the address is not allowed, the partner could
// not be reached…), never the cause, which stays wrapped for logs.
func fetchFailed(en, fr, u string, err error) error {
	err = outbound.Explain(err)
	user := &schema.Error{Code: schema.ErrorCode(err), Message: fmt.Sprintf(en, u, schema.ErrorMessage(err)),
		MessageFR: fmt.Sprintf(fr, u, schema.ErrorMessageFR(err))}
	return fmt.Errorf("%w (%w)", user, err)
}

// cacheInfo reads the validators and the freshness of an HTTP answer, as
// StatusLists reads them (httpcache.go): validators too long or holding
// control characters are dropped, and MaxAge is httpFreshness (0 when the
// answer says nothing).
func cacheInfo(h http.Header, now time.Time) FetchInfo {
	maxAge, _ := httpFreshness(h, now)
	return FetchInfo{ETag: validator(h.Get("ETag")), LastModified: validator(h.Get("Last-Modified")), MaxAge: maxAge}
}
