package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"
	"carnet/web"
)

// TestTrustRefresh: partners' keys are refreshed when due, conditionally
// (a 304 keeps them and costs no download), and at once when a trusted
// partner's credential names a key not known here yet (after a rotation),
// at most every schema.MinTrustRefresh.
func TestTrustRefresh(t *testing.T) {
	ctx := context.Background()
	a := startFixture(t) // the partner
	stA := a.structure("bib-partenaire")
	tokA := a.token(a.user("admin@a.example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleAdmin}))
	before := issueOn(t, a, tokA)

	// The partner's answers are counted, to see the conditional requests
	// and their 304s.
	var fetches, notModified atomic.Int32
	inner := a.http.Config.Handler
	a.http.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/jwks.json" {
			inner.ServeHTTP(w, r)
			return
		}
		fetches.Add(1)
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		if rec.Code == http.StatusNotModified {
			notModified.Add(1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})

	b := startFixture(t)
	now := time.Now()
	clock := func() time.Time { return now }
	b.srv.Now = clock
	tokB := b.token(b.user("admin@b.example.org", true))
	var ts struct{ ID int64 }
	if code := b.api(tokB, "POST", "/api/v1/trust", map[string]any{"url": a.srv.BaseURL + "/.well-known/jwks.json", "name": "Partenaire"}, &ts); code != 201 {
		t.Fatalf("trust: %d", code)
	}
	if r := verifyOn(t, b, before); !r.Valid {
		t.Fatalf("before rotation: %+v", r)
	}
	stored, err := b.trust.FindTrustedSource(ctx, ts.ID)
	if err != nil || stored.ETag == "" || stored.MaxAge != 300*time.Second {
		t.Fatalf("the partner's validators are not kept: %+v %v", stored, err)
	}

	// Not due yet: nothing fetched.
	if n, err := b.srv.RefreshTrust(ctx); err != nil || n != 0 || fetches.Load() != 1 {
		t.Fatalf("refresh before due: %d fetched, %v, %d requests", n, err, fetches.Load())
	}
	// Due (max-age 300 s → every schema.MinTrustRefresh): a conditional
	// request answered 304 keeps the keys.
	now = now.Add(schema.MinTrustRefresh + time.Second)
	if n, err := b.srv.RefreshTrust(ctx); err != nil || n != 1 || notModified.Load() != 1 {
		t.Fatalf("due refresh: %d fetched, %v, %d not modified", n, err, notModified.Load())
	}
	if got, _ := b.trust.FindTrustedSource(ctx, ts.ID); !got.LastSuccessAt.Equal(now.UTC()) || len(got.Issuers) != 1 {
		t.Errorf("after a 304: %+v", got)
	}

	// The partner rotates its key and signs with the new one.
	if _, err := a.srv.Keys.Rotate(stA.Slug); err != nil {
		t.Fatal(err)
	}
	after := issueOn(t, a, tokA)
	// Fetched less than MinTrustRefresh ago: no refresh on demand, the new
	// key stays unknown (and the old credential still verifies).
	n := fetches.Load()
	if r := verifyOn(t, b, after); r.Valid || r.Reason != verifier.ReasonUnknownKey || fetches.Load() != n {
		t.Fatalf("new key within MinTrustRefresh: %+v (%d requests)", r, fetches.Load()-n)
	}
	if r := verifyOn(t, b, before); !r.Valid {
		t.Fatalf("old credential after rotation: %+v", r)
	}
	// Later, the unknown key triggers one refresh and the credential
	// verifies; credentials signed before the rotation still do.
	now = now.Add(schema.MinTrustRefresh + time.Second)
	if r := verifyOn(t, b, after); !r.Valid {
		t.Fatalf("new key after an on-demand refresh: %+v", r)
	}
	if fetches.Load() != n+1 {
		t.Errorf("%d requests for the on-demand refresh, want 1", fetches.Load()-n)
	}
	if r := verifyOn(t, b, before); !r.Valid {
		t.Fatalf("old credential after the refresh: %+v", r)
	}
	// A key nobody published costs at most one refresh per MinTrustRefresh.
	n = fetches.Load()
	for i := 0; i < 5; i++ {
		verifyOn(t, b, forgedKid(t, after))
	}
	if fetches.Load() != n {
		t.Errorf("unknown keys caused %d refreshes within MinTrustRefresh", fetches.Load()-n)
	}

	// The partner is down: a due refresh records the error, keeps the keys.
	a.http.Close()
	now = now.Add(2 * time.Hour)
	if _, err := b.srv.RefreshTrust(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := b.trust.FindTrustedSource(ctx, ts.ID)
	if got.LastError == "" || len(got.Issuers) != 1 || got.LastSuccessAt.Equal(now.UTC()) {
		t.Errorf("refresh while the partner is down: %+v", got)
	}
	if r := verifyOn(t, b, after); !r.Valid || r.Issuer == nil || !r.Issuer.Trusted {
		t.Errorf("while the partner is down: %+v", r)
	}
	// The page shows the last success, the error (in French and English)
	// and the next refresh (sooner after a failure: here max-age 300 s).
	br := newBrowser(t, b.srv.BaseURL)
	br.login("admin@b.example.org")
	_, page, _ := br.get("/trust")
	next := now.Add(schema.MinTrustRefresh).Local().Format("15:04")
	for _, want := range []string{"prochaine mise à jour : ", next, "Partenaire", "impossible de récupérer", "cannot fetch"} {
		if !strings.Contains(page, want) {
			t.Errorf("the trust page lacks %q:\n%s", want, page)
		}
	}
}

// forgedKid returns jws with its header's key id changed to another key
// of the same issuer, one nobody published.
func forgedKid(t *testing.T, jws string) string {
	t.Helper()
	parts := strings.SplitN(jws, ".", 3)
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(hb, &h); err != nil {
		t.Fatal(err)
	}
	did, _, _ := strings.Cut(h["kid"].(string), "#")
	h["kid"] = did + "#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	hb, _ = json.Marshal(h)
	return base64.RawURLEncoding.EncodeToString(hb) + "." + parts[1] + "." + parts[2]
}

// TestTrustSourcesPrecedence: a partner's site speaks for itself before
// any trust list speaks for it; no list adds keys to our structures or to
// a partner trusted directly; an expired list vouches for no one.
func TestTrustSourcesPrecedence(t *testing.T) {
	store := keys.NewMemStore()
	ring := func(slug string) *keys.Ring { r, _ := store.Ring(slug); return r }
	stored := func(did, url string, r *keys.Ring) schema.TrustedSourceIssuer {
		si := schema.TrustedSourceIssuer{ID: did, URL: url}
		for _, k := range r.JWKS(did).Keys {
			b, _ := json.Marshal(k)
			si.Keys = append(si.Keys, b)
		}
		return si
	}
	const (
		ours    = "did:web:carnet.example.org:s:main"
		partner = "did:web:partenaire.example.org:s:bib"
		other   = "did:web:autre.example.org:s:asso"
		listURL = "https://reseau.example.org/trust-list.jwt"
		oldList = "https://ancien.example.org/trust-list.jwt"
		direct  = "https://partenaire.example.org"
	)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	sources := []*schema.TrustedSource{
		{Source: listURL, ExpiresAt: now.Add(24 * time.Hour), Issuers: []schema.TrustedSourceIssuer{
			stored(ours, listURL, ring("forged-ours")), stored(partner, listURL, ring("forged-partner")), stored(other, listURL, ring("asso"))}},
		{Source: oldList, ExpiresAt: now.Add(-time.Minute), Issuers: []schema.TrustedSourceIssuer{
			stored("did:web:vieux.example.org:s:x", oldList, ring("vieux"))}},
		{Source: direct, Issuers: []schema.TrustedSourceIssuer{stored(partner, direct+"/.well-known/jwks.json", ring("partner"))}},
	}
	reg := verifier.NewRegistry()
	if err := reg.Add(verifier.LocalIssuer(ours, "Nous", ring("ours"))); err != nil {
		t.Fatal(err)
	}
	err := web.TrustSources(reg, sources, now)
	if err == nil || !strings.Contains(err.Error(), "already trusted") || !strings.Contains(err.Error(), "expired") {
		t.Errorf("errors: %v", err)
	}
	kidOf := func(r *keys.Ring, did string) string { return r.JWKS(did).Keys[0].KeyID }
	if got := reg.Issuer(ours); len(got.ES256Keys()) != 1 || got.Keys[0].KeyID != kidOf(ring("ours"), ours) {
		t.Errorf("our structure: %+v", got)
	}
	if got := reg.Issuer(partner); got == nil || len(got.Keys) != 1 || got.Keys[0].KeyID != kidOf(ring("partner"), partner) {
		t.Errorf("the partner trusted directly: %+v", got)
	}
	if got := reg.Issuer(other); got == nil || got.Source != listURL {
		t.Errorf("an issuer only the list names: %+v", got)
	}
	if got := reg.Issuer("did:web:vieux.example.org:s:x"); got != nil {
		t.Errorf("an expired list's issuer is trusted: %+v", got)
	}
}
