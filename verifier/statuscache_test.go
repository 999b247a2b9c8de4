package verifier_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/schema"
	"carnet/sqlite"
	"carnet/verifier"
)

// cacheServer makes the status fixture answer its genuine lists with HTTP
// caching headers: fixed headers per path, an ETag naming what the list
// says (purpose and set bits, as Carnet's server does) and a Last-Modified,
// each answered with 304 Not Modified when the request holds it.
type cacheServer struct {
	mu           sync.Mutex
	header       map[string]http.Header // path → headers of 200s and 304s ("" for every path)
	etag         bool
	lastModified string
	notModified  map[string]int // path → 304s sent
	conditional  map[string]int // path → conditional requests received
}

func (fx *statusFixture) cacheServer() *cacheServer {
	cs := &cacheServer{header: map[string]http.Header{}, notModified: map[string]int{}, conditional: map[string]int{}}
	fx.set(func() { fx.respond = cs.respond })
	return cs
}

func (cs *cacheServer) set(path string, kv ...string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	cs.header[path] = h
}

func (cs *cacheServer) count(m map[string]int, url string) int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for p, n := range m {
		if strings.HasSuffix(url, p) {
			return n
		}
	}
	return 0
}

func (cs *cacheServer) respond(w http.ResponseWriter, r *http.Request, jws string, in issuer.StatusListInput) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	h := cs.header[r.URL.Path]
	if h == nil {
		h = cs.header[""]
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s %v", in.Purpose, in.Set))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	if cs.etag {
		w.Header().Set("ETag", etag)
	}
	if cs.lastModified != "" {
		w.Header().Set("Last-Modified", cs.lastModified)
	}
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if inm != "" || ims != "" {
		cs.conditional[r.URL.Path]++
	}
	if (cs.etag && inm == etag) || (!cs.etag && cs.lastModified != "" && ims == cs.lastModified) {
		cs.notModified[r.URL.Path]++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/vc+jwt")
	fmt.Fprint(w, jws)
}

// wantFetches fails when the revocation list was not fetched n times.
func (fx *statusFixture) wantFetches(tb testing.TB, n int, when string) {
	tb.Helper()
	if got := fx.hitsOf(fx.revURL); got != n {
		tb.Errorf("%s: revocation list fetched %d times, want %d", when, got, n)
	}
}

// wantCheckedAt fails unless r says its status was confirmed at at.
func wantCheckedAt(tb testing.TB, r *verifier.Result, at time.Time, stale bool) {
	tb.Helper()
	if r.StatusCheckedAt == nil || !r.StatusCheckedAt.Equal(at) || r.StatusCheckedAt.Location() != time.UTC || r.StatusStale != stale {
		tb.Errorf("checked at %v stale %v, want %v stale %v", r.StatusCheckedAt, r.StatusStale, at, stale)
	}
}

