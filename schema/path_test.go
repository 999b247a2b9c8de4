package schema_test

import (
	"testing"
	"time"

	"carnet/schema"
)

func TestCurrentLevels(t *testing.T) {
	fw, err := schema.NewFrameworks().Get("digcomp-2.2")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	entries := []schema.PathEntry{
		{CredentialID: "a", IssuerName: "Médiathèque A", Framework: fw.ID, IssuedAt: now.Add(-300 * day), Status: schema.StatusActive,
			Levels: []schema.LevelResult{{Competency: "1.1", Level: "2"}, {Competency: "4.2", Level: "3"}}},
		{CredentialID: "b", IssuerName: "Association B", Framework: fw.ID, IssuedAt: now.Add(-100 * day), Status: schema.StatusActive,
			Levels: []schema.LevelResult{{Competency: "1.1", Level: "4"}, {Competency: "2.1", Level: "1"}}},
		// Higher, but revoked: does not count.
		{CredentialID: "c", Framework: fw.ID, IssuedAt: now.Add(-10 * day), Status: schema.StatusRevoked,
			Levels: []schema.LevelResult{{Competency: "1.1", Level: "8"}}},
		// Higher, but expired yesterday.
		{CredentialID: "d", Framework: fw.ID, IssuedAt: now.Add(-400 * day), ValidUntil: now.Add(-day), Status: schema.StatusActive,
			Levels: []schema.LevelResult{{Competency: "4.2", Level: "7"}}},
		// Higher, but its issuer is no longer trusted here.
		{CredentialID: "e", Framework: fw.ID, IssuedAt: now.Add(-5 * day), Status: "unknown_issuer",
			Levels: []schema.LevelResult{{Competency: "2.1", Level: "6"}}},
		// Same level as "b" for 2.1, more recent: named as the source.
		{CredentialID: "f", Framework: fw.ID, IssuedAt: now.Add(-2 * day), Status: schema.StatusActive,
			Levels: []schema.LevelResult{{Competency: "2.1", Level: "1"}, {Competency: "9.9", Level: "1"}}},
		// Another framework.
		{CredentialID: "g", Framework: "cefr-fr", IssuedAt: now, Status: schema.StatusActive,
			Levels: []schema.LevelResult{{Competency: "REC.L", Level: "B1"}}},
	}
	got := schema.CurrentLevels(fw, entries, now)
	want := []struct{ comp, level, from string }{{"1.1", "4", "b"}, {"2.1", "1", "f"}, {"4.2", "3", "a"}}
	if len(got) != len(want) {
		t.Fatalf("got %d levels: %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].Competency != w.comp || got[i].Level != w.level || got[i].From.CredentialID != w.from {
			t.Errorf("#%d: got %s=%s from %s, want %s=%s from %s", i, got[i].Competency, got[i].Level, got[i].From.CredentialID, w.comp, w.level, w.from)
		}
	}
	if m := schema.StartingLevels(got); m["1.1"] != "4" || len(m) != 3 {
		t.Errorf("starting levels: %v", m)
	}

	steps := schema.NextSteps(fw, got, true)
	if len(steps) != 3 || steps[0].Competency.Code != "1.1" || steps[0].Current.ID != "4" || steps[0].Next.ID != "5" {
		t.Fatalf("next steps: %+v", steps[0])
	}
	all := schema.NextSteps(fw, got, false)
	if len(all) != fw.CompetencyCount() {
		t.Errorf("%d steps, want one per competency (%d)", len(all), fw.CompetencyCount())
	}
	for _, s := range all {
		if s.Competency.Code == "1.2" && (s.Current != nil || s.Next.ID != "1") {
			t.Errorf("never attested: next must be the first level: %+v", s)
		}
	}
	top := schema.NextSteps(fw, []schema.CurrentLevel{{Competency: "1.1", Level: "8", Rank: 7}}, true)
	if top[0].Next != nil {
		t.Errorf("highest level has a next level: %+v", top[0].Next)
	}
}

func TestStarterCatalogue(t *testing.T) {
	fws := schema.NewFrameworks()
	cat, err := schema.StarterCatalogue(fws)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Resources) < 5 {
		t.Fatalf("%d resources", len(cat.Resources))
	}
	dig, _ := fws.Get("digcomp-2.2")
	ids := func(rs []schema.Resource) (out []string) {
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return
	}
	if got := ids(cat.Suggest(dig, "4.2", "2")); len(got) != 3 || got[0] != "lesbonsclics" {
		t.Errorf("4.2 level 2: %v", got)
	}
	if got := ids(cat.Suggest(dig, "4.2", "5")); len(got) != 0 {
		t.Errorf("4.2 level 5: %v (nothing covers it)", got)
	}
	cefr, _ := fws.Get("cefr-fr")
	if got := ids(cat.Suggest(cefr, "REC.L", "C1")); len(got) != 1 || got[0] != "rfi-savoirs" {
		t.Errorf("REC.L C1: %v", got)
	}
	for _, tc := range []struct{ name, json string }{
		{"http link", `{"resources":[{"id":"a","name":{"fr":"A"},"url":"http://x.example","covers":[]}]}`},
		{"repeated id", `{"resources":[{"id":"a","name":{"fr":"A"},"url":"https://x.example"},{"id":"a","name":{"fr":"B"},"url":"https://y.example"}]}`},
		{"unknown competency", `{"resources":[{"id":"a","name":{"fr":"A"},"url":"https://x.example","covers":[{"framework":"digcomp-2.2","competencies":["9.9"],"from":"1","to":"2"}]}]}`},
		{"reversed levels", `{"resources":[{"id":"a","name":{"fr":"A"},"url":"https://x.example","covers":[{"framework":"digcomp-2.2","competencies":["1.1"],"from":"5","to":"2"}]}]}`},
		{"unknown framework", `{"resources":[{"id":"a","name":{"fr":"A"},"url":"https://x.example","covers":[{"framework":"nope","competencies":["1.1"],"from":"1","to":"2"}]}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := schema.ParseCatalogue([]byte(tc.json), fws); schema.ErrorCode(err) != schema.EINVALID {
				t.Errorf("got %v, want invalid", err)
			}
		})
	}
}

func TestTrustedSourceNextRefresh(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		maxAge time.Duration
		failed bool
		want   time.Duration
	}{
		{0, false, schema.DefaultTrustRefresh},
		{time.Minute, false, schema.MinTrustRefresh},
		{3 * time.Hour, false, 3 * time.Hour},
		{30 * 24 * time.Hour, false, schema.MaxTrustRefresh},
		{3 * time.Hour, true, 15 * time.Minute},
		{time.Minute, true, schema.MinTrustRefresh},
	} {
		ts := &schema.TrustedSource{LastFetchAt: at, MaxAge: tc.maxAge}
		if tc.failed {
			ts.LastError = "down"
		}
		if got := ts.NextRefresh().Sub(at); got != tc.want {
			t.Errorf("max-age %v failed %v: next refresh after %v, want %v", tc.maxAge, tc.failed, got, tc.want)
		}
	}
}
