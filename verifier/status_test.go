package verifier_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"

	"github.com/go-jose/go-jose/v4"
)

// The status fixture: a structure "mediatheque" served by a real HTTP server
// on 127.0.0.1 issues credentials whose status entries point at that
// server, which signs its revocation and suspension lists on each request
// with the structure's real key. A second trusted structure, "atelier",
// signs lists it has no business signing.

var statusEpoch = time.Date(2026, time.March, 14, 9, 30, 0, 0, time.UTC)

// testClock is a clock tests move forward; safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type statusFixture struct {
	srv     *httptest.Server
	base    string
	did     string
	key     *keys.Key
	ed      *keys.EdKey // mediatheque's Ed25519 key (Data Integrity)
	other   string      // did of "atelier", trusted too
	otherK  *keys.Key
	reg     *verifier.Registry
	clock   *testClock
	lists   *verifier.StatusLists
	v       *verifier.Verifier
	revURL  string // list 0 of mediatheque
	suspURL string

	mu        sync.Mutex
	revoked   []int
	suspended []int
	noSusp    bool                                 // the suspension list answers 404
	ttl       time.Duration                        // of the lists served
	handlers  map[string]func(http.ResponseWriter) // path → answer replacing the genuine list
	hits      map[string]int                       // path → requests
	// respond, when set, writes the answer that carries a genuine list
	// (signed from in), e.g. with HTTP caching headers or 304.
	respond func(w http.ResponseWriter, r *http.Request, jws string, in issuer.StatusListInput)
}

func newStatusFixture(tb testing.TB) *statusFixture {
	tb.Helper()
	fx := &statusFixture{clock: &testClock{t: statusEpoch}, reg: verifier.NewRegistry(), handlers: map[string]func(http.ResponseWriter){}, hits: map[string]int{}}
	fx.srv = httptest.NewServer(http.HandlerFunc(fx.serve))
	tb.Cleanup(fx.srv.Close)
	fx.base = fx.srv.URL
	store := keys.NewMemStore()
	var err error
	for _, s := range []struct {
		slug string
		did  *string
		key  **keys.Key
	}{{"mediatheque", &fx.did, &fx.key}, {"atelier", &fx.other, &fx.otherK}} {
		if *s.did, err = keys.DIDWeb(fx.base, s.slug); err != nil {
			tb.Fatal(err)
		}
		ring, err := store.Ring(s.slug)
		if err != nil {
			tb.Fatal(err)
		}
		*s.key = ring.Signer()
		if s.slug == "mediatheque" {
			fx.ed = ring.EdSigner()
		}
		if err := fx.reg.Add(verifier.LocalIssuer(*s.did, s.slug, ring)); err != nil {
			tb.Fatal(err)
		}
	}
	fx.revURL = issuer.StatusListURL(fx.base, "mediatheque", 0)
	fx.suspURL = issuer.SuspensionListURL(fx.base, "mediatheque", 0)
	fx.lists = &verifier.StatusLists{Client: local, Now: fx.clock.Now}
	fx.v = &verifier.Verifier{Trust: fx.reg, Now: fx.clock.Now, Status: fx.lists}
	return fx
}

// serve answers the lists of mediatheque (list 0 and its suspension
// sibling), or what a test put in handlers.
func (fx *statusFixture) serve(w http.ResponseWriter, r *http.Request) {
	fx.mu.Lock()
	fx.hits[r.URL.Path]++
	h := fx.handlers[r.URL.Path]
	respond := fx.respond
	in := issuer.StatusListInput{Issuer: fx.did, URL: fx.base + r.URL.Path, Now: fx.clock.Now(), TTL: fx.ttl}
	switch {
	case h != nil:
	case r.URL.Path == strings.TrimPrefix(fx.revURL, fx.base):
		in.Purpose, in.Set = issuer.PurposeRevocation, append([]int(nil), fx.revoked...)
	case r.URL.Path == strings.TrimPrefix(fx.suspURL, fx.base) && !fx.noSusp:
		in.Purpose, in.Set = issuer.PurposeSuspension, append([]int(nil), fx.suspended...)
	}
	fx.mu.Unlock()
	if h != nil {
		h(w)
		return
	}
	if in.Purpose == "" {
		http.NotFound(w, r)
		return
	}
	jws, err := issuer.SignStatusList(in, fx.key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if respond != nil {
		respond(w, r, jws, in)
		return
	}
	w.Header().Set("Content-Type", "application/vc+jwt")
	fmt.Fprint(w, jws)
}

func (fx *statusFixture) set(f func()) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	f()
}