// TestStatusHTTPFreshness: a list is used for the shortest of its ttl, its
// HTTP freshness (max-age, else Expires minus Date or, without a Date, minus
// now, less Age; 0 with no-store, no-cache, an invalid or repeated max-age),
// MaxTTL and the time left before its validUntil; MaxTTL alone when it says
// nothing.
func TestStatusHTTPFreshness(t *testing.T) {
	date := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC) // the server's clock: only Expires − Date counts
	for _, tc := range []struct {
		name     string
		headers  []string
		ttl      time.Duration // of the genuine list
		maxTTL   time.Duration
		payload  func(fx *statusFixture) map[string]any // a list SignStatusList would not write, instead
		noDate   bool                                   // the answer has no Date header
		lifetime time.Duration
	}{
		{name: "max-age shorter than the ttl", headers: []string{"Cache-Control", "public, max-age=60"}, ttl: 10 * time.Minute, lifetime: time.Minute},
		{name: "max-age minus Age", headers: []string{"Cache-Control", "max-age=120", "Age", "100"}, lifetime: 20 * time.Second},
		{name: "Expires minus Date", headers: []string{"Date", date.Format(http.TimeFormat), "Expires", date.Add(90 * time.Second).Format(http.TimeFormat)}, lifetime: 90 * time.Second},
		{name: "max-age before Expires", headers: []string{"Cache-Control", "max-age=45", "Date", date.Format(http.TimeFormat), "Expires", date.Add(time.Hour).Format(http.TimeFormat)}, lifetime: 45 * time.Second},
		{name: "two max-age: stale at once", headers: []string{"Cache-Control", "max-age=200, max-age=70"}, lifetime: 0},
		{name: "Expires minus now without a Date", headers: []string{"Expires", statusEpoch.Add(90 * time.Second).Format(http.TimeFormat)}, noDate: true, lifetime: 90 * time.Second},
		{name: "Expires minus Date, less Age", headers: []string{"Date", date.Format(http.TimeFormat), "Expires", date.Add(90 * time.Second).Format(http.TimeFormat), "Age", "30"}, lifetime: time.Minute},
		{name: "ttl shorter than max-age", headers: []string{"Cache-Control", "max-age=3600"}, ttl: 2 * time.Minute, lifetime: 2 * time.Minute},
		{name: "MaxTTL caps a long max-age", headers: []string{"Cache-Control", "max-age=86400"}, ttl: 24 * time.Hour, maxTTL: 3 * time.Minute, lifetime: 3 * time.Minute},
		{name: "default MaxTTL caps a long max-age", headers: []string{"Cache-Control", "max-age=86400"}, ttl: 24 * time.Hour, lifetime: verifier.MaxStatusCacheTTL},
		{name: "a longer MaxTTL lets the ttl count", headers: []string{"Cache-Control", "max-age=3600"}, ttl: 20 * time.Minute, maxTTL: time.Hour, lifetime: 20 * time.Minute},
		{name: "max-age under a longer MaxTTL", headers: []string{"Cache-Control", "max-age=1800"}, ttl: 24 * time.Hour, maxTTL: time.Hour, lifetime: 30 * time.Minute},
		{name: "no ttl, no headers: MaxTTL", maxTTL: 10 * time.Minute, lifetime: 10 * time.Minute, payload: func(fx *statusFixture) map[string]any {
			p := fx.listPayload(mustEncode(nil))
			delete(p["credentialSubject"].(map[string]any), "ttl")
			return p
		}},
		{name: "validUntil sooner than all", headers: []string{"Cache-Control", "max-age=600"}, maxTTL: time.Hour, lifetime: 90 * time.Second, payload: func(fx *statusFixture) map[string]any {
			p := fx.listPayload(mustEncode(nil))
			delete(p["credentialSubject"].(map[string]any), "ttl")
			until := fx.clock.Now().Add(90 * time.Second)
			p["validUntil"], p["exp"] = until.Format(time.RFC3339), until.Unix()
			return p
		}},
		{name: "no-store", headers: []string{"Cache-Control", "no-store"}, lifetime: 0},
		{name: "no-cache", headers: []string{"Cache-Control", "public, no-cache, max-age=300"}, lifetime: 0},
		{name: "invalid Expires", headers: []string{"Expires", "0"}, lifetime: 0},
		{name: "invalid max-age", headers: []string{"Cache-Control", "max-age=soon"}, lifetime: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newStatusFixture(t)
			fx.lists.MaxTTL = tc.maxTTL
			fx.set(func() { fx.ttl = tc.ttl })
			cs := fx.cacheServer()
			cs.set("", tc.headers...)
			if tc.noDate {
				cs.mu.Lock()
				cs.header[""]["Date"] = nil // net/http sends no Date
				cs.mu.Unlock()
			}
			if tc.payload != nil {
				fx.handle("/s/mediatheque/status/0", func(w http.ResponseWriter) {
					for i := 0; i+1 < len(tc.headers); i += 2 {
						w.Header().Set(tc.headers[i], tc.headers[i+1])
					}
					fmt.Fprint(w, signList(t, fx.key, fx.key.KID(fx.did), tc.payload(fx)))
				})
			}
			jws := fx.credential(t, "revocation", 3, fx.revURL)
			wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
			fx.wantFetches(t, 1, "first check")
			if tc.lifetime == 0 {
				wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
				fx.wantFetches(t, 2, "second check at once")
				return
			}
			fx.clock.Add(tc.lifetime - time.Second)
			r := fx.verify(t, jws)
			wantStatus(t, r, true, verifier.StatusActive, "")
			wantCheckedAt(t, r, statusEpoch, false)
			fx.wantFetches(t, 1, "just before the lifetime")
			fx.clock.Add(2 * time.Second)
			wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
			fx.wantFetches(t, 2, "just after the lifetime")
		})
	}
}

