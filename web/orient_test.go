package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carnet/places"
	"carnet/schema"
)

// TestLearnerOrientation: on a learner's page, each competency's next level
// lists the network's offers that serve it, nearest first from the place of
// the learner's structure (or a typed postcode), then other places whose
// services match, marked as outside the network; the mediator records a
// referral, which is stored, audited, shown with the path and counted.
func TestLearnerOrientation(t *testing.T) {
	f := startFixture(t)
	ctx := t.Context()
	bib, asso := f.structure("bib"), f.structure("asso")
	admin := f.token(f.user("admin@example.org", true, schema.Membership{StructureID: bib.ID, Role: schema.RoleAdmin},
		schema.Membership{StructureID: asso.ID, Role: schema.RoleAdmin}))
	f.user("med@bib.example", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleMediator})
	med := f.token(f.user("med2@bib.example", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleMediator}))
	const outils = "Maîtrise des outils numériques du quotidien"
	describe := func(slug string, lat, lon float64, cp string) {
		t.Helper()
		if code := f.api(admin, "PATCH", "/api/v1/structures/"+slug, map[string]any{"pivot": "21510454700019", "adresse": "1 rue X",
			"code_postal": cp, "commune": "Ville " + slug, "latitude": lat, "longitude": lon, "services": []string{outils},
			"horaires": "Mo-Fr 09:00-17:00", "telephone": "+33326000000"}, nil); code != 200 {
			t.Fatalf("describe %s: %d", slug, code)
		}
	}
	describe("bib", 48.8566, 2.3522, "75004")  // the learner's structure
	describe("asso", 48.8049, 2.1204, "78000") // 17.9 km away
	for _, o := range []struct{ slug, title, from, to string }{{"bib", "Courriel pas à pas", "2", "2"}, {"asso", "Courriel avancé", "3", "4"}} {
		if code := f.api(admin, "POST", "/api/v1/structures/"+o.slug+"/offers", map[string]any{"title": o.title, "kind": "atelier",
			"framework": "digcomp-2.2", "competencies": []string{"2.1"}, "from": o.from, "to": o.to, "price": "Gratuit", "schedule": "mardi 14h"}, nil); code != 201 {
			t.Fatalf("offer: %d", code)
		}
	}
	csv := strings.Join(places.Columns, ",") + "\n" +
		"nd,21510454700019,Notre-Dame numérique,Paris,75004,,1 rue X,,48.8530,2.3499,,,,,,,,,,,2026-01-01,Maîtrise des outils numériques du quotidien,,,,,,,,,,\n"
	if _, err := f.srv.Places.Import(ctx, strings.NewReader(csv), "test"); err != nil {
		t.Fatal(err)
	}
	var l struct{ ID string }
	if code := f.api(med, "POST", "/api/v1/learners", map[string]any{"name": "Awa Diallo"}, &l); code != 201 {
		t.Fatalf("learner: %d", code)
	}
	if code := f.api(med, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"2.1": 2}}, nil); code != 201 {
		t.Fatalf("issue: %d", code)
	}

	b := newBrowser(t, f.http.URL)
	b.login("med@bib.example")
	code, body, _ := b.get("/learners/" + l.ID)
	if code != 200 {
		t.Fatalf("learner page: %d", code)
	}
	sec := body[strings.Index(body, `id="orientation"`):]
	// Level 3 of 2.1: the association's offer (the library's stops at 2),
	// then the imported place (0.4 km), marked outside the network; the
	// library itself has no offer for level 3 but its services match.
	iOffer, iND, iBib := strings.Index(sec, "Courriel avancé — Structure asso"), strings.Index(sec, "Notre-Dame numérique"), strings.Index(sec, "<strong>Structure bib</strong>")
	if iOffer < 0 || iND < iOffer || iBib < 0 || strings.Contains(sec, "Courriel pas à pas") {
		t.Fatalf("orientation order: offer %d, imported %d, bib %d\n%s", iOffer, iND, iBib, sec)
	}
	for _, want := range []string{"17,9 km", "0,4 km", "Mo-Fr 09:00-17:00", `href="tel:&#43;33326000000"`, "lieu hors réseau", "mardi 14h"} {
		if !strings.Contains(sec, want) {
			t.Errorf("orientation lacks %q\n%s", want, sec)
		}
	}
	if strings.Contains(sec, "did:") {
		t.Errorf("a did on the learner's page:\n%s", sec)
	}
	// From a typed postcode: the association's place is the nearest now.
	_, body, _ = b.get("/learners/" + l.ID + "?cp=78000")
	sec = body[strings.Index(body, `id="orientation"`):]
	if !strings.Contains(sec, "Courriel avancé — Structure asso</strong> <span class=\"meta\">· structure du réseau · 0,0 km") {
		t.Errorf("from the postcode 78000:\n%s", sec)
	}

	// A referral to the offer, then one typed by hand with a date.
	tok := b.csrf("/learners/" + l.ID)
	var offerID string
	if i := strings.Index(sec, `name="offer_id" value="`); i >= 0 {
		offerID = sec[i+len(`name="offer_id" value="`):]
		offerID = offerID[:strings.IndexByte(offerID, '"')]
	}
	code, _, loc := b.post("/learners/"+l.ID+"/referrals", tok, url.Values{"offer_id": {offerID}, "target": {""},
		"framework": {"digcomp-2.2"}, "competency": {"2.1"}, "level": {"3"}})
	if code != http.StatusSeeOther || !strings.Contains(loc, "ok=referred") {
		t.Fatalf("refer: %d %s", code, loc)
	}
	if code, _, _ = b.post("/learners/"+l.ID+"/referrals", tok, url.Values{"target": {"France Services de Reims"}, "date": {"2026-01-15"}}); code != http.StatusSeeOther {
		t.Fatalf("refer by hand: %d", code)
	}
	// Bad input is refused, and nothing is stored.
	for _, bad := range []url.Values{{"target": {" "}}, {"target": {"X"}, "date": {"2999-01-01"}}, {"target": {"X"}, "date": {"15/01/2026"}},
		{"offer_id": {"o-nope"}}, {"target": {"X"}, "framework": {"digcomp-2.2"}, "competency": {"9.9"}, "level": {"3"}}} {
		if code, _, _ := b.post("/learners/"+l.ID+"/referrals", tok, bad); code != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", bad, code)
		}
	}
	_, body, _ = b.get("/learners/" + l.ID + "?ok=referred")
	hist := body[strings.Index(body, `id="referrals"`):strings.Index(body, `id="orientation"`)]
	if !strings.Contains(body, "Orientation enregistrée.") || strings.Index(hist, "orienté vers Courriel avancé — Structure asso") < 0 ||
		strings.Index(hist, "orienté vers France Services de Reims") < strings.Index(hist, "Courriel avancé") || !strings.Contains(hist, "15/01/2026") {
		t.Errorf("referrals on the path:\n%s", hist)
	}
	refs, err := f.srv.Places.ListReferrals(ctx, l.ID)
	if err != nil || len(refs) != 2 || refs[0].OfferID == "" || refs[0].Competency != "2.1" || refs[0].Level != "3" || refs[0].Structure != "bib" {
		t.Fatalf("stored referrals: %v %+v", err, refs)
	}
	counts, err := f.srv.Places.CountReferrals(ctx, "2026-01-01", "2026-01-31", []int64{bib.ID})
	if err != nil || len(counts) != 1 || counts[0] != (places.ReferralCount{Structure: "bib", Period: "2026-01", Count: 1}) {
		t.Errorf("counts of January: %v %+v", err, counts)
	}
	if counts, _ := f.srv.Places.CountReferrals(ctx, "", "", []int64{asso.ID}); len(counts) != 0 {
		t.Errorf("the association referred no one: %+v", counts)
	}
	events, err := f.srv.Audit.ListAudit(ctx, schema.AuditFilter{Limit: 50})
	n := 0
	for _, e := range events {
		if e.Action == places.AuditReferred && e.Object == l.ID {
			n++
		}
	}
	if err != nil || n != 2 {
		t.Errorf("audited referrals: %d (%v)", n, err)
	}
}
