package web_test

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"carnet/schema"
)

// partnerCredential is what the partner instance hands out.
type partnerCredential struct {
	ID     string
	JWT    string
	QRText string `json:"qr_text"`
}

// pathAnswer is GET /api/v1/learners/{id}/path.
type pathAnswer struct {
	Entries []struct {
		CredentialID    string `json:"credential_id"`
		Source          string
		Kind            string
		IssuerName      string `json:"issuer_name"`
		Here            bool
		Status          string
		StatusCheckable bool `json:"status_checkable"`
		StatusStale     bool `json:"status_stale"`
		Counts          bool
	}
	Current   map[string][]struct{ Competency, Level, From string }
	NextSteps []struct {
		Competency string
		Current    string
		Next       *string
		Resources  []struct{ ID string }
	} `json:"next_steps"`
}

// levelOf returns the current level of a competency and where it comes from.
func (p *pathAnswer) levelOf(fw, code string) (string, string) {
	for _, c := range p.Current[fw] {
		if c.Competency == code {
			return c.Level, c.From
		}
	}
	return "", ""
}

// selectedLevel returns the level selected for a competency on the
// assessment form.
func selectedLevel(t *testing.T, body, code string) string {
	t.Helper()
	re := regexp.MustCompile(`<input type="radio" id="level-` + regexp.QuoteMeta(code) + `-[^"]*" name="level_` + regexp.QuoteMeta(code) + `" value="([^"]*)"[^>]*>`)
	ms := re.FindAllStringSubmatch(body, -1)
	if ms == nil {
		t.Fatalf("no level choice for %s", code)
	}
	for _, m := range ms {
		if strings.Contains(m[0], " checked") {
			return m[1]
		}
	}
	return ""
}

