package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"carnet/keys"
	"carnet/outbound"
	"carnet/verifier"

	"github.com/go-jose/go-jose/v4"
)

// foreverList serves, at path on fx's server, a revocation list of fx's
// issuer with bit 7 set and no validUntil (no exp either): only
// MaxStaleStatus bounds how long a stale copy of it may answer. It returns
// the list's URL. The URL is not shaped like Carnet's: it has no
// suspension sibling, whose own validUntil would end the stale answers.
func (fx *statusFixture) foreverList(t *testing.T, path string) string {
	t.Helper()
	u := fx.base + path
	fx.handle(path, func(w http.ResponseWriter) {
		p := fx.listPayload(mustEncode([]int{7}))
		p["id"], p["jti"] = u, u
		p["credentialSubject"].(map[string]any)["id"] = u + "#list"
		delete(p, "validUntil")
		delete(p, "exp")
		fmt.Fprint(w, signList(t, fx.key, fx.key.KID(fx.did), p))
	})
	return u
}

// TestStatusMaxStaleAge: a stale copy of a list with no validUntil answers
// for MaxStaleStatus after its issuer last confirmed it, not forever; past
// it the status is unchecked, whether the copy is in memory or in the
// store of a restarted verifier.
func TestStatusMaxStaleAge(t *testing.T) {
	t.Run("in memory", func(t *testing.T) {
		fx := newStatusFixture(t)
		u := fx.foreverList(t, "/lists/forever")
		revoked, active := fx.credential(t, "revocation", 7, u), fx.credential(t, "revocation", 3, u)
		wantStatus(t, fx.verify(t, revoked), false, verifier.StatusRevoked, verifier.ReasonRevoked)
		fx.handle("/lists/forever", func(w http.ResponseWriter) { http.Error(w, "down", http.StatusServiceUnavailable) })

		fx.clock.Add(verifier.MaxStaleStatus - time.Minute)
		r := fx.verify(t, active)
		wantStatus(t, r, true, verifier.StatusActive, "")
		wantCheckedAt(t, r, statusEpoch, true)
		// The stale answer is not kept past MaxStaleStatus, even within
		// StatusFailureTTL.
		fx.clock.Add(time.Minute - time.Second)
		wantCheckedAt(t, fx.verify(t, revoked), statusEpoch, true)
		fx.clock.Add(time.Second)
		for _, jws := range []string{revoked, active} {
			r = fx.verify(t, jws)
			wantStatus(t, r, true, verifier.StatusUnchecked, "")
			if r.StatusStale || r.StatusMessage != verifier.StatusUncheckedMessage || r.StatusMessageFR != verifier.StatusUncheckedMessageFR {
				t.Errorf("stale %v, messages %q / %q", r.StatusStale, r.StatusMessage, r.StatusMessageFR)
			}
		}
	})
	t.Run("stored, after a restart", func(t *testing.T) {
		fx := newStatusFixture(t)
		db := openStore(t)
		fx.lists.Store = db
		u := fx.foreverList(t, "/lists/forever")
		revoked := fx.credential(t, "revocation", 7, u)
		wantStatus(t, fx.verify(t, revoked), false, verifier.StatusRevoked, verifier.ReasonRevoked)
		fx.handle("/lists/forever", func(w http.ResponseWriter) { http.Error(w, "down", http.StatusServiceUnavailable) })

		fx.clock.Add(verifier.MaxStaleStatus - time.Minute)
		v, _ := fx.restart(db)
		r := verify(t, v, []byte(revoked))
		wantStatus(t, r, false, verifier.StatusRevoked, verifier.ReasonRevoked)
		wantCheckedAt(t, r, statusEpoch, true)

		fx.clock.Add(2 * time.Minute)
		v, _ = fx.restart(db)
		r = verify(t, v, []byte(revoked))
		wantStatus(t, r, true, verifier.StatusUnchecked, "")
		if r.StatusStale {
			t.Error("stale answer from a stored copy older than MaxStaleStatus")
		}
	})
}

// validatorServer serves one list credential (set with serve) over HTTP
// with an ETag, answering 304 to a request that holds it, and counts the
// conditional requests.
type validatorServer struct {
	srv *httptest.Server

	mu          sync.Mutex
	jws         string
	down        bool
	conditional int
}

func newValidatorServer(t *testing.T) *validatorServer {
	vs := &validatorServer{}
	vs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vs.mu.Lock()
		defer vs.mu.Unlock()
		if vs.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			vs.conditional++
			if inm == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		fmt.Fprint(w, vs.jws)
	}))
	t.Cleanup(vs.srv.Close)
	return vs
}

func (vs *validatorServer) set(f func()) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	f()
}

