package verifier_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/outbound"
	"carnet/schema"
	"carnet/verifier"
)

// site is another Carnet, on a real loopback HTTP server: it publishes the
// DID documents of its structures at /s/SLUG/did.json (did:web ids for
// 127.0.0.1:PORT) and any other file it is given, and counts the requests.
type site struct {
	srv   *httptest.Server
	base  string
	store keys.Store
	svc   *issuer.Service

	mu      sync.Mutex
	names   map[string]string // slug → name of each published structure
	docID   map[string]string // slug → the id its document claims, when not its DID
	files   map[string][]byte // path → body
	headers map[string]string // headers of the files
	hits    map[string]int
	gate    chan struct{} // when set, DID documents wait for it to close
	arrived chan string   // when set, receives the path of each request
}

func newSite(tb testing.TB) *site {
	tb.Helper()
	s := &site{
		store: keys.NewMemStore(),
		names: map[string]string{}, docID: map[string]string{}, files: map[string][]byte{}, hits: map[string]int{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.srv.Close)
	s.base = s.srv.URL
	s.svc = &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: s.store, BaseURL: s.base}
	return s
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	gate, arrived := s.gate, s.arrived
	s.mu.Unlock()
	if arrived != nil {
		arrived <- r.URL.Path
	}
	if slug, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/s/"), "/did.json"); ok {
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		s.mu.Lock()
		name, published := s.names[slug]
		id := s.docID[slug]
		s.mu.Unlock()
		if !published {
			http.NotFound(w, r)
			return
		}
		did := s.did(slug)
		ring, _ := s.store.Ring(slug)
		doc := ring.DIDDocument(did, name)
		if id != "" {
			doc.ID = id
		}
		w.Header().Set("Content-Type", "application/did+json")
		json.NewEncoder(w).Encode(doc)
		return
	}
	s.mu.Lock()
	body, ok := s.files[r.URL.Path]
	for k, v := range s.headers {
		w.Header().Set(k, v)
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(body)
	etag := fmt.Sprintf(`"%x"`, sum[:8])
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(body)
}

func (s *site) did(slug string) string {
	did, err := keys.DIDWeb(s.base, slug)
	if err != nil {
		panic(err)
	}
	return did
}

// publish makes the DID document of the structure slug available.
func (s *site) publish(slug, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names[slug] = name
	return s.did(slug)
}

func (s *site) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) setFile(path string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = body
}

func (s *site) issue(tb testing.TB, slug, name, learner string) *issuer.Issued {
	tb.Helper()
	is, err := s.svc.Issue(context.Background(), &schema.Structure{Slug: slug, Name: name}, schema.Assessment{
		LearnerName: learner,
		Framework:   "digcomp-2.2",
		Results:     []schema.LevelResult{{Competency: "1.1", Level: "3"}, {Competency: "2.1", Level: "4"}},
		Method:      "observation en atelier",
	})
	if err != nil {
		tb.Fatal(err)
	}
	return is
}

func (s *site) signer(tb testing.TB, slug string) *keys.Key {
	tb.Helper()
	ring, err := s.store.Ring(slug)
	if err != nil {
		tb.Fatal(err)
	}
	return ring.Signer()
}

// untrustedVerifier trusts nobody and looks unknown did:web issuers up.
func untrustedVerifier(res *verifier.DIDResolver) *verifier.Verifier {
	return &verifier.Verifier{Trust: verifier.NewRegistry(), Frameworks: schema.NewFrameworks(), Resolve: res.Resolve}
}

// wantNothingShown checks that a refused result shows nothing the token says.
func wantNothingShown(tb testing.TB, r *verifier.Result) {
	tb.Helper()
	if r.Valid {
		tb.Fatalf("valid: %+v", r)
	}
	if r.Learner != "" || len(r.Levels) != 0 || r.Credential != nil || r.CredentialID != "" || r.Framework != "" ||
		r.ValidFrom != nil || r.Digest != "" || r.Status != "" {
		tb.Errorf("an untrusted token's content is shown: %+v", r)
	}
	if r.Issuer != nil && (r.Issuer.Trusted || r.Issuer.Source != "" || r.Issuer.URL != "") {
		tb.Errorf("issuer = %+v, want untrusted, without source or URL", r.Issuer)
	}
}

