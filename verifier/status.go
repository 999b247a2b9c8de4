package verifier

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
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

	"carnet/i18n"
	"carnet/outbound"
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
// a revocation may have gone unseen. From the catalogue (package i18n,
// domain Verifier).
var (
	StatusUncheckedMessage   = i18n.Text(i18n.Verifier, "en", "status_unchecked")
	StatusUncheckedMessageFR = i18n.Text(i18n.Verifier, "fr", "status_unchecked")
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
	// MaxStatusCacheTTL is the longest a list is used before it is read
	// again, whatever its ttl or HTTP headers say, when StatusLists.MaxTTL
	// is zero.
	MaxStatusCacheTTL = 5 * time.Minute
	// StatusFailureTTL is how long a failed fetch is remembered (or a stale
	// copy answers before the issuer is asked again), so that an
	// unreachable list does not cost a timeout on every verification.
	StatusFailureTTL = 30 * time.Second
	// DefaultStatusCacheEntries bounds the cache when MaxEntries is zero.
	DefaultStatusCacheEntries = 256
	// MaxStaleStatus is how long after its issuer last confirmed it
	// (checkedAt) a copy of a list may still answer, stale, while the list
	// cannot be read again, for a copy in memory or in the Store alike, even
	// when the list has no validUntil. Past it the status is
	// StatusUnchecked, as with no copy at all.
	MaxStaleStatus = 7 * 24 * time.Hour
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
//
// Lists read over HTTP are cached as RFC 9111 allows, within MaxTTL, and
// revalidated with their ETag or Last-Modified once stale. When a list
// cannot be read again (the issuer is down, answers 5xx, or something that
// does not verify), the last verified copy answers instead, marked stale
// with the time the issuer last confirmed it, until that copy's own
// validUntil and for MaxStaleStatus at most, and only while the key that
// signed it is still trusted for its issuer. It is safe for concurrent use.
type StatusLists struct {
	// Client fetches lists: the instance's outbound client
	// (outbound.Client.HTTP), whose policy says which addresses may be
	// reached, redirects included, so that a credential's status list URL
	// cannot make a public server read from its own network. When nil, the
	// public-only client (outbound.Public). Only https URLs are fetched,
	// and plain http only on loopback hosts, redirects included, as Fetcher
	// does (checkFetchURL).
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
	// MaxTTL caps how long a list is used before it is read again,
	// whatever its ttl or its HTTP headers say; MaxStatusCacheTTL when zero
	// or negative.
	MaxTTL time.Duration
	// Store keeps the last verified copy of each list read over HTTP, so
	// that a restarted verifier revalidates it and answers from it (stale)
	// while the issuer is down. Optional; its errors never fail a check.
	// Lists answered by Local are never stored.
	Store StatusStore
	// OnCache, when set, is told of every list lookup: hit when a cached
	// list (or a load another check started) answered, miss when this
	// lookup loads the list. For metrics; it must be quick and safe for
	// concurrent use. A func rather than a metrics library, so that the
	// verifier (also used by the CLI) depends on none.
	OnCache func(hit bool)

	mu    sync.Mutex
	cache map[cacheKey]*cachedList
}

// StatusAnswer is the outcome of a status check.
type StatusAnswer struct {
	// Status is StatusActive, StatusRevoked, StatusSuspended or
	// StatusUnchecked.
	Status string
	// CheckedAt is when the issuer last confirmed the lists that gave
	// Status: the older of the two when a revocation list and its
	// suspension sibling were read. Zero when Status is StatusUnchecked.
	CheckedAt time.Time
	// Stale says a list could not be read again just now: Status comes
	// from the last verified copy, as of CheckedAt.
	Stale bool
	// Err is why Status is StatusUnchecked or, when Stale, why a list
	// could not be read again; nil otherwise.
	Err error
}

// cacheKey names a list as one issuer reads it for one purpose: a list
// verified for an issuer or a purpose never answers for another.
type cacheKey struct {
	url, issuer, purpose string
}

// listInfo is what a verified list credential says, and the key it was
// verified with.
type listInfo struct {
	bits       []byte
	ttl        time.Duration    // the list's own ttl (capped by MaxTTL); 0 when absent
	validUntil time.Time        // zero when the list has none
	kid        string           // the absolute id of the key that signed it
	key        crypto.PublicKey // that key, as the trust registry held it then
}

// listCopy is a verified list credential as it was last confirmed by its
// issuer, with what is needed to revalidate it over HTTP. Immutable.
type listCopy struct {
	listInfo
	jws, etag, lastModified string
	checkedAt               time.Time // when the issuer last confirmed it
	local                   bool      // answered by Local: never stored
}

// usable reports whether a copy may still answer, or be revalidated, at
// now for issuer: its list credential has not expired, its issuer last
// confirmed it less than MaxStaleStatus ago, and the key that signed it is
// still trusted for issuer (the registry may have dropped or replaced it
// since the copy was verified).
func (c *listCopy) usable(now time.Time, trust *Registry, issuer string) bool {
	if c == nil || (!c.validUntil.IsZero() && !now.Before(c.validUntil)) || now.Sub(c.checkedAt) >= MaxStaleStatus {
		return false
	}
	if trust == nil || c.kid == "" {
		return false
	}
	ref, ok := trust.byKeyID(c.kid)
	if !ok || ref.issuer == nil || ref.issuer.ID != issuer || ref.key == nil {
		return false
	}
	key, ok := c.key.(interface{ Equal(crypto.PublicKey) bool })
	return ok && key.Equal(ref.key.Key)
}

// staleUntil is when a usable copy stops answering: MaxStaleStatus after
// its last confirmation, or its validUntil if sooner.
func (c *listCopy) staleUntil() time.Time {
	end := c.checkedAt.Add(MaxStaleStatus)
	if !c.validUntil.IsZero() && c.validUntil.Before(end) {
		end = c.validUntil
	}
	return end
}

// listResult is what reading a list gave: bits, or an error.
type listResult struct {
	bits      []byte
	checkedAt time.Time // when the issuer last confirmed bits (or that the list does not exist)
	stale     error     // non-nil: bits are an older copy; why the list could not be read again
	err       error     // why there are no bits
	copy      *listCopy // the copy bits come from, kept for revalidation and stale answers
	abandoned bool      // the caller gave up: the outcome says nothing about the list
}

// cachedList is the outcome of a load, or a load under way. result is
// written once, before done is closed; expires is guarded by
// StatusLists.mu.
type cachedList struct {
	done    chan struct{}
	result  listResult
	expires time.Time
}

func (s *StatusLists) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *StatusLists) maxTTL() time.Duration {
	if s.MaxTTL > 0 {
		return s.MaxTTL
	}
	return MaxStatusCacheTTL
}

