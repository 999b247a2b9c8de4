package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// session is a cookie-keeping client that fills forms with their CSRF
// token, as a person's browser does.
type session struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newSession(t *testing.T, base string) *session {
	jar, _ := cookiejar.New(nil)
	return &session{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (s *session) do(req *http.Request) (int, string, string) {
	s.t.Helper()
	req.Header.Set("Accept", "text/html")
	res, err := s.c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header.Get("Location")
}

func (s *session) get(path string) (int, string, string) {
	s.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = s.base + path
	}
	req, _ := http.NewRequest("GET", path, nil)
	return s.do(req)
}

var formTokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// submit loads page, takes its CSRF token and posts form to action.
func (s *session) submit(page, action string, form url.Values) (int, string, string) {
	s.t.Helper()
	code, body, _ := s.get(page)
	m := formTokenRE.FindStringSubmatch(body)
	if code != 200 || m == nil {
		s.t.Fatalf("GET %s: %d, no form token\n%.500s", page, code, body)
	}
	form.Set("csrf_token", m[1])
	if !strings.HasPrefix(action, "http") {
		action = s.base + action
	}
	req, _ := http.NewRequest("POST", action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.base)
	return s.do(req)
}

// apiCall calls the JSON API with a bearer token.
func apiCall(t *testing.T, base, token, method, path string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, base+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
	}
	return res.StatusCode
}

// startServe runs `carnet serve` in process on a free loopback port with a
// matching base URL, and returns the base URL and the console output.
func startServe(t *testing.T, data string, extra ...string) (string, *syncBuffer) {
	t.Helper()
	for try := 0; try < 5; try++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		base := "http://" + addr
		ctx, cancel := context.WithCancel(context.Background())
		var out syncBuffer
		done := make(chan int, 1)
		args := append([]string{"serve", "--data", data, "--addr", addr, "--base-url", base}, extra...)
		go func() { done <- run(ctx, args, env{strings.NewReader(""), &out, &out}) }()
		for i := 0; i < 200; i++ {
			if strings.Contains(out.String(), "listening on") {
				t.Cleanup(func() { cancel(); <-done })
				return base, &out
			}
			select {
			case <-done:
				i = 1000 // the port was taken meanwhile: try another
			case <-time.After(25 * time.Millisecond):
			}
		}
		cancel()
	}
	t.Fatal("carnet serve did not start")
	return "", nil
}