func mustEncode(set []int) string {
	enc, err := issuer.EncodeStatusList(set, 131072)
	if err != nil {
		panic(err)
	}
	return enc
}

// TestStatusRevalidate: a stale list with an ETag (or a Last-Modified) is
// revalidated; a 304 keeps the bits already verified, renews their
// lifetime and counts as a confirmation now. A changed list comes back
// whole.
func TestStatusRevalidate(t *testing.T) {
	for _, validator := range []string{"ETag", "Last-Modified"} {
		t.Run(validator, func(t *testing.T) {
			fx := newStatusFixture(t)
			cs := fx.cacheServer()
			cs.set("", "Cache-Control", "max-age=60")
			if validator == "ETag" {
				cs.etag = true
			} else {
				cs.lastModified = "Sat, 14 Mar 2026 08:00:00 GMT"
			}
			fx.set(func() { fx.revoked = []int{7} })
			revoked, active := fx.credential(t, "revocation", 7, fx.revURL), fx.credential(t, "revocation", 3, fx.revURL)
			wantStatus(t, fx.verify(t, revoked), false, verifier.StatusRevoked, verifier.ReasonRevoked)
			wantStatus(t, fx.verify(t, active), true, verifier.StatusActive, "")
			if n := cs.count(cs.conditional, fx.revURL); n != 0 {
				t.Errorf("%d conditional requests with nothing cached", n)
			}

			fx.clock.Add(61 * time.Second)
			r := fx.verify(t, revoked)
			wantStatus(t, r, false, verifier.StatusRevoked, verifier.ReasonRevoked) // the 304 has no body: the bits are the copy's
			wantCheckedAt(t, r, statusEpoch.Add(61*time.Second), false)
			if n := cs.count(cs.notModified, fx.revURL); n != 1 {
				t.Fatalf("%d answers 304, want 1", n)
			}
			r = fx.verify(t, active)
			wantStatus(t, r, true, verifier.StatusActive, "")
			wantCheckedAt(t, r, statusEpoch.Add(61*time.Second), false)

			// The 304 gave the copy a new lifetime of 60 s.
			fx.clock.Add(59 * time.Second)
			fx.verify(t, revoked)
			fx.wantFetches(t, 2, "within the renewed lifetime")
			fx.clock.Add(2 * time.Second)
			fx.verify(t, revoked)
			fx.wantFetches(t, 3, "after the renewed lifetime")
			if n := cs.count(cs.notModified, fx.revURL); n != 2 {
				t.Errorf("%d answers 304, want 2", n)
			}

			// The list changes: the next revalidation gets it whole.
			fx.set(func() { fx.revoked = []int{3, 7} })
			if validator == "Last-Modified" {
				cs.mu.Lock()
				cs.lastModified = "Sat, 14 Mar 2026 09:35:00 GMT"
				cs.mu.Unlock()
			}
			fx.clock.Add(61 * time.Second)
			wantStatus(t, fx.verify(t, active), false, verifier.StatusRevoked, verifier.ReasonRevoked)
			if n := cs.count(cs.notModified, fx.revURL); n != 2 {
				t.Errorf("%d answers 304 after a change, want 2", n)
			}
		})
	}
}