func (s *StatusLists) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return outbound.Public().HTTP()
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

// Forget drops every cached list (the Store keeps its copies).
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
// that carries entry: StatusRevoked, StatusSuspended or StatusActive, with
// when the issuer last confirmed it and whether that answer is stale; or
// StatusUnchecked with the error that prevented the check. A revocation
// entry pointing at a Carnet list also reads the suspension list beside
// it; a missing suspension list means nothing is suspended.
func (s *StatusLists) Check(ctx context.Context, trust *Registry, issuer string, entry *schema.CredentialStatus) StatusAnswer {
	unchecked := func(err error) StatusAnswer { return StatusAnswer{Status: StatusUnchecked, Err: err} }
	if entry == nil || entry.Type != schema.TypeStatusEntry {
		return unchecked(errStatusEntry)
	}
	if !isIndex(entry.StatusListIndex) {
		return unchecked(errStatusIndex)
	}
	index, _ := strconv.Atoi(entry.StatusListIndex)
	var set string // the status a set bit means
	switch entry.StatusPurpose {
	case "revocation":
		set = StatusRevoked
	case "suspension":
		set = StatusSuspended
	default:
		return unchecked(errStatusEntry) // message, refresh: not a validity status
	}
	b := s.bit(ctx, trust, issuer, entry.StatusListCredential, entry.StatusPurpose, index)
	if b.err != nil {
		return unchecked(b.err)
	}
	ans := StatusAnswer{Status: StatusActive, CheckedAt: b.checkedAt, Stale: b.stale != nil, Err: b.stale}
	if b.set {
		ans.Status = set
		return ans
	}
	sibling, ok := SuspensionURL(entry.StatusListCredential)
	if entry.StatusPurpose != "revocation" || !ok {
		return ans
	}
	b = s.bit(ctx, trust, issuer, sibling, "suspension", index)
	switch {
	case b.err != nil && schema.ErrorCode(b.err) != schema.ENOTFOUND:
		return unchecked(b.err)
	case b.err == nil && b.set:
		ans.Status = StatusSuspended
	}
	// A missing suspension list (nothing suspended) was confirmed too.
	if b.checkedAt.Before(ans.CheckedAt) {
		ans.CheckedAt = b.checkedAt
	}
	if b.stale != nil {
		ans.Stale, ans.Err = true, b.stale
	}
	return ans
}