func TestUntrustedIssuerGenuineSignature(t *testing.T) {
	s := newSite(t)
	did := s.publish("lille", "Médiathèque de Lille")
	is := s.issue(t, "lille", "Médiathèque de Lille", "Éloïse Ndiaye")
	v := untrustedVerifier(&verifier.DIDResolver{Fetcher: localFetcher()})
	key := s.signer(t, "lille")

	for _, tc := range []struct{ form, input, kind string }{
		{"credential", is.JWT, "credential"},
		{"card token", is.CardToken, "card"},
		{"QR text", is.QRText, "card"},
	} {
		t.Run(tc.form, func(t *testing.T) {
			r := v.Verify(context.Background(), []byte(tc.input))
			wantNothingShown(t, r)
			if r.Reason != verifier.ReasonUnknownIssuer || !r.SignatureVerified || r.Kind != tc.kind {
				t.Fatalf("reason %q signature_verified %v kind %q, want unknown_issuer, true, %s", r.Reason, r.SignatureVerified, r.Kind, tc.kind)
			}
			if r.Issuer == nil || r.Issuer.ID != did || r.Issuer.Name != "Médiathèque de Lille" || r.Issuer.KeyID != key.KID(did) {
				t.Errorf("issuer = %+v, want %s named from its DID document", r.Issuer, did)
			}
			if r.Message != verifier.UntrustedSignatureMessage || r.MessageFR != verifier.UntrustedSignatureMessageFR {
				t.Errorf("messages %q / %q", r.Message, r.MessageFR)
			}
		})
	}
	// Three verifications, one fetch of the document.
	if n := s.hitsOf("/s/lille/did.json"); n != 1 {
		t.Errorf("%d fetches of the DID document, want 1", n)
	}

	// Without a resolver, nothing changes: the signature is not checked.
	plain := &verifier.Verifier{Trust: verifier.NewRegistry()}
	r := plain.Verify(context.Background(), []byte(is.JWT))
	if r.Reason != verifier.ReasonUnknownIssuer || r.SignatureVerified || r.Message == verifier.UntrustedSignatureMessage {
		t.Errorf("without Resolve: %+v", r)
	}

	// Trusted, the same credential is valid, its signature verified.
	reg := verifier.NewRegistry()
	ring, _ := s.store.Ring("lille")
	if err := reg.Add(verifier.LocalIssuer(did, "Médiathèque de Lille", ring)); err != nil {
		t.Fatal(err)
	}
	trusted := &verifier.Verifier{Trust: reg, Resolve: (&verifier.DIDResolver{Fetcher: localFetcher()}).Resolve}
	for _, in := range []string{is.JWT, is.CardToken} {
		if r := trusted.Verify(context.Background(), []byte(in)); !r.Valid || !r.SignatureVerified || r.Learner != "Éloïse Ndiaye" {
			t.Errorf("trusted: valid %v signature_verified %v learner %q", r.Valid, r.SignatureVerified, r.Learner)
		}
	}
	// A later failure keeps SignatureVerified: the trusted key signed a
	// payload whose claims disagree.
	h, payload, _ := parts(t, is.JWT)
	m := decodeObject(t, payload)
	m["jti"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
	tok := compact(string(h), marshal(t, m), ecdsaSigner(t, key.Private, crypto.SHA256))
	if r := trusted.Verify(context.Background(), []byte(tok)); r.Reason != verifier.ReasonClaimsMismatch || !r.SignatureVerified {
		t.Errorf("trusted claims mismatch: reason %q signature_verified %v", r.Reason, r.SignatureVerified)
	}
}

func TestUntrustedIssuerForged(t *testing.T) {
	s := newSite(t)
	did := s.publish("lille", "Médiathèque de Lille")
	s.publish("ghost", "Fantôme")
	is := s.issue(t, "lille", "Médiathèque de Lille", "Éloïse Ndiaye")
	key := s.signer(t, "lille")
	forger := genKey(t, key.Private.Curve)
	v := untrustedVerifier(&verifier.DIDResolver{Fetcher: localFetcher()})

	h, payload, sig := parts(t, is.JWT)
	m := decodeObject(t, payload)
	m["credentialSubject"].(map[string]any)["identifier"].([]any)[0].(map[string]any)["identityHash"] = "Mallory"
	altered := b64(h) + "." + b64(marshal(t, m)) + "." + sig

	ch, cpayload, _ := parts(t, is.CardToken)
	card := decodeObject(t, inflate(t, cpayload))
	card["n"] = "Mallory"

	// Signed by the issuer's key but claiming another issuer.
	m2 := decodeObject(t, payload)
	m2["iss"] = "did:web:carnet.example.org:s:other"

	for _, tc := range []struct {
		name, input, reason string
		sigOK               bool
	}{
		{"credential altered", altered, verifier.ReasonBadSignature, false},
		{"credential signed by another key under the issuer's kid",
			compact(string(h), payload, ecdsaSigner(t, forger, crypto.SHA256)), verifier.ReasonBadSignature, false},
		{"card altered", compact(string(ch), deflate(t, marshal(t, card)), ecdsaSigner(t, forger, crypto.SHA256)), verifier.ReasonBadSignature, false},
		{"kid the issuer does not publish",
			compact(`{"alg":"ES256","kid":`+jsonString(did+"#"+thumbprint(t, &forger.PublicKey))+`,"typ":"JWT"}`, payload, ecdsaSigner(t, forger, crypto.SHA256)),
			verifier.ReasonUnknownIssuer, false},
		{"issuer's key, another iss", compact(string(h), marshal(t, m2), ecdsaSigner(t, key.Private, crypto.SHA256)), verifier.ReasonClaimsMismatch, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v.Verify(context.Background(), []byte(tc.input))
			wantNothingShown(t, r)
			if r.Reason != tc.reason || r.SignatureVerified != tc.sigOK {
				t.Fatalf("reason %q signature_verified %v, want %q %v", r.Reason, r.SignatureVerified, tc.reason, tc.sigOK)
			}
			if r.Message == verifier.UntrustedSignatureMessage {
				t.Errorf("message says the signature is correct")
			}
			if r.Issuer == nil || r.Issuer.ID != did {
				t.Errorf("issuer = %+v", r.Issuer)
			}
		})
	}

	// A structure whose document is not published: unknown, not checked.
	ghost := s.issue(t, "missing", "Absente", "Éloïse Ndiaye")
	r := v.Verify(context.Background(), []byte(ghost.JWT))
	wantNothingShown(t, r)
	if r.Reason != verifier.ReasonUnknownIssuer || r.SignatureVerified || r.Message == verifier.UntrustedSignatureMessage {
		t.Errorf("unpublished issuer: %+v", r)
	}
}