// TestMediatorJourney walks the whole mediator journey against the real
// server, through the HTML forms (with their CSRF tokens) and through the
// JSON API: first administrator → structure → mediator invited → learner →
// assessment → issue → verify valid → revoke → verify answers revoked.
func TestMediatorJourney(t *testing.T) {
	data := t.TempDir()
	base, console := startServe(t, data, "--admin-email", "coordination@example.org")

	// 1. The first administrator's one-time link, printed on the console.
	link := regexp.MustCompile(`http://\S+/login/link/\S+`).FindString(console.String())
	if link == "" {
		t.Fatalf("no login link on the console:\n%s", console.String())
	}
	admin := newSession(t, base)
	code, _, loc := admin.submit(link, link, url.Values{"password": {"une phrase assez longue"}, "password2": {"une phrase assez longue"}})
	// The first administrator's first sign-in leads to the setup page
	// (issue 12), which names the structure.
	if code != http.StatusSeeOther || loc != "/setup" {
		t.Fatalf("first sign-in: %d %s", code, loc)
	}
	if code, body, _ := admin.submit("/setup", "/setup", url.Values{"structure": {"main"}, "name": {"Réseau des médiathèques"}}); code != http.StatusSeeOther {
		t.Fatalf("setup: %d\n%.500s", code, body)
	}
	if code, _, _ := admin.get(link); code != http.StatusNotFound {
		t.Errorf("the login link works twice: %d", code)
	}
	if _, body, _ := admin.get("/"); !strings.Contains(body, "Personnes accompagnées") {
		t.Fatalf("home page:\n%.500s", body)
	}

	// A form posted without its CSRF token is refused and changes nothing.
	req, _ := http.NewRequest("POST", base+"/structures", strings.NewReader("slug=pirate&name=Pirate"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code, _, _ := admin.do(req); code != http.StatusForbidden {
		t.Errorf("POST without CSRF token: %d, want 403", code)
	}

	// 2. A structure, through the form.
	code, body, loc := admin.submit("/structures", "/structures", url.Values{"slug": {"mediatheque-nord"},
		"name": {"Médiathèque du Nord"}, "url": {"https://mediatheque-nord.example.fr"}, "email": {"contact@mediatheque-nord.example.fr"}})
	if code != http.StatusSeeOther || loc != "/structures/mediatheque-nord?ok=created" {
		t.Fatalf("create structure: %d %s\n%.800s", code, loc, body)
	}
	if code, _, _ := admin.get("/structures"); code != 200 {
		t.Fatal(code)
	}
	var did map[string]any
	if code := apiCall(t, base, "", "GET", "/s/mediatheque-nord/did.json", nil, &did); code != 200 || did["id"] == nil {
		t.Fatalf("did.json of the new structure: %d %v", code, did)
	}

	// 3. A mediator invited by one-time link.
	code, body, _ = admin.submit("/structures/mediatheque-nord", "/structures/mediatheque-nord/invite",
		url.Values{"email": {"amina@example.org"}, "role": {"mediator"}})
	invite := regexp.MustCompile(`value="(http://[^"]+/invite/[^"]+)"`).FindStringSubmatch(body)
	if code != 200 || invite == nil {
		t.Fatalf("invite: %d\n%.800s", code, body)
	}
	mediator := newSession(t, base)
	code, _, loc = mediator.submit(invite[1], invite[1], url.Values{"name": {"Amina B."},
		"password": {"le bus de 8 h 12"}, "password2": {"le bus de 8 h 12"}})
	if code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("accept invitation: %d %s", code, loc)
	}
	// Signing out and in again with the new password.
	mediator.submit("/", "/logout", url.Values{})
	if code, _, loc := mediator.get("/"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("after sign-out: %d %s", code, loc)
	}
	code, _, loc = mediator.submit("/login", "/login", url.Values{"email": {"Amina@Example.org"}, "password": {"le bus de 8 h 12"}, "next": {"/"}})
	if code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("sign-in: %d %s", code, loc)
	}

	// 4. A learner, through the form.
	code, body, loc = mediator.submit("/learners/new", "/learners", url.Values{"name": {"Éloïse Ndiaye-Bérénice"},
		"contact": {"06 12 34 56 78"}, "consent": {"on"}})
	m := regexp.MustCompile(`^/learners/([0-9a-f-]{36})\?ok=created$`).FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("create learner: %d %s\n%.800s", code, loc, body)
	}
	learner := m[1]
	if _, body, _ := mediator.get("/?q=eloise"); !strings.Contains(body, learner) {
		t.Error("accent-insensitive search does not find the learner")
	}

	// 5. Assessment → review → issue.
	assess := "/learners/" + learner + "/assess?framework=digcomp-2.2"
	if code, body, _ := mediator.get(assess); code != 200 || !strings.Contains(body, `name="level_1.1"`) {
		t.Fatalf("assessment form: %d", code)
	}
	form := url.Values{"framework": {"digcomp-2.2"}, "level_1.1": {"3"}, "level_2.1": {"2"}, "level_5.2": {""},
		"method": {"Observation en atelier"}, "evidence": {"A trouvé une offre d'emploi et l'a enregistrée."}, "action": {"review"}}
	code, body, _ = mediator.submit(assess, "/learners/"+learner+"/assess", form)
	if code != 200 || !strings.Contains(body, "Relecture") || !strings.Contains(body, "2.1") {
		t.Fatalf("review: %d\n%.800s", code, body)
	}
	form.Set("action", "issue")
	code, _, loc = mediator.submit(assess, "/learners/"+learner+"/assess", form)
	m = regexp.MustCompile(`^/credentials/([0-9a-f-]{36})\?ok=issued$`).FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("issue: %d %s", code, loc)
	}
	credPage := "/credentials/" + m[1]
	_, body, _ = mediator.get(credPage)
	if !strings.Contains(body, "valide") || !strings.Contains(body, "Éloïse Ndiaye-Bérénice") {
		t.Fatalf("credential page:\n%.1500s", body)
	}
	// The short code as the page labels it (a bare pattern could match
	// inside a UUID whose hex digits happen to be decimal).
	m = regexp.MustCompile(`Code court\s*:?\s*(?:<[^>]+>\s*)*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2})\b`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no short code on the credential page:\n%.2000s", body)
	}
	short := m[1]
	code, jwt, _ := mediator.get(credPage + "/credential.jwt")
	if code != 200 || strings.Count(jwt, ".") != 2 {
		t.Fatalf("download .jwt: %d", code)
	}
	var envd map[string]any
	_, envJSON, _ := mediator.get(credPage + "/credential.json")
	if json.Unmarshal([]byte(envJSON), &envd) != nil || envd["type"] != "EnvelopedVerifiableCredential" || envd["id"] != "data:application/vc+jwt,"+jwt {
		t.Fatalf("download .json: %s", envJSON)
	}

	// 6. Verify: valid, by JWS (API), short code (page) and the CLI over HTTP.
	verify := func(input string) (bool, string) {
		var res struct {
			Valid  bool
			Reason string
		}
		apiCall(t, base, "", "POST", "/api/v1/verify", map[string]string{"input": input}, &res)
		return res.Valid, res.Reason
	}
	if ok, reason := verify(jwt); !ok {
		t.Fatalf("verify after issue: %s", reason)
	}
	if _, body, _ := mediator.get("/verify"); !strings.Contains(body, "Vérifier") {
		t.Fatal("verify page")
	}
	req, _ = http.NewRequest("POST", base+"/verify", strings.NewReader(url.Values{"input": {short}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code, body, _ := newSession(t, base).do(req); code != 200 || !strings.Contains(body, "Attestation authentique") {
		t.Fatalf("verify page with the short code %q: %d\n%.800s", short, code, body)
	}
	jwtFile := filepath.Join(t.TempDir(), "c.jwt")
	os.WriteFile(jwtFile, []byte(jwt), 0o600)
	if code, out, errOut := carnet(t, "", "verify", "--trust", base, jwtFile); code != exitOK {
		t.Fatalf("carnet verify --trust %s: %d\n%s%s", base, code, out, errOut)
	}

	// 7. The API: the mediator's token from the account page; a second
	// learner and credential issued in one call, then revoked by API.
	code, body, _ = mediator.submit("/account", "/account/tokens", url.Values{"name": {"logiciel d'accueil"}})
	token := regexp.MustCompile(`value="(carnet_[A-Za-z0-9_-]+)"`).FindStringSubmatch(body)
	if code != 200 || token == nil {
		t.Fatalf("token from the account page: %d", code)
	}
	var l2 struct{ ID, Structure string }
	if code := apiCall(t, base, token[1], "POST", "/api/v1/learners", map[string]any{"name": "Олена Шевченко"}, &l2); code != 201 || l2.Structure != "mediatheque-nord" {
		t.Fatalf("API learner: %d %+v", code, l2)
	}
	var c2 struct {
		ID, JWT   string
		QRText    string `json:"qr_text"`
		ShortCode string `json:"short_code"`
		CardURL   string `json:"card_url"`
	}
	if code := apiCall(t, base, token[1], "POST", "/api/v1/credentials", map[string]any{"learner_id": l2.ID, "framework": "cefr-fr",
		"levels": map[string]any{"REC.L": "A2", "PROD.S": "A1"}, "evidence": "Entretien"}, &c2); code != 201 || c2.QRText == "" || c2.ShortCode == "" {
		t.Fatalf("API issue: %d %+v", code, c2)
	}
	if ok, reason := verify(c2.QRText); !ok {
		t.Fatalf("QR text of the API credential: %s", reason)
	}
	// The printable card of the API credential, with the API token, and
	// the first one from its page, while both are valid.
	req, _ = http.NewRequest("GET", c2.CardURL, nil)
	req.Header.Set("Authorization", "Bearer "+token[1])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("card_url: %d %s %.40q", res.StatusCode, res.Header.Get("Content-Type"), pdf)
	}
	if code, body, _ := mediator.get(credPage + "/card.pdf"); code != 200 || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("card from the credential page: %d", code)
	}
	var revoked struct{ Status string }
	if code := apiCall(t, base, token[1], "POST", "/api/v1/credentials/"+c2.ID+"/revoke", map[string]any{"reason": "Erreur de niveau"}, &revoked); code != 200 || revoked.Status != "revoked" {
		t.Fatalf("API revoke: %d %+v", code, revoked)
	}
	if ok, reason := verify(c2.JWT); ok || reason != "revoked" {
		t.Fatalf("after API revocation: valid=%v reason=%s", ok, reason)
	}

	// 8. Revoke the first credential through the page; every way of
	// verifying now answers revoked.
	code, _, loc = mediator.submit(credPage, credPage+"/status", url.Values{"action": {"revoke"}, "reason": {"Attestation émise par erreur"}, "confirm": {"on"}})
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?ok=revoked") {
		t.Fatalf("revoke form: %d %s", code, loc)
	}
	if ok, reason := verify(jwt); ok || reason != "revoked" {
		t.Fatalf("after revocation: valid=%v reason=%s", ok, reason)
	}
	if ok, reason := verify(short); ok || reason != "revoked" {
		t.Fatalf("short code after revocation: valid=%v reason=%s", ok, reason)
	}
	if code, out, _ := carnet(t, "", "verify", "--trust", base, "--json", jwtFile); code != exitInvalid || !strings.Contains(out, `"reason": "revoked"`) {
		t.Fatalf("carnet verify over HTTP after revocation: %d\n%s", code, out)
	}
	_, body, _ = mediator.get(credPage)
	if !strings.Contains(body, "révoquée") || !strings.Contains(body, "Attestation émise par erreur") {
		t.Errorf("credential page after revocation:\n%.1000s", body)
	}

	// 9. The audit log tells who did what.
	_, body, _ = admin.get("/audit")
	for _, want := range []string{"A émis l&#39;attestation", "A révoqué l&#39;attestation", "a accepté l&#39;invitation", "connecté·e", "amina@example.org", "(par l&#39;API)"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit log lacks %q", want)
		}
	}
	// The mediator may not read it.
	if code, _, _ := mediator.get("/audit"); code != http.StatusForbidden {
		t.Errorf("mediator reading the audit log: %d", code)
	}
	// Revoked, neither card is printed any more (409).
	if code, _, _ := mediator.get(credPage + "/card.pdf"); code != http.StatusConflict {
		t.Errorf("card of a revoked credential from the credential page: %d, want 409", code)
	}
	req, _ = http.NewRequest("GET", c2.CardURL, nil)
	req.Header.Set("Authorization", "Bearer "+token[1])
	if res, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.StatusCode != http.StatusConflict {
		t.Errorf("card_url of a revoked credential: %d, want 409", res.StatusCode)
	}
}