// bitResult is one bit of a list, or why it could not be read.
type bitResult struct {
	set       bool
	checkedAt time.Time
	stale     error
	err       error
}

// bit reads one bit of a list, from the cache or by loading the list.
func (s *StatusLists) bit(ctx context.Context, trust *Registry, issuer, listURL, purpose string, index int) bitResult {
	r := s.list(ctx, trust, cacheKey{url: listURL, issuer: issuer, purpose: purpose})
	if r.err != nil {
		return bitResult{checkedAt: r.checkedAt, err: fmt.Errorf("verifier: status list %s: %w", listURL, r.err)}
	}
	if index >= len(r.bits)*8 {
		return bitResult{err: fmt.Errorf("verifier: status list %s: %w", listURL, errStatusIndex)}
	}
	b := bitResult{set: r.bits[index/8]&(0x80>>(index%8)) != 0, checkedAt: r.checkedAt}
	if r.stale != nil {
		b.stale = fmt.Errorf("verifier: status list %s: %w", listURL, r.stale)
	}
	return b
}

// list returns the bits of a list. Concurrent callers for the same list
// share one load; a load's outcome is cached until its expiry. A load whose
// caller gave up is not kept: callers waiting on it load again.
func (s *StatusLists) list(ctx context.Context, trust *Registry, k cacheKey) listResult {
	for {
		now := s.now()
		s.mu.Lock()
		var prev *listCopy
		if e := s.cache[k]; e != nil {
			select {
			case <-e.done:
				if now.Before(e.expires) {
					s.mu.Unlock()
					s.cacheEvent(true)
					return e.result
				}
				prev = e.result.copy // expired: revalidate, or answer stale from it
			default: // a load is under way: wait for it
				s.mu.Unlock()
				select {
				case <-e.done:
					if e.result.abandoned && ctx.Err() == nil {
						continue
					}
					s.cacheEvent(true)
					return e.result
				case <-ctx.Done():
					return listResult{err: ctx.Err()}
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
		s.cacheEvent(false)
		return s.run(ctx, trust, k, e, prev)
	}
}

func (s *StatusLists) cacheEvent(hit bool) {
	if s.OnCache != nil {
		s.OnCache(hit)
	}
}

// run loads a list into e and releases its waiters.
func (s *StatusLists) run(ctx context.Context, trust *Registry, k cacheKey, e *cachedList, prev *listCopy) listResult {
	// Deferred, so that waiters are released even if the load panics.
	r := listResult{err: errStatusList, copy: prev}
	var ttl time.Duration
	defer func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.err != nil && ctx.Err() != nil {
			// The caller gave up: say nothing about the list, and keep the
			// previous copy for the next load.
			r = listResult{err: ctx.Err(), copy: prev, abandoned: true}
			ttl = 0
		}
		e.result = r
		e.expires = s.now().Add(ttl)
		if r.abandoned {
			e.expires = time.Time{}
		}
		close(e.done)
	}()
	r, ttl = s.load(ctx, trust, k, prev)
	return r
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

// load reads a list: from Local when it answers, else over HTTP,
// revalidating prev (the expired copy in memory, else the stored one) when
// it has validators. It returns the outcome and how long to keep it.
func (s *StatusLists) load(ctx context.Context, trust *Registry, k cacheKey, prev *listCopy) (listResult, time.Duration) {
	if !prev.usable(s.now(), trust, k.issuer) {
		prev = nil // expired, too old, or its key is no longer trusted: as if there were none
	}
	if s.Local != nil {
		jws, ok, err := s.Local(ctx, k.url)
		switch {
		case schema.ErrorCode(err) == schema.ENOTFOUND:
			return s.notFound()
		case err != nil:
			return s.failed(ctx, trust, k, prev, true, err) // Local's lists are never stored
		case ok:
			info, err := s.verifyList(jws, trust, k)
			if err != nil {
				return s.failed(ctx, trust, k, prev, true, err) // Local's lists are never stored
			}
			now := s.now()
			c := &listCopy{listInfo: info, jws: jws, checkedAt: now, local: true}
			return listResult{bits: c.bits, checkedAt: now, copy: c}, s.lifetime(info, 0, false, now)
		}
	}
	if err := checkListURL(k.url); err != nil {
		return listResult{err: err}, StatusFailureTTL
	}
	storeRead := false
	if prev == nil {
		prev, storeRead = s.stored(ctx, trust, k), true
	}
	f, err := s.fetch(ctx, k.url, prev)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return s.notFound()
	}
	if err != nil {
		return s.failed(ctx, trust, k, prev, storeRead, err)
	}
	now := s.now()
	var c *listCopy
	if f.notModified {
		if !prev.usable(now, trust, k.issuer) {
			return s.failed(ctx, trust, k, nil, true, fmt.Errorf("%w: 304 Not Modified for a copy that may no longer answer", errStatusList))
		}
		c = &listCopy{listInfo: prev.listInfo, jws: prev.jws, etag: prev.etag, lastModified: prev.lastModified, checkedAt: now}
		if f.etag != "" {
			c.etag = f.etag
		}
		if f.lastModified != "" {
			c.lastModified = f.lastModified
		}
	} else {
		info, err := s.verifyList(f.jws, trust, k)
		if err != nil {
			return s.failed(ctx, trust, k, prev, storeRead, err)
		}
		c = &listCopy{listInfo: info, jws: f.jws, etag: f.etag, lastModified: f.lastModified, checkedAt: now}
	}
	s.save(ctx, k.url, c)
	return listResult{bits: c.bits, checkedAt: now, copy: c}, s.lifetime(c.listInfo, f.fresh, f.hasFresh, now)
}

// notFound is the outcome of a list that does not exist: kept for MaxTTL,
// with no stale copy (an issuer that removed a list said so).
func (s *StatusLists) notFound() (listResult, time.Duration) {
	return listResult{err: ErrStatusListNotFound, checkedAt: s.now()}, s.maxTTL()
}

// failed is the outcome of a list that could not be read again: the last
// verified copy (prev, else the stored one unless storeRead) answers,
// stale, for StatusFailureTTL at most, never past its validUntil nor
// MaxStaleStatus after its issuer last confirmed it, and only while its key
// is still trusted (usable); without one, the failure is kept for
// StatusFailureTTL.
func (s *StatusLists) failed(ctx context.Context, trust *Registry, k cacheKey, prev *listCopy, storeRead bool, err error) (listResult, time.Duration) {
	if ctx.Err() != nil {
		return listResult{err: ctx.Err(), copy: prev, abandoned: true}, 0
	}
	if prev == nil && !storeRead {
		prev = s.stored(ctx, trust, k)
	}
	now := s.now()
	if !prev.usable(now, trust, k.issuer) {
		return listResult{err: err}, StatusFailureTTL
	}
	ttl := min(StatusFailureTTL, prev.staleUntil().Sub(now))
	return listResult{bits: prev.bits, checkedAt: prev.checkedAt, stale: err, copy: prev}, ttl
}

// lifetime is how long a list just confirmed by its issuer is used before
// it is read again: the shortest of its own ttl, its HTTP freshness
// (hasFresh), MaxTTL and the time left before its validUntil.
func (s *StatusLists) lifetime(info listInfo, fresh time.Duration, hasFresh bool, now time.Time) time.Duration {
	d := s.maxTTL()
	if info.ttl > 0 {
		d = min(d, info.ttl)
	}
	if hasFresh {
		d = min(d, fresh)
	}
	if !info.validUntil.IsZero() {
		d = min(d, info.validUntil.Sub(now))
	}
	return max(d, 0)
}

// fetched is an HTTP answer for a list: a new list credential, or "not
// modified" (the copy revalidated).
type fetched struct {
	jws                string
	notModified        bool
	etag, lastModified string
	fresh              time.Duration // freshness lifetime from the headers, when hasFresh
	hasFresh           bool
}

// checkListURL accepts the URL of a list to fetch under the rules of every
// other fetch (checkFetchURL): https, or plain http on a loopback host.
func checkListURL(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("%w: URL %q", errStatusList, u)
	}
	if err := checkFetchURL(p); err != nil {
		return fmt.Errorf("%w: %w", errStatusList, err)
	}
	return nil
}

// fetch GETs the list credential at u, conditionally when prev has
// validators.
func (s *StatusLists) fetch(ctx context.Context, u string, prev *listCopy) (*fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, StatusFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: URL %q", errStatusList, u)
	}
	req.Header.Set("Accept", "application/vc+jwt, application/jwt, text/plain")
	conditional := prev != nil && setValidators(req.Header, prev.etag, prev.lastModified)
	resp, err := s.client().Do(req)
	if err != nil {
		return nil, outbound.Explain(err)
	}
	defer resp.Body.Close()
	// A caller's client may follow redirects anywhere: check where it landed.
	if resp.Request != nil && resp.Request.URL != nil {
		if err := checkFetchURL(resp.Request.URL); err != nil {
			return nil, fmt.Errorf("%w: redirected: %w", errStatusList, err)
		}
	}
	f := &fetched{etag: validator(resp.Header.Get("ETag")), lastModified: validator(resp.Header.Get("Last-Modified"))}
	f.fresh, f.hasFresh = httpFreshness(resp.Header, s.now())
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		// Only a conditional request may be answered 304: an unexpected one
		// is an error, never an empty success.
		if !conditional {
			return nil, fmt.Errorf("%w: 304 Not Modified to an unconditional request", errStatusList)
		}
		f.notModified = true
		return f, nil
	case http.StatusNotFound, http.StatusGone:
		return nil, ErrStatusListNotFound
	default:
		return nil, fmt.Errorf("%w: answered HTTP %d", errStatusList, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxStatusListDocument+1))
	if err != nil {
		return nil, outbound.Explain(err)
	}
	if len(data) > MaxStatusListDocument {
		return nil, errStatusTooBig
	}
	f.jws = string(bytes.TrimSpace(data))
	return f, nil
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
// asked, a validity window holding now. It returns the bits, the list's
// ttl (at most MaxTTL) and its validUntil.
func (s *StatusLists) verifyList(jws string, trust *Registry, k cacheKey) (listInfo, error) {
	if trust == nil {
		return listInfo{}, fmt.Errorf("%w: no trust registry", errStatusList)
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 || len(parts[0]) > 4096 || !isB64URL(parts[0]) || !isB64URL(parts[1]) || !isB64URL(parts[2]) {
		return listInfo{}, fmt.Errorf("%w: not a compact JWS", errStatusList)
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || checkJSON(hb) != nil {
		return listInfo{}, fmt.Errorf("%w: header", errStatusList)
	}
	var members map[string]json.RawMessage
	var h header
	if json.Unmarshal(hb, &members) != nil || json.Unmarshal(hb, &h) != nil {
		return listInfo{}, fmt.Errorf("%w: header", errStatusList)
	}
	for name := range members {
		if name != "alg" && name != "kid" && name != "typ" {
			return listInfo{}, fmt.Errorf("%w: header parameter %q", errStatusList, name)
		}
	}
	if h.Alg != string(jose.ES256) || (h.Typ != "" && h.Typ != "JWT" && h.Typ != "vc+jwt") {
		return listInfo{}, fmt.Errorf("%w: header alg %q typ %q", errStatusList, h.Alg, h.Typ)
	}
	if did, _, _ := strings.Cut(h.Kid, "#"); did != k.issuer {
		return listInfo{}, fmt.Errorf("%w: signed by %q, not by the credential's issuer", errStatusList, h.Kid)
	}
	ref, ok := trust.byKeyID(h.Kid)
	if !ok || ref.issuer.ID != k.issuer {
		return listInfo{}, fmt.Errorf("%w: key %q is not trusted for %s", errStatusList, h.Kid, k.issuer)
	}
	obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return listInfo{}, fmt.Errorf("%w: %v", errStatusList, err)
	}
	payload, err := obj.Verify(ref.key.Key)
	if err != nil || !canonical(obj) {
		return listInfo{}, fmt.Errorf("%w: bad signature", errStatusList)
	}
	if err := checkJSON(payload); err != nil {
		return listInfo{}, fmt.Errorf("%w: payload: %v", errStatusList, err)
	}
	var c statusListClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return listInfo{}, fmt.Errorf("%w: payload: %v", errStatusList, err)
	}
	switch {
	case len(c.Context) == 0 || c.Context[0] != schema.ContextVC2:
		return listInfo{}, fmt.Errorf("%w: @context", errStatusList)
	case !c.Type.Has(schema.TypeVC) || !c.Type.Has("BitstringStatusListCredential"):
		return listInfo{}, fmt.Errorf("%w: type %v", errStatusList, c.Type)
	case c.ID != k.url:
		return listInfo{}, fmt.Errorf("%w: id %q is not its URL", errStatusList, c.ID)
	case c.Issuer.ID != k.issuer || c.Iss == nil || *c.Iss != k.issuer:
		return listInfo{}, fmt.Errorf("%w: issuer is not the credential's issuer", errStatusList)
	case c.Jti != nil && *c.Jti != c.ID:
		return listInfo{}, fmt.Errorf("%w: jti", errStatusList)
	case !c.CredentialSubject.Type.Has("BitstringStatusList"):
		return listInfo{}, fmt.Errorf("%w: subject type %v", errStatusList, c.CredentialSubject.Type)
	case !c.CredentialSubject.StatusPurpose.Has(k.purpose):
		return listInfo{}, fmt.Errorf("%w: purpose %v, not %s", errStatusList, c.CredentialSubject.StatusPurpose, k.purpose)
	}
	now := s.now()
	if c.ValidFrom != "" {
		from, err := time.Parse(time.RFC3339, c.ValidFrom)
		if err != nil || (c.Nbf != nil && *c.Nbf != from.Unix()) {
			return listInfo{}, fmt.Errorf("%w: validFrom", errStatusList)
		}
		if now.Add(DefaultLeeway).Before(from) {
			return listInfo{}, fmt.Errorf("%w: not valid yet", errStatusList)
		}
	} else if c.Nbf != nil && now.Add(DefaultLeeway).Before(time.Unix(*c.Nbf, 0)) {
		return listInfo{}, fmt.Errorf("%w: not valid yet", errStatusList)
	}
	info := listInfo{kid: h.Kid, key: ref.key.Key}
	if ttl, ok := ttlOf(c.CredentialSubject.TTL, s.maxTTL()); ok {
		info.ttl = ttl
	}
	if c.ValidUntil != "" {
		if info.validUntil, err = time.Parse(time.RFC3339, c.ValidUntil); err != nil || (c.Exp != nil && *c.Exp != info.validUntil.Unix()) {
			return listInfo{}, fmt.Errorf("%w: validUntil", errStatusList)
		}
	} else if c.Exp != nil {
		info.validUntil = time.Unix(*c.Exp, 0)
	}
	if !info.validUntil.IsZero() && !now.Add(-DefaultLeeway).Before(info.validUntil) {
		return listInfo{}, fmt.Errorf("%w: expired", errStatusList)
	}
	if info.bits, err = DecodeStatusList(c.CredentialSubject.EncodedList); err != nil {
		return listInfo{}, err
	}
	return info, nil
}