func TestDIDResolverRefusesAnotherID(t *testing.T) {
	s := newSite(t)
	lille := s.publish("lille", "Médiathèque de Lille")
	liar := s.publish("liar", "Menteur")
	s.mu.Lock()
	s.docID["liar"] = lille // the document at liar's address claims to be lille's
	s.mu.Unlock()
	res := &verifier.DIDResolver{Fetcher: localFetcher()}
	if _, err := res.Resolve(context.Background(), liar); err == nil || !strings.Contains(err.Error(), "the document is for") {
		t.Errorf("a document for another id: %v", err)
	}
	if _, err := (&verifier.Fetcher{Client: local}).Load(context.Background(), liar); err == nil || !strings.Contains(err.Error(), "the document is for") {
		t.Errorf("Load of a document for another id: %v", err)
	}
	is := s.issue(t, "liar", "Menteur", "Éloïse Ndiaye")
	r := untrustedVerifier(res).Verify(context.Background(), []byte(is.JWT))
	if r.Reason != verifier.ReasonUnknownIssuer || r.SignatureVerified {
		t.Errorf("credential of liar: %+v", r)
	}
	for _, did := range []string{"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "did:web:", "did:web:" + strings.Repeat("a", 600), "https://example.org"} {
		if _, err := res.Resolve(context.Background(), did); err == nil {
			t.Errorf("Resolve(%.40q) accepted", did)
		}
	}
	// One by the resolver (its failure is cached for the verification), one by Load.
	if n := s.hitsOf("/s/liar/did.json"); n != 2 {
		t.Errorf("%d fetches of liar's document, want 2", n)
	}
}