func (fx *statusFixture) handle(path string, h func(http.ResponseWriter)) {
	fx.set(func() { fx.handlers[path] = h })
}

func (fx *statusFixture) hitsOf(url string) int {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return fx.hits[strings.TrimPrefix(url, fx.base)]
}

func (fx *statusFixture) totalHits() int {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	n := 0
	for _, h := range fx.hits {
		n += h
	}
	return n
}

// credential issues a genuine credential of mediatheque whose status entry
// has this purpose, index and list (no entry when list is "").
func (fx *statusFixture) credential(tb testing.TB, purpose string, index int, list string) string {
	tb.Helper()
	fw, err := schema.NewFrameworks().Get("digcomp-2.2")
	if err != nil {
		tb.Fatal(err)
	}
	var status *schema.CredentialStatus
	if list != "" {
		idx := strconv.Itoa(index)
		status = &schema.CredentialStatus{ID: list + "#" + idx, Type: schema.TypeStatusEntry, StatusPurpose: purpose, StatusListIndex: idx, StatusListCredential: list}
	}
	c, err := issuer.Build(issuer.BuildInput{
		ID:        issuer.NameUUID("status test", purpose, list, strconv.Itoa(index)),
		Issuer:    schema.Profile{ID: fx.did, Type: schema.Types{"Profile"}, Name: "Médiathèque", URL: fx.base},
		Framework: fw,
		Assessment: schema.Assessment{
			LearnerName: "Awa Diallo", SubjectID: issuer.NameUUID("subject", strconv.Itoa(index)), Framework: fw.ID,
			Results: []schema.LevelResult{{Competency: "1.1", Level: "3"}}, AssessedAt: statusEpoch.Add(-time.Hour),
		},
		Status: status,
	})
	if err != nil {
		tb.Fatal(err)
	}
	jws, _, err := issuer.SignCredential(c, fx.key)
	if err != nil {
		tb.Fatal(err)
	}
	return jws
}

func (fx *statusFixture) verify(tb testing.TB, jws string) *verifier.Result {
	tb.Helper()
	return verify(tb, fx.v, []byte(jws))
}

func wantStatus(tb testing.TB, r *verifier.Result, valid bool, status, reason string) {
	tb.Helper()
	if r.Valid != valid || r.Status != status || r.Reason != reason {
		tb.Fatalf("valid=%v status=%q reason=%q, want valid=%v status=%q reason=%q", r.Valid, r.Status, r.Reason, valid, status, reason)
	}
	if said := status == verifier.StatusUnchecked || r.StatusStale; said != (r.StatusMessage != "" && r.StatusMessageFR != "") {
		tb.Errorf("status %q (stale %v) with status messages %q / %q", status, r.StatusStale, r.StatusMessage, r.StatusMessageFR)
	}
	if checked := status != "" && status != verifier.StatusUnchecked; checked != (r.StatusCheckedAt != nil) {
		tb.Errorf("status %q checked at %v", status, r.StatusCheckedAt)
	}
	if reason != "" {
		if en, fr := verifier.ReasonText(reason); en == reason || fr == reason || r.Message != en || r.MessageFR != fr {
			tb.Errorf("reason %q: message %q / %q", reason, r.Message, r.MessageFR)
		}
	}
}