// TestStatusCheckedAtOldest: a revocation list and its suspension sibling
// read at different times answer as of the older.
func TestStatusCheckedAtOldest(t *testing.T) {
	fx := newStatusFixture(t)
	cs := fx.cacheServer()
	cs.set("/s/mediatheque/status/0", "Cache-Control", "max-age=60")
	cs.set("/s/mediatheque/status/0/suspension", "Cache-Control", "max-age=300")
	jws := fx.credential(t, "revocation", 3, fx.revURL)
	wantCheckedAt(t, fx.verify(t, jws), statusEpoch, false)
	fx.clock.Add(90 * time.Second)
	r := fx.verify(t, jws)
	fx.wantFetches(t, 2, "after the revocation list's max-age")
	if n := fx.hitsOf(fx.suspURL); n != 1 {
		t.Errorf("suspension list fetched %d times, want 1", n)
	}
	wantCheckedAt(t, r, statusEpoch, false)
}

// TestStatusStaleIfError: when a list cannot be read again, the last
// verified copy answers, stale, as of when its issuer last confirmed it; a
// revocation seen before the outage stays. The failing server is asked
// again only after StatusFailureTTL.
func TestStatusStaleIfError(t *testing.T) {
	for _, outage := range []string{"503", "closed", "not verifying"} {
		t.Run(outage, func(t *testing.T) {
			fx := newStatusFixture(t)
			fx.set(func() { fx.ttl, fx.revoked = time.Minute, []int{7} })
			revoked, active := fx.credential(t, "revocation", 7, fx.revURL), fx.credential(t, "revocation", 3, fx.revURL)
			wantStatus(t, fx.verify(t, revoked), false, verifier.StatusRevoked, verifier.ReasonRevoked)
			wantStatus(t, fx.verify(t, active), true, verifier.StatusActive, "")

			switch outage {
			case "503":
				for _, p := range []string{"/s/mediatheque/status/0", "/s/mediatheque/status/0/suspension"} {
					fx.handle(p, func(w http.ResponseWriter) { http.Error(w, "maintenance", http.StatusServiceUnavailable) })
				}
			case "closed":
				fx.srv.Close()
			case "not verifying": // signed by another trusted issuer
				for _, u := range []string{fx.revURL, fx.suspURL} {
					jws, err := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.other, URL: u, Purpose: "revocation", Now: fx.clock.Now()}, fx.otherK)
					if err != nil {
						t.Fatal(err)
					}
					fx.handle(strings.TrimPrefix(u, fx.base), func(w http.ResponseWriter) { fmt.Fprint(w, jws) })
				}
			}
			fx.clock.Add(3 * time.Hour)
			hits := fx.totalHits()
			r := fx.verify(t, active)
			wantStatus(t, r, true, verifier.StatusActive, "")
			wantCheckedAt(t, r, statusEpoch, true)
			if !strings.Contains(r.StatusMessage, "Status as of 14/03/2026 09:30 UTC (3 hours ago)") ||
				!strings.Contains(r.StatusMessageFR, "Statut au 14/03/2026 à 09:30 UTC (il y a 3 heures)") {
				t.Errorf("stale messages %q / %q", r.StatusMessage, r.StatusMessageFR)
			}
			r = fx.verify(t, revoked)
			wantStatus(t, r, false, verifier.StatusRevoked, verifier.ReasonRevoked)
			wantCheckedAt(t, r, statusEpoch, true)

			ans := fx.lists.Check(context.Background(), fx.reg, fx.did, entryOf(fx, 3))
			if ans.Status != verifier.StatusActive || !ans.Stale || ans.Err == nil || !ans.CheckedAt.Equal(statusEpoch) {
				t.Errorf("Check = %+v, want active, stale as of %v, with the error", ans, statusEpoch)
			}
			if outage == "closed" {
				return
			}
			// No new attempt within StatusFailureTTL, one after.
			if got := fx.totalHits() - hits; got != 2 {
				t.Errorf("outage: %d requests, want 2 (the two lists, once)", got)
			}
			fx.clock.Add(verifier.StatusFailureTTL - time.Second)
			wantCheckedAt(t, fx.verify(t, active), statusEpoch, true)
			if got := fx.totalHits() - hits; got != 2 {
				t.Errorf("within StatusFailureTTL: %d requests, want 2", got)
			}
			fx.clock.Add(2 * time.Second)
			fx.verify(t, active)
			if got := fx.totalHits() - hits; got != 4 {
				t.Errorf("after StatusFailureTTL: %d requests, want 4", got)
			}
			// Back up: a fresh answer.
			fx.handle("/s/mediatheque/status/0", nil)
			fx.handle("/s/mediatheque/status/0/suspension", nil)
			fx.clock.Add(verifier.StatusFailureTTL + time.Second)
			r = fx.verify(t, active)
			wantStatus(t, r, true, verifier.StatusActive, "")
			wantCheckedAt(t, r, fx.clock.Now(), false)
		})
	}
	t.Run("not found is not an outage", func(t *testing.T) {
		fx := newStatusFixture(t)
		jws := fx.credential(t, "revocation", 3, fx.revURL)
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
		fx.handle("/s/mediatheque/status/0", func(w http.ResponseWriter) { http.NotFound(w, nil) })
		fx.clock.Add(verifier.MaxStatusCacheTTL + time.Second)
		r := fx.verify(t, jws)
		wantStatus(t, r, true, verifier.StatusUnchecked, "")
		if r.StatusStale || r.StatusCheckedAt != nil {
			t.Errorf("stale %v checked at %v", r.StatusStale, r.StatusCheckedAt)
		}
	})
}

