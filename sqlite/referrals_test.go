package sqlite_test

import (
	"context"
	"testing"
	"time"

	"carnet/places"
	"carnet/schema"
	"carnet/sqlite"
)

// TestReferralCounts: referrals are listed per learner, newest first, and
// counted per structure and month between two dates, for some structures
// or all; a referral names an existing learner and structure.
func TestReferralCounts(t *testing.T) {
	db, _ := openPlaces(t)
	ctx := context.Background()
	sts, learners, ps := sqlite.NewStructureStore(db), sqlite.NewLearnerStore(db), sqlite.NewPlaceStore(db)
	var ids []int64
	for _, slug := range []string{"a", "b"} {
		st := &schema.Structure{Slug: slug, Name: "Structure " + slug}
		if err := sts.CreateStructure(ctx, st); err != nil {
			t.Fatal(err)
		}
		if err := learners.CreateLearner(ctx, &schema.Learner{ID: "l-" + slug, StructureID: st.ID, Name: "Zoé"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.ID)
	}
	for _, r := range []places.Referral{
		{LearnerID: "l-a", StructureID: ids[0], Target: "Médiathèque", On: "2026-01-05"},
		{LearnerID: "l-a", StructureID: ids[0], Target: "France Services", On: "2026-01-20"},
		{LearnerID: "l-a", StructureID: ids[0], Target: "Espace numérique", On: "2026-02-02"},
		{LearnerID: "l-b", StructureID: ids[1], Target: "Médiathèque", On: "2026-01-31"},
	} {
		r.CreatedAt = time.Now()
		if err := ps.CreateReferral(ctx, &r); err != nil || r.ID == 0 {
			t.Fatalf("create: %v %d", err, r.ID)
		}
	}
	if err := ps.CreateReferral(ctx, &places.Referral{LearnerID: "nobody", StructureID: ids[0], Target: "X", On: "2026-01-01"}); err == nil {
		t.Error("a referral of no learner was stored")
	}
	list, err := ps.ListReferrals(ctx, "l-a")
	if err != nil || len(list) != 3 || list[0].Target != "Espace numérique" || list[2].On != "2026-01-05" || list[0].Structure != "a" {
		t.Fatalf("list: %v %+v", err, list)
	}
	type want = places.ReferralCount
	rc := func(st, period string, n int) want { return want{Structure: st, Period: period, Count: n} }
	for _, c := range []struct {
		from, to string
		ids      []int64
		want     []want
	}{
		{"", "", nil, []want{rc("a", "2026-01", 2), rc("b", "2026-01", 1), rc("a", "2026-02", 1)}},
		{"2026-01-06", "2026-01-31", nil, []want{rc("a", "2026-01", 1), rc("b", "2026-01", 1)}},
		{"", "", ids[1:], []want{rc("b", "2026-01", 1)}},
		{"", "", []int64{}, nil},
	} {
		got, err := ps.CountReferrals(ctx, c.from, c.to, c.ids)
		if err != nil || len(got) != len(c.want) {
			t.Errorf("%s..%s %v: %v %+v", c.from, c.to, c.ids, err, got)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s..%s %v: %+v, want %+v", c.from, c.to, c.ids, got, c.want)
				break
			}
		}
	}
}
