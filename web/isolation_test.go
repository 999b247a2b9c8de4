package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carnet/app"
	"carnet/places"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// TestTenantIsolation walks every route as a mediator (and an
// administrator) of structure A aimed at the objects of structure B: each
// answer must be 403 or 404, lists must not show B's objects, and nothing
// of B may change. A route added to the server without a line here fails
// the test.
func TestTenantIsolation(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	stA, stB := f.structure("bib-a"), f.structure("bib-b")
	mA := f.user("mediator-a@example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleMediator})
	adA := f.user("admin-a@example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleAdmin})
	adB := f.user("admin-b@example.org", false, schema.Membership{StructureID: stB.ID, Role: schema.RoleAdmin})
	tokA, tokAdA, tokB := f.token(mA), f.token(adA), f.token(adB)

	// B's objects: a learner, an active credential, a suspended one, a token.
	var lB struct{ ID string }
	if code := f.api(tokB, "POST", "/api/v1/learners", map[string]any{"name": "Bérénice de B"}, &lB); code != 201 {
		t.Fatalf("create learner in B: %d", code)
	}
	var cB, cB2 struct {
		ID string
	}
	for _, c := range []*struct{ ID string }{&cB, &cB2} {
		if code := f.api(tokB, "POST", "/api/v1/credentials", map[string]any{"learner_id": lB.ID, "framework": "digcomp-2.2",
			"levels": map[string]any{"1.1": 3}}, c); code != 201 {
			t.Fatalf("issue in B: %d", code)
		}
	}
	if code := f.api(tokB, "POST", "/api/v1/credentials/"+cB2.ID+"/suspend", map[string]any{"reason": "test"}, nil); code != 200 {
		t.Fatalf("suspend in B: %d", code)
	}
	// A credential of B attached to another learner of B.
	var jB struct{ JWT string }
	if code := f.api(tokB, "GET", "/api/v1/credentials/"+cB.ID, nil, &jB); code != 200 || jB.JWT == "" {
		t.Fatalf("read B's credential: %d", code)
	}
	var lB2 struct{ ID string }
	if code := f.api(tokB, "POST", "/api/v1/learners", map[string]any{"name": "Bérénice bis"}, &lB2); code != 201 {
		t.Fatalf("create learner in B: %d", code)
	}
	if code := f.api(tokB, "POST", "/api/v1/learners/"+lB2.ID+"/imports", map[string]any{"input": jB.JWT}, nil); code != 201 {
		t.Fatalf("attach in B: %d", code)
	}
	var tB struct{ ID int64 }
	f.api(tokB, "POST", "/api/v1/tokens", map[string]any{"name": "b"}, &tB)
	uuidB := strings.TrimPrefix(cB.ID, "urn:uuid:")
	uuidB2 := strings.TrimPrefix(cB2.ID, "urn:uuid:")
	tokenIDB := itoa64(tB.ID)
	if err := f.srv.Places.CreateOffer(ctx, &places.Offer{ID: "o-b", Structure: "bib-b", Title: "Atelier de B", Kind: places.KindWorkshop,
		Framework: "digcomp-2.2", Competencies: []string{"1.1"}, From: "1", To: "2", ToRank: 1, Price: "Gratuit"}); err != nil {
		t.Fatal(err)
	}
	// A batch of B, done.
	var bB struct{ ID string }
	if code := f.api(tokB, "POST", "/api/v1/batches", map[string]any{"framework": "digcomp-2.2",
		"rows": []map[string]any{{"name": "Bérénice du lot", "levels": map[string]any{"1.1": 2}}}}, &bB); code != 202 {
		t.Fatalf("batch in B: %d", code)
	}
	f.waitBatch(tokB, bB.ID, "fr")
	// A workshop of B, issued.
	uB, _ := f.users.FindUser(ctx, adB.ID)
	wB, err := f.srv.CreateWorkshop(ctx, &app.Actor{User: uB}, app.WorkshopInput{Title: "Atelier de B", Framework: "digcomp-2.2", Competencies: []string{"1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.SaveWorkshopGrid(ctx, &app.Actor{User: uB}, wB.ID, []schema.WorkshopParticipant{{Name: "Bérénice d'atelier", Levels: map[string]string{"1.1": "2"}}}); err != nil {
		t.Fatal(err)
	}
	if bw, _, err := f.srv.IssueWorkshop(ctx, &app.Actor{User: uB}, wB.ID, "fr"); err != nil {
		t.Fatal(err)
	} else if err := f.srv.RunBatch(ctx, bw.ID, nil); err != nil {
		t.Fatal(err)
	}

	snapshot := func() string {
		var parts []any
		l, _ := f.learns.FindLearner(ctx, lB.ID)
		c1, _ := f.creds.FindCredential(ctx, cB.ID)
		c2, _ := f.creds.FindCredential(ctx, cB2.ID)
		st, _ := f.sts.FindStructure(ctx, "bib-b")
		users, _ := f.users.ListUsers(ctx, stB.ID)
		tokens, _ := f.users.ListAPITokens(ctx, adB.ID)
		list, _ := f.creds.ListCredentials(ctx, schema.CredentialFilter{StructureIDs: []int64{stB.ID}})
		for _, u := range users {
			u.PasswordHash = "…" // compared by presence below
		}
		l2, _ := f.learns.FindLearner(ctx, lB2.ID)
		imps1, _ := f.imps.ListImports(ctx, lB.ID)
		imps2, _ := f.imps.ListImports(ctx, lB2.ID)
		ringA, _ := f.srv.Keys.Ring("bib-a")
		ringB, _ := f.srv.Keys.Ring("bib-b")
		placeB, _ := f.srv.Places.StructurePlace(ctx, "bib-b")
		offersB, _ := f.srv.Places.ListOffers(ctx, "bib-b")
		parts = append(parts, l, c1, c2, st, users, tokens, len(list), l2, imps1, imps2, len(ringA.Keys), len(ringB.Keys), placeB, offersB)
		b, _ := json.Marshal(parts)
		return string(b)
	}
	before := snapshot()

	br := newBrowser(t, f.srv.BaseURL)
	br.login(mA.Email)
	brAd := newBrowser(t, f.srv.BaseURL)
	brAd.login(adA.Email)

	type call struct {
		route  string // "METHOD /path/pattern" as the router lists it
		as     string // "mediator" or "admin" of A
		path   string // the request path, aimed at B
		body   any    // JSON body (API) or url.Values (pages)
		absent []string
	}
	refused := []call{
		// JSON API.
		{route: "GET /api/v1/structures/:slug", path: "/api/v1/structures/bib-b"},
		{route: "PATCH /api/v1/structures/:slug", as: "admin", path: "/api/v1/structures/bib-b", body: map[string]any{"name": "pris"}},
		{route: "PATCH /api/v1/structures/:slug", as: "admin", path: "/api/v1/structures/bib-b", body: map[string]any{"pivot": "21510454700019",
			"adresse": "1 rue Prise", "code_postal": "51100", "commune": "Reims", "services": []string{"Aide aux démarches administratives"}}},
		{route: "POST /api/v1/structures/:slug/offers", as: "admin", path: "/api/v1/structures/bib-b/offers", body: map[string]any{"title": "Intrus",
			"kind": "atelier", "framework": "digcomp-2.2", "competencies": []string{"1.1"}, "from": "1", "to": "2", "price": "Gratuit"}},
		{route: "DELETE /api/v1/structures/:slug/offers/:id", as: "admin", path: "/api/v1/structures/bib-b/offers/o-b"},
		{route: "DELETE /api/v1/structures/:slug/offers/:id", as: "admin", path: "/api/v1/structures/bib-a/offers/o-b"}, // B's offer through A
		{route: "POST /api/v1/structures/:slug/invitations", as: "admin", path: "/api/v1/structures/bib-b/invitations", body: map[string]any{"email": "x@example.org"}},
		{route: "POST /api/v1/structures/:slug/keys/rotate", as: "admin", path: "/api/v1/structures/bib-b/keys/rotate"},
		{route: "POST /api/v1/structures/:slug/keys/rotate", path: "/api/v1/structures/bib-a/keys/rotate"}, // a mediator of A
		{route: "POST /api/v1/structures", as: "admin", path: "/api/v1/structures", body: map[string]any{"slug": "bib-c", "name": "C"}},
		{route: "GET /api/v1/learners/:id", path: "/api/v1/learners/" + lB.ID},
		{route: "PATCH /api/v1/learners/:id", path: "/api/v1/learners/" + lB.ID, body: map[string]any{"name": "pris"}},
		{route: "POST /api/v1/learners", path: "/api/v1/learners", body: map[string]any{"structure": "bib-b", "name": "intrus"}},
		{route: "DELETE /api/v1/learners/:id", path: "/api/v1/learners/" + lB.ID},
		{route: "POST /api/v1/learners/:id/imports", path: "/api/v1/learners/" + lB.ID + "/imports", body: map[string]any{"input": jB.JWT}},
		{route: "GET /api/v1/learners/:id/path", path: "/api/v1/learners/" + lB2.ID + "/path"},
		{route: "POST /api/v1/learners/:id/carnet-link", path: "/api/v1/learners/" + lB.ID + "/carnet-link"},
		{route: "DELETE /api/v1/learners/:id/carnet-link", path: "/api/v1/learners/" + lB.ID + "/carnet-link"},
		{route: "GET /api/v1/learners/:id/clr.json", path: "/api/v1/learners/" + lB.ID + "/clr.json"},
		{route: "GET /api/v1/learners/:id/clr.jwt", path: "/api/v1/learners/" + lB.ID + "/clr.jwt"},
		{route: "POST /api/v1/credentials/:id/wallet-offer", path: "/api/v1/credentials/" + uuidB + "/wallet-offer"},
		{route: "GET /api/v1/credentials/:id", path: "/api/v1/credentials/" + uuidB},
		{route: "GET /api/v1/credentials/:id/jwt", path: "/api/v1/credentials/" + cB.ID + "/jwt"},
		{route: "GET /api/v1/credentials/:id/vc.json", path: "/api/v1/credentials/" + uuidB + "/vc.json"},
		{route: "GET /api/v1/credentials/:id/card.pdf", path: "/api/v1/credentials/" + uuidB + "/card.pdf"},
		{route: "POST /api/v1/credentials/:id/revoke", path: "/api/v1/credentials/" + uuidB + "/revoke", body: map[string]any{"reason": "pris"}},
		{route: "POST /api/v1/credentials/:id/suspend", path: "/api/v1/credentials/" + uuidB + "/suspend", body: map[string]any{"reason": "pris"}},
		{route: "POST /api/v1/credentials/:id/unsuspend", path: "/api/v1/credentials/" + uuidB2 + "/unsuspend"},
		{route: "POST /api/v1/credentials", path: "/api/v1/credentials", body: map[string]any{"learner_id": lB.ID, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 1}}},
		{route: "DELETE /api/v1/tokens/:id", as: "admin", path: "/api/v1/tokens/" + tokenIDB},
		// Trusted partners are instance-wide: network administrators only.
		{route: "GET /api/v1/trust", as: "admin", path: "/api/v1/trust"},
		{route: "POST /api/v1/trust", as: "admin", path: "/api/v1/trust", body: map[string]any{"url": "https://example.org"}},
		{route: "DELETE /api/v1/trust/:id", as: "admin", path: "/api/v1/trust/1"},
		{route: "POST /api/v1/trust/:id/refresh", as: "admin", path: "/api/v1/trust/1/refresh"},
		{route: "GET /api/v1/audit", path: "/api/v1/audit"},
		{route: "GET /api/v1/batches/:id", path: "/api/v1/batches/" + bB.ID},
		{route: "GET /api/v1/batches/:id/cards.pdf", path: "/api/v1/batches/" + bB.ID + "/cards.pdf"},
		{route: "GET /api/v1/batches/:id/certificates.pdf", path: "/api/v1/batches/" + bB.ID + "/certificates.pdf"},
		{route: "POST /api/v1/batches", path: "/api/v1/batches", body: map[string]any{"framework": "digcomp-2.2", "structure": "bib-b",
			"rows": []map[string]any{{"name": "intrus", "levels": map[string]any{"1.1": 1}}}}},
		// The bilan: administrators of their structures only.
		{route: "GET /api/v1/reports", as: "admin", path: "/api/v1/reports?structure=bib-b"},
		{route: "GET /api/v1/reports", path: "/api/v1/reports?structure=bib-b"},
		{route: "GET /api/v1/reports", path: "/api/v1/reports?structure=bib-a"}, // a mediator of A
		{route: "GET /api/v1/reports", path: "/api/v1/reports"},
		{route: "GET /bilan", as: "admin", path: "/bilan?structure=bib-b"},
		{route: "GET /bilan", as: "admin", path: "/bilan?structure=bib-b&format=csv"},
		{route: "GET /bilan", path: "/bilan"},
		// Pages.
		{route: "GET /learners/:id", path: "/learners/" + lB.ID},
		{route: "GET /workshops/:id", path: "/workshops/" + wB.ID},
		{route: "GET /batches/:id", path: "/batches/" + bB.ID},
		{route: "GET /batches/:id/cards.pdf", path: "/batches/" + bB.ID + "/cards.pdf"},
		{route: "GET /batches/:id/certificates.pdf", path: "/batches/" + bB.ID + "/certificates.pdf"},
		{route: "GET /batches/:id/errors.csv", path: "/batches/" + bB.ID + "/errors.csv"},
		{route: "POST /batches/:id/start", path: "/batches/" + bB.ID + "/start", body: url.Values{}},
		{route: "GET /batches/:id/progress", path: "/batches/" + bB.ID + "/progress"},
		{route: "POST /batches", path: "/batches", body: url.Values{"structure": {"bib-b"}, "framework": {"digcomp-2.2"}}},
		{route: "POST /workshops/:id", path: "/workshops/" + wB.ID, body: url.Values{"n": {"0"}, "new_names": {"intrus"}}},
		{route: "GET /workshops/:id/review", path: "/workshops/" + wB.ID + "/review"},
		{route: "POST /workshops/:id/issue", path: "/workshops/" + wB.ID + "/issue", body: url.Values{}},
		{route: "GET /workshops/:id/cards.pdf", path: "/workshops/" + wB.ID + "/cards.pdf"},
		{route: "GET /workshops/:id/certificates.pdf", path: "/workshops/" + wB.ID + "/certificates.pdf"},
		{route: "POST /workshops", path: "/workshops", body: url.Values{"structure": {"bib-b"}, "title": {"intrus"}, "framework": {"digcomp-2.2"}, "competency": {"1.1"}}},
		{route: "POST /learners/:id", path: "/learners/" + lB.ID, body: url.Values{"name": {"pris"}}},
		{route: "POST /learners/:id/erase", path: "/learners/" + lB.ID + "/erase", body: url.Values{"confirm": {"on"}}},
		{route: "POST /learners/:id/carnet-link", path: "/learners/" + lB.ID + "/carnet-link", body: url.Values{}},
		{route: "POST /learners/:id/carnet-link/revoke", path: "/learners/" + lB.ID + "/carnet-link/revoke", body: url.Values{}},
		{route: "GET /learners/:id/clr.jwt", path: "/learners/" + lB.ID + "/clr.jwt"},
		{route: "GET /learners/:id/clr.json", path: "/learners/" + lB.ID + "/clr.json"},
		{route: "POST /learners/:id/referrals", path: "/learners/" + lB.ID + "/referrals", body: url.Values{"target": {"Médiathèque"}}},
		{route: "GET /learners/:id/assess", path: "/learners/" + lB.ID + "/assess?framework=digcomp-2.2"},
		{route: "POST /learners/:id/assess", path: "/learners/" + lB.ID + "/assess", body: url.Values{"framework": {"digcomp-2.2"}, "level_1.1": {"2"}, "action": {"issue"}}},
		{route: "POST /learners", path: "/learners", body: url.Values{"structure": {"bib-b"}, "name": {"intrus"}}},
		{route: "POST /imports/new", path: "/imports/new", body: url.Values{"input": {jB.JWT}, "learner": {lB.ID}}},
		{route: "POST /imports", path: "/imports", body: url.Values{"input": {jB.JWT}, "action": {"existing"}, "learner_id": {lB2.ID}}},
		{route: "POST /imports", path: "/imports", body: url.Values{"input": {jB.JWT}, "action": {"new"}, "structure": {"bib-b"}, "name": {"intrus"}}},
		{route: "GET /credentials/:id", path: "/credentials/" + uuidB},
		{route: "GET /credentials/:id/credential.jwt", path: "/credentials/" + uuidB + "/credential.jwt"},
		{route: "GET /credentials/:id/credential.json", path: "/credentials/" + uuidB + "/credential.json"},
		{route: "GET /credentials/:id/vc.json", path: "/credentials/" + uuidB + "/vc.json"},
		{route: "GET /credentials/:id/card.pdf", path: "/credentials/" + uuidB + "/card.pdf"},
		{route: "POST /credentials/:id/wallet-offer", path: "/credentials/" + uuidB + "/wallet-offer", body: url.Values{}},
		{route: "POST /credentials/:id/status", path: "/credentials/" + uuidB + "/status", body: url.Values{"action": {"revoke"}, "reason": {"pris"}, "confirm": {"on"}}},
		{route: "POST /credentials/:id/status", path: "/credentials/" + uuidB2 + "/status", body: url.Values{"action": {"unsuspend"}}},
		{route: "GET /structures/:slug", path: "/structures/bib-b"},
		{route: "GET /structures/:slug/lieu", as: "admin", path: "/structures/bib-b/lieu"},
		{route: "GET /structures/:slug/lieu", path: "/structures/bib-a/lieu"}, // a mediator of A
		{route: "POST /structures/:slug/lieu", as: "admin", path: "/structures/bib-b/lieu", body: url.Values{"pivot": {"21510454700019"},
			"adresse": {"1 rue Prise"}, "code_postal": {"51100"}, "commune": {"Reims"}, "services": {"Aide aux démarches administratives"}}},
		{route: "POST /structures/:slug", as: "admin", path: "/structures/bib-b", body: url.Values{"name": {"pris"}}},
		{route: "POST /structures/:slug/frameworks", as: "admin", path: "/structures/bib-b/frameworks", body: url.Values{"framework": {"cefr-fr"}}},
		{route: "GET /setup", as: "admin", path: "/setup?structure=bib-b"},
		{route: "POST /setup", as: "admin", path: "/setup", body: url.Values{"structure": {"bib-b"}, "name": {"pris"}}},
		{route: "POST /structures/:slug/invitations/resend", as: "admin", path: "/structures/bib-b/invitations/resend", body: url.Values{"email": {"x@example.org"}}},
		{route: "POST /structures/:slug/invitations/cancel", as: "admin", path: "/structures/bib-b/invitations/cancel", body: url.Values{"email": {"x@example.org"}}},
		{route: "POST /structures/:slug/invite", as: "admin", path: "/structures/bib-b/invite", body: url.Values{"email": {"x@example.org"}, "role": {"admin"}}},
		{route: "POST /structures/:slug/logo", as: "admin", path: "/structures/bib-b/logo", body: url.Values{"remove": {"on"}}},
		{route: "POST /structures/:slug/keys/rotate", as: "admin", path: "/structures/bib-b/keys/rotate", body: url.Values{"confirm": {"on"}}},
		{route: "POST /structures/:slug/keys/rotate", path: "/structures/bib-a/keys/rotate", body: url.Values{"confirm": {"on"}}}, // a mediator of A
		{route: "POST /structures/:slug/members/:id/reset", as: "admin", path: "/structures/bib-b/members/" + itoa64(adB.ID) + "/reset", body: url.Values{}},
		{route: "POST /structures/:slug/members/:id/reset", as: "admin", path: "/structures/bib-a/members/" + itoa64(adB.ID) + "/reset", body: url.Values{}},
		{route: "POST /structures/:slug/members/:id/reset", path: "/structures/bib-a/members/" + itoa64(adA.ID) + "/reset", body: url.Values{}},
		{route: "POST /structures", as: "admin", path: "/structures", body: url.Values{"slug": {"bib-c"}, "name": {"C"}}},
		{route: "POST /account/tokens/:id/delete", as: "admin", path: "/account/tokens/" + tokenIDB + "/delete", body: url.Values{}},
		{route: "GET /trust", as: "admin", path: "/trust"},
		{route: "POST /trust", as: "admin", path: "/trust", body: url.Values{"url": {"https://example.org"}}},
		{route: "POST /trust/:id/refresh", as: "admin", path: "/trust/1/refresh", body: url.Values{}},
		{route: "POST /trust/:id/delete", as: "admin", path: "/trust/1/delete", body: url.Values{}},
		{route: "GET /lieux/admin", as: "admin", path: "/lieux/admin"},
		{route: "POST /lieux/admin/tiles", as: "admin", path: "/lieux/admin/tiles", body: url.Values{"tile_url": {"https://tuiles.example.org/{z}/{x}/{y}.png"}, "tile_attribution": {"x"}}},
		{route: "POST /lieux/admin/import", as: "admin", path: "/lieux/admin/import", body: url.Values{}}, // multipart refused as such in TestPlacesImportPage
		{route: "POST /lieux/admin/partners/:id/places", as: "admin", path: "/lieux/admin/partners/1/places", body: url.Values{}},
		{route: "GET /audit", path: "/audit"},
		// The resource catalogue is instance-wide: network administrators edit it.
		{route: "GET /resources/new", path: "/resources/new"},
		{route: "GET /resources/new", as: "admin", path: "/resources/new"},
		{route: "GET /resources/:id", path: "/resources/pix"},
		{route: "GET /resources/:id", as: "admin", path: "/resources/pix"},
		{route: "POST /resources", path: "/resources", body: url.Values{"id": {"intrus"}, "name_fr": {"Intrus"}, "url": {"https://example.org"},
			"provider": {"x"}, "languages": {"fr"}, "framework": {"digcomp-2.2"}, "competencies": {"1.1"}, "from": {"1"}, "to": {"2"}}},
		{route: "POST /resources", as: "admin", path: "/resources", body: url.Values{"id": {"intrus"}, "name_fr": {"Intrus"}, "url": {"https://example.org"},
			"provider": {"x"}, "languages": {"fr"}, "framework": {"digcomp-2.2"}, "competencies": {"1.1"}, "from": {"1"}, "to": {"2"}}},
		{route: "POST /resources/:id", path: "/resources/pix", body: url.Values{"name_fr": {"pris"}}},
		{route: "POST /resources/:id", as: "admin", path: "/resources/pix", body: url.Values{"name_fr": {"pris"}}},
		{route: "POST /resources/:id/delete", path: "/resources/pix/delete", body: url.Values{"confirm": {"on"}}},
		{route: "POST /resources/:id/delete", as: "admin", path: "/resources/pix/delete", body: url.Values{"confirm": {"on"}}},
	}
	// Routes that list: they answer, without B's objects.
	lists := []call{
		{route: "GET /api/v1/learners", path: "/api/v1/learners?q=", absent: []string{lB.ID, "Bérénice"}},
		{route: "GET /api/v1/credentials", path: "/api/v1/credentials", absent: []string{uuidB, uuidB2}},
		{route: "GET /api/v1/structures", path: "/api/v1/structures", absent: []string{"bib-b"}},
		{route: "GET /api/v1/audit", as: "admin", path: "/api/v1/audit", absent: []string{lB.ID, uuidB, "admin-b@"}},
		{route: "GET /api/v1/tokens", as: "admin", path: "/api/v1/tokens", absent: []string{`"b"`}},
		{route: "GET /", path: "/?q=", absent: []string{lB.ID, "Bérénice", uuidB}},
		{route: "GET /structures", path: "/structures", absent: []string{"bib-b"}},
		{route: "GET /workshops", path: "/workshops", absent: []string{wB.ID, "Atelier de B"}},
		{route: "GET /audit", as: "admin", path: "/audit", absent: []string{lB.ID, uuidB, "admin-b@"}},
		{route: "GET /api/v1/reports", as: "admin", path: "/api/v1/reports", absent: []string{"bib-b", `"\u003c 5"`, `"< 5"`}}, // B's 2 credentials would show as "< 5"
		{route: "GET /bilan", as: "admin", path: "/bilan", absent: []string{"bib-b", `data-figure="issued">&lt; 5<`}},
		{route: "GET /account", as: "admin", path: "/account", absent: []string{">b<"}},
		{route: "GET /learners/new", path: "/learners/new", absent: []string{"bib-b"}},
		{route: "GET /resources", path: "/resources", absent: []string{"/resources/pix/delete", "/resources/new"}},
		{route: "POST /imports/new", path: "/imports/new", body: url.Values{"input": {jB.JWT}, "q": {"Bérénice"}}, absent: []string{lB.ID, lB2.ID, "Bérénice bis", `value="bib-b"`}},
	}
	// Routes with no object of a structure: public documents and pages,
	// sign-in, and the actor's own things.
	public := []string{
		"GET /healthz", "GET /metrics", "GET /.well-known/jwks.json", "GET /trust-list.jwt", "GET /s/:slug/did.json", "GET /s/:slug/jwks.json", "GET /s/:slug/logo",
		"GET /s/:slug/status/:list", "GET /s/:slug/status/:list/:purpose", "GET /static/*file", "GET /favicon.ico",
		"GET /verify", "POST /verify", "GET /c", "GET /c/trust.json", "GET /lieux.json", "GET /lieux.csv", "GET /offres.json", "GET /offres.csv", "GET /lieux", "GET /c/status/:id", "GET /c/sw.js", "GET /c/revocations.json",
		"GET /lang/:lang", "GET /login", "POST /login", "POST /logout",
		"GET /login/link/:token", "POST /login/link/:token", "GET /invite/:token", "POST /invite/:token",
		"POST /account/tokens", "POST /account/password", "GET /api/v1/openapi.json", "POST /api/v1/verify", "GET /api/v1/me",
		"GET /api/v1/frameworks", "GET /api/v1/frameworks/:id", "POST /api/v1/tokens",
		// The learner's own carnet and share links: the secret in the path is
		// the key, for no one else's data (TestCarnet*).
		"GET /carnet/:secret", "GET /carnet/:secret/credentials/:id/credential.jwt", "GET /carnet/:secret/credentials/:id/credential.json", "GET /carnet/:secret/credentials/:id/vc.json",
		"GET /carnet/:secret/credentials/:id/card.pdf", "POST /carnet/:secret/shares", "POST /carnet/:secret/shares/:id/withdraw",
		"POST /carnet/:secret/erasure", "GET /partage/:secret", "GET /partage/:secret/vc.json",
		"GET /carnet/:secret/clr.jwt", "GET /carnet/:secret/clr.json", "POST /carnet/:secret/wallet-offer",
		// OpenID4VCI: public metadata; the token, nonce and credential
		// endpoints act only on the single-use secret presented (TestWallet*).
		"GET /.well-known/openid-credential-issuer", "GET /.well-known/oauth-authorization-server",
		"POST /oid4vci/token", "POST /oid4vci/nonce", "POST /oid4vci/credential",
		// The network's offers and places are shared for orientation, by design.
		"GET /api/v1/structures/:slug/offers", "GET /api/v1/orientation", "POST /api/v1/places/import", // network administrators only (TestPlacesImportAPI)
		"GET /api/v1/frameworks/:id/template.csv", "GET /batches/template.csv",
	}

	covered := map[string]bool{}
	for _, r := range public {
		covered[r] = true
	}
	do := func(c call) (int, string) {
		method := strings.SplitN(c.route, " ", 2)[0]
		if strings.HasPrefix(c.path, "/api/") {
			tok := tokA
			if c.as == "admin" {
				tok = tokAdA
			}
			var out json.RawMessage
			code := f.api(tok, method, c.path, c.body, &out)
			return code, string(out)
		}
		b := br
		if c.as == "admin" {
			b = brAd
		}
		if method == "GET" {
			code, body, _ := b.get(c.path)
			return code, body
		}
		form, _ := c.body.(url.Values)
		code, body, _ := b.post(c.path, b.csrf("/account"), form)
		return code, body
	}
	for _, c := range refused {
		covered[c.route] = true
		t.Run("refused "+c.route+" "+c.as, func(t *testing.T) {
			code, body := do(c)
			if code != http.StatusNotFound && code != http.StatusForbidden {
				t.Errorf("%s: got %d, want 403 or 404\n%.300s", c.path, code, body)
			}
		})
	}
	for _, c := range lists {
		covered[c.route] = true
		t.Run("list "+c.route+" "+c.as, func(t *testing.T) {
			code, body := do(c)
			if code != http.StatusOK {
				t.Fatalf("%s: %d\n%.300s", c.path, code, body)
			}
			for _, a := range c.absent {
				if strings.Contains(body, a) {
					t.Errorf("%s shows %q of structure B", c.path, a)
				}
			}
		})
	}
	for _, r := range f.srv.Handler().(*gin.Engine).Routes() {
		if !covered[r.Method+" "+r.Path] {
			t.Errorf("route %s %s is not in the isolation table", r.Method, r.Path)
		}
	}
	if after := snapshot(); after != before {
		t.Errorf("structure B changed:\nbefore %s\nafter  %s", before, after)
	}
	// B still works for B: the refusals were about A, not a broken B.
	if code := f.api(tokB, "GET", "/api/v1/credentials/"+uuidB, nil, nil); code != 200 {
		t.Errorf("B reading its own credential: %d", code)
	}
}

func itoa64(n int64) string { b, _ := json.Marshal(n); return string(b) }