// TestLearnerPath continues a learner's path across two real instances: a
// partner issues, the other instance trusts it, and a mediator attaches the
// partner's credentials (page flow and API) to a learner of their own
// structure. The timeline, the current levels, the next steps and the
// pre-filled assessment follow; the partner's revocation shows once the
// status cache is dropped; what does not verify is refused and nothing is
// stored; another structure's mediator sees and attaches nothing; erasure
// removes the attachments.
func TestLearnerPath(t *testing.T) {
	ctx := context.Background()

	// The partner: one credential with two competencies, one more for the
	// card, and one that expired.
	a := startFixture(t)
	stA := a.structure("bib-partenaire")
	tokA := a.token(a.user("admin@a.example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleAdmin}))
	var lA struct{ ID string }
	if code := a.api(tokA, "POST", "/api/v1/learners", map[string]any{"name": "Éloïse Ndiaye"}, &lA); code != 201 {
		t.Fatalf("partner learner: %d", code)
	}
	issueA := func(levels map[string]any) partnerCredential {
		t.Helper()
		var c partnerCredential
		if code := a.api(tokA, "POST", "/api/v1/credentials", map[string]any{"learner_id": lA.ID, "framework": "digcomp-2.2", "levels": levels}, &c); code != 201 || c.JWT == "" {
			t.Fatalf("partner issues: %d", code)
		}
		return c
	}
	cA := issueA(map[string]any{"1.1": 3, "4.2": 3})
	cCard := issueA(map[string]any{"2.1": 2})
	past := time.Now().AddDate(0, 0, -10)
	old := *a.srv.Issuer
	old.Now = func() time.Time { return past }
	expired, err := old.Issue(ctx, stA, schema.Assessment{LearnerName: "Éloïse Ndiaye", Framework: "digcomp-2.2",
		Results: []schema.LevelResult{{Competency: "1.1", Level: "5"}}, AssessedAt: past, ValidUntil: past.AddDate(0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}

	// This instance: a mediator of bib-b, a learner of theirs with a
	// credential issued here, and a mediator of another structure.
	b := startFixture(t)
	stB, stC := b.structure("bib-b"), b.structure("bib-c")
	tokAdmin := b.token(b.user("admin@b.example.org", true, schema.Membership{StructureID: stB.ID, Role: schema.RoleAdmin}))
	med := b.user("mediatrice@b.example.org", false, schema.Membership{StructureID: stB.ID, Role: schema.RoleMediator})
	tokMed := b.token(med)
	medC := b.user("mediateur@c.example.org", false, schema.Membership{StructureID: stC.ID, Role: schema.RoleMediator})
	tokC := b.token(medC)
	var lB struct{ ID string }
	if code := b.api(tokMed, "POST", "/api/v1/learners", map[string]any{"name": "Eloise NDIAYE"}, &lB); code != 201 {
		t.Fatalf("learner: %d", code)
	}
	var cB struct{ ID, JWT string }
	if code := b.api(tokMed, "POST", "/api/v1/credentials", map[string]any{"learner_id": lB.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 2}}, &cB); code != 201 {
		t.Fatalf("issue here: %d", code)
	}
	importsOf := func(id string) []*schema.ImportedCredential {
		t.Helper()
		list, err := b.imps.ListImports(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	path := func(token, id string) (int, pathAnswer) {
		t.Helper()
		var p pathAnswer
		code := b.api(token, "GET", "/api/v1/learners/"+id+"/path", nil, &p)
		return code, p
	}
	br := newBrowser(t, b.srv.BaseURL)
	br.login(med.Email)
	learnerPage := "/learners/" + lB.ID

	// Refused: untrusted (before trusting the partner), forged, expired,
	// not a credential, a credential issued here to this same learner.
	refuse := func(t *testing.T, input, wantEN, wantFR string) {
		t.Helper()
		code, ecode, en := apiError(t, b, tokMed, "en", "POST", "/api/v1/learners/"+lB.ID+"/imports", map[string]any{"input": input})
		_, _, fr := apiError(t, b, tokMed, "fr", "POST", "/api/v1/learners/"+lB.ID+"/imports", map[string]any{"input": input})
		if code != 400 || ecode != schema.EINVALID || !strings.Contains(en, wantEN) || !strings.Contains(fr, wantFR) {
			t.Errorf("API: %d %s\nen: %s\nfr: %s", code, ecode, en, fr)
		}
		code, body, _ := br.post("/imports/new", br.csrf(learnerPage), url.Values{"input": {input}, "learner": {lB.ID}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, strings.ReplaceAll(wantFR, "'", "&#39;")) {
			t.Errorf("page: %d\n%.3000s", code, body)
		}
		code, _, _ = br.post("/imports", br.csrf(learnerPage), url.Values{"input": {input}, "action": {"existing"}, "learner_id": {lB.ID}})
		if code != http.StatusUnprocessableEntity {
			t.Errorf("attach page: %d", code)
		}
		if n := len(importsOf(lB.ID)); n != 0 {
			t.Errorf("%d attachments stored", n)
		}
	}
	t.Run("untrusted", func(t *testing.T) {
		refuse(t, cA.JWT, "not trusted here", "pas reconnu comme fiable")
	})
	var src struct{ ID int64 }
	if code := b.api(tokAdmin, "POST", "/api/v1/trust", map[string]any{"url": a.srv.BaseURL, "name": "Réseau partenaire"}, &src); code != 201 {
		t.Fatalf("trust the partner: %d", code)
	}
	t.Run("forged", func(t *testing.T) {
		parts := strings.Split(cA.JWT, ".")
		payload := []byte(parts[1])
		payload[10] ^= 1
		refuse(t, parts[0]+"."+string(payload)+"."+parts[2], "", "")
		code, _, msg := apiError(t, b, tokMed, "en", "POST", "/api/v1/learners/"+lB.ID+"/imports", map[string]any{"input": parts[0] + "." + string(payload) + "." + parts[2]})
		if code != 400 || msg == "" {
			t.Errorf("forged: %d %s", code, msg)
		}
	})
	t.Run("expired", func(t *testing.T) { refuse(t, expired.JWT, "expired", "expiré") })
	t.Run("not a credential", func(t *testing.T) { refuse(t, "bonjour", "not a credential", "pas une attestation") })
	t.Run("issued here to this learner", func(t *testing.T) { refuse(t, cB.JWT, "same person", "cette même personne") })

	// The page flow: verify, see the summary and the choices, attach.
	t.Run("page flow", func(t *testing.T) {
		_, page, _ := br.get(learnerPage)
		if !strings.Contains(page, `action="/imports/new"`) || !strings.Contains(page, "Rattacher une attestation d&#39;une autre structure") {
			t.Fatalf("no attach form on the learner page:\n%s", page)
		}
		// Without a learner chosen: the credential's name is searched,
		// accents aside, in the mediator's structures.
		code, body, _ := br.post("/imports/new", br.csrf(learnerPage), url.Values{"input": {cA.JWT}})
		if code != 200 {
			t.Fatalf("import page: %d\n%s", code, body)
		}
		for _, want := range []string{"Structure bib-partenaire", "Éloïse Ndiaye", "partenaire", `value="` + lB.ID + `" checked`, "Eloise NDIAYE",
			`name="q" maxlength="120" value="Éloïse Ndiaye"`, `id="import-name" name="name" required maxlength="120" value="Éloïse Ndiaye"`} {
			if !strings.Contains(body, want) {
				t.Errorf("import page lacks %q", want)
			}
		}
		if n := len(importsOf(lB.ID)); n != 0 {
			t.Fatalf("verifying stored %d attachments", n)
		}
		code, body, loc := br.post("/imports", br.csrf(learnerPage), url.Values{"input": {cA.JWT}, "action": {"existing"}, "learner_id": {lB.ID}})
		if code != http.StatusSeeOther || loc != learnerPage+"?ok=attached" {
			t.Fatalf("attach: %d %s\n%s", code, loc, body)
		}
		list := importsOf(lB.ID)
		if len(list) != 1 || list[0].CredentialID != cA.ID || list[0].IssuerName != "Structure bib-partenaire" || list[0].Kind != "credential" ||
			list[0].LearnerName != "Éloïse Ndiaye" || list[0].StructureID != stB.ID || list[0].AttachedBy != med.ID || list[0].LastStatus != schema.StatusActive {
			t.Fatalf("stored: %+v", list)
		}
		// Twice: a clear conflict, on the page and in the API.
		code, body, _ = br.post("/imports", br.csrf(learnerPage), url.Values{"input": {cA.JWT}, "action": {"existing"}, "learner_id": {lB.ID}})
		if code != http.StatusConflict || !strings.Contains(body, "déjà rattachée") {
			t.Errorf("attach twice: %d\n%.2000s", code, body)
		}
		// A new learner record for the same credential.
		code, _, loc = br.post("/imports", br.csrf(learnerPage), url.Values{"input": {cA.JWT}, "action": {"new"}, "name": {"Éloïse Ndiaye"}, "consent": {"on"}})
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/learners/") {
			t.Fatalf("attach to a new learner: %d %s", code, loc)
		}
		newID := strings.TrimSuffix(strings.TrimPrefix(loc, "/learners/"), "?ok=attached")
		nl, err := b.learns.FindLearner(ctx, newID)
		if err != nil || nl.Name != "Éloïse Ndiaye" || nl.StructureID != stB.ID || nl.ConsentAt.IsZero() || len(importsOf(newID)) != 1 {
			t.Errorf("new learner: %+v %v", nl, err)
		}
		if code := b.api(tokMed, "DELETE", "/api/v1/learners/"+newID, nil, nil); code != 200 {
			t.Errorf("erase the new learner: %d", code)
		}
	})

	t.Run("API", func(t *testing.T) {
		if code, ecode, _ := apiError(t, b, tokMed, "fr", "POST", "/api/v1/learners/"+lB.ID+"/imports", map[string]any{"input": cA.JWT}); code != 409 || ecode != schema.ECONFLICT {
			t.Errorf("attach twice: %d %s", code, ecode)
		}
		var imp struct {
			ID           int64
			Kind         string
			CredentialID string `json:"credential_id"`
			IssuerName   string `json:"issuer_name"`
			Levels       map[string]string
			Status       string
		}
		if code := b.api(tokMed, "POST", "/api/v1/learners/"+lB.ID+"/imports", map[string]any{"input": cCard.QRText}, &imp); code != 201 ||
			imp.Kind != "card" || imp.CredentialID != cCard.ID || imp.IssuerName != "Réseau partenaire" || imp.Levels["2.1"] != "2" || imp.Status != schema.StatusActive {
			t.Fatalf("attach the card: %d %+v", code, imp)
		}
	})

	// The timeline, the current levels (highest still verified, here and
	// attached), the next steps and resources.
	t.Run("path", func(t *testing.T) {
		checkedBefore := map[string]time.Time{}
		for _, imp := range importsOf(lB.ID) {
			checkedBefore[imp.CredentialID] = imp.LastCheckedAt
		}
		code, p := path(tokMed, lB.ID)
		if code != 200 || len(p.Entries) != 3 {
			t.Fatalf("path: %d %+v", code, p)
		}
		sources := map[string]string{}
		for _, e := range p.Entries {
			sources[e.CredentialID] = e.Source + "/" + e.Kind + "/" + e.Status
			if e.CredentialID == cCard.ID && e.StatusCheckable {
				t.Error("a card's revocation is said checkable")
			}
			if e.CredentialID == cA.ID && (e.Here || e.IssuerName != "Structure bib-partenaire") {
				t.Errorf("partner entry: %+v", e)
			}
		}
		if sources[cB.ID] != "issued/credential/active" || sources[cA.ID] != "attached/credential/active" || sources[cCard.ID] != "attached/card/active" {
			t.Errorf("entries: %v", sources)
		}
		for _, c := range []struct{ code, level, from string }{{"1.1", "3", cA.ID}, {"4.2", "3", cA.ID}, {"2.1", "2", cCard.ID}} {
			if lv, from := p.levelOf("digcomp-2.2", c.code); lv != c.level || from != c.from {
				t.Errorf("current %s: %s from %s, want %s from %s", c.code, lv, from, c.level, c.from)
			}
		}
		for _, s := range p.NextSteps {
			if s.Competency == "4.2" && (s.Next == nil || *s.Next != "4" || len(s.Resources) == 0 || len(s.Resources) > 2 || s.Resources[0].ID != "cybermalveillance") {
				t.Errorf("next step 4.2: %+v", s)
			}
		}
		_, page, _ := br.get(learnerPage)
		for _, want := range []string{"Structure bib-partenaire", "Structure bib-b", "rattachée", "délivrée ici", "partenaire", "cette instance",
			"valide", "révocation non vérifiable depuis une carte", "Niveaux actuels et prochaines étapes", "attesté par Structure bib-partenaire",
			"Cybermalveillance.gouv.fr", "gratuit", `href="/credentials/` + strings.TrimPrefix(cB.ID, "urn:uuid:") + `"`,
			`href="/learners/` + lB.ID + `/assess?framework=digcomp-2.2&amp;from=path"`, "Nouvelle évaluation à partir de ces niveaux"} {
			if !strings.Contains(page, want) {
				t.Errorf("learner page lacks %q", want)
			}
		}
		// A new assessment starts from the current levels.
		code, form, _ := br.get("/learners/" + lB.ID + "/assess?framework=digcomp-2.2&from=path")
		if code != 200 {
			t.Fatalf("assess: %d", code)
		}
		for code, want := range map[string]string{"1.1": "3", "4.2": "3", "2.1": "2", "3.1": ""} {
			if got := selectedLevel(t, form, code); got != want {
				t.Errorf("pre-filled %s = %q, want %q", code, got, want)
			}
		}
		if _, plain, _ := br.get("/learners/" + lB.ID + "/assess?framework=digcomp-2.2"); selectedLevel(t, plain, "1.1") != "" {
			t.Error("the plain assessment form is pre-filled")
		}
		// A card names no status list: showing the path has nothing new to
		// record about it, and writes nothing.
		for _, imp := range importsOf(lB.ID) {
			if imp.CredentialID == cCard.ID && !imp.LastCheckedAt.Equal(checkedBefore[cCard.ID]) {
				t.Errorf("the card's status was written again: %v, attached with %v", imp.LastCheckedAt, checkedBefore[cCard.ID])
			}
		}
	})

	// The partner revokes: once the status cache is dropped, the timeline
	// says so and the current levels fall back on what still verifies.
	t.Run("revoked by the partner", func(t *testing.T) {
		if code := a.api(tokA, "POST", "/api/v1/credentials/"+cA.ID+"/revoke", map[string]any{"reason": "erreur"}, nil); code != 200 {
			t.Fatalf("revoke: %d", code)
		}
		b.srv.Verifier.Status.Forget()
		_, p := path(tokMed, lB.ID)
		for _, e := range p.Entries {
			if e.CredentialID == cA.ID && (e.Status != schema.StatusRevoked || e.Counts) {
				t.Errorf("revoked entry: %+v", e)
			}
		}
		if lv, from := p.levelOf("digcomp-2.2", "1.1"); lv != "2" || from != cB.ID {
			t.Errorf("1.1 after revocation: %s from %s", lv, from)
		}
		if lv, _ := p.levelOf("digcomp-2.2", "4.2"); lv != "" {
			t.Errorf("4.2 still held: %s", lv)
		}
		if list := importsOf(lB.ID); list[0].LastStatus != schema.StatusRevoked || list[0].LastCheckedAt.IsZero() {
			t.Errorf("stored status: %+v", list[0])
		}
		_, page, _ := br.get(learnerPage)
		if !strings.Contains(page, `class="status-revoked">révoquée`) {
			t.Errorf("the timeline does not say revoked:\n%s", page)
		}
		_, form, _ := br.get("/learners/" + lB.ID + "/assess?framework=digcomp-2.2&from=path")
		if got := selectedLevel(t, form, "1.1"); got != "2" {
			t.Errorf("pre-filled 1.1 after revocation: %q", got)
		}
		if got := selectedLevel(t, form, "4.2"); got != "" {
			t.Errorf("pre-filled 4.2 after revocation: %q", got)
		}
	})

	// The partner is down: the revocation known before still holds, and
	// the page says how old the status information is.
	t.Run("partner down", func(t *testing.T) {
		a.http.Close()
		b.srv.Verifier.Status.Forget()
		_, p := path(tokMed, lB.ID)
		for _, e := range p.Entries {
			if e.CredentialID == cA.ID && (e.Status != schema.StatusRevoked || e.Counts || !e.StatusStale) {
				t.Errorf("revoked entry, partner down: %+v", e)
			}
		}
		if lv, _ := p.levelOf("digcomp-2.2", "4.2"); lv != "" {
			t.Errorf("4.2 held again while the partner is down: %s", lv)
		}
		_, page, _ := br.get(learnerPage)
		if !strings.Contains(page, "statut non vérifié depuis le") {
			t.Errorf("the timeline does not say the status is old:\n%s", page)
		}
	})

	// Another structure's mediator sees nothing and attaches nothing.
	t.Run("other structure", func(t *testing.T) {
		before := len(importsOf(lB.ID))
		if code, ecode, _ := apiError(t, b, tokC, "en", "POST", "/api/v1/learners/"+lB.ID+"/imports", map[string]any{"input": cCard.JWT}); code != 404 || ecode != schema.ENOTFOUND {
			t.Errorf("attach: %d %s", code, ecode)
		}
		if code, _ := path(tokC, lB.ID); code != 404 {
			t.Errorf("path: %d", code)
		}
		brC := newBrowser(t, b.srv.BaseURL)
		brC.login(medC.Email)
		tok := brC.csrf("/account")
		if code, _, _ := brC.get(learnerPage); code != 404 {
			t.Errorf("learner page: %d", code)
		}
		if code, _, _ := brC.post("/imports/new", tok, url.Values{"input": {cCard.JWT}, "learner": {lB.ID}}); code != 404 {
			t.Errorf("import page for B's learner: %d", code)
		}
		if code, _, _ := brC.post("/imports", tok, url.Values{"input": {cCard.JWT}, "action": {"existing"}, "learner_id": {lB.ID}}); code != 404 {
			t.Errorf("attach to B's learner: %d", code)
		}
		if code, body, _ := brC.post("/imports/new", tok, url.Values{"input": {cCard.JWT}, "q": {"Eloise"}}); code != 200 || strings.Contains(body, lB.ID) || strings.Contains(body, "NDIAYE") {
			t.Errorf("import page of C shows B's learner: %d", code)
		}
		if after := len(importsOf(lB.ID)); after != before {
			t.Errorf("attachments %d → %d", before, after)
		}
	})

	// The partner is no longer trusted: its credentials stop counting.
	t.Run("partner untrusted", func(t *testing.T) {
		if code := b.api(tokAdmin, "DELETE", "/api/v1/trust/"+itoa64(src.ID), nil, nil); code != 204 {
			t.Fatalf("untrust: %d", code)
		}
		_, p := path(tokMed, lB.ID)
		for _, e := range p.Entries {
			if e.CredentialID == cCard.ID && (e.Status != "unknown_issuer" || e.Counts) {
				t.Errorf("card of an untrusted partner: %+v", e)
			}
		}
		if lv, _ := p.levelOf("digcomp-2.2", "2.1"); lv != "" {
			t.Errorf("2.1 still held: %s", lv)
		}
		if _, page, _ := br.get(learnerPage); !strings.Contains(page, "émetteur plus reconnu ici") {
			t.Error("the timeline does not say the issuer is no longer trusted")
		}
	})

	// Trusted again while its status lists are out of reach: the
	// revocation seen before still holds, though the last verdict stored
	// was "issuer no longer trusted".
	t.Run("trusted again, lists out of reach", func(t *testing.T) {
		// The partner's did:web names its port: the same address again
		// (freed a moment ago; another process may hold it briefly).
		var ln net.Listener
		var err error
		for try := 0; try < 50; try++ {
			if ln, err = net.Listen("tcp", strings.TrimPrefix(a.srv.BaseURL, "http://")); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("the partner's address could not be reused for 5 s: %v", err)
			}
			t.Skipf("the partner's address could not be reused for 5 s: %v", err)
		}
		partner := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/status/") {
				http.Error(w, "status lists down", http.StatusServiceUnavailable)
				return
			}
			a.srv.Handler().ServeHTTP(w, r)
		}))
		partner.Listener.Close()
		partner.Listener = ln
		partner.Start()
		defer partner.Close()
		if code := b.api(tokAdmin, "POST", "/api/v1/trust", map[string]any{"url": a.srv.BaseURL, "name": "Réseau partenaire"}, nil); code != 201 {
			t.Fatalf("trust the partner again: %d", code)
		}
		b.srv.Verifier.Status.Forget()
		_, p := path(tokMed, lB.ID)
		for _, e := range p.Entries {
			if e.CredentialID == cA.ID && (e.Status != schema.StatusRevoked || e.Counts) {
				t.Errorf("revoked entry, trusted again: %+v", e)
			}
		}
		if lv, _ := p.levelOf("digcomp-2.2", "4.2"); lv != "" {
			t.Errorf("4.2 held again: %s", lv)
		}
		for _, imp := range importsOf(lB.ID) {
			if imp.CredentialID == cA.ID && (imp.LastStatus != schema.StatusRevoked || imp.RevokedAt.IsZero()) {
				t.Errorf("stored: %s, revoked at %v", imp.LastStatus, imp.RevokedAt)
			}
		}
	})

	// Attaching is in the audit log; erasure removes the attachments and
	// leaves nothing of them in the database files.
	t.Run("audit and erasure", func(t *testing.T) {
		events, _ := b.srv.Audit.ListAudit(ctx, schema.AuditFilter{})
		n := 0
		for _, e := range events {
			if e.Action == schema.AuditImport && e.ActorID == med.ID && e.StructureID == stB.ID {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%d attachments in the audit log, want 3", n)
		}
		if code := b.api(tokMed, "DELETE", "/api/v1/learners/"+lB.ID, nil, nil); code != 200 {
			t.Fatalf("erase: %d", code)
		}
		if n := len(importsOf(lB.ID)); n != 0 {
			t.Errorf("%d attachments left after erasure", n)
		}
		b.db.Close()
		sig := cA.JWT[strings.LastIndex(cA.JWT, ".")+1:]
		for _, name := range []string{"carnet.db", "carnet.db-wal"} {
			data, _ := os.ReadFile(filepath.Join(b.dir, name))
			for _, secret := range []string{"Éloïse", "NDIAYE", sig} {
				if strings.Contains(string(data), secret) {
					t.Errorf("%s still holds %.20q", name, secret)
				}
			}
		}
	})
}

// TestLocalCardOnPath attaches a card of another structure of this same
// instance to a learner: through the attach forms, with an input larger
// than other forms take (what /verify accepts); the card's status comes
// from this instance's record, so its revocation shows on the path and
// its levels stop counting. A failed attachment to a new record leaves no
// learner behind. An attestation is printed even when the resource
// catalogue cannot be read.
func TestLocalCardOnPath(t *testing.T) {
	ctx := context.Background()
	f := startFixture(t)
	stA, stB := f.structure("bib-a"), f.structure("bib-b")
	tokA := f.token(f.user("admin@a.example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleAdmin}))
	med := f.user("mediatrice@b.example.org", false, schema.Membership{StructureID: stB.ID, Role: schema.RoleMediator})
	tokMed := f.token(med)
	issue := func(name string) partnerCredential {
		t.Helper()
		var l struct{ ID string }
		if code := f.api(tokA, "POST", "/api/v1/learners", map[string]any{"name": name}, &l); code != 201 {
			t.Fatalf("learner of A: %d", code)
		}
		var c partnerCredential
		if code := f.api(tokA, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
			"levels": map[string]any{"1.1": 4}}, &c); code != 201 || c.QRText == "" {
			t.Fatalf("issue in A: %d", code)
		}
		return c
	}
	card := issue("Awa Diop")
	var lB struct{ ID string }
	if code := f.api(tokMed, "POST", "/api/v1/learners", map[string]any{"name": "Awa DIOP"}, &lB); code != 201 {
		t.Fatalf("learner of B: %d", code)
	}
	br := newBrowser(t, f.srv.BaseURL)
	br.login(med.Email)
	learnerPage := "/learners/" + lB.ID

	// Over the 256 KiB of other forms, as /verify accepts: blank lines
	// around the card's text.
	padded := strings.Repeat("\n", 300<<10) + card.QRText + "\n"
	if code, body, _ := br.post("/imports/new", br.csrf(learnerPage), url.Values{"input": {padded}, "learner": {lB.ID}}); code != 200 {
		t.Fatalf("import page, large input: %d\n%.2000s", code, body)
	}
	code, body, loc := br.post("/imports", br.csrf(learnerPage), url.Values{"input": {padded}, "action": {"existing"}, "learner_id": {lB.ID}})
	if code != http.StatusSeeOther || loc != learnerPage+"?ok=attached" {
		t.Fatalf("attach, large input: %d %s\n%.2000s", code, loc, body)
	}
	entry := func(p pathAnswer) (e struct {
		Status          string
		Here, Counts    bool
		StatusCheckable bool
	}) {
		t.Helper()
		for _, x := range p.Entries {
			if x.CredentialID == card.ID {
				e.Status, e.Here, e.Counts, e.StatusCheckable = x.Status, x.Here, x.Counts, x.StatusCheckable
				return e
			}
		}
		t.Fatalf("the card is not on the path: %+v", p)
		return e
	}
	var p pathAnswer
	if code := f.api(tokMed, "GET", "/api/v1/learners/"+lB.ID+"/path", nil, &p); code != 200 {
		t.Fatalf("path: %d", code)
	}
	if e := entry(p); e.Status != schema.StatusActive || !e.Here || !e.Counts || !e.StatusCheckable {
		t.Errorf("card of this instance: %+v", e)
	}
	if lv, from := p.levelOf("digcomp-2.2", "1.1"); lv != "4" || from != card.ID {
		t.Errorf("1.1: %s from %s", lv, from)
	}

	// Structure A revokes: the path says so at once, the level drops.
	if code := f.api(tokA, "POST", "/api/v1/credentials/"+card.ID+"/revoke", map[string]any{"reason": "erreur"}, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	p = pathAnswer{}
	f.api(tokMed, "GET", "/api/v1/learners/"+lB.ID+"/path", nil, &p)
	if e := entry(p); e.Status != schema.StatusRevoked || e.Counts {
		t.Errorf("revoked card of this instance: %+v", e)
	}
	if lv, _ := p.levelOf("digcomp-2.2", "1.1"); lv != "" {
		t.Errorf("1.1 still held after the revocation: %s", lv)
	}
	if list, _ := f.imps.ListImports(ctx, lB.ID); len(list) != 1 || list[0].LastStatus != schema.StatusRevoked || list[0].RevokedAt.IsZero() {
		t.Errorf("stored: %+v", list)
	}
	if _, page, _ := br.get(learnerPage); !strings.Contains(page, `class="status-revoked">révoquée`) {
		t.Error("the learner page does not say revoked")
	}
	_, form, _ := br.get(learnerPage + "/assess?framework=digcomp-2.2&from=path")
	if got := selectedLevel(t, form, "1.1"); got != "" {
		t.Errorf("pre-filled 1.1 after the revocation: %q", got)
	}

	// An attachment to a new record that fails in the store: no learner
	// is left, nothing of it in the audit log.
	other := issue("Bintou Keita")
	raw, err := sql.Open("sqlite3", filepath.Join(f.dir, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER refuse_imports BEFORE INSERT ON imports BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`); err != nil {
		t.Fatal(err)
	}
	audited := func() int {
		events, _ := f.srv.Audit.ListAudit(ctx, schema.AuditFilter{})
		n := 0
		for _, e := range events {
			if e.Action == schema.AuditLearnerCreated {
				n++
			}
		}
		return n
	}
	before := audited()
	code, _, _ = br.post("/imports", br.csrf(learnerPage), url.Values{"input": {other.QRText}, "action": {"new"}, "name": {"Bintou Keita"}, "consent": {"on"}})
	if code == http.StatusSeeOther {
		t.Fatalf("the attachment went through the refusing store")
	}
	if found, err := f.learns.SearchLearners(ctx, []int64{stB.ID}, "Bintou", 10); err != nil || len(found) != 0 {
		t.Errorf("a failed attachment left %d learners (%v)", len(found), err)
	}
	if after := audited(); after != before {
		t.Errorf("%d learner creations audited for a failed attachment", after-before)
	}
	if _, err := raw.Exec(`DROP TRIGGER refuse_imports`); err != nil {
		t.Fatal(err)
	}

	// The catalogue cannot be read: the A4 attestation is still printed,
	// without next steps (of an active credential: a revoked one is not
	// printed at all).
	if _, err := raw.Exec(`ALTER TABLE resources RENAME TO resources_away`); err != nil {
		t.Fatal(err)
	}
	if code := f.api(tokA, "GET", "/api/v1/credentials/"+other.ID+"/card.pdf?layout=a4", nil, nil); code != 200 {
		t.Errorf("attestation without the catalogue: %d", code)
	}
	if _, err := raw.Exec(`ALTER TABLE resources_away RENAME TO resources`); err != nil {
		t.Fatal(err)
	}
	code, _, loc = br.post("/imports", br.csrf(learnerPage), url.Values{"input": {other.QRText}, "action": {"new"}, "name": {"Bintou Keita"}, "consent": {"on"}})
	if found, _ := f.learns.SearchLearners(ctx, []int64{stB.ID}, "Bintou", 10); code != http.StatusSeeOther || len(found) != 1 || audited() != before+1 {
		t.Errorf("attach to a new record: %d %s, %d learners", code, loc, len(found))
	}
}
