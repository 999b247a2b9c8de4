package verifier

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// Status values of a Result (credentials with a credentialStatus only).
const (
	StatusActive    = "active"    // the status lists say neither revoked nor suspended
	StatusRevoked   = "revoked"   // the revocation bit is set (final)
	StatusSuspended = "suspended" // the suspension bit is set (may be lifted)
	StatusUnchecked = "unchecked" // no list could be read and trusted, or status checks are off
)

// Messages of a result whose status could not be checked. The credential
// stays valid (signature and issuer are fine), but a person must know that
// a revocation may have gone unseen.
const (
	StatusUncheckedMessage   = "The revocation status could not be checked: the credential may have been revoked since."
	StatusUncheckedMessageFR = "Le statut de révocation n'a pas pu être vérifié : l'attestation a pu être révoquée depuis."
)

// Status list limits.
const (
	// MinStatusListBits is the minimum length of a Bitstring Status List
	// (131,072 entries, 16 KiB): shorter lists are refused.
	MinStatusListBits = schema.StatusListSize
	// MaxStatusListBits bounds the inflated bitstring (2 Mi entries,
	// 256 KiB): a larger or endless gzip stream (a gzip bomb) is refused
	// as soon as it inflates past it.
	MaxStatusListBits = 1 << 21
	// MaxStatusListDocument bounds a fetched status list credential.
	MaxStatusListDocument = 1 << 20
	// StatusFetchTimeout bounds one fetch of a status list.
	StatusFetchTimeout = 10 * time.Second
	// MaxStatusCacheTTL is the longest a list is cached, whatever its ttl.
	MaxStatusCacheTTL = 5 * time.Minute
	// StatusFailureTTL is how long a failed fetch is remembered, so that an
	// unreachable list does not cost a timeout on every verification.
	StatusFailureTTL = 30 * time.Second
	// DefaultStatusCacheEntries bounds the cache when MaxEntries is zero.
	DefaultStatusCacheEntries = 256
)

// ErrStatusListNotFound is the error of a status list that does not exist
// (HTTP 404). StatusLists.Local may return it, or any error with code
// schema.ENOTFOUND.
var ErrStatusListNotFound = schema.Errorf(schema.ENOTFOUND, "status list not found", "liste de statut introuvable")

var (
	errStatusList   = errors.New("status list invalid")
	errStatusTooBig = errors.New("status list too large")
	errStatusIndex  = errors.New("status index invalid")
	errStatusEntry  = errors.New("status entry not supported")
)

// StatusLists reads W3C Bitstring Status Lists for the verifier: it gets a
// list credential (from Local, else over HTTP), verifies it with the keys
// of the credential's own trusted issuer, decodes it and caches the bits.
// It is safe for concurrent use.
type StatusLists struct {
	// Client fetches lists; a client with a StatusFetchTimeout timeout when
	// nil. Only http(s) URLs are fetched, and plain http only on loopback
	// hosts, redirects included.
	Client *http.Client
	// Local answers the URLs this instance serves, in-process. ok false
	// means "not mine": the list is fetched over HTTP. An error with code
	// schema.ENOTFOUND (e.g. ErrStatusListNotFound) means the list does not
	// exist. What Local returns is verified like anything fetched.
	Local func(ctx context.Context, url string) (jws string, ok bool, err error)
	// Now is time.Now when nil.
	Now func() time.Time
	// MaxEntries bounds the cache; DefaultStatusCacheEntries when zero.
	MaxEntries int

	mu    sync.Mutex
	cache map[cacheKey]*cachedList
}

// cacheKey names a list as one issuer reads it for one purpose: a list
// verified for an issuer or a purpose never answers for another.
type cacheKey struct {
	url, issuer, purpose string
}

// cachedList is a decoded list, or a failure. bits and err are written
// once, before done is closed; expires is guarded by StatusLists.mu.
type cachedList struct {
	done    chan struct{}
	bits    []byte
	err     error
	expires time.Time
}

func (s *StatusLists) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *StatusLists) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return &http.Client{Timeout: StatusFetchTimeout, CheckRedirect: checkRedirect}
}

// checkRedirect follows at most 5 redirects, never to plain http off
// loopback: a list is read over https wherever it moved.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return fmt.Errorf("%w: too many redirects", errStatusList)
	}
	if !fetchable(req.URL.String()) {
		return fmt.Errorf("%w: redirected to %s", errStatusList, req.URL.Redacted())
	}
	return nil
}

