package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

// TestCarnetStore: a new private link replaces the old; share links
// expire and are withdrawn once; erasing the learner deletes the link, the
// share links and the erasure request.
func TestCarnetStore(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sts, ls := sqlite.NewStructureStore(db), sqlite.NewLearnerStore(db)
	st := &schema.Structure{Slug: "a", Name: "A"}
	if err := sts.CreateStructure(ctx, st); err != nil {
		t.Fatal(err)
	}
	l := &schema.Learner{ID: "11111111-1111-4111-8111-111111111111", StructureID: st.ID, Name: "Awa"}
	if err := ls.CreateLearner(ctx, l); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	if err := ls.SetCarnetLink(ctx, l.ID, "h1", now); err != nil {
		t.Fatal(err)
	}
	if err := ls.SetCarnetLink(ctx, l.ID, "h2", now); err != nil {
		t.Fatal(err)
	}
	if _, err := ls.FindCarnetLink(ctx, "h1"); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("the replaced link still opens: %v", err)
	}
	if id, err := ls.FindCarnetLink(ctx, "h2"); err != nil || id != l.ID {
		t.Errorf("new link: %q %v", id, err)
	}
	sh := &schema.CarnetShare{LearnerID: l.ID, CredentialID: "urn:uuid:x", CreatedAt: now, ExpiresAt: now.AddDate(0, 0, 7)}
	if err := ls.CreateShare(ctx, sh, "s1"); err != nil {
		t.Fatal(err)
	}
	got, err := ls.FindShare(ctx, "s1")
	if err != nil || !got.Live(now) || got.Live(now.AddDate(0, 0, 7)) {
		t.Errorf("share: %+v %v", got, err)
	}
	if err := ls.WithdrawShare(ctx, "someone-else", sh.ID, now); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("another learner withdrew the share: %v", err)
	}
	if err := ls.WithdrawShare(ctx, l.ID, sh.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := ls.FindShare(ctx, "s1"); got.Live(now) {
		t.Error("a withdrawn share is live")
	}
	if err := ls.WithdrawShare(ctx, l.ID, sh.ID, now); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("withdrawn twice: %v", err)
	}
	if err := ls.CreateShare(ctx, &schema.CarnetShare{LearnerID: l.ID, CredentialID: "urn:uuid:x", CreatedAt: now, ExpiresAt: now.AddDate(1, 0, 0)}, "s2"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := ls.RequestErasure(ctx, l.ID, now.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if list, err := ls.ListErasureRequests(ctx, []int64{st.ID}); err != nil || len(list) != 1 || !list[0].RequestedAt.Equal(now) || list[0].LearnerName != "Awa" {
		t.Errorf("requests: %+v %v", list, err)
	}
	if list, _ := ls.ListErasureRequests(ctx, []int64{st.ID + 1}); len(list) != 0 {
		t.Errorf("another structure's requests: %+v", list)
	}
	if err := ls.EraseLearner(ctx, l.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := ls.FindCarnetLink(ctx, "h2"); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("the link survived the erasure: %v", err)
	}
	if _, err := ls.FindShare(ctx, "s2"); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("a share survived the erasure: %v", err)
	}
	if list, _ := ls.ListErasureRequests(ctx, nil); len(list) != 0 {
		t.Errorf("the request survived the erasure: %+v", list)
	}
}
