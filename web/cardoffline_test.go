package web_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"carnet/keys"
	"carnet/schema"
)

// TestCardRevocations: /c/revocations.json, the set the /c page's service
// worker keeps for offline checks, names the revoked and the suspended
// credentials of this instance (by the 9-byte SHA-256 prefix of their id,
// as static/c.js computes it), never an active one, with its date and the
// issuers it covers; a lifted suspension leaves it.
func TestCardRevocations(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	tok := f.token(f.user("m@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator}))
	revoked, _ := f.issueCard(tok, map[string]any{"1.1": 2})
	suspended, _ := f.issueCard(tok, map[string]any{"1.1": 2})
	active, _ := f.issueCard(tok, map[string]any{"1.1": 2})
	key := func(id string) string {
		sum := sha256.Sum256([]byte(id))
		return base64.RawURLEncoding.EncodeToString(sum[:9])
	}
	type set struct {
		Date      time.Time `json:"date"`
		Issuers   []string  `json:"issuers"`
		Complete  bool      `json:"complete"`
		Revoked   []string  `json:"revoked"`
		Suspended []string  `json:"suspended"`
	}
	get := func() set {
		t.Helper()
		res, body := f.get("/c/revocations.json")
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("/c/revocations.json: %d %s %s", res.StatusCode, res.Header.Get("Cache-Control"), body)
		}
		var s set
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatal(err)
		}
		// To the millisecond: the worker keeps the newest of two sets read
		// in the same second, before and after a revocation.
		if !regexp.MustCompile(`"date":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"`).Match(body) {
			t.Errorf("date not to the millisecond: %s", body)
		}
		if d := time.Since(s.Date); d < -2*time.Second || d > time.Minute {
			t.Errorf("date %v, want now", s.Date)
		}
		return s
	}
	did, _ := keys.DIDWeb(f.srv.BaseURL, "bib")
	if s := get(); len(s.Revoked)+len(s.Suspended) != 0 || !s.Complete || !slices.Contains(s.Issuers, did) {
		t.Errorf("before any change: %+v, want an empty, complete set covering %s", s, did)
	}
	f.api(tok, "POST", "/api/v1/credentials/"+strings.TrimPrefix(revoked, "urn:uuid:")+"/revoke", map[string]any{"reason": "erreur"}, nil)
	f.api(tok, "POST", "/api/v1/credentials/"+strings.TrimPrefix(suspended, "urn:uuid:")+"/suspend", map[string]any{"reason": "contrôle"}, nil)
	s := get()
	if !slices.Equal(s.Revoked, []string{key(revoked)}) || !slices.Equal(s.Suspended, []string{key(suspended)}) || !s.Complete {
		t.Errorf("after a revocation and a suspension: %+v", s)
	}
	if slices.Contains(append(s.Revoked, s.Suspended...), key(active)) {
		t.Errorf("the active credential is in the set")
	}
	for _, k := range append(s.Revoked, s.Suspended...) {
		if len(k) != 12 {
			t.Errorf("key %q: want 12 base64url characters", k)
		}
	}
	f.api(tok, "POST", "/api/v1/credentials/"+strings.TrimPrefix(suspended, "urn:uuid:")+"/unsuspend", nil, nil)
	if s := get(); len(s.Suspended) != 0 || !slices.Equal(s.Revoked, []string{key(revoked)}) {
		t.Errorf("after the suspension was lifted: %+v", s)
	}
}
