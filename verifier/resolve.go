package verifier

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"syscall"
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
	// only, MaxTrustDocument bytes at most); a default Fetcher when nil.
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
	// PublicOnly refuses to connect to addresses that are not public
	// (loopback, private, link-local, shared, unspecified), whatever the
	// DID's host resolves to, redirects and DNS rebinding included: on a
	// public server, visitors cannot make it probe its own network. Off
	// for a development instance on localhost, whose partners are local.
	// Ignored when Fetcher is set.
	PublicOnly bool

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
	if f == nil && d.PublicOnly {
		f = &Fetcher{Client: publicClient}
	} else if f == nil {
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

// publicClient connects to public addresses only: the check runs on the
// address actually dialled, after DNS resolution, for every connection.
var publicClient = &http.Client{Timeout: FetchTimeout, CheckRedirect: trustRedirect, Transport: &http.Transport{
	Proxy:                 nil,
	DialContext:           (&net.Dialer{Timeout: FetchTimeout, Control: dialPublicOnly}).DialContext,
	TLSHandshakeTimeout:   FetchTimeout,
	ResponseHeaderTimeout: FetchTimeout,
	MaxIdleConns:          16,
	IdleConnTimeout:       90 * time.Second,
}}

// errNotPublic refuses a connection to an address that is not public.
var errNotPublic = schema.Errorf(schema.EINVALID, "the issuer's address is not a public Internet address",
	"l'adresse de l'émetteur n'est pas une adresse publique d'Internet")

func dialPublicOnly(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return errNotPublic
	}
	if !IsPublicAddr(ap.Addr()) {
		return errNotPublic
	}
	return nil
}

// IsPublicAddr reports whether a is a public unicast Internet address:
// not loopback, private, link-local, shared (CGNAT), documentation,
// benchmarking, multicast or reserved. IPv6 must be global unicast
// (2000::/3) outside its special-purpose blocks; an IPv6 address that
// embeds an IPv4 one (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) is
// judged by that IPv4 address, so that a NAT64 gateway cannot reach a
// private network.
func IsPublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return false
	case a.Is4():
		for _, p := range nonPublic4 {
			if p.Contains(a) {
				return false
			}
		}
		return true
	case nat64.Contains(a):
		b := a.As16()
		return IsPublicAddr(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(a):
		b := a.As16()
		return IsPublicAddr(netip.AddrFrom4([4]byte(b[2:6])))
	case !global6.Contains(a):
		return false
	}
	for _, p := range special6 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

func prefixes(list ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(list))
	for i, p := range list {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

// Address blocks that are not the public Internet (IANA special-purpose
// address registries, RFC 6890 and updates).
var (
	nonPublic4 = prefixes("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4")
	global6   = netip.MustParsePrefix("2000::/3")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	// Teredo, benchmarking, ORCHID, documentation, and the rest of
	// 2001::/23 that IANA reserves for special purposes.
	special6 = prefixes("2001::/23", "2001:db8::/32", "3fff::/20")
)
