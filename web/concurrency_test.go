package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"carnet/schema"
)

// TestConcurrentIssuance has 20 clients issue 50 credentials each against
// one server and one SQLite database: no error, no SQLITE_BUSY, 1,000
// credentials stored, each one verifiable.
func TestConcurrentIssuance(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 1,000 issuances")
	}
	const clients, each = 20, 50
	f := startFixture(t)
	st := f.structure("bib")
	var tokens, learners []string
	for i := 0; i < clients; i++ {
		u := f.user(fmt.Sprintf("m%d@example.org", i), false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
		tok := f.token(u)
		var l struct{ ID string }
		if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": fmt.Sprintf("Personne %d", i)}, &l); code != 201 {
			t.Fatalf("learner: %d", code)
		}
		tokens, learners = append(tokens, tok), append(learners, l.ID)
	}
	type issued struct{ ID, JWT, ShortCode string }
	var mu sync.Mutex
	var all []issued
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := 0; n < each; n++ {
				var out struct {
					ID, JWT   string
					ShortCode string `json:"short_code"`
					Error     *struct{ Code, Message string }
				}
				code := f.api(tokens[i], "POST", "/api/v1/credentials", map[string]any{"learner_id": learners[i], "framework": "digcomp-2.2",
					"levels": map[string]any{"1.1": 1 + n%8, "2.1": 1 + i%8}, "evidence": fmt.Sprintf("client %d, n° %d", i, n)}, &out)
				if code != http.StatusCreated {
					errs <- fmt.Sprintf("client %d #%d: %d %+v", i, n, code, out.Error)
					continue
				}
				mu.Lock()
				all = append(all, issued{out.ID, out.JWT, out.ShortCode})
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		return
	}
	n, err := f.creds.CountCredentials(context.Background(), "bib")
	if err != nil || n != clients*each || len(all) != clients*each {
		t.Fatalf("stored %d (%v), answered %d; want %d", n, err, len(all), clients*each)
	}
	seen := map[string]bool{}
	for _, c := range all {
		if seen[c.ID] || seen[c.ShortCode] {
			t.Fatalf("duplicate id or short code: %+v", c)
		}
		seen[c.ID], seen[c.ShortCode] = true, true
		res := f.srv.Verifier.Verify(context.Background(), []byte(c.JWT))
		if !res.Valid || res.CredentialID != c.ID {
			t.Fatalf("%s: %s %s", c.ID, res.Reason, res.Message)
		}
	}
	// And the short codes resolve online, through the API.
	for _, c := range all[:20] {
		var res struct{ Valid bool }
		f.api("", "POST", "/api/v1/verify", map[string]any{"input": strings.ToLower(c.ShortCode)}, &res)
		if !res.Valid {
			t.Fatalf("short code %s not valid", c.ShortCode)
		}
	}
}
