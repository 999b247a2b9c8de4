package card_test

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/issuer/card"
	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"
)

// TestFrameworkUpgrade issues a CEFR credential with the first version of
// the framework data (English codes REC.L, PROD.W, INT.O and the project's
// own level summaries, kept in testdata/cefr-fr-v1.json), then checks it
// with the built-in data of today (French codes CO, PE, IL and the
// self-assessment grid): the credential still verifies, by its JWT and by
// the QR code of its card, its levels are still named, its card still
// prints them, and what it says (the level texts it embeds) is what was
// shown when it was issued, not today's texts.
func TestFrameworkUpgrade(t *testing.T) {
	base := "https://carnet.example.org"
	now := time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)
	data, err := os.ReadFile("testdata/cefr-fr-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	v1, err := schema.ParseFramework(data)
	if err != nil {
		t.Fatal(err)
	}
	old := schema.NewFrameworks()
	old.Add(v1)
	current := schema.NewFrameworks()
	v2, err := current.Get("cefr-fr")
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version == v2.Version {
		t.Fatalf("the built-in CEFR data has the version of the old data (%q)", v1.Version)
	}
	if _, _, err := v2.Competency("CO"); err != nil {
		t.Fatalf("the built-in CEFR data has no CO: %v", err)
	}

	ks := keys.NewMemStore()
	st := &schema.Structure{Slug: "mediatheque-lille", Name: "Médiathèque Jean Lévy"}
	svc := &issuer.Service{Frameworks: old, Keys: ks, BaseURL: base, Now: func() time.Time { return now },
		Rand: rand.NewChaCha8([32]byte{'v', '1'})}
	iss, err := svc.Issue(context.Background(), st, schema.Assessment{LearnerName: "Олена Шевченко", Framework: "cefr-fr",
		Results: []schema.LevelResult{{Competency: "REC.L", Level: "B1"}, {Competency: "PROD.W", Level: "A2"}, {Competency: "INT.O", Level: "B2"}}})
	if err != nil {
		t.Fatal(err)
	}
	b1, _, _ := v1.Level("B1")
	wantText := b1.Description("fr") // what the assessment page showed for B1 with the old data

	// Verify with today's frameworks.
	upgraded := &issuer.Service{Frameworks: current, Keys: ks, BaseURL: base, Now: svc.Now, Rand: svc.Rand}
	ring, err := ks.Ring(st.Slug)
	if err != nil {
		t.Fatal(err)
	}
	profile, err := upgraded.Profile(st)
	if err != nil {
		t.Fatal(err)
	}
	reg := verifier.NewRegistry()
	if err := reg.Add(verifier.LocalIssuer(profile.ID, st.Name, ring)); err != nil {
		t.Fatal(err)
	}
	v := &verifier.Verifier{Trust: reg, Frameworks: current, Now: func() time.Time { return now.Add(time.Hour) }}
	wantTitles := map[string]string{"REC.L": "Compréhension de l'oral", "PROD.W": "Production écrite", "INT.O": "Interaction en ligne"}
	for name, in := range map[string]string{"JWT": iss.JWT, "QR": iss.QRText} {
		res := v.Verify(context.Background(), []byte(in))
		if !res.Valid {
			t.Fatalf("%s: the old credential does not verify with the new data: %s", name, res.Reason)
		}
		if len(res.Levels) != 3 {
			t.Fatalf("%s: %d levels, want 3", name, len(res.Levels))
		}
		for _, l := range res.Levels {
			if got := l.Title.In("fr"); got != wantTitles[l.Competency] {
				t.Errorf("%s: competency %s is named %q, want %q", name, l.Competency, got, wantTitles[l.Competency])
			}
			if l.LevelTitle.In("fr") == "" {
				t.Errorf("%s: level %s of %s has no title", name, l.Level, l.Competency)
			}
		}
		if name != "JWT" {
			continue
		}
		// What the credential says: the codes and the level text shown at issuance.
		var said string
		for _, rd := range res.Credential.CredentialSubject.Achievement.ResultDescription {
			for _, a := range rd.Alignment {
				if a.TargetType == schema.AlignCompetency && a.TargetCode == "REC.L" {
					for _, l := range rd.RubricCriterionLevel {
						if l.Level == "B1" {
							said = l.Description
						}
					}
				}
			}
		}
		if said != wantText {
			t.Errorf("the credential says %q for REC.L B1, want the text shown at issuance %q", said, wantText)
		}
		co, _, _ := v2.Competency("CO")
		if today := co.Statement(b1, "fr"); said == today {
			t.Errorf("the old credential carries today's statement %q", today)
		}
	}

	// Its card, printed again today, still lists its three levels under
	// the codes it was issued with.
	c, err := card.FromRecord(iss.Record, st, current, nil, base, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Levels) != 3 {
		t.Fatalf("the card printed with the new data lists %d levels, want 3: %+v", len(c.Levels), c.Levels)
	}
	for _, l := range c.Levels {
		if l.Title != wantTitles[l.Code] || l.Rank == 0 {
			t.Errorf("card level %+v: want code as issued, title %q and a rank", l, wantTitles[l.Code])
		}
	}

	// A former code is still accepted on input, and issued under the
	// current one.
	fresh, err := upgraded.Issue(context.Background(), st, schema.Assessment{LearnerName: "Zoé", Framework: "cefr-fr",
		Results: []schema.LevelResult{{Competency: "REC.L", Level: "A2"}, {Competency: "CE", Level: "A1"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := fresh.Record.Results
	if len(got) != 2 || got[0].Competency != "CO" || got[1].Competency != "CE" {
		t.Errorf("issued results %+v, want CO then CE", got)
	}
}