func TestStatusOfCredentials(t *testing.T) {
	fx := newStatusFixture(t)
	fx.set(func() { fx.revoked, fx.suspended = []int{7, 131071}, []int{0, 8, 131071} })
	for _, tc := range []struct {
		name    string
		purpose string
		index   int
		list    string
		valid   bool
		status  string
		reason  string
	}{
		{"active", "revocation", 1, fx.revURL, true, verifier.StatusActive, ""},
		{"revoked", "revocation", 7, fx.revURL, false, verifier.StatusRevoked, verifier.ReasonRevoked},
		{"revoked at the last index", "revocation", 131071, fx.revURL, false, verifier.StatusRevoked, verifier.ReasonRevoked},
		{"suspended at index 0", "revocation", 0, fx.revURL, false, verifier.StatusSuspended, verifier.ReasonSuspended},
		{"suspended", "revocation", 8, fx.revURL, false, verifier.StatusSuspended, verifier.ReasonSuspended},
		{"suspension entry", "suspension", 8, fx.suspURL, false, verifier.StatusSuspended, verifier.ReasonSuspended},
		{"suspension entry, not suspended", "suspension", 7, fx.suspURL, true, verifier.StatusActive, ""},
		{"no credentialStatus", "", 0, "", true, "", ""},
		{"index past the list", "revocation", 131072, fx.revURL, true, verifier.StatusUnchecked, ""},
		{"message purpose", "message", 7, fx.revURL, true, verifier.StatusUnchecked, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fx.verify(t, fx.credential(t, tc.purpose, tc.index, tc.list))
			wantStatus(t, r, tc.valid, tc.status, tc.reason)
			if r.Learner != "Awa Diallo" || r.Issuer == nil || !r.Issuer.Trusted {
				t.Errorf("a revoked or suspended credential still says what and who: learner %q issuer %+v", r.Learner, r.Issuer)
			}
		})
	}
	t.Run("no status lists configured", func(t *testing.T) {
		v := &verifier.Verifier{Trust: fx.reg, Now: fx.clock.Now}
		r := verify(t, v, []byte(fx.credential(t, "revocation", 7, fx.revURL)))
		wantStatus(t, r, true, verifier.StatusUnchecked, "")
	})
	t.Run("no suspension list", func(t *testing.T) {
		fx.set(func() { fx.noSusp = true })
		fx.lists.Forget()
		r := fx.verify(t, fx.credential(t, "revocation", 8, fx.revURL))
		wantStatus(t, r, true, verifier.StatusActive, "")
		if fx.hitsOf(fx.suspURL) == 0 {
			t.Error("the suspension list was not asked for")
		}
	})
	t.Run("card token", func(t *testing.T) {
		hits := fx.totalHits()
		card, err := issuer.SignCard(&schema.CardClaims{Iss: fx.did, Jti: "urn:uuid:card", Nbf: statusEpoch.Unix(), Name: "Awa Diallo", Framework: "digcomp-2.2",
			Levels: []schema.CardLevel{{Competency: "1.1", Level: "3"}}, Digest: "AAAAAAAAAAAAAAAAAAAAAA"}, fx.key)
		if err != nil {
			t.Fatal(err)
		}
		r := fx.verify(t, card)
		wantStatus(t, r, true, "", "")
		if fx.totalHits() != hits {
			t.Error("a card token fetched a status list")
		}
	})
}

func TestStatusSuspendThenReinstate(t *testing.T) {
	fx := newStatusFixture(t)
	jws := fx.credential(t, "revocation", 4242, fx.revURL)
	wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")

	fx.set(func() { fx.suspended = []int{4242} })
	wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "") // cached: not seen yet
	fx.lists.Invalidate(fx.suspURL)
	wantStatus(t, fx.verify(t, jws), false, verifier.StatusSuspended, verifier.ReasonSuspended)

	fx.set(func() { fx.suspended = nil })
	fx.lists.Invalidate(fx.suspURL)
	wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")

	fx.set(func() { fx.revoked = []int{4242} })
	fx.lists.Invalidate(fx.revURL)
	wantStatus(t, fx.verify(t, jws), false, verifier.StatusRevoked, verifier.ReasonRevoked)
	if got := fx.hitsOf(fx.revURL); got != 2 {
		t.Errorf("revocation list fetched %d times, want 2 (first check, after Invalidate)", got)
	}
}

// signList signs an arbitrary list credential payload as the issuer would,
// so that tests can serve lists SignStatusList would never write.
func signList(tb testing.TB, k *keys.Key, kid string, payload map[string]any) string {
	tb.Helper()
	b, err := schema.MarshalCompact(payload)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k.Private, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		tb.Fatal(err)
	}
	obj, err := signer.Sign(b)
	if err != nil {
		tb.Fatal(err)
	}
	obj.Signatures[0].Signature = keys.LowS(obj.Signatures[0].Signature)
	s, err := obj.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// listPayload is a genuine revocation list credential of the fixture with