func entryOf(fx *statusFixture, index int) *schema.CredentialStatus {
	return &schema.CredentialStatus{Type: schema.TypeStatusEntry, StatusPurpose: "revocation", StatusListIndex: fmt.Sprint(index), StatusListCredential: fx.revURL}
}

// TestStatusStaleCopyExpires: a copy whose list credential has expired
// never answers, stale or not.
func TestStatusStaleCopyExpires(t *testing.T) {
	t.Run("genuine list, a day later", func(t *testing.T) {
		fx := newStatusFixture(t)
		jws := fx.credential(t, "revocation", 3, fx.revURL)
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
		fx.srv.Close()
		fx.clock.Add(issuer.StatusListValidity - time.Minute)
		wantCheckedAt(t, fx.verify(t, jws), statusEpoch, true)
		fx.clock.Add(2 * time.Minute)
		r := fx.verify(t, jws)
		wantStatus(t, r, true, verifier.StatusUnchecked, "")
		if r.StatusStale {
			t.Error("stale answer from an expired list")
		}
	})
	t.Run("a stale answer stops at validUntil", func(t *testing.T) {
		fx := newStatusFixture(t)
		url := fx.base + "/lists/short"
		fx.handle("/lists/short", func(w http.ResponseWriter) {
			now := fx.clock.Now()
			p := fx.listPayload(mustEncode([]int{7}))
			until := now.Add(10 * time.Minute)
			p["id"], p["jti"] = url, url
			p["credentialSubject"].(map[string]any)["id"] = url + "#list"
			p["validUntil"], p["exp"] = until.Format(time.RFC3339), until.Unix()
			fmt.Fprint(w, signList(t, fx.key, fx.key.KID(fx.did), p))
		})
		jws := fx.credential(t, "revocation", 7, url)
		wantStatus(t, fx.verify(t, jws), false, verifier.StatusRevoked, verifier.ReasonRevoked)
		fx.handle("/lists/short", func(w http.ResponseWriter) { http.Error(w, "down", http.StatusBadGateway) })
		fx.clock.Add(9*time.Minute + 50*time.Second)
		r := fx.verify(t, jws)
		wantStatus(t, r, false, verifier.StatusRevoked, verifier.ReasonRevoked)
		wantCheckedAt(t, r, statusEpoch, true)
		fx.clock.Add(11 * time.Second) // within StatusFailureTTL of the failure, past validUntil
		r = fx.verify(t, jws)
		wantStatus(t, r, true, verifier.StatusUnchecked, "")
	})
}