// TestStatusCopyKeyNoLongerTrusted: a copy of a list in memory answers
// (stale, or revalidated by a 304) only while the key that signed it is
// still trusted for its issuer, as a stored copy is verified again: once
// the registry drops that key, or gives its id to another key, the list is
// read in full, or the status is unchecked.
func TestStatusCopyKeyNoLongerTrusted(t *testing.T) {
	// setup trusts a second key of fx's issuer, signs a list with it (bit 7
	// set) and serves it with an ETag; the credential is signed with the
	// first key, which stays trusted.
	setup := func(t *testing.T) (*statusFixture, *validatorServer, *keys.Key, string) {
		fx := newStatusFixture(t)
		ring, err := keys.NewMemStore().Ring("mediatheque")
		if err != nil {
			t.Fatal(err)
		}
		listKey := ring.Signer()
		if err := fx.reg.Add(verifier.LocalIssuer(fx.did, "mediatheque", ring)); err != nil {
			t.Fatal(err)
		}
		vs := newValidatorServer(t)
		u := vs.srv.URL + "/list"
		p := fx.listPayload(mustEncode([]int{7}))
		p["id"], p["jti"] = u, u
		p["credentialSubject"].(map[string]any)["id"] = u + "#list"
		vs.jws = signList(t, listKey, listKey.KID(fx.did), p)
		jws := fx.credential(t, "revocation", 7, u)
		wantStatus(t, fx.verify(t, jws), false, verifier.StatusRevoked, verifier.ReasonRevoked)
		return fx, vs, listKey, jws
	}
	// retrust makes fx's registry trust the credential's key, the other
	// issuer's, and extra keys of fx's issuer.
	retrust := func(t *testing.T, fx *statusFixture, extra ...jose.JSONWebKey) {
		reg := verifier.NewRegistry()
		for _, ti := range []*verifier.TrustedIssuer{
			{ID: fx.did, Source: "local", Local: true, Keys: append([]jose.JSONWebKey{fx.key.PublicJWK(fx.did)}, extra...)},
			{ID: fx.other, Source: "local", Local: true, Keys: []jose.JSONWebKey{fx.otherK.PublicJWK(fx.other)}},
		} {
			if err := reg.Add(ti); err != nil {
				t.Fatal(err)
			}
		}
		fx.reg.ReplaceWith(reg)
	}
	another := func(t *testing.T) *keys.Key {
		ring, err := keys.NewMemStore().Ring("elsewhere")
		if err != nil {
			t.Fatal(err)
		}
		return ring.Signer()
	}

	t.Run("control: still trusted, a 304 renews the copy", func(t *testing.T) {
		fx, vs, listKey, jws := setup(t)
		retrust(t, fx, listKey.PublicJWK(fx.did))
		fx.clock.Add(verifier.MaxStatusCacheTTL + time.Second)
		r := fx.verify(t, jws)
		wantStatus(t, r, false, verifier.StatusRevoked, verifier.ReasonRevoked)
		wantCheckedAt(t, r, fx.clock.Now(), false)
		vs.set(func() {
			if vs.conditional != 1 {
				t.Errorf("%d conditional requests, want 1", vs.conditional)
			}
		})
	})
	t.Run("key dropped, issuer down: no stale answer", func(t *testing.T) {
		fx, vs, _, jws := setup(t)
		retrust(t, fx)
		vs.set(func() { vs.down = true })
		fx.clock.Add(verifier.MaxStatusCacheTTL + time.Second)
		r := fx.verify(t, jws)
		wantStatus(t, r, true, verifier.StatusUnchecked, "")
		if r.StatusStale {
			t.Error("stale answer from a copy signed by a key no longer trusted")
		}
	})
	t.Run("key id given to another key, issuer down: no stale answer", func(t *testing.T) {
		fx, vs, listKey, jws := setup(t)
		k := another(t).PublicJWK(fx.did)
		k.KeyID = listKey.KID(fx.did)
		retrust(t, fx, k)
		vs.set(func() { vs.down = true })
		fx.clock.Add(verifier.MaxStatusCacheTTL + time.Second)
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusUnchecked, "")
	})
	t.Run("key dropped, issuer up: read in full, not revalidated", func(t *testing.T) {
		fx, vs, _, jws := setup(t)
		retrust(t, fx)
		fx.clock.Add(verifier.MaxStatusCacheTTL + time.Second)
		// The list, read in full, no longer verifies.
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusUnchecked, "")
		vs.set(func() {
			if vs.conditional != 0 {
				t.Errorf("%d conditional requests for a copy whose key is no longer trusted", vs.conditional)
			}
		})
	})
}

// TestStatusPublicOnly: status lists are fetched, by default or with a
// public instance's outbound client, without ever connecting to loopback or
// private addresses; a development instance's client reads them.
func TestStatusPublicOnly(t *testing.T) {
	for name, client := range map[string]*http.Client{
		"default":         nil,
		"public instance": outbound.ForBaseURL("https://carnet.example.org").HTTP(),
	} {
		fx := newStatusFixture(t)
		fx.lists.Client = client
		jws := fx.credential(t, "revocation", 3, fx.revURL)
		r := fx.verify(t, jws)
		wantStatus(t, r, true, verifier.StatusUnchecked, "")
		if n := fx.totalHits(); n != 0 {
			t.Errorf("%s: the loopback server was reached %d times", name, n)
		}
		ans := fx.lists.Check(context.Background(), fx.reg, fx.did, entryOf(fx, 3))
		if !errors.Is(ans.Err, outbound.ErrNotAllowed) {
			t.Errorf("%s: Check = %+v, want the dialler's refusal", name, ans)
		}
	}

	fx := newStatusFixture(t)
	fx.lists.Client = outbound.ForBaseURL("http://localhost:8080").HTTP()
	wantStatus(t, fx.verify(t, fx.credential(t, "revocation", 3, fx.revURL)), true, verifier.StatusActive, "")
}
