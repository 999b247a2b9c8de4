package verifier_test

import (
	"context"
	"crypto"
	"strings"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"
)

// trustListSite is a Carnet publishing its trust list, signed by its
// structure "main", beside main's DID document; the list names main and a
// partner issuer of another host.
type trustListSite struct {
	*site
	signerDID string
	signer    *keys.Key
	issuers   []issuer.TrustListIssuer
	partner   *issuer.Service // issues as the partner
	listURL   string
}

const partnerBase = "https://partner.example"

func newTrustListSite(tb testing.TB) *trustListSite {
	tb.Helper()
	s := &trustListSite{site: newSite(tb)}
	s.signerDID = s.publish("main", "Réseau des médiathèques")
	s.signer = s.site.signer(tb, "main")
	ring, _ := s.store.Ring("main")
	partnerKeys := keys.NewMemStore()
	s.partner = &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: partnerKeys, BaseURL: partnerBase}
	partnerDID, err := keys.DIDWeb(partnerBase, "atelier")
	if err != nil {
		tb.Fatal(err)
	}
	partnerRing, _ := partnerKeys.Ring("atelier")
	s.issuers = []issuer.TrustListIssuer{
		{ID: s.signerDID, Name: "Réseau des médiathèques", Source: "local", Keys: ring.JWKS(s.signerDID)},
		{ID: partnerDID, Name: "Atelier numérique", Source: partnerBase, Keys: partnerRing.JWKS(partnerDID)},
	}
	s.listURL = s.base + "/trust-list.jwt"
	return s
}

func (s *trustListSite) sign(tb testing.TB, signer string, base string, k *keys.Key, now time.Time) string {
	tb.Helper()
	jws, err := issuer.SignTrustList(signer, base, s.issuers, k, now)
	if err != nil {
		tb.Fatal(err)
	}
	return jws
}

// resign changes the payload of a genuine list and signs it again with the
// signer's key, under header h.
func (s *trustListSite) resign(tb testing.TB, h string, edit func(m map[string]any)) string {
	tb.Helper()
	_, payload, _ := parts(tb, s.sign(tb, s.signerDID, s.base, s.signer, time.Now()))
	m := decodeObject(tb, payload)
	edit(m)
	return compact(h, marshal(tb, m), ecdsaSigner(tb, s.signer.Private, crypto.SHA256))
}

