package app

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"
)

// Limit is how many failures a key may have: burst at once, then one more
// every per/burst (a token bucket), so that an attacker is slowed down
// rather than an account locked for a fixed time.
type Limit struct {
	Burst int
	Per   time.Duration
}

// The limits of failed sign-ins (web limits unknown short codes with a
// Throttle too). A browser that signed in to an account before (its device
// cookie) only has its own limit for that account; other clients have one
// per account and address, one per account from all addresses together (a
// slowdown against guessing from many addresses) and one per address.
var (
	limitDevice         = Limit{5, ThrottleWindow}
	limitAccountAddress = Limit{5, ThrottleWindow}
	limitAccount        = Limit{20, ThrottleWindow}
	limitAddress        = Limit{30, ThrottleWindow}
	limitPasswordCheck  = Limit{5, ThrottleWindow} // the current password on the account page
)

// ThrottleWindow is the time in which a full burst of failures is allowed
// again.
const ThrottleWindow = 15 * time.Minute

// throttleMaxKeys bounds each of the two tables of a throttle.
const throttleMaxKeys = 100000

// Throttle counts failures per key in bounded memory. Keys that are below
// their limit live in an LRU table that a flood of new keys may churn (which
// forgets at most a few failures of each); keys that reached their limit
// move to a second LRU table that only keys reaching their own limit enter,
// so flooding distinct keys never lifts a limit. When that second table is
// full, the limit that ends soonest (the oldest) goes first.
type Throttle struct {
	mu      sync.Mutex
	fresh   *simplelru.LRU[string, *rate.Limiter]
	limited *simplelru.LRU[string, *rate.Limiter]
}

func (t *Throttle) init() {
	if t.fresh == nil {
		t.fresh, _ = simplelru.NewLRU[string, *rate.Limiter](throttleMaxKeys, nil)
		t.limited, _ = simplelru.NewLRU[string, *rate.Limiter](throttleMaxKeys, nil)
	}
}

// find returns the bucket of a key, nil when it has none.
func (t *Throttle) find(key string) *rate.Limiter {
	if lim, ok := t.limited.Peek(key); ok {
		return lim
	}
	lim, _ := t.fresh.Get(key)
	return lim
}

// Wait returns how long the key must wait before another attempt.
func (t *Throttle) Wait(key string, l Limit, now time.Time) time.Duration {
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

// Fail records a failure of the key.
func (t *Throttle) Fail(key string, l Limit, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	lim := t.find(key)
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(l.Per/time.Duration(l.Burst)), l.Burst)
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

// Reset forgets the failures of a key.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	t.fresh.Remove(key)
	t.limited.Remove(key)
}