// the given encodedList.
func (fx *statusFixture) listPayload(encoded string) map[string]any {
	now := fx.clock.Now()
	return map[string]any{
		"@context": []string{schema.ContextVC2}, "id": fx.revURL, "type": []string{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer": fx.did, "validFrom": schema.FormatTime(now), "validUntil": schema.FormatTime(now.Add(time.Hour)),
		"credentialSubject": map[string]any{"id": fx.revURL + "#list", "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": encoded, "ttl": 60000},
		"iss":               fx.did, "jti": fx.revURL, "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

// gzipBomb is an encodedList that inflates to 16 MiB, 64 times
// MaxStatusListBits: 16 gzip members of 1 MiB of zeros, which a gzip
// reader reads one after the other.
var gzipBomb = sync.OnceValue(func() string {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	return "u" + base64.RawURLEncoding.EncodeToString(bytes.Repeat(member.Bytes(), 16))
})

func gzipped(tb testing.TB, b []byte) string {
	tb.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// TestStatusUnchecked serves lists that must not be believed. Each leaves
// the credential valid (its signature and issuer are fine) and marked
// unchecked, never revoked: a list the issuer did not sign, or cannot be
// read, says nothing either way. In particular a list signed by another
// trusted issuer is neither a revocation (a third party cannot revoke
// someone else's credentials) nor a confirmation that all is well.
func TestStatusUnchecked(t *testing.T) {
	sign := func(in issuer.StatusListInput, k *keys.Key) func(fx *statusFixture) string {
		return func(fx *statusFixture) string {
			if in.Issuer == "" {
				in.Issuer = fx.did
			} else if in.Issuer == "other" {
				in.Issuer = fx.other
			}
			if in.URL == "" {
				in.URL = fx.revURL
			}
			if in.Purpose == "" {
				in.Purpose = issuer.PurposeRevocation
			}
			if in.Now.IsZero() {
				in.Now = fx.clock.Now()
			}
			if k == nil {
				k = fx.key
			} else if k.Private == nil {
				k = fx.otherK
			}
			jws, err := issuer.SignStatusList(in, k)
			if err != nil {
				t.Fatal(err)
			}
			return jws
		}
	}
	other := &keys.Key{} // stands for the key of "atelier"
	stranger, err := keys.NewKey(nil, statusEpoch)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, 0, 1000)
	for i := range 1000 {
		all = append(all, i)
	}
	type served struct {
		status int
		body   func(fx *statusFixture) string
	}
	for _, tc := range []struct {
		name string
		list served
	}{
		{"signed by another trusted issuer", served{200, sign(issuer.StatusListInput{Issuer: "other", Set: all}, other)}},
		{"claims the issuer, signed by another's key", served{200, sign(issuer.StatusListInput{Set: all}, other)}},
		{"signed by an untrusted key of the issuer's DID", served{200, sign(issuer.StatusListInput{Set: all}, stranger)}},
		{"suspension list at the revocation URL", served{200, sign(issuer.StatusListInput{Purpose: issuer.PurposeSuspension, Set: all}, nil)}},
		{"list of another URL", served{200, sign(issuer.StatusListInput{URL: issuer.StatusListURL("https://carnet.example.org", "mediatheque", 1), Set: all}, nil)}},
		{"expired list", served{200, sign(issuer.StatusListInput{Now: statusEpoch.Add(-25 * time.Hour), Set: all}, nil)}},
		{"list not valid yet", served{200, sign(issuer.StatusListInput{Now: statusEpoch.Add(time.Hour), Set: all}, nil)}},
		{"list too short", served{200, func(fx *statusFixture) string {
			return signList(t, fx.key, fx.key.KID(fx.did), fx.listPayload(gzipped(t, bytes.Repeat([]byte{0xff}, 1024))))
		}}},
		{"gzip bomb", served{200, func(fx *statusFixture) string {
			return signList(t, fx.key, fx.key.KID(fx.did), fx.listPayload(gzipBomb()))
		}}},
		{"list over the size limit", served{200, func(fx *statusFixture) string {
			return signList(t, fx.key, fx.key.KID(fx.did), fx.listPayload(gzipped(t, bytes.Repeat([]byte{0xff}, verifier.MaxStatusListBits/8+1))))
		}}},
		{"encodedList not multibase", served{200, func(fx *statusFixture) string {
			return signList(t, fx.key, fx.key.KID(fx.did), fx.listPayload(strings.TrimPrefix(gzipped(t, make([]byte, 16384)), "u")))
		}}},
		{"encodedList not gzip", served{200, func(fx *statusFixture) string {
			return signList(t, fx.key, fx.key.KID(fx.did), fx.listPayload("u"+base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 16384))))
		}}},
		{"header with a jwk", served{200, func(fx *statusFixture) string {
			jws := sign(issuer.StatusListInput{Set: all}, nil)(fx)
			h := b64([]byte(`{"alg":"ES256","kid":"` + fx.key.KID(fx.did) + `","typ":"JWT","jwk":{}}`))
			return h + jws[strings.IndexByte(jws, '.'):]
		}}},
		{"alg none", served{200, func(fx *statusFixture) string {
			jws := sign(issuer.StatusListInput{Set: all}, nil)(fx)
			p := strings.Split(jws, ".")
			return b64([]byte(`{"alg":"none","kid":"`+fx.key.KID(fx.did)+`"}`)) + "." + p[1] + "."
		}}},
		{"tampered list", served{200, func(fx *statusFixture) string {
			genuine := strings.Split(sign(issuer.StatusListInput{}, nil)(fx), ".")
			forged := strings.Split(sign(issuer.StatusListInput{Set: all}, nil)(fx), ".")
			return genuine[0] + "." + forged[1] + "." + genuine[2]
		}}},
		{"high-S twin of the list's signature", served{200, func(fx *statusFixture) string {
			return highS(t, sign(issuer.StatusListInput{Set: all}, nil)(fx))
		}}},
		{"body over 1 MiB", served{200, func(fx *statusFixture) string { return strings.Repeat("a", verifier.MaxStatusListDocument+1) }}},
		{"HTML page", served{200, func(fx *statusFixture) string { return "<html><body>Bienvenue</body></html>" }}},
		{"server error", served{500, func(fx *statusFixture) string { return "oops" }}},
		{"revocation list missing", served{404, func(fx *statusFixture) string { return "not found" }}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newStatusFixture(t)
			body := tc.list.body(fx)
			fx.handle("/s/mediatheque/status/0", func(w http.ResponseWriter) {
				w.WriteHeader(tc.list.status)
				fmt.Fprint(w, body)
			})
			r := fx.verify(t, fx.credential(t, "revocation", 7, fx.revURL))
			wantStatus(t, r, true, verifier.StatusUnchecked, "")
			// The failure is remembered for a while: no second fetch.
			fx.verify(t, fx.credential(t, "revocation", 7, fx.revURL))
			if got := fx.hitsOf(fx.revURL); got != 1 {
				t.Errorf("list fetched %d times, want 1", got)
			}
			fx.lists.Forget()
			entry := &schema.CredentialStatus{Type: schema.TypeStatusEntry, StatusPurpose: "revocation", StatusListIndex: "7", StatusListCredential: fx.revURL}
			ans := fx.lists.Check(context.Background(), fx.reg, fx.did, entry)
			if ans.Status != verifier.StatusUnchecked || ans.Err == nil || ans.Stale || !ans.CheckedAt.IsZero() {
				t.Errorf("Check = %+v; want unchecked with an error", ans)
			}
			t.Logf("why: %v", ans.Err)
		})
	}
	t.Run("server unreachable", func(t *testing.T) {
		fx := newStatusFixture(t)
		jws := fx.credential(t, "revocation", 7, fx.revURL)
		fx.srv.Close()
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusUnchecked, "")
	})
	t.Run("plain http off loopback", func(t *testing.T) {
		fx := newStatusFixture(t)
		var asked []string
		fx.lists.Client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			asked = append(asked, r.URL.String())
			return nil, fmt.Errorf("no network in tests")
		})}
		r := fx.verify(t, fx.credential(t, "revocation", 7, "http://carnet.example.org/s/mediatheque/status/0"))
		wantStatus(t, r, true, verifier.StatusUnchecked, "")
		if len(asked) != 0 {
			t.Errorf("fetched %v over plain http", asked)
		}
	})
	t.Run("redirect to plain http off loopback", func(t *testing.T) {
		fx := newStatusFixture(t)
		fx.handle("/s/mediatheque/status/0", func(w http.ResponseWriter) {
			w.Header().Set("Location", "http://carnet.example.org/s/mediatheque/status/0")
			w.WriteHeader(http.StatusFound)
		})
		wantStatus(t, fx.verify(t, fx.credential(t, "revocation", 7, fx.revURL)), true, verifier.StatusUnchecked, "")
		// A redirect that stays on loopback is followed; the list's id is
		// the URL the credential names.
		fx.handle("/moved", func(w http.ResponseWriter) {
			w.Header().Set("Location", "/lists/new-home")
			w.WriteHeader(http.StatusFound)
		})
		fx.handle("/lists/new-home", func(w http.ResponseWriter) {
			jws, _ := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: fx.base + "/moved", Purpose: "revocation", Set: []int{7}, Now: fx.clock.Now()}, fx.key)
			fmt.Fprint(w, jws)
		})
		r := fx.verify(t, fx.credential(t, "revocation", 7, fx.base+"/moved"))
		wantStatus(t, r, false, verifier.StatusRevoked, verifier.ReasonRevoked)
	})
	t.Run("failure forgotten after a while", func(t *testing.T) {
		fx := newStatusFixture(t)
		fx.handle("/s/mediatheque/status/0", func(w http.ResponseWriter) { http.Error(w, "down", http.StatusServiceUnavailable) })
		jws := fx.credential(t, "revocation", 7, fx.revURL)
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusUnchecked, "")
		fx.handle("/s/mediatheque/status/0", nil)
		fx.clock.Add(verifier.StatusFailureTTL + time.Second)
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestStatusCache(t *testing.T) {
	fx := newStatusFixture(t)
	fx.set(func() { fx.ttl = time.Minute })
	jws := fx.credential(t, "revocation", 3, fx.revURL)
	for range 5 {
		wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
	}
	wantStatus(t, fx.verify(t, fx.credential(t, "revocation", 99, fx.revURL)), true, verifier.StatusActive, "")
	if rev, susp := fx.hitsOf(fx.revURL), fx.hitsOf(fx.suspURL); rev != 1 || susp != 1 {
		t.Fatalf("6 checks fetched the revocation list %d times and the suspension list %d times, want 1 and 1", rev, susp)
	}
	fx.clock.Add(time.Minute + time.Second) // past the lists' ttl
	fx.verify(t, jws)
	if rev := fx.hitsOf(fx.revURL); rev != 2 {
		t.Errorf("after the ttl: %d fetches, want 2", rev)
	}

	// A long ttl is capped at MaxStatusCacheTTL.
	fx.set(func() { fx.ttl = 24 * time.Hour })
	fx.lists.Forget()
	fx.verify(t, jws)
	fx.clock.Add(verifier.MaxStatusCacheTTL - time.Second)
	fx.verify(t, jws)
	if rev := fx.hitsOf(fx.revURL); rev != 3 {
		t.Errorf("within 5 minutes: %d fetches, want 3", rev)
	}
	fx.clock.Add(2 * time.Second)
	fx.verify(t, jws)
	if rev := fx.hitsOf(fx.revURL); rev != 4 {
		t.Errorf("after 5 minutes: %d fetches, want 4", rev)
	}
}

func TestStatusCancelledNotCached(t *testing.T) {
	fx := newStatusFixture(t)
	jws := fx.credential(t, "revocation", 3, fx.revURL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := fx.v.Verify(ctx, []byte(jws))
	wantStatus(t, r, true, verifier.StatusUnchecked, "")
	// The caller gave up: that says nothing about the list, which is read
	// at once by the next check.
	wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
}

func TestStatusCacheBounded(t *testing.T) {
	fx := newStatusFixture(t)
	fx.lists.MaxEntries = 2
	// Lists at URLs not shaped like Carnet's have no suspension sibling:
	// one cache entry each.
	var creds []string
	for _, name := range []string{"a", "b", "c"} {
		url := fx.base + "/lists/" + name
		path := "/lists/" + name
		fx.handle(path, func(w http.ResponseWriter) {
			jws, err := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: url, Purpose: "revocation", Now: fx.clock.Now()}, fx.key)
			if err != nil {
				t.Error(err)
			}
			fmt.Fprint(w, jws)
		})
		creds = append(creds, fx.credential(t, "revocation", 1, url))
	}
	check := func(i int) {
		t.Helper()
		wantStatus(t, fx.verify(t, creds[i]), true, verifier.StatusActive, "")
		fx.clock.Add(time.Second) // later entries expire later
	}
	check(0)
	check(1)
	check(0) // cached
	check(2) // evicts a, the closest to expiry
	check(1) // cached
	check(0) // fetched again
	for name, want := range map[string]int{"a": 2, "b": 1, "c": 1} {
		if got := fx.hitsOf("/lists/" + name); got != want {
			t.Errorf("list %s fetched %d times, want %d", name, got, want)
		}
	}
}

