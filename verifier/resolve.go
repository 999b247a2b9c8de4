package verifier

import (
	"context"
	"strings"
	"sync"
	"time"

	"carnet/keys"
	"carnet/schema"
)

// Resolver defaults.
const (
	DefaultResolveTTL         = 10 * time.Minute
	DefaultResolveFailureTTL  = time.Minute
	DefaultResolveEntries     = 1024
	DefaultResolveConcurrency = 4
	// ResolveTimeout bounds one fetch of a DID document.
	ResolveTimeout = 10 * time.Second
	// maxResolvedName bounds the display name taken from a DID document.
	maxResolvedName = 200
	maxResolvedDID  = 512
)

// ErrResolverBusy is the error of a resolution refused because the
// resolver already has as many fetches under way as it allows.
var ErrResolverBusy = schema.Errorf(schema.EINTERNAL, "too many issuers are being looked up at once; try again in a moment",
	"trop d'émetteurs sont recherchés en même temps ; réessayez dans un instant")

// DIDResolver reads the DID documents of did:web issuers that are not
// trusted here, for Verifier.Resolve: it tells a genuine credential of an
// unknown issuer from a forgery, never makes either valid. Anyone who
// submits a token chooses the DID, so the resolver caches answers (failures
// too), fetches each DID once at a time, and refuses at once, with
// ErrResolverBusy, a look-up that would exceed MaxConcurrent fetches. It is
// safe for concurrent use.
type DIDResolver struct {
	// Fetcher reads the documents (https, plain http on loopback hosts
	// only, MaxTrustDocument bytes at most) with its client: give it the
	// instance's outbound client. When nil, a Fetcher with the public-only
	// client (outbound.Public): whatever DID a visitor submits, a server
	// never probes its own network.
	Fetcher *Fetcher
	// TTL is how long a resolved document is kept; DefaultResolveTTL when
	// zero. FailureTTL is how long a failure is; DefaultResolveFailureTTL
	// when zero.
	TTL, FailureTTL time.Duration
	// MaxEntries bounds the cache; DefaultResolveEntries when zero.
	MaxEntries int
	// MaxConcurrent bounds the fetches under way at once;
	// DefaultResolveConcurrency when zero.
	MaxConcurrent int
	// Now is time.Now when nil.
	Now func() time.Time

	mu       sync.Mutex
	cache    map[string]*resolution
	inFlight int
}

// resolution is one DID's answer. ti and err are written once, before done
// is closed; expires is guarded by DIDResolver.mu.
type resolution struct {
	done    chan struct{}
	ti      *TrustedIssuer
	err     error
	expires time.Time
}

func (d *DIDResolver) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Resolve returns the issuer that the did:web document of did describes,
// with its assertion keys. The answer is shared: callers must not modify it.
func (d *DIDResolver) Resolve(ctx context.Context, did string) (*TrustedIssuer, error) {
	if len(did) > maxResolvedDID || !strings.HasPrefix(did, "did:web:") {
		return nil, schema.Errorf(schema.EINVALID, "only did:web issuers can be looked up", "seuls les émetteurs did:web peuvent être recherchés")
	}
	if _, err := keys.DIDDocumentURL(did); err != nil {
		return nil, err
	}
	d.mu.Lock()
	e := d.cache[did]
	if e == nil || (isResolved(e) && !d.now().Before(e.expires)) {
		if d.inFlight >= orDefault(d.MaxConcurrent, DefaultResolveConcurrency) {
			d.mu.Unlock()
			return nil, ErrResolverBusy
		}
		d.inFlight++
		e = &resolution{done: make(chan struct{})}
		d.store(did, e)
		// The fetch does not depend on this caller staying: others may wait
		// for it, and its answer is cached.
		go d.fetch(context.WithoutCancel(ctx), did, e)
	}
	d.mu.Unlock()
	select {
	case <-e.done:
		return e.ti, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func isResolved(e *resolution) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

func (d *DIDResolver) fetch(ctx context.Context, did string, e *resolution) {
	ctx, cancel := context.WithTimeout(ctx, ResolveTimeout)
	defer cancel()
	f := d.Fetcher
	if f == nil {
		f = &Fetcher{}
	}
	ti, err := f.resolveDID(ctx, did)
	if err == nil {
		// Keep the keys as the registry would: public ES256 keys of did.
		check := NewRegistry()
		if err = check.Add(ti); err == nil {
			ti = check.Issuer(did)
			if r := []rune(ti.Name); len(r) > maxResolvedName {
				ti.Name = string(r[:maxResolvedName]) + "…"
			}
		}
	}
	if err != nil {
		ti = nil
	}
	d.mu.Lock()
	d.inFlight--
	e.ti, e.err = ti, err
	ttl := orDefault(d.TTL, DefaultResolveTTL)
	if err != nil {
		ttl = orDefault(d.FailureTTL, DefaultResolveFailureTTL)
	}
	e.expires = d.now().Add(ttl)
	close(e.done)
	d.mu.Unlock()
}

// store caches e for did, first making room: expired answers go, then the
// answers closest to expiry. Fetches under way are never dropped (there are
// at most MaxConcurrent).
func (d *DIDResolver) store(did string, e *resolution) {
	if d.cache == nil {
		d.cache = map[string]*resolution{}
	}
	delete(d.cache, did)
	limit := orDefault(d.MaxEntries, DefaultResolveEntries)
	if len(d.cache) >= limit {
		now := d.now()
		for k, old := range d.cache {
			if isResolved(old) && !now.Before(old.expires) {
				delete(d.cache, k)
			}
		}
	}
	for len(d.cache) >= limit {
		victim := ""
		var soonest time.Time
		for k, old := range d.cache {
			if isResolved(old) && (victim == "" || old.expires.Before(soonest)) {
				victim, soonest = k, old.expires
			}
		}
		if victim == "" {
			break
		}
		delete(d.cache, victim)
	}
	d.cache[did] = e
}