func TestTrustListImported(t *testing.T) {
	s := newTrustListSite(t)
	s.setFile("/trust-list.jwt", []byte(s.sign(t, s.signerDID, s.base, s.signer, time.Now())))
	f := &verifier.Fetcher{Client: local}
	ctx := context.Background()

	iss, info, nm, err := f.Fetch(ctx, s.listURL, nil)
	if err != nil || nm {
		t.Fatalf("fetch: %v", err)
	}
	if len(iss) != 2 || iss[0].ID != s.signerDID || iss[1].ID != s.issuers[1].ID ||
		iss[0].Name != "Réseau des médiathèques" || iss[1].Name != "Atelier numérique" {
		t.Fatalf("issuers: %+v", iss)
	}
	for _, ti := range iss {
		if ti.Source != s.listURL || len(ti.Keys) != 1 || ti.Local {
			t.Errorf("issuer %s: source %q, %d keys, local %v", ti.ID, ti.Source, len(ti.Keys), ti.Local)
		}
	}
	// Trusting the list's issuers makes the partner's credentials valid here.
	reg := verifier.NewRegistry()
	for _, ti := range iss {
		if err := reg.Add(ti); err != nil {
			t.Fatal(err)
		}
	}
	is, err := s.partner.Issue(ctx, &schema.Structure{Slug: "atelier", Name: "Atelier numérique"}, schema.Assessment{
		LearnerName: "Éloïse Ndiaye", Framework: "digcomp-2.2", Results: []schema.LevelResult{{Competency: "1.1", Level: "2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	v := &verifier.Verifier{Trust: reg}
	for _, in := range []string{is.JWT, is.CardToken} {
		if r := v.Verify(ctx, []byte(in)); !r.Valid || r.Issuer.Source != s.listURL || !r.SignatureVerified {
			t.Errorf("partner's token through the trust list: %+v", r)
		}
	}

	// Fetched again with its validators: 304, nothing to verify.
	if info.ETag == "" {
		t.Fatal("no ETag")
	}
	didHits := s.hitsOf("/s/main/did.json")
	iss, _, nm, err = f.Fetch(ctx, s.listURL, &info)
	if err != nil || !nm || iss != nil {
		t.Errorf("conditional fetch: %v %v %v", iss, nm, err)
	}
	if s.hitsOf("/s/main/did.json") != didHits {
		t.Error("a 304 read the signer's DID document")
	}
	// Load reads trust lists too (the web app and carnet verify --trust).
	if iss, err := f.Load(ctx, s.listURL); err != nil || len(iss) != 2 {
		t.Errorf("Load: %v %v", iss, err)
	}
}

func TestTrustListRefused(t *testing.T) {
	s := newTrustListSite(t)
	now := time.Now()
	genuine := s.sign(t, s.signerDID, s.base, s.signer, now)
	h, payload, sig := parts(t, genuine)
	kid := s.signer.KID(s.signerDID)
	header := `{"alg":"ES256","kid":` + jsonString(kid) + `,"typ":"JWT"}`

	tampered := decodeObject(t, payload)
	tampered["issuers"].([]any)[1].(map[string]any)["id"] = "did:web:evil.example:s:x"

	localhostBase := strings.Replace(s.base, "127.0.0.1", "localhost", 1)
	localhostDID, err := keys.DIDWeb(localhostBase, "main")
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := keys.NewKey(nil, now)
	if err != nil {
		t.Fatal(err)
	}
	ghostDID := s.did("ghost") // same host, no DID document

	for _, tc := range []struct {
		name, body, want string
	}{
		{"tampered payload", b64(h) + "." + b64(marshal(t, tampered)) + "." + sig, "signature is wrong"},
		{"high-S twin of the signature", highS(t, genuine), "signature is wrong"},
		{"expired", s.sign(t, s.signerDID, s.base, s.signer, now.Add(-issuer.TrustListValidity-time.Hour)), "expired on"},
		{"issued in the future", s.sign(t, s.signerDID, s.base, s.signer, now.Add(time.Hour)), "dated in the future"},
		{"kid on another host", s.sign(t, localhostDID, localhostBase, s.signer, now), "not on the list's host"},
		{"kid not in the DID document", s.sign(t, s.signerDID, s.base, stranger, now), "not an assertion key"},
		{"signer without a DID document", s.sign(t, ghostDID, s.base, s.signer, now), "cannot read the DID document"},
		{"sub of another instance", s.sign(t, s.signerDID, "https://elsewhere.example", s.signer, now), "is the one of"},
		{"oversize", genuine + strings.Repeat(" ", verifier.MaxTrustDocument), "larger than"},
		{"not a JWS", "<html>Maintenance</html>", "not a signed trust list"},
		{"header with jku", s.resign(t, `{"alg":"ES256","kid":`+jsonString(kid)+`,"typ":"JWT","jku":"https://evil.example/jwks"}`, func(map[string]any) {}), "header is not accepted"},
		{"header of another type", s.resign(t, `{"alg":"ES256","kid":`+jsonString(kid)+`,"typ":"vc+jwt"}`, func(map[string]any) {}), "header is not accepted"},
		{"iss of another signer", s.resign(t, header, func(m map[string]any) { m["iss"] = s.did("other") }), "as its signer"},
		{"no exp", s.resign(t, header, func(m map[string]any) { delete(m, "exp") }), "lacks iss, sub, iat or exp"},
		{"no issuers", s.resign(t, header, func(m map[string]any) { m["issuers"] = []any{} }), "names no issuer"},
		{"issuer with a key of another", s.resign(t, header, func(m map[string]any) {
			m["issuers"].([]any)[1].(map[string]any)["id"] = "did:web:evil.example:s:x"
		}), "is refused"},
		{"issuer twice", s.resign(t, header, func(m map[string]any) {
			list := m["issuers"].([]any)
			m["issuers"] = append(list, list[1])
		}), "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.setFile("/trust-list.jwt", []byte(tc.body))
			iss, err := (&verifier.Fetcher{Client: local}).Load(context.Background(), s.listURL)
			if err == nil {
				t.Fatalf("accepted: %d issuers", len(iss))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to say %q", err, tc.want)
			}
			if testing.Verbose() {
				t.Logf("%s\n%s", err, schema.ErrorMessageFR(err))
			}
			if schema.ErrorCode(err) != schema.EINVALID {
				t.Errorf("code %q, want invalid", schema.ErrorCode(err))
			}
			if fr := schema.ErrorMessageFR(err); fr == err.Error() || !strings.Contains(fr, "liste de confiance") && !strings.Contains(fr, "dépasse") {
				t.Errorf("French message %q", fr)
			}
		})
	}

	// The genuine list is accepted on this site (the refusals above are the
	// list's own faults), and a query in the address is refused.
	s.setFile("/trust-list.jwt", []byte(genuine))
	if _, err := (&verifier.Fetcher{Client: local}).Load(context.Background(), s.listURL); err != nil {
		t.Errorf("genuine list: %v", err)
	}
	if _, err := (&verifier.Fetcher{Client: local}).Load(context.Background(), s.listURL+"?x=1"); err == nil {
		t.Error("a trust list URL with a query accepted")
	}
}

// A trust list's freshness never runs past its own expiry.
func TestTrustListFreshnessBoundedByExpiry(t *testing.T) {
	s := newTrustListSite(t)
	s.headers = map[string]string{"Cache-Control": "max-age=86400"}
	f := &verifier.Fetcher{Client: local}
	for _, tc := range []struct {
		signed   time.Time
		min, max time.Duration
	}{
		{time.Now(), 24 * time.Hour, 24 * time.Hour},                                         // the header's day
		{time.Now().Add(-issuer.TrustListValidity + time.Hour), 58 * time.Minute, time.Hour}, // the list's last hour
	} {
		s.setFile("/trust-list.jwt", []byte(s.sign(t, s.signerDID, s.base, s.signer, tc.signed)))
		_, info, _, err := f.Fetch(context.Background(), s.listURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		if info.MaxAge < tc.min || info.MaxAge > tc.max {
			t.Errorf("signed %v: MaxAge %v, want within [%v, %v]", tc.signed, info.MaxAge, tc.min, tc.max)
		}
	}
}