// ttlOf reads a ttl in milliseconds (a JSON number, or a string holding
// one), at most ceiling; false when absent, unreadable or not positive.
func ttlOf(raw json.RawMessage, ceiling time.Duration) (time.Duration, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	ms, err := strconv.ParseFloat(strings.Trim(string(raw), `"`), 64)
	if err != nil || !(ms > 0) { // NaN included
		return 0, false
	}
	if ms >= float64(ceiling/time.Millisecond) {
		return ceiling, true
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
// credentialStatus. Revoked and suspended credentials become invalid, stale
// answers included (revocation is final); a list that cannot be read or
// trusted leaves the credential valid, marked unchecked. A stale answer says
// as of when, in StatusMessage.
func (v *Verifier) checkStatus(ctx context.Context, r *Result) {
	entry := r.Credential.CredentialStatus
	if entry == nil {
		return
	}
	ans := StatusAnswer{Status: StatusUnchecked}
	if v.Status != nil {
		ans = v.Status.Check(ctx, v.Trust, r.Issuer.ID, entry)
	}
	r.Status = ans.Status
	if !ans.CheckedAt.IsZero() {
		at := ans.CheckedAt.UTC()
		r.StatusCheckedAt = &at
	}
	r.StatusStale = ans.Stale
	switch ans.Status {
	case StatusRevoked:
		fail(r, ReasonRevoked)
	case StatusSuspended:
		fail(r, ReasonSuspended)
	case StatusUnchecked:
		r.StatusMessage, r.StatusMessageFR = StatusUncheckedMessage, StatusUncheckedMessageFR
		return
	}
	if ans.Stale {
		r.StatusMessage, r.StatusMessageFR = StaleStatusText(ans.CheckedAt, v.now())
	}
}

// StaleStatusText says, in English and French, that a status is the one the
// issuer last confirmed at checkedAt, its server being unreachable at now.
func StaleStatusText(checkedAt, now time.Time) (en, fr string) {
	at := checkedAt.UTC()
	ageEN, ageFR := AgeText(now.Sub(checkedAt))
	day, hour := at.Format("02/01/2006"), at.Format("15:04")
	return i18n.Text(i18n.Verifier, "en", "status_stale", day, hour, ageEN), i18n.Text(i18n.Verifier, "fr", "status_stale", day, hour, ageFR)
}

// AgeText says a duration in whole minutes, hours or days, rounded down,
// in English and French: "less than a minute", "1 minute", "3 hours",
// "5 days" / "moins d'une minute", "1 minute", "3 heures", "5 jours".
// A negative duration (clocks apart) is less than a minute.
func AgeText(d time.Duration) (en, fr string) {
	key, n := "age_days", int64(d/(24*time.Hour))
	switch {
	case d < time.Minute:
		return i18n.Text(i18n.Verifier, "en", "age_under_minute"), i18n.Text(i18n.Verifier, "fr", "age_under_minute")
	case d < time.Hour:
		key, n = "age_minutes", int64(d/time.Minute)
	case d < 24*time.Hour:
		key, n = "age_hours", int64(d/time.Hour)
	}
	return i18n.Plural(i18n.Verifier, "en", key, int(n)), i18n.Plural(i18n.Verifier, "fr", key, int(n))
}