func TestStatusLocal(t *testing.T) {
	fx := newStatusFixture(t)
	fx.set(func() { fx.revoked = []int{5} })
	var mu sync.Mutex
	var asked []string
	fx.lists.Local = func(ctx context.Context, url string) (string, bool, error) {
		if !strings.HasPrefix(url, fx.base+"/s/") {
			return "", false, nil
		}
		mu.Lock()
		asked = append(asked, url)
		mu.Unlock()
		if url == fx.suspURL {
			return "", true, verifier.ErrStatusListNotFound
		}
		jws, err := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: url, Purpose: "revocation", Set: []int{5}, Now: fx.clock.Now()}, fx.key)
		return jws, true, err
	}
	wantStatus(t, fx.verify(t, fx.credential(t, "revocation", 5, fx.revURL)), false, verifier.StatusRevoked, verifier.ReasonRevoked)
	wantStatus(t, fx.verify(t, fx.credential(t, "revocation", 6, fx.revURL)), true, verifier.StatusActive, "")
	if fx.totalHits() != 0 {
		t.Errorf("%d HTTP requests for lists this instance serves", fx.totalHits())
	}
	if len(asked) != 2 {
		t.Errorf("Local asked %v, want the revocation list and its sibling once each", asked)
	}
	// Lists Local does not serve go over HTTP.
	url := fx.base + "/lists/x"
	fx.handle("/lists/x", func(w http.ResponseWriter) {
		jws, _ := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: url, Purpose: "revocation", Now: fx.clock.Now()}, fx.key)
		fmt.Fprint(w, jws)
	})
	wantStatus(t, fx.verify(t, fx.credential(t, "revocation", 5, url)), true, verifier.StatusActive, "")
	if fx.hitsOf(url) != 1 {
		t.Errorf("%s fetched %d times, want 1", url, fx.hitsOf(url))
	}
}

