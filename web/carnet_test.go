package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"carnet/app"
	"carnet/schema"
)

// carnetEnv is a structure A with a mediator, a learner with two
// credentials (one suspended) and another learner with one, and a
// structure B with its own learner.
type carnetEnv struct {
	f                 *fixture
	tok, tokB         string
	learner, other    string // ids in A
	cred, susp, oCred string // credential ids (urn:uuid:…)
	credJWT           string
	mediator          *schema.User
	mu                sync.Mutex
	now               time.Time
}

func (e *carnetEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *carnetEnv) step(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func startCarnet(t *testing.T) *carnetEnv {
	t.Helper()
	f := startFixture(t)
	e := &carnetEnv{f: f, now: time.Now()}
	f.srv.Now = e.clock
	stA, stB := f.structure("bib-a"), f.structure("bib-b")
	e.mediator = f.user("med-a@example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleMediator})
	e.tok = f.token(e.mediator)
	e.tokB = f.token(f.user("med-b@example.org", false, schema.Membership{StructureID: stB.ID, Role: schema.RoleMediator}))
	var l, o struct{ ID string }
	if code := f.api(e.tok, "POST", "/api/v1/learners", map[string]any{"name": "Awa Carnet"}, &l); code != 201 {
		t.Fatalf("learner: %d", code)
	}
	if code := f.api(e.tok, "POST", "/api/v1/learners", map[string]any{"name": "Zoé Autrui"}, &o); code != 201 {
		t.Fatalf("learner: %d", code)
	}
	e.learner, e.other = l.ID, o.ID
	issue := func(learner string, levels map[string]any) (string, string) {
		var c struct {
			ID  string
			JWT string
		}
		if code := f.api(e.tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": learner, "framework": "digcomp-2.2", "levels": levels}, &c); code != 201 {
			t.Fatalf("issue: %d", code)
		}
		return c.ID, c.JWT
	}
	e.cred, e.credJWT = issue(e.learner, map[string]any{"1.1": 3})
	e.susp, _ = issue(e.learner, map[string]any{"1.2": 2})
	e.oCred, _ = issue(e.other, map[string]any{"2.1": 4})
	if code := f.api(e.tok, "POST", "/api/v1/credentials/"+e.susp+"/suspend", map[string]any{"reason": "vérification"}, nil); code != 200 {
		t.Fatalf("suspend: %d", code)
	}
	return e
}

// link makes the learner's private link through the API.
func (e *carnetEnv) link(t *testing.T) string {
	t.Helper()
	var out struct{ URL string }
	if code := e.f.api(e.tok, "POST", "/api/v1/learners/"+e.learner+"/carnet-link", nil, &out); code != 201 || !strings.Contains(out.URL, app.CarnetPath) {
		t.Fatalf("carnet link: %d %q", code, out.URL)
	}
	return out.URL
}

// fetch requests a URL with no cookie jar and returns the status, body and
// Set-Cookie headers.
func fetch(t *testing.T, method, u string, form url.Values, origin string) (int, string, []string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", "fr")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header.Values("Set-Cookie")
}

func uuidOf(id string) string { return strings.TrimPrefix(id, "urn:uuid:") }

// TestCarnetLinkLifecycle: a mediator makes the link, the learner opens
// their carnet with it (their data only, no cookie), a new link replaces
// the old, a revoked one answers 404 with a plain message.
func TestCarnetLinkLifecycle(t *testing.T) {
	e := startCarnet(t)
	u := e.link(t)
	code, body, cookies := fetch(t, "GET", u, nil, "")
	if code != 200 {
		t.Fatalf("carnet: %d\n%s", code, body)
	}
	if len(cookies) != 0 {
		t.Errorf("the carnet sets cookies: %v", cookies)
	}
	if res, err := http.Get(u); err == nil {
		res.Body.Close()
		if res.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("carnet headers: %v", res.Header)
		}
	}
	for _, want := range []string{"Awa Carnet", "Mon carnet", uuidOf(e.cred) + "/credential.jwt", uuidOf(e.cred) + "/card.pdf", "Prochaine étape", "Énoncé officiel"} {
		if !strings.Contains(body, want) {
			t.Errorf("carnet lacks %q", want)
		}
	}
	for _, absent := range []string{"Zoé", uuidOf(e.oCred), e.other, uuidOf(e.susp) + "/card.pdf", "csrf_token"} {
		if strings.Contains(body, absent) {
			t.Errorf("carnet shows %q", absent)
		}
	}
	// English by the switch.
	req, _ := http.NewRequest("GET", u, nil)
	req.AddCookie(&http.Cookie{Name: "carnet_lang", Value: "en"})
	if res, err := http.DefaultClient.Do(req); err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), "My carnet") || !strings.Contains(string(b), `lang="en"`) {
			t.Errorf("the English carnet is not in English")
		}
	}

	// Downloads and reprint: the learner's own credentials only.
	if code, b, _ := fetch(t, "GET", u+"/credentials/"+uuidOf(e.cred)+"/credential.jwt", nil, ""); code != 200 || b != e.credJWT {
		t.Errorf("jwt download: %d", code)
	}
	if code, b, _ := fetch(t, "GET", u+"/credentials/"+uuidOf(e.cred)+"/credential.json", nil, ""); code != 200 || !strings.Contains(b, e.credJWT) {
		t.Errorf("json download: %d", code)
	}
	if code, b, _ := fetch(t, "GET", u+"/credentials/"+uuidOf(e.cred)+"/card.pdf", nil, ""); code != 200 || !strings.HasPrefix(b, "%PDF") {
		t.Errorf("card reprint: %d", code)
	}
	// The A4 certificate too, though no one is signed in (its places are
	// looked up without an actor).
	if code, b, _ := fetch(t, "GET", u+"/credentials/"+uuidOf(e.cred)+"/card.pdf?layout=a4", nil, ""); code != 200 || !strings.HasPrefix(b, "%PDF") {
		t.Errorf("A4 certificate reprint: %d", code)
	}
	if code, _, _ := fetch(t, "GET", u+"/credentials/"+uuidOf(e.susp)+"/card.pdf", nil, ""); code != http.StatusConflict {
		t.Errorf("a suspended credential's card was reprinted: %d", code)
	}
	for _, p := range []string{"/credential.jwt", "/credential.json", "/card.pdf"} {
		if code, b, _ := fetch(t, "GET", u+"/credentials/"+uuidOf(e.oCred)+p, nil, ""); code != 404 || strings.Contains(b, "eyJ") {
			t.Errorf("another learner's credential %s through the carnet: %d", p, code)
		}
	}

	// A new link: the old one stops working.
	u2 := e.link(t)
	if code, body, _ := fetch(t, "GET", u, nil, ""); code != 404 || strings.Contains(body, "Awa") || !strings.Contains(body, "lien n&#39;ouvre aucun carnet") {
		t.Errorf("replaced link: %d\n%.500s", code, body)
	}
	if code, _, _ := fetch(t, "GET", u2, nil, ""); code != 200 {
		t.Errorf("new link: %d", code)
	}
	// The learner page shows the link exists; revoking from the page.
	b := newBrowser(t, e.f.srv.BaseURL)
	b.login(e.mediator.Email)
	if _, page, _ := b.get("/learners/" + e.learner); !strings.Contains(page, "carnet-link-make") || strings.Contains(page, app.CarnetPath) {
		t.Errorf("learner page: no link button, or the link itself shown again")
	}
	if code, page, _ := b.post("/learners/"+e.learner+"/carnet-link", b.csrf("/learners/"+e.learner), url.Values{}); code != 200 ||
		!strings.Contains(page, "<svg") || !strings.Contains(page, app.CarnetPath) {
		t.Errorf("link page: %d", code)
	} else {
		u3 := regexp.MustCompile(`id="carnet-url" href="([^"]+)"`).FindStringSubmatch(page)
		if u3 == nil {
			t.Fatal("no link on the link page")
		}
		// The slip says how to reach a wallet offer (made from the carnet:
		// a code of a few minutes is not printed).
		if !strings.Contains(page, `id="slip-wallet"`) || strings.Contains(page, "openid-credential-offer") {
			t.Errorf("the slip does not say how to get the credential into a wallet, or prints an offer")
		}
		if code, _, _ := fetch(t, "GET", u2, nil, ""); code != 404 {
			t.Errorf("the API's link survived the page's new one: %d", code)
		}
		if code, _, loc := b.post("/learners/"+e.learner+"/carnet-link/revoke", b.csrf("/learners/"+e.learner), url.Values{}); code != 303 || !strings.Contains(loc, "carnet_revoked") {
			t.Errorf("revoke: %d %s", code, loc)
		}
		if code, _, _ := fetch(t, "GET", u3[1], nil, ""); code != 404 {
			t.Errorf("revoked link: %d", code)
		}
	}
	// Another structure's mediator can neither make nor revoke it.
	if code := e.f.api(e.tokB, "POST", "/api/v1/learners/"+e.learner+"/carnet-link", nil, nil); code != 404 {
		t.Errorf("B made A's learner's link: %d", code)
	}
	// Audited.
	events, _ := e.f.srv.Audit.ListAudit(context.Background(), schema.AuditFilter{})
	made, revoked := 0, 0
	for _, ev := range events {
		made += b2i(ev.Action == app.AuditCarnetLink && ev.Object == e.learner)
		revoked += b2i(ev.Action == app.AuditCarnetLinkRevoked && ev.Object == e.learner)
	}
	if made != 3 || revoked != 1 {
		t.Errorf("audit: %d links made, %d revoked", made, revoked)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

var shareRE = regexp.MustCompile(`id="new-share" href="([^"]+)"`)

// share makes a share link from the carnet.
func (e *carnetEnv) share(t *testing.T, carnet, cred string, days string) string {
	t.Helper()
	code, body, cookies := fetch(t, "POST", carnet+"/shares", url.Values{"credential": {uuidOf(cred)}, "days": {days}}, e.f.srv.BaseURL)
	m := shareRE.FindStringSubmatch(body)
	if code != 200 || m == nil || len(cookies) != 0 {
		t.Fatalf("share: %d %v\n%.800s", code, cookies, body)
	}
	return m[1]
}

// TestCarnetShareLinks: a share link shows one credential with its live
// verdict and nothing else; it expires (stepping clock) and can be
// withdrawn, then answers 410 "ce lien n'est plus valable".
func TestCarnetShareLinks(t *testing.T) {
	e := startCarnet(t)
	u := e.link(t)
	s7 := e.share(t, u, e.cred, "7")
	code, body, cookies := fetch(t, "GET", s7, nil, "")
	if code != 200 || len(cookies) != 0 {
		t.Fatalf("share page: %d %v\n%s", code, cookies, body)
	}
	if !strings.Contains(body, "Attestation valide") || !strings.Contains(body, "Awa Carnet") {
		t.Errorf("share page lacks the verdict or the holder:\n%.1500s", body)
	}
	for _, absent := range []string{"Zoé", uuidOf(e.susp), uuidOf(e.oCred), e.learner, app.CarnetPath, "1.2"} {
		if strings.Contains(body, absent) {
			t.Errorf("share page shows %q", absent)
		}
	}
	// Not someone else's credential, nor a lifetime not offered.
	if code, _, _ := fetch(t, "POST", u+"/shares", url.Values{"credential": {uuidOf(e.oCred)}, "days": {"7"}}, e.f.srv.BaseURL); code != 400 && code != 404 {
		t.Errorf("shared another learner's credential: %d", code)
	}
	if code, _, _ := fetch(t, "POST", u+"/shares", url.Values{"credential": {uuidOf(e.cred)}, "days": {"3650"}}, e.f.srv.BaseURL); code != 400 {
		t.Errorf("a 10-year share: %d", code)
	}
	// Another site's form cannot act with the link.
	if code, _, _ := fetch(t, "POST", u+"/shares", url.Values{"credential": {uuidOf(e.cred)}, "days": {"7"}}, "https://evil.example"); code != 403 {
		t.Errorf("cross-site share: %d", code)
	}

	// Withdrawal.
	s30 := e.share(t, u, e.cred, "30")
	_, page, _ := fetch(t, "GET", u, nil, "")
	ids := regexp.MustCompile(`/shares/(\d+)/withdraw`).FindAllStringSubmatch(page, -1)
	if len(ids) != 2 {
		t.Fatalf("carnet lists %d live share links, want 2", len(ids))
	}
	if code, _, _ := fetch(t, "POST", u+"/shares/"+ids[0][1]+"/withdraw", url.Values{}, e.f.srv.BaseURL); code != 200 { // newest first: s30
		t.Fatalf("withdraw: %d", code)
	}
	if code, body, _ := fetch(t, "GET", s30, nil, ""); code != http.StatusGone || !strings.Contains(body, "n&#39;est plus valable") || strings.Contains(body, "Awa") {
		t.Errorf("withdrawn share: %d\n%.500s", code, body)
	}
	if code, _, _ := fetch(t, "GET", s7, nil, ""); code != 200 {
		t.Errorf("the other share went too: %d", code)
	}
	// Expiry: 7 days later, the 7-day link is gone.
	e.step(7*24*time.Hour - time.Minute)
	if code, _, _ := fetch(t, "GET", s7, nil, ""); code != 200 {
		t.Errorf("share before its expiry: %d", code)
	}
	e.step(2 * time.Minute)
	if code, body, _ := fetch(t, "GET", s7, nil, ""); code != http.StatusGone || strings.Contains(body, "Awa") {
		t.Errorf("expired share: %d", code)
	}
	// A share of another learner through a made-up secret: unknown, 404.
	if code, _, _ := fetch(t, "GET", e.f.srv.BaseURL+app.SharePath+"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil, ""); code != 404 {
		t.Errorf("unknown share: %d", code)
	}
}

// TestCarnetErasureRequest: the learner asks; the request shows on the
// home page of their structure's mediators (not another structure's),
// is audited, and goes with the erasure, which also ends the link.
func TestCarnetErasureRequest(t *testing.T) {
	e := startCarnet(t)
	u := e.link(t)
	s := e.share(t, u, e.cred, "365")
	if code, _, _ := fetch(t, "POST", u+"/erasure", url.Values{}, e.f.srv.BaseURL); code != 400 {
		t.Errorf("unconfirmed request: %d", code)
	}
	if code, body, _ := fetch(t, "POST", u+"/erasure", url.Values{"confirm": {"on"}}, e.f.srv.BaseURL); code != 200 || !strings.Contains(body, "Demande d&#39;effacement envoyée") {
		t.Fatalf("erasure request: %d", code)
	}
	b := newBrowser(t, e.f.srv.BaseURL)
	b.login(e.mediator.Email)
	if _, home, _ := b.get("/"); !strings.Contains(home, "erasure-requests-title") || !strings.Contains(home, "/learners/"+e.learner) {
		t.Errorf("the request is not on the mediator's home page")
	}
	bB := newBrowser(t, e.f.srv.BaseURL)
	bB.login("med-b@example.org")
	if _, home, _ := bB.get("/"); strings.Contains(home, "erasure-requests-title") || strings.Contains(home, e.learner) {
		t.Errorf("another structure sees the request")
	}
	events, _ := e.f.srv.Audit.ListAudit(context.Background(), schema.AuditFilter{})
	logged := false
	for _, ev := range events {
		logged = logged || ev.Action == app.AuditErasureRequested && ev.Object == e.learner
	}
	if !logged {
		t.Error("the erasure request is not in the audit log")
	}
	// The mediator erases with the existing operation.
	if code := e.f.api(e.tok, "DELETE", "/api/v1/learners/"+e.learner, nil, nil); code != 200 {
		t.Fatalf("erase: %d", code)
	}
	if _, home, _ := b.get("/"); strings.Contains(home, "erasure-requests-title") {
		t.Errorf("the request is still listed after the erasure")
	}
	if code, _, _ := fetch(t, "GET", u, nil, ""); code != 404 {
		t.Errorf("carnet of an erased learner: %d", code)
	}
	if code, body, _ := fetch(t, "GET", s, nil, ""); code != 404 && code != 410 || strings.Contains(body, "Awa") {
		t.Errorf("share of an erased learner: %d", code)
	}
}

// TestCarnetGuessThrottled: unknown private links are limited per address
// like short codes; a guess is refused once the address spent its
// allowance, and the log names no secret.
func TestCarnetGuessThrottled(t *testing.T) {
	e := startCarnet(t)
	var logs bytes.Buffer
	var logMu sync.Mutex
	e.f.srv.Log = slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))
	u := e.link(t)
	limited := 0
	for i := 0; i < 40; i++ {
		code, _, _ := fetch(t, "GET", e.f.srv.BaseURL+app.CarnetPath+"guess"+strings.Repeat("x", i), nil, "")
		if code == http.StatusTooManyRequests {
			limited++
		} else if code != 404 {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	if limited != 10 {
		t.Errorf("%d of 40 guesses refused, want 10 (30 allowed)", limited)
	}
	if code, _, _ := fetch(t, "GET", u, nil, ""); code != http.StatusTooManyRequests {
		t.Errorf("a throttled address still reads carnets: %d", code)
	}
	logMu.Lock()
	logged := logs.String()
	logMu.Unlock()
	secret := strings.TrimPrefix(u, e.f.srv.BaseURL+app.CarnetPath)
	if strings.Contains(logged, secret) || strings.Contains(logged, "guessx") {
		t.Errorf("a secret is in the log:\n%s", logged)
	}
	if !strings.Contains(logged, "unknown carnet or share link") || !strings.Contains(logged, "route=/carnet/:secret") {
		t.Errorf("guesses are not logged, or not by route:\n%.2000s", logged)
	}
	// The window passes: the address may try again.
	e.step(app.ThrottleWindow)
	if code, _, _ := fetch(t, "GET", u, nil, ""); code != 200 {
		t.Errorf("after the window: %d", code)
	}
}
