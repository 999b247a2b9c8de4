package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

// TestWithdrawnCredentials: the revoked and the suspended credentials, the
// latest change first, a lifted suspension gone, a suspended-then-revoked
// one counted as revoked, and the limit keeping the latest changes.
func TestWithdrawnCredentials(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	sqlite.NewStructureStore(db).CreateStructure(ctx, &schema.Structure{Slug: "lille", Name: "Lille"})
	cs := sqlite.NewCredentialStore(db)
	next := 0
	pick := func(n int) (int, error) { next++; return next, nil }
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= 5; i++ {
		list, index, err := cs.ReserveStatusIndex(ctx, "lille", pick)
		if err != nil {
			t.Fatal(err)
		}
		if err := cs.CreateCredential(ctx, &schema.CredentialRecord{ID: fmt.Sprintf("urn:uuid:%d", i), Structure: "lille", SubjectID: "urn:uuid:s",
			LearnerName: "Awa", Framework: "digcomp-2.2", Results: []schema.LevelResult{{Competency: "1.1", Level: "2"}}, IssuedAt: t0,
			JWT: "a.b.c", CardToken: "d.e.f", ShortCode: fmt.Sprintf("0000-0000-%02d", i), StatusList: list, StatusIndex: index}); err != nil {
			t.Fatal(err)
		}
	}
	change := func(id, action string, hours int) {
		t.Helper()
		if _, err := cs.SetCredentialStatus(ctx, id, schema.StatusChange{Action: action, Reason: "test", At: t0.Add(time.Duration(hours) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	// 1 active; 2 revoked (1 h); 3 suspended then lifted; 4 suspended (3 h);
	// 5 suspended (2 h) then revoked (4 h).
	change("urn:uuid:2", schema.AuditRevoke, 1)
	change("urn:uuid:3", schema.AuditSuspend, 1)
	change("urn:uuid:3", schema.AuditUnsuspend, 2)
	change("urn:uuid:4", schema.AuditSuspend, 3)
	change("urn:uuid:5", schema.AuditSuspend, 2)
	change("urn:uuid:5", schema.AuditRevoke, 4)
	for _, tc := range []struct {
		limit              int
		revoked, suspended []string
	}{
		{10, []string{"urn:uuid:5", "urn:uuid:2"}, []string{"urn:uuid:4"}},
		{2, []string{"urn:uuid:5"}, []string{"urn:uuid:4"}},
		{1, []string{"urn:uuid:5"}, []string{}},
	} {
		r, s, err := cs.WithdrawnCredentials(ctx, tc.limit)
		if err != nil || !slices.Equal(r, tc.revoked) || !slices.Equal(s, tc.suspended) {
			t.Errorf("limit %d: revoked %q suspended %q (%v), want %q and %q", tc.limit, r, s, err, tc.revoked, tc.suspended)
		}
	}
}