// TestStatusStaleConcurrent: while the issuer is down, concurrent checks
// of an expired list share one attempt and all get the stale answer.
func TestStatusStaleConcurrent(t *testing.T) {
	fx := newStatusFixture(t)
	jws := fx.credential(t, "revocation", 3, fx.revURL)
	wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
	release := make(chan struct{})
	for _, p := range []string{"/s/mediatheque/status/0", "/s/mediatheque/status/0/suspension"} {
		fx.handle(p, func(w http.ResponseWriter) {
			<-release
			http.Error(w, "down", http.StatusServiceUnavailable)
		})
	}
	fx.clock.Add(time.Hour)
	hits := fx.totalHits()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			r := fx.v.Verify(context.Background(), []byte(jws))
			if r.Status != verifier.StatusActive || !r.StatusStale || r.StatusCheckedAt == nil || !r.StatusCheckedAt.Equal(statusEpoch) {
				t.Errorf("status %q stale %v checked at %v", r.Status, r.StatusStale, r.StatusCheckedAt)
			}
		})
	}
	for fx.totalHits() == hits {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if got := fx.totalHits() - hits; got != 2 {
		t.Errorf("8 concurrent checks made %d requests, want 2", got)
	}
}

// openStore opens a real SQLite database as the status list store.
func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// restart is a verifier with an empty memory sharing fx's trust, clock
// and store.
func (fx *statusFixture) restart(store verifier.StatusStore) (*verifier.Verifier, *verifier.StatusLists) {
	lists := &verifier.StatusLists{Client: local, Now: fx.clock.Now, Store: store}
	return &verifier.Verifier{Trust: fx.reg, Now: fx.clock.Now, Status: lists}, lists
}

