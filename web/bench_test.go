package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"carnet/schema"
)

// BenchmarkAPIIssue measures POST /api/v1/credentials through the real
// router and SQLite (WAL, synchronous NORMAL): assessment checks, status
// index reservation, credential and card signing, storage, audit.
func BenchmarkAPIIssue(b *testing.B) {
	f := startFixture(&testing.T{})
	st := f.structure("bib")
	tok := f.token(f.user("m@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator}))
	var l struct{ ID string }
	f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Éloïse Ndiaye"}, &l)
	body, _ := json.Marshal(map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3, "1.2": 2, "2.1": 4, "3.1": 1, "4.2": 2, "5.2": 3}, "evidence": "Atelier"})
	h := f.srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/api/v1/credentials", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkAPIVerify measures POST /api/v1/verify of a credential JWS,
// status lists included (warm cache).
func BenchmarkAPIVerify(b *testing.B) {
	f := startFixture(&testing.T{})
	st := f.structure("bib")
	tok := f.token(f.user("m@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator}))
	var l struct{ ID string }
	f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Éloïse Ndiaye"}, &l)
	var c struct{ JWT string }
	f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3, "1.2": 2, "2.1": 4, "3.1": 1, "4.2": 2, "5.2": 3}}, &c)
	body, _ := json.Marshal(map[string]string{"input": c.JWT})
	h := f.srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/api/v1/verify", bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(`"valid":true`)) {
			b.Fatalf("%d %.200s", w.Code, w.Body)
		}
	}
}
