package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"carnet/schema"
)

// An action and its audit entry commit together: when the audit entry
// cannot be written (here a trigger refuses every insert into the audit
// table), the action fails and nothing of it is stored (issue 10).
func TestAuditFailureFailsTheAction(t *testing.T) {
	ctx := context.Background()
	f := startFixture(t)
	st := f.structure("bib")
	admin := f.user("admin@example.org", true, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	tok := f.token(admin)

	// What the failing actions act on, made while the log works.
	var kept struct{ ID string }
	if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Awa Diallo"}, &kept); code != http.StatusCreated {
		t.Fatalf("learner: %d", code)
	}
	var cred struct{ ID string }
	if code := f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": kept.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 2}}, &cred); code != http.StatusCreated {
		t.Fatalf("issue: %d", code)
	}

	snapshot := func() string {
		var parts []any
		creds, _ := f.creds.ListCredentials(ctx, schema.CredentialFilter{})
		for _, c := range creds {
			parts = append(parts, c.ID, c.Status)
		}
		learners, _ := f.learns.SearchLearners(ctx, nil, "", 100)
		for _, l := range learners {
			parts = append(parts, l.ID, l.Name, l.ErasedAt)
		}
		tokens, _ := f.users.ListAPITokens(ctx, admin.ID)
		sts, _ := f.sts.ListStructures(ctx)
		ring, _ := f.srv.Keys.Ring("bib")
		events, _ := f.srv.Audit.ListAudit(ctx, schema.AuditFilter{})
		_, keyErr := os.Stat(filepath.Join(f.dir, "keys", "annexe.json"))
		parts = append(parts, len(tokens), len(sts), sts[0].Name, len(ring.Keys), len(events), os.IsNotExist(keyErr))
		b, _ := json.Marshal(parts)
		return string(b)
	}
	before := snapshot()

	raw, err := sql.Open("sqlite3", filepath.Join(f.dir, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, method, path string
		body               any
	}{
		{"create a learner", "POST", "/api/v1/learners", map[string]any{"name": "Bob Martin"}},
		{"issue", "POST", "/api/v1/credentials", map[string]any{"learner_id": kept.ID, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 3}}},
		{"revoke", "POST", "/api/v1/credentials/" + cred.ID + "/revoke", map[string]any{"reason": "erreur"}},
		{"suspend", "POST", "/api/v1/credentials/" + cred.ID + "/suspend", map[string]any{"reason": "vérification"}},
		{"erase a learner", "DELETE", "/api/v1/learners/" + kept.ID, nil},
		{"create a structure", "POST", "/api/v1/structures", map[string]any{"slug": "annexe", "name": "Annexe"}},
		{"edit a structure", "PATCH", "/api/v1/structures/bib", map[string]any{"name": "Autre nom"}},
		{"invite", "POST", "/api/v1/structures/bib/invitations", map[string]any{"email": "new@example.org"}},
		{"create a token", "POST", "/api/v1/tokens", map[string]any{"name": "robot"}},
		{"rotate the key", "POST", "/api/v1/structures/bib/keys/rotate", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			if code := f.api(tok, tc.method, tc.path, tc.body, nil); code != http.StatusInternalServerError {
				t.Errorf("%s %s with the audit log refusing: %d, want 500", tc.method, tc.path, code)
			}
			if after := snapshot(); after != before {
				t.Errorf("the action was stored without its audit entry:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	f.t = t

	// The same actions work again once the log does.
	if _, err := raw.Exec(`DROP TRIGGER refuse_audit`); err != nil {
		t.Fatal(err)
	}
	if code := f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": kept.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3}}, nil); code != http.StatusCreated {
		t.Errorf("issue once the log works: %d", code)
	}
}