func TestStatusConcurrent(t *testing.T) {
	fx := newStatusFixture(t)
	fx.set(func() { fx.revoked = []int{1} })
	revoked := fx.credential(t, "revocation", 1, fx.revURL)
	active := fx.credential(t, "revocation", 2, fx.revURL)
	// Cold cache, slow server: concurrent checks share one fetch.
	release := make(chan struct{})
	fx.handle("/s/mediatheque/status/0", func(w http.ResponseWriter) {
		<-release
		jws, _ := issuer.SignStatusList(issuer.StatusListInput{Issuer: fx.did, URL: fx.revURL, Purpose: "revocation", Set: []int{1}, Now: fx.clock.Now()}, fx.key)
		fmt.Fprint(w, jws)
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if r := fx.v.Verify(context.Background(), []byte(revoked)); r.Status != verifier.StatusRevoked {
				t.Errorf("revoked credential: status %q", r.Status)
			}
		})
	}
	for fx.hitsOf(fx.revURL) == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the other checks queue behind the first
	close(release)
	wg.Wait()
	if n := fx.hitsOf(fx.revURL); n != 1 {
		t.Errorf("8 concurrent checks fetched the list %d times, want 1", n)
	}
	fx.handle("/s/mediatheque/status/0", nil)

	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				if r := fx.v.Verify(context.Background(), []byte(revoked)); r.Status != verifier.StatusRevoked {
					t.Errorf("revoked credential: status %q", r.Status)
					return
				}
				if r := fx.v.Verify(context.Background(), []byte(active)); r.Status != verifier.StatusActive {
					t.Errorf("active credential: status %q", r.Status)
					return
				}
				if (g+i)%10 == 0 {
					fx.lists.Invalidate(fx.revURL)
				}
				if g == 0 && i == 10 {
					fx.lists.Forget()
				}
			}
		})
	}
	wg.Wait()
}