// Invalidate drops the cached copies of the list at url, so the next check
// reads it again: the local server calls it when it revokes, suspends or
// reinstates. A fetch already under way is not cancelled, but its result
// is not kept.
func (s *StatusLists) Invalidate(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.cache {
		if k.url == url {
			delete(s.cache, k)
		}
	}
}

// Forget drops every cached list.
func (s *StatusLists) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache = nil
}

// SuspensionURL returns the URL of the suspension list beside a Carnet
// revocation list (BASE/s/SLUG/status/N → BASE/s/SLUG/status/N/suspension),
// and false for any URL of another shape: other issuers' lists have no
// sibling Carnet could guess.
func SuspensionURL(revocationURL string) (string, bool) {
	u, err := url.Parse(revocationURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.RawPath != "" {
		return "", false
	}
	seg := strings.Split(u.Path, "/")
	n := len(seg)
	if n < 5 || seg[n-4] != "s" || schema.ValidateSlug(seg[n-3]) != nil || seg[n-2] != "status" || !isIndex(seg[n-1]) {
		return "", false
	}
	return revocationURL + "/suspension", true
}

// isIndex reports whether s is a list number or status index as Carnet
// writes them: decimal digits, no sign, no leading zero, at most 9 digits.
func isIndex(s string) bool {
	if s == "" || len(s) > 9 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	return allDigits(s)
}

// Check returns the status of a credential of issuer (a trusted issuer id)
// that carries entry: StatusRevoked, StatusSuspended or StatusActive, or
// StatusUnchecked with the error that prevented the check. A revocation
// entry pointing at a Carnet list also reads the suspension list beside it;
// a missing suspension list means nothing is suspended.
func (s *StatusLists) Check(ctx context.Context, trust *Registry, issuer string, entry *schema.CredentialStatus) (string, error) {
	if entry == nil || entry.Type != schema.TypeStatusEntry {
		return StatusUnchecked, errStatusEntry
	}
	if !isIndex(entry.StatusListIndex) {
		return StatusUnchecked, errStatusIndex
	}
	index, _ := strconv.Atoi(entry.StatusListIndex)
	switch entry.StatusPurpose {
	case "revocation":
		set, err := s.bit(ctx, trust, issuer, entry.StatusListCredential, "revocation", index)
		switch {
		case err != nil:
			return StatusUnchecked, err
		case set:
			return StatusRevoked, nil
		}
		sibling, ok := SuspensionURL(entry.StatusListCredential)
		if !ok {
			return StatusActive, nil
		}
		set, err = s.bit(ctx, trust, issuer, sibling, "suspension", index)
		switch {
		case schema.ErrorCode(err) == schema.ENOTFOUND:
			return StatusActive, nil // no suspension list: nothing suspended
		case err != nil:
			return StatusUnchecked, err
		case set:
			return StatusSuspended, nil
		}
		return StatusActive, nil
	case "suspension":
		set, err := s.bit(ctx, trust, issuer, entry.StatusListCredential, "suspension", index)
		switch {
		case err != nil:
			return StatusUnchecked, err
		case set:
			return StatusSuspended, nil
		}
		return StatusActive, nil
	}
	return StatusUnchecked, errStatusEntry // message, refresh: not a validity status
}

// bit reads one bit of a list, from the cache or by loading the list.
func (s *StatusLists) bit(ctx context.Context, trust *Registry, issuer, listURL, purpose string, index int) (bool, error) {
	bits, err := s.list(ctx, trust, cacheKey{url: listURL, issuer: issuer, purpose: purpose})
	if err != nil {
		return false, fmt.Errorf("verifier: status list %s: %w", listURL, err)
	}
	if index >= len(bits)*8 {
		return false, fmt.Errorf("verifier: status list %s: %w", listURL, errStatusIndex)
	}
	return bits[index/8]&(0x80>>(index%8)) != 0, nil
}

// list returns the bits of a list. Concurrent callers for the same list
// share one load; a load's outcome is cached until its expiry, unless the
// caller's context ended first.
func (s *StatusLists) list(ctx context.Context, trust *Registry, k cacheKey) ([]byte, error) {
	now := s.now()
	s.mu.Lock()
	if e := s.cache[k]; e != nil {
		select {
		case <-e.done:
			if now.Before(e.expires) {
				s.mu.Unlock()
				return e.bits, e.err
			}
		default: // a load is under way: wait for it
			s.mu.Unlock()
			select {
			case <-e.done:
				return e.bits, e.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	e := &cachedList{done: make(chan struct{})}
	if s.cache == nil {
		s.cache = map[cacheKey]*cachedList{}
	}
	s.evict(now)
	s.cache[k] = e
	s.mu.Unlock()

	// Deferred, so that waiters are released even if the load panics.
	var bits []byte
	var ttl time.Duration
	err := errStatusList
	defer func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		e.bits, e.err = bits, err
		e.expires = s.now().Add(ttl)
		close(e.done)
		if err != nil && ctx.Err() != nil && s.cache[k] == e {
			delete(s.cache, k) // the caller gave up: say nothing about the list
		}
	}()
	bits, ttl, err = s.load(ctx, trust, k)
	return bits, err
}

// evict makes room for one entry: expired entries go first, then the
// entries closest to expiry. Loads under way stay. s.mu is held.
func (s *StatusLists) evict(now time.Time) {
	max := s.MaxEntries
	if max <= 0 {
		max = DefaultStatusCacheEntries
	}
	if len(s.cache) < max {
		return
	}
	for k, e := range s.cache {
		if isDone(e) && !now.Before(e.expires) {
			delete(s.cache, k)
		}
	}
	for len(s.cache) >= max {
		var oldest cacheKey
		var found *cachedList
		for k, e := range s.cache {
			if isDone(e) && (found == nil || e.expires.Before(found.expires)) {
				oldest, found = k, e
			}
		}
		if found == nil {
			return // every entry is a load under way; let the map grow by one
		}
		delete(s.cache, oldest)
	}
}

func isDone(e *cachedList) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// load gets, verifies and decodes a list; it returns how long the outcome
// may be cached.
func (s *StatusLists) load(ctx context.Context, trust *Registry, k cacheKey) ([]byte, time.Duration, error) {
	jws, err := s.get(ctx, k.url)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, MaxStatusCacheTTL, err
	}
	if err != nil {
		return nil, StatusFailureTTL, err
	}
	bits, ttl, err := s.verifyList(jws, trust, k)
	if err != nil {
		return nil, StatusFailureTTL, err
	}
	return bits, ttl, nil
}

// get returns the list credential JWS at u: from Local when it answers,
// else over HTTP(S).
func (s *StatusLists) get(ctx context.Context, u string) (string, error) {
	if s.Local != nil {
		jws, ok, err := s.Local(ctx, u)
		if err != nil {
			if schema.ErrorCode(err) == schema.ENOTFOUND {
				return "", ErrStatusListNotFound
			}
			return "", err
		}
		if ok {
			return jws, nil
		}
	}
	if !fetchable(u) {
		return "", fmt.Errorf("%w: URL %q is not https (http is for loopback hosts only)", errStatusList, u)
	}
	ctx, cancel := context.WithTimeout(ctx, StatusFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("%w: URL %q", errStatusList, u)
	}
	req.Header.Set("Accept", "application/vc+jwt, application/jwt, text/plain")
	resp, err := s.client().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.Request != nil && resp.Request.URL != nil && !fetchable(resp.Request.URL.String()) {
		return "", fmt.Errorf("%w: redirected to %s", errStatusList, resp.Request.URL.Redacted())
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		return "", ErrStatusListNotFound
	default:
		return "", fmt.Errorf("%w: answered %s", errStatusList, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxStatusListDocument+1))
	if err != nil {
		return "", err
	}
	if len(data) > MaxStatusListDocument {
		return "", errStatusTooBig
	}
	return string(bytes.TrimSpace(data)), nil
}

// fetchable reports whether a list may be fetched from u: https, or http
// on a loopback host (development).
func fetchable(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || p.User != nil {
		return false
	}
	return p.Scheme == "https" || (p.Scheme == "http" && keys.IsLoopback(p.Hostname()))
}

// statusListClaims reads a BitstringStatusListCredential and its JWT claims.
type statusListClaims struct {
	Context           []string       `json:"@context"`
	ID                string         `json:"id"`
	Type              schema.Types   `json:"type"`
	Issuer            schema.Profile `json:"issuer"`
	ValidFrom         string         `json:"validFrom"`
	ValidUntil        string         `json:"validUntil"`
	CredentialSubject struct {
		Type          schema.Types    `json:"type"`
		StatusPurpose schema.Types    `json:"statusPurpose"` // a string, or several purposes
		EncodedList   string          `json:"encodedList"`
		TTL           json.RawMessage `json:"ttl"`
	} `json:"credentialSubject"`
	Iss *string `json:"iss"`
	Jti *string `json:"jti"`
	Nbf *int64  `json:"nbf"`
	Exp *int64  `json:"exp"`
}

// verifyList checks a list credential JWS as the credential that points at
// it was checked: ES256, a kid of the credential's own issuer found in the
// trust registry (never a key the list names or carries), iss and issuer
// equal to that issuer, id equal to the URL it came from, the purpose
// asked, a validity window holding now. It returns the bits and how long
// they may be cached: the list's ttl, at most MaxStatusCacheTTL, never past
// the list's validUntil.
func (s *StatusLists) verifyList(jws string, trust *Registry, k cacheKey) ([]byte, time.Duration, error) {
	if trust == nil {
		return nil, 0, fmt.Errorf("%w: no trust registry", errStatusList)
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 || len(parts[0]) > 4096 || !isB64URL(parts[0]) || !isB64URL(parts[1]) || !isB64URL(parts[2]) {
		return nil, 0, fmt.Errorf("%w: not a compact JWS", errStatusList)
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || checkJSON(hb) != nil {
		return nil, 0, fmt.Errorf("%w: header", errStatusList)
	}
	var members map[string]json.RawMessage
	var h header
	if json.Unmarshal(hb, &members) != nil || json.Unmarshal(hb, &h) != nil {
		return nil, 0, fmt.Errorf("%w: header", errStatusList)
	}
	for name := range members {
		if name != "alg" && name != "kid" && name != "typ" {
			return nil, 0, fmt.Errorf("%w: header parameter %q", errStatusList, name)
		}
	}
	if h.Alg != string(jose.ES256) || (h.Typ != "" && h.Typ != "JWT" && h.Typ != "vc+jwt") {
		return nil, 0, fmt.Errorf("%w: header alg %q typ %q", errStatusList, h.Alg, h.Typ)
	}
	if did, _, _ := strings.Cut(h.Kid, "#"); did != k.issuer {
		return nil, 0, fmt.Errorf("%w: signed by %q, not by the credential's issuer", errStatusList, h.Kid)
	}
	ref, ok := trust.byKeyID(h.Kid)
	if !ok || ref.issuer.ID != k.issuer {
		return nil, 0, fmt.Errorf("%w: key %q is not trusted for %s", errStatusList, h.Kid, k.issuer)
	}
	obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", errStatusList, err)
	}
	payload, err := obj.Verify(ref.key.Key)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: bad signature", errStatusList)
	}
	if err := checkJSON(payload); err != nil {
		return nil, 0, fmt.Errorf("%w: payload: %v", errStatusList, err)
	}
	var c statusListClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, 0, fmt.Errorf("%w: payload: %v", errStatusList, err)
	}
	switch {
	case len(c.Context) == 0 || c.Context[0] != schema.ContextVC2:
		return nil, 0, fmt.Errorf("%w: @context", errStatusList)
	case !c.Type.Has(schema.TypeVC) || !c.Type.Has("BitstringStatusListCredential"):
		return nil, 0, fmt.Errorf("%w: type %v", errStatusList, c.Type)
	case c.ID != k.url:
		return nil, 0, fmt.Errorf("%w: id %q is not its URL", errStatusList, c.ID)
	case c.Issuer.ID != k.issuer || c.Iss == nil || *c.Iss != k.issuer:
		return nil, 0, fmt.Errorf("%w: issuer is not the credential's issuer", errStatusList)
	case c.Jti != nil && *c.Jti != c.ID:
		return nil, 0, fmt.Errorf("%w: jti", errStatusList)
	case !c.CredentialSubject.Type.Has("BitstringStatusList"):
		return nil, 0, fmt.Errorf("%w: subject type %v", errStatusList, c.CredentialSubject.Type)
	case !c.CredentialSubject.StatusPurpose.Has(k.purpose):
		return nil, 0, fmt.Errorf("%w: purpose %v, not %s", errStatusList, c.CredentialSubject.StatusPurpose, k.purpose)
	}
	now := s.now()
	if c.ValidFrom != "" {
		from, err := time.Parse(time.RFC3339, c.ValidFrom)
		if err != nil || (c.Nbf != nil && *c.Nbf != from.Unix()) {
			return nil, 0, fmt.Errorf("%w: validFrom", errStatusList)
		}
		if now.Add(DefaultLeeway).Before(from) {
			return nil, 0, fmt.Errorf("%w: not valid yet", errStatusList)
		}
	} else if c.Nbf != nil && now.Add(DefaultLeeway).Before(time.Unix(*c.Nbf, 0)) {
		return nil, 0, fmt.Errorf("%w: not valid yet", errStatusList)
	}
	cacheFor := MaxStatusCacheTTL
	if ttl, ok := ttlOf(c.CredentialSubject.TTL); ok && ttl < cacheFor {
		cacheFor = ttl
	}
	var until time.Time
	if c.ValidUntil != "" {
		if until, err = time.Parse(time.RFC3339, c.ValidUntil); err != nil || (c.Exp != nil && *c.Exp != until.Unix()) {
			return nil, 0, fmt.Errorf("%w: validUntil", errStatusList)
		}
	} else if c.Exp != nil {
		until = time.Unix(*c.Exp, 0)
	}
	if !until.IsZero() {
		if !now.Add(-DefaultLeeway).Before(until) {
			return nil, 0, fmt.Errorf("%w: expired", errStatusList)
		}
		if left := until.Sub(now); left < cacheFor {
			cacheFor = max(left, 0)
		}
	}
	bits, err := DecodeStatusList(c.CredentialSubject.EncodedList)
	if err != nil {
		return nil, 0, err
	}
	return bits, cacheFor, nil
}

// ttlOf reads a ttl in milliseconds (a JSON number, or a string holding
// one); false when absent, unreadable or not positive.
func ttlOf(raw json.RawMessage) (time.Duration, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	ms, err := strconv.ParseFloat(strings.Trim(string(raw), `"`), 64)
	if err != nil || !(ms > 0) { // NaN included
		return 0, false
	}
	if ms >= float64(MaxStatusCacheTTL/time.Millisecond) {
		return MaxStatusCacheTTL, true
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}

// DecodeStatusList decodes an encodedList (multibase "u" + base64url of the
// GZIP of the bitstring) and returns the bitstring, index 0 being the most
// significant bit of byte 0. It refuses lists shorter than
// MinStatusListBits and stops inflating past MaxStatusListBits.
func DecodeStatusList(encoded string) ([]byte, error) {
	b64, ok := strings.CutPrefix(encoded, "u")
	if !ok {
		return nil, fmt.Errorf("%w: encodedList is not multibase base64url (u…)", errStatusList)
	}
	if len(b64) > base64.RawURLEncoding.EncodedLen(MaxStatusListDocument) {
		return nil, errStatusTooBig
	}
	gz, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList: %v", errStatusList, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList: %v", errStatusList, err)
	}
	bits, err := io.ReadAll(io.LimitReader(zr, MaxStatusListBits/8+1))
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList: %v", errStatusList, err)
	}
	if len(bits) > MaxStatusListBits/8 {
		return nil, errStatusTooBig
	}
	if len(bits) < MinStatusListBits/8 {
		return nil, fmt.Errorf("%w: %d entries, fewer than %d", errStatusList, len(bits)*8, MinStatusListBits)
	}
	return bits, nil
}

// checkStatus sets the status of a verified, valid credential from its
// credentialStatus. Revoked and suspended credentials become invalid; a
// list that cannot be read or trusted leaves the credential valid, marked
// unchecked.
func (v *Verifier) checkStatus(ctx context.Context, r *Result) {
	entry := r.Credential.CredentialStatus
	if entry == nil {
		return
	}
	var st string
	if v.Status == nil {
		st = StatusUnchecked
	} else {
		st, _ = v.Status.Check(ctx, v.Trust, r.Issuer.ID, entry)
	}
	r.Status = st
	switch st {
	case StatusRevoked:
		fail(r, ReasonRevoked)
	case StatusSuspended:
		fail(r, ReasonSuspended)
	case StatusUnchecked:
		r.StatusMessage, r.StatusMessageFR = StatusUncheckedMessage, StatusUncheckedMessageFR
	}
}