// TestStatusStore: lists read over HTTP are kept in the store; a restarted
// verifier answers from them (stale) while the issuer is down, and
// revalidates them with their ETag when it is up.
func TestStatusStore(t *testing.T) {
	ctx := context.Background()
	fx := newStatusFixture(t)
	db := openStore(t)
	fx.lists.Store = db
	cs := fx.cacheServer()
	cs.etag = true
	fx.set(func() { fx.revoked = []int{7} })
	revoked, active := fx.credential(t, "revocation", 7, fx.revURL), fx.credential(t, "revocation", 3, fx.revURL)
	wantStatus(t, fx.verify(t, revoked), false, verifier.StatusRevoked, verifier.ReasonRevoked)
	wantStatus(t, fx.verify(t, active), true, verifier.StatusActive, "")
	for _, u := range []string{fx.revURL, fx.suspURL} {
		l, err := db.LoadStatusList(ctx, u)
		if err != nil || l == nil || l.JWS == "" || l.ETag == "" || !l.CheckedAt.Equal(statusEpoch) {
			t.Fatalf("stored %s: %+v, %v", u, l, err)
		}
	}

	t.Run("restarted while the issuer is down", func(t *testing.T) {
		for _, p := range []string{"/s/mediatheque/status/0", "/s/mediatheque/status/0/suspension"} {
			fx.handle(p, func(w http.ResponseWriter) { http.Error(w, "down", http.StatusServiceUnavailable) })
		}
		defer fx.handle("/s/mediatheque/status/0", nil)
		defer fx.handle("/s/mediatheque/status/0/suspension", nil)
		fx.clock.Add(2 * time.Hour)
		v, _ := fx.restart(db)
		r := verify(t, v, []byte(active))
		wantStatus(t, r, true, verifier.StatusActive, "")
		wantCheckedAt(t, r, statusEpoch, true)
		r = verify(t, v, []byte(revoked))
		wantStatus(t, r, false, verifier.StatusRevoked, verifier.ReasonRevoked)
		wantCheckedAt(t, r, statusEpoch, true)
		// Without the store, nothing to answer from.
		v, _ = fx.restart(nil)
		wantStatus(t, verify(t, v, []byte(active)), true, verifier.StatusUnchecked, "")
	})

	t.Run("restarted, revalidated", func(t *testing.T) {
		before := cs.count(cs.notModified, fx.revURL)
		v, _ := fx.restart(db)
		r := verify(t, v, []byte(revoked))
		wantStatus(t, r, false, verifier.StatusRevoked, verifier.ReasonRevoked)
		wantCheckedAt(t, r, fx.clock.Now(), false)
		if n := cs.count(cs.notModified, fx.revURL) - before; n != 1 {
			t.Errorf("%d answers 304 to the stored ETag, want 1", n)
		}
		l, err := db.LoadStatusList(ctx, fx.revURL)
		if err != nil || l == nil || !l.CheckedAt.Equal(fx.clock.Now()) {
			t.Errorf("after the 304, stored %+v, %v; want checked at %v", l, err, fx.clock.Now())
		}
	})
}

// TestStatusStoreRefused: a stored copy is verified again in full before
// it answers: tampered, signed by someone else, another list's, or
// expired, it is refused and the status stays unchecked.
func TestStatusStoreRefused(t *testing.T) {
	ctx := context.Background()
	fx := newStatusFixture(t)
	genuine, err := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: fx.revURL, Purpose: "revocation", Now: fx.clock.Now()}, fx.key)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, 0, 100)
	for i := range 100 {
		all = append(all, i)
	}
	forged, err := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: fx.revURL, Purpose: "revocation", Set: all, Now: fx.clock.Now()}, fx.key)
	if err != nil {
		t.Fatal(err)
	}
	g, f := strings.Split(genuine, "."), strings.Split(forged, ".")
	byOther, err := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.other, URL: fx.revURL, Purpose: "revocation", Set: all, Now: fx.clock.Now()}, fx.otherK)
	if err != nil {
		t.Fatal(err)
	}
	otherList, err := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: fx.suspURL, Purpose: "revocation", Set: all, Now: fx.clock.Now()}, fx.key)
	if err != nil {
		t.Fatal(err)
	}
	old, err := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: fx.revURL, Purpose: "revocation", Set: all, Now: fx.clock.Now().Add(-25 * time.Hour)}, fx.key)
	if err != nil {
		t.Fatal(err)
	}
	fx.handle("/s/mediatheque/status/0", func(w http.ResponseWriter) { http.Error(w, "down", http.StatusServiceUnavailable) })
	jws := fx.credential(t, "revocation", 7, fx.revURL)
	for _, tc := range []struct{ name, jws string }{
		{"tampered payload", g[0] + "." + f[1] + "." + g[2]},
		{"signed by another trusted issuer", byOther},
		{"another list", otherList},
		{"expired", old},
		{"not a JWS", "garbage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openStore(t)
			if err := db.SaveStatusList(ctx, &verifier.StoredStatusList{URL: fx.revURL, JWS: tc.jws, CheckedAt: statusEpoch.Add(-time.Minute)}); err != nil {
				t.Fatal(err)
			}
			v, _ := fx.restart(db)
			r := verify(t, v, []byte(jws))
			wantStatus(t, r, true, verifier.StatusUnchecked, "")
		})
	}
	t.Run("a genuine copy (the control)", func(t *testing.T) {
		db := openStore(t)
		if err := db.SaveStatusList(ctx, &verifier.StoredStatusList{URL: fx.revURL, JWS: forged, CheckedAt: statusEpoch.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		v, _ := fx.restart(db)
		r := verify(t, v, []byte(jws))
		wantStatus(t, r, false, verifier.StatusRevoked, verifier.ReasonRevoked)
		wantCheckedAt(t, r, statusEpoch.Add(-time.Minute), true)
	})
}

// TestStatusStoreEdges: lists answered by Local are never stored, and a
// store that fails never fails a check.
func TestStatusStoreEdges(t *testing.T) {
	ctx := context.Background()
	t.Run("local lists are not stored", func(t *testing.T) {
		fx := newStatusFixture(t)
		db := openStore(t)
		fx.lists.Store = db
		fx.lists.Local = func(ctx context.Context, url string) (string, bool, error) {
			if url == fx.suspURL {
				return "", true, verifier.ErrStatusListNotFound
			}
			jws, err := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: url, Purpose: "revocation", Now: fx.clock.Now()}, fx.key)
			return jws, true, err
		}
		r := fx.verify(t, fx.credential(t, "revocation", 3, fx.revURL))
		wantStatus(t, r, true, verifier.StatusActive, "")
		wantCheckedAt(t, r, statusEpoch, false)
		if l, err := db.LoadStatusList(ctx, fx.revURL); l != nil || err != nil {
			t.Errorf("a local list was stored: %+v, %v", l, err)
		}
		if fx.totalHits() != 0 {
			t.Errorf("%d HTTP requests", fx.totalHits())
		}
	})
	t.Run("a failing store", func(t *testing.T) {
		fx := newStatusFixture(t)
		db := openStore(t)
		db.Close() // every query fails
		fx.lists.Store = db
		jws := fx.credential(t, "revocation", 3, fx.revURL)
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
		fx.lists.Forget()
		fx.srv.Close()
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusUnchecked, "")
	})
}