func TestDIDResolverCache(t *testing.T) {
	s := newSite(t)
	did := s.publish("lille", "Médiathèque de Lille")
	missing := s.did("missing")
	clock := &testClock{t: time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)}
	res := &verifier.DIDResolver{Fetcher: localFetcher(), Now: clock.Now}
	ctx := context.Background()

	for i := 0; i < 3; i++ {
		ti, err := res.Resolve(ctx, did)
		if err != nil || ti.ID != did || ti.Name != "Médiathèque de Lille" || len(ti.ES256Keys()) != 1 || len(ti.Keys) != 2 {
			t.Fatalf("resolve: %+v %v", ti, err)
		}
		if _, err := res.Resolve(ctx, missing); err == nil {
			t.Fatal("a missing document resolved")
		}
	}
	if a, b := s.hitsOf("/s/lille/did.json"), s.hitsOf("/s/missing/did.json"); a != 1 || b != 1 {
		t.Fatalf("fetches: %d of the document, %d of the missing one; want 1 and 1", a, b)
	}
	// Failures are kept a minute, answers ten.
	clock.Add(verifier.DefaultResolveFailureTTL + time.Second)
	res.Resolve(ctx, did)
	res.Resolve(ctx, missing)
	if a, b := s.hitsOf("/s/lille/did.json"), s.hitsOf("/s/missing/did.json"); a != 1 || b != 2 {
		t.Fatalf("after a minute: %d and %d fetches, want 1 and 2", a, b)
	}
	clock.Add(verifier.DefaultResolveTTL)
	res.Resolve(ctx, did)
	if a := s.hitsOf("/s/lille/did.json"); a != 2 {
		t.Fatalf("after ten minutes: %d fetches, want 2", a)
	}
}

func TestDIDResolverBounded(t *testing.T) {
	s := newSite(t)
	a, b, c := s.publish("a", "A"), s.publish("b", "B"), s.publish("c", "C")
	clock := &testClock{t: time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)}
	res := &verifier.DIDResolver{Fetcher: localFetcher(), Now: clock.Now, MaxEntries: 2}
	ctx := context.Background()
	for _, did := range []string{a, b, c} { // c's answer pushes out a's, the oldest
		if _, err := res.Resolve(ctx, did); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Second)
	}
	res.Resolve(ctx, b)
	res.Resolve(ctx, c)
	if hb, hc := s.hitsOf("/s/b/did.json"), s.hitsOf("/s/c/did.json"); hb != 1 || hc != 1 {
		t.Errorf("b and c fetched %d and %d times, want once each", hb, hc)
	}
	res.Resolve(ctx, a)
	if ha := s.hitsOf("/s/a/did.json"); ha != 2 {
		t.Errorf("a fetched %d times, want 2 (evicted)", ha)
	}
}

