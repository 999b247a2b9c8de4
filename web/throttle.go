package web

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"
)

// limit is how many failures a key may have: burst at once, then one more
// every per/burst (a token bucket), so that an attacker is slowed down
// rather than an account locked for a fixed time.
type limit struct {
	burst int
	per   time.Duration
}

// The limits of failed sign-ins and unknown short codes. A browser that
// signed in to an account before (its device cookie) only has its own
// limit for that account; other clients have one per account and address,
// one per account from all addresses together (a slowdown against guessing
// from many addresses) and one per address.
var (
	limitDevice         = limit{5, throttleWindow}
	limitAccountAddress = limit{5, throttleWindow}
	limitAccount        = limit{20, throttleWindow}
	limitAddress        = limit{30, throttleWindow}
	limitShortCodes     = limit{maxShortCodeMisses, throttleWindow}
	limitPasswordCheck  = limit{5, throttleWindow} // the current password on the account page
)

// throttleWindow is the time in which a full burst of failures is allowed
// again.
const throttleWindow = 15 * time.Minute

// throttleMaxKeys bounds each of the two tables of a throttle.
const throttleMaxKeys = 100000

// throttle counts failures per key in bounded memory. Keys that are below
// their limit live in an LRU table that a flood of new keys may churn (which
// forgets at most a few failures of each); keys that reached their limit
// move to a second LRU table that only keys reaching their own limit enter,
// so flooding distinct keys never lifts a limit. When that second table is
// full, the limit that ends soonest (the oldest) goes first.
type throttle struct {
	mu      sync.Mutex
	fresh   *simplelru.LRU[string, *rate.Limiter]
	limited *simplelru.LRU[string, *rate.Limiter]
}

func (t *throttle) init() {
	if t.fresh == nil {
		t.fresh, _ = simplelru.NewLRU[string, *rate.Limiter](throttleMaxKeys, nil)
		t.limited, _ = simplelru.NewLRU[string, *rate.Limiter](throttleMaxKeys, nil)
	}
}

// find returns the bucket of a key, nil when it has none.
func (t *throttle) find(key string) *rate.Limiter {
	if lim, ok := t.limited.Peek(key); ok {
		return lim
	}
	lim, _ := t.fresh.Get(key)
	return lim
}

// wait returns how long the key must wait before another attempt.
func (t *throttle) wait(key string, l limit, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	lim := t.find(key)
	if lim == nil {
		return 0
	}
	tokens := lim.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / float64(lim.Limit()) * float64(time.Second))
}

// fail records a failure of the key.
func (t *throttle) fail(key string, l limit, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	lim := t.find(key)
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(l.per/time.Duration(l.burst)), l.burst)
		t.fresh.Add(key, lim)
	}
	lim.AllowN(now, 1)
	if lim.TokensAt(now) < 1 {
		if _, ok := t.limited.Peek(key); !ok {
			t.fresh.Remove(key)
			t.limited.Add(key, lim)
		}
	}
}

// reset forgets the failures of a key.
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	t.fresh.Remove(key)
	t.limited.Remove(key)
}