func TestSuspensionURL(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"https://carnet.example.org/s/lille/status/0", "https://carnet.example.org/s/lille/status/0/suspension"},
		{"https://carnet.example.org/bib/s/lille/status/12", "https://carnet.example.org/bib/s/lille/status/12/suspension"},
		{"http://127.0.0.1:8080/s/lille/status/3", "http://127.0.0.1:8080/s/lille/status/3/suspension"},
		{"https://carnet.example.org/s/lille/status/0/suspension", ""},
		{"https://carnet.example.org/s/lille/status/", ""},
		{"https://carnet.example.org/s/lille/status/01", ""},
		{"https://carnet.example.org/s/lille/status/-1", ""},
		{"https://carnet.example.org/s/lille/status/0?x=1", ""},
		{"https://carnet.example.org/s/lille/status/0#frag", ""},
		{"https://carnet.example.org/s/Li%2Fle/status/0", ""},
		{"https://issuer.example/credentials/status/3", ""},
		{"ftp://carnet.example.org/s/lille/status/0", ""},
		{"", ""},
	} {
		got, ok := verifier.SuspensionURL(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("SuspensionURL(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestDecodeStatusList(t *testing.T) {
	set := []int{0, 1, 8, 4242, 131071}
	enc, err := issuer.EncodeStatusList(set, schema.StatusListSize)
	if err != nil {
		t.Fatal(err)
	}
	bits, err := verifier.DecodeStatusList(enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(bits) != 16384 || bits[0] != 0b1100_0000 || bits[1] != 0b1000_0000 || bits[16383] != 0b0000_0001 {
		t.Fatalf("%d bytes, first %08b %08b, last %08b", len(bits), bits[0], bits[1], bits[len(bits)-1])
	}
	isSet := map[int]bool{}
	for _, i := range set {
		isSet[i] = true
	}
	for i := range schema.StatusListSize {
		if got := bits[i/8]&(0x80>>(i%8)) != 0; got != isSet[i] {
			t.Fatalf("bit %d = %v", i, got)
		}
	}
	big, _ := issuer.EncodeStatusList([]int{issuer.MaxStatusListSize - 1}, issuer.MaxStatusListSize)
	if bits, err := verifier.DecodeStatusList(big); err != nil || len(bits) != verifier.MaxStatusListBits/8 {
		t.Errorf("largest list: %d bytes, %v", len(bits), err)
	}
	for _, tc := range []struct{ name, enc string }{
		{"empty", ""},
		{"base58 multibase", "z" + enc[1:]},
		{"padded", enc + "=="},
		{"standard base64", "u" + base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 30))},
		{"truncated gzip", enc[:len(enc)-8]},
		{"too short", gzipped(t, make([]byte, 16383))},
		{"too long", gzipped(t, make([]byte, verifier.MaxStatusListBits/8+1))},
		{"bomb", gzipBomb()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := verifier.DecodeStatusList(tc.enc); err == nil {
				t.Error("decoded")
			}
		})
	}
}