func TestDIDResolverConcurrency(t *testing.T) {
	s := newSite(t)
	dids := make([]string, 6)
	for i := range dids {
		dids[i] = s.publish(fmt.Sprintf("s%d", i), fmt.Sprintf("Structure %d", i))
	}
	gate := make(chan struct{})
	s.mu.Lock()
	s.gate, s.arrived = gate, make(chan string, 64)
	s.mu.Unlock()
	released := false
	release := func() {
		if !released {
			released = true
			close(gate)
		}
	}
	t.Cleanup(release)
	res := &verifier.DIDResolver{Fetcher: localFetcher()}
	ctx := context.Background()

	// Four look-ups of four DIDs hold the four fetch slots; eight more
	// look-ups of the same DIDs wait for them, not for slots.
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func(did string) {
			defer wg.Done()
			ti, err := res.Resolve(ctx, did)
			if err == nil && ti.ID != did {
				err = fmt.Errorf("resolved %s for %s", ti.ID, did)
			}
			errs <- err
		}(dids[i%4])
	}
	for i := 0; i < 4; i++ {
		select {
		case <-s.arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("the four fetches did not start")
		}
	}
	// A fifth DID is refused at once rather than queued.
	start := time.Now()
	_, err := res.Resolve(ctx, dids[4])
	if !errors.Is(err, verifier.ErrResolverBusy) {
		t.Fatalf("fifth DID: %v, want ErrResolverBusy", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the refusal took %v", d)
	}
	// A caller that gives up returns at once.
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	if _, err := res.Resolve(cctx, dids[0]); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled caller: %v", err)
	}
	cancel()
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for i := 0; i < 4; i++ {
		if n := s.hitsOf(fmt.Sprintf("/s/s%d/did.json", i)); n != 1 {
			t.Errorf("DID %d fetched %d times, want 1", i, n)
		}
	}
	// The refusal was not cached: the fifth DID resolves now.
	if s.hitsOf("/s/s4/did.json") != 0 {
		t.Error("the refused look-up fetched")
	}
	if ti, err := res.Resolve(ctx, dids[4]); err != nil || ti.ID != dids[4] {
		t.Errorf("fifth DID after the others: %v", err)
	}
}

// Many verifications of tokens of untrusted issuers at once: no race, and
// every genuine token is recognised or refused as busy, never as forged.
func TestUntrustedIssuerConcurrentVerify(t *testing.T) {
	s := newSite(t)
	var tokens []string
	for i := 0; i < 3; i++ {
		slug := fmt.Sprintf("s%d", i)
		s.publish(slug, "Structure")
		is := s.issue(t, slug, "Structure", "Éloïse Ndiaye")
		tokens = append(tokens, is.JWT, is.CardToken)
	}
	v := untrustedVerifier(&verifier.DIDResolver{Fetcher: localFetcher()})
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(tok string) {
			defer wg.Done()
			r := v.Verify(context.Background(), []byte(tok))
			if r.Valid || r.Reason != verifier.ReasonUnknownIssuer {
				t.Errorf("reason %q valid %v", r.Reason, r.Valid)
			}
		}(tokens[i%len(tokens)])
	}
	wg.Wait()
	for _, tok := range tokens {
		if r := v.Verify(context.Background(), []byte(tok)); !r.SignatureVerified {
			t.Errorf("after the rush: %+v", r)
		}
	}
}

// TestDIDResolverPublicOnly: a public server's resolver (the default one,
// or one with a public instance's outbound client) never connects to
// loopback or private addresses, whatever DID a visitor submits.
func TestDIDResolverPublicOnly(t *testing.T) {
	s := newSite(t)
	s.publish("lille", "Médiathèque de Lille")
	is := s.issue(t, "lille", "Médiathèque de Lille", "Éloïse Ndiaye")
	public := outbound.ForBaseURL("https://carnet.example.org").HTTP()
	for name, res := range map[string]*verifier.DIDResolver{
		"default":         {},
		"public instance": {Fetcher: &verifier.Fetcher{Client: public}},
	} {
		r := untrustedVerifier(res).Verify(context.Background(), []byte(is.JWT))
		if r.Reason != verifier.ReasonUnknownIssuer || r.SignatureVerified {
			t.Fatalf("%s: public-only resolver on a loopback issuer: %+v", name, r)
		}
		if n := s.hitsOf("/s/lille/did.json"); n != 0 {
			t.Errorf("%s: the loopback site was reached %d times", name, n)
		}
	}
}
