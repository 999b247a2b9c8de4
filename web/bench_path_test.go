package web_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"carnet/schema"
)

// partnerPair is a partner instance A trusted by the instance B under
// benchmark, with a mediator token on each side.
func partnerPair(b *testing.B) (a, f *fixture, tokA, tokB string) {
	t := &testing.T{}
	a = startFixture(t)
	stA := a.structure("partenaire")
	tokA = a.token(a.user("m@a.example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleAdmin}))
	f = startFixture(t)
	stB := f.structure("bib")
	admin := f.token(f.user("admin@b.example.org", true))
	if code := f.api(admin, "POST", "/api/v1/trust", map[string]any{"url": a.srv.BaseURL}, nil); code != 201 {
		b.Fatalf("trust: %d", code)
	}
	tokB = f.token(f.user("m@b.example.org", false, schema.Membership{StructureID: stB.ID, Role: schema.RoleMediator}))
	return a, f, tokA, tokB
}

var benchLevels = map[string]any{"1.1": 3, "1.2": 2, "2.1": 4, "3.1": 1, "4.2": 2, "5.2": 3}

func issueFor(b *testing.B, f *fixture, tok, name string) string {
	var l struct{ ID string }
	f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": name}, &l)
	var c struct{ JWT string }
	if code := f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2", "levels": benchLevels}, &c); code != 201 {
		b.Fatalf("issue: %d", code)
	}
	return c.JWT
}

// BenchmarkAPIVerifyPartner measures POST /api/v1/verify of a trusted
// partner's credential: its status lists come from the partner over HTTP
// once, then from the cache (warm).
func BenchmarkAPIVerifyPartner(b *testing.B) {
	a, f, tokA, _ := partnerPair(b)
	body, _ := json.Marshal(map[string]string{"input": issueFor(b, a, tokA, "Éloïse Ndiaye")})
	benchVerify(b, f, body, `"valid":true`)
}

// BenchmarkAPIVerifyUntrusted measures POST /api/v1/verify of a genuine
// credential of an issuer not trusted here: the did:web look-up is cached,
// the signature is checked, the answer is "not trusted here".
func BenchmarkAPIVerifyUntrusted(b *testing.B) {
	t := &testing.T{}
	c := startFixture(t)
	stC := c.structure("inconnue")
	tokC := c.token(c.user("m@c.example.org", false, schema.Membership{StructureID: stC.ID, Role: schema.RoleAdmin}))
	f := startFixture(t)
	body, _ := json.Marshal(map[string]string{"input": issueFor(b, c, tokC, "Éloïse Ndiaye")})
	benchVerify(b, f, body, `"signature_verified":true`)
}

func benchVerify(b *testing.B, f *fixture, body []byte, want string) {
	h := f.srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/api/v1/verify", bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(want)) {
			b.Fatalf("%d %.300s", w.Code, w.Body)
		}
	}
}

// BenchmarkLearnerPath measures GET /api/v1/learners/{id}/path for a
// learner with 10 credentials attached from a partner and 2 issued here:
// every attached credential is verified again (signature, dates, status
// lists from the cache), then current levels, next steps and resources.
func BenchmarkLearnerPath(b *testing.B) {
	a, f, tokA, tokB := partnerPair(b)
	var l struct{ ID string }
	f.api(tokB, "POST", "/api/v1/learners", map[string]any{"name": "Éloïse Ndiaye"}, &l)
	for i := 0; i < 10; i++ {
		jws := issueFor(b, a, tokA, "Éloïse Ndiaye")
		if code := f.api(tokB, "POST", "/api/v1/learners/"+l.ID+"/imports", map[string]any{"input": jws}, nil); code != 201 {
			b.Fatalf("attach: %d", code)
		}
	}
	for i := 0; i < 2; i++ {
		f.api(tokB, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2", "levels": benchLevels}, nil)
	}
	h := f.srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", "/api/v1/learners/"+l.ID+"/path", nil)
		req.Header.Set("Authorization", "Bearer "+tokB)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || bytes.Count(w.Body.Bytes(), []byte(`"status":"active"`)) < 12 {
			b.Fatalf("%d %.300s", w.Code, w.Body)
		}
	}
}