// BenchmarkStatusCheckWarm is the cost status adds to a verification once
// the lists are cached: two lookups (revocation and suspension sibling).
func BenchmarkStatusCheckWarm(b *testing.B) {
	fx := newStatusFixture(b)
	entry := &schema.CredentialStatus{ID: fx.revURL + "#4242", Type: schema.TypeStatusEntry, StatusPurpose: "revocation", StatusListIndex: "4242", StatusListCredential: fx.revURL}
	ctx := context.Background()
	if ans := fx.lists.Check(ctx, fx.reg, fx.did, entry); ans.Status != verifier.StatusActive {
		b.Fatalf("status %q: %v", ans.Status, ans.Err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ans := fx.lists.Check(ctx, fx.reg, fx.did, entry); ans.Status != verifier.StatusActive {
			b.Fatalf("status %q", ans.Status)
		}
	}
	if n := fx.totalHits(); n != 2 {
		b.Fatalf("%d fetches, want 2", n)
	}
}

// BenchmarkVerifyCredentialWithStatus is BenchmarkVerifyCredential's work
// plus a warm status check.
func BenchmarkVerifyCredentialWithStatus(b *testing.B) {
	fx := newStatusFixture(b)
	in := []byte(fx.credential(b, "revocation", 4242, fx.revURL))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := fx.v.Verify(ctx, in); r.Status != verifier.StatusActive {
			b.Fatalf("status %q reason %q", r.Status, r.Reason)
		}
	}
}

// TestStatusCacheEvents checks the OnCache hook that metrics count: the
// first check of a list loads it (a miss), the next ones read the cache
// (hits), and a list past its ttl is loaded again (a miss).
func TestStatusCacheEvents(t *testing.T) {
	fx := newStatusFixture(t)
	fx.set(func() { fx.ttl = time.Minute })
	var mu sync.Mutex
	hits, misses := 0, 0
	fx.lists.OnCache = func(hit bool) {
		mu.Lock()
		defer mu.Unlock()
		if hit {
			hits++
		} else {
			misses++
		}
	}
	want := func(h, m int, when string) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if hits != h || misses != m {
			t.Errorf("%s: %d hits and %d misses, want %d and %d", when, hits, misses, h, m)
		}
	}
	jws := fx.credential(t, "revocation", 3, fx.revURL)
	// Each check reads the revocation list and its suspension sibling.
	wantStatus(t, fx.verify(t, jws), true, verifier.StatusActive, "")
	want(0, 2, "first check")
	for range 3 {
		fx.verify(t, jws)
	}
	want(6, 2, "three more checks")
	fx.clock.Add(time.Minute + time.Second)
	fx.verify(t, jws)
	want(6, 4, "after the ttl")
}