func TestAgeText(t *testing.T) {
	for _, tc := range []struct {
		d      time.Duration
		en, fr string
	}{
		{0, "less than a minute", "moins d'une minute"},
		{-5 * time.Minute, "less than a minute", "moins d'une minute"},
		{59 * time.Second, "less than a minute", "moins d'une minute"},
		{time.Minute, "1 minute", "1 minute"},
		{2*time.Minute + 59*time.Second, "2 minutes", "2 minutes"},
		{59 * time.Minute, "59 minutes", "59 minutes"},
		{time.Hour, "1 hour", "1 heure"},
		{3*time.Hour + 59*time.Minute, "3 hours", "3 heures"},
		{23 * time.Hour, "23 hours", "23 heures"},
		{24 * time.Hour, "1 day", "1 jour"},
		{5*24*time.Hour + time.Hour, "5 days", "5 jours"},
		// Counts as each language writes them (the catalogue's printer).
		{1500 * 24 * time.Hour, "1,500 days", "1\u00a0500 jours"},
	} {
		if en, fr := verifier.AgeText(tc.d); en != tc.en || fr != tc.fr {
			t.Errorf("AgeText(%v) = %q, %q; want %q, %q", tc.d, en, fr, tc.en, tc.fr)
		}
	}
	at := time.Date(2026, 11, 22, 10, 4, 0, 0, time.UTC)
	en, fr := verifier.StaleStatusText(at, at.Add(3*time.Hour+20*time.Minute))
	if en != "Status as of 22/11/2026 10:04 UTC (3 hours ago): the issuer's server could not be reached just now." ||
		fr != "Statut au 22/11/2026 à 10:04 UTC (il y a 3 heures) : le serveur de l'émetteur n'a pas pu être joint à l'instant." {
		t.Errorf("StaleStatusText = %q / %q", en, fr)
	}
}
