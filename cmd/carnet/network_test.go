package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The partner network test runs real `carnet serve` processes: the binary
// is built once per test run.
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func carnetBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "carnet-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "carnet")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// node is one `carnet serve` process with its own data dir, on a
// loopback port it keeps across restarts (its did:web ids name the port).
type node struct {
	t       *testing.T
	name    string
	data    string
	addr    string
	base    string
	extra   []string
	cmd     *exec.Cmd
	console *syncBuffer
	done    chan struct{}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func newNode(t *testing.T, name string, extra ...string) *node {
	t.Helper()
	addr := freeAddr(t)
	n := &node{t: t, name: name, data: t.TempDir(), addr: addr, base: "http://" + addr, extra: extra}
	n.start()
	t.Cleanup(n.stop)
	return n
}

func (n *node) start() {
	t := n.t
	t.Helper()
	args := append([]string{"serve", "--data", n.data, "--addr", n.addr, "--base-url", n.base}, n.extra...)
	n.console = &syncBuffer{}
	n.cmd = exec.Command(carnetBinary(t), args...)
	n.cmd.Stdout, n.cmd.Stderr = n.console, n.console
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.done = make(chan struct{})
	go func() { n.cmd.Wait(); close(n.done) }()
	for i := 0; i < 400; i++ {
		res, err := http.Get(n.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		select {
		case <-n.done:
			t.Fatalf("%s: carnet serve exited:\n%s", n.name, n.console.String())
		case <-time.After(25 * time.Millisecond):
		}
	}
	t.Fatalf("%s: carnet serve did not answer:\n%s", n.name, n.console.String())
}

// stop ends the process as an operator would (SIGTERM) and waits for it.
func (n *node) stop() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	select {
	case <-n.done:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(15 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
}

// cli runs the carnet binary (not the server) and returns its exit code
// and output.
func cli(t *testing.T, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(carnetBinary(t), args...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// token makes an API token of the node's first administrator.
func (n *node) token() string {
	n.t.Helper()
	code, out := cli(n.t, "token", "create", "--data", n.data)
	tok := regexp.MustCompile(`carnet_[A-Za-z0-9_-]+`).FindString(out)
	if code != 0 || tok == "" {
		n.t.Fatalf("%s: token create: %d %s", n.name, code, out)
	}
	return tok
}

// admin signs the first administrator in through the console's link.
func (n *node) admin() *session {
	n.t.Helper()
	link := regexp.MustCompile(`http://\S+/login/link/\S+`).FindString(n.console.String())
	if link == "" {
		n.t.Fatalf("%s: no login link on the console:\n%s", n.name, n.console.String())
	}
	s := newSession(n.t, n.base)
	if code, _, loc := s.submit(link, link, url.Values{"password": {"une phrase assez longue"}, "password2": {"une phrase assez longue"}}); code != http.StatusSeeOther || loc != "/" {
		n.t.Fatalf("%s: first sign-in: %d %s", n.name, code, loc)
	}
	return s
}

type issued struct {
	ID, JWT   string
	QRText    string `json:"qr_text"`
	ShortCode string `json:"short_code"`
}

// issue creates a learner and issues them a DigComp credential by API.
func (n *node) issue(tok, name string, levels map[string]any) issued {
	n.t.Helper()
	var l struct{ ID string }
	if code := apiCall(n.t, n.base, tok, "POST", "/api/v1/learners", map[string]any{"name": name}, &l); code != 201 {
		n.t.Fatalf("%s: API learner: %d", n.name, code)
	}
	var c issued
	if code := apiCall(n.t, n.base, tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
		"levels": levels, "evidence": "Atelier"}, &c); code != 201 || c.JWT == "" {
		n.t.Fatalf("%s: API issue: %d %+v", n.name, code, c)
	}
	return c
}

type verifyAnswer struct {
	Valid             bool
	Reason            string
	Message           string
	Learner           string
	Status            string
	StatusStale       bool       `json:"status_stale"`
	StatusCheckedAt   *time.Time `json:"status_checked_at"`
	StatusMessage     string     `json:"status_message"`
	SignatureVerified bool       `json:"signature_verified"`
	Issuer            *struct {
		ID, Name string
		Trusted  bool
	}
}

func (n *node) verify(input string) verifyAnswer {
	n.t.Helper()
	var v verifyAnswer
	if code := apiCall(n.t, n.base, "", "POST", "/api/v1/verify", map[string]string{"input": input}, &v); code != 200 {
		n.t.Fatalf("%s: POST /api/v1/verify: %d", n.name, code)
	}
	return v
}

// portal posts input to the /verify page as an anonymous visitor.
func (n *node) portal(input string) string {
	n.t.Helper()
	req, _ := http.NewRequest("POST", n.base+"/verify", strings.NewReader(url.Values{"input": {input}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", n.base)
	code, body, _ := newSession(n.t, n.base).do(req)
	if code != 200 {
		n.t.Fatalf("%s: /verify: %d\n%.800s", n.name, code, body)
	}
	return body
}

// eventually retries check until it returns "" or the deadline passes.
func eventually(t *testing.T, within time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestPartnerNetwork runs three real instances: A issues, B trusts A and
// continues the learner's path, C is trusted by nobody.
func TestPartnerNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three servers")
	}
	const ttl = 2 * time.Second
	a := newNode(t, "A", "--status-cache-ttl", ttl.String())
	b := newNode(t, "B", "--status-cache-ttl", ttl.String())
	c := newNode(t, "C", "--status-cache-ttl", ttl.String())
	tokA, tokB, tokC := a.token(), b.token(), c.token()

	// Each names its structure; A issues two credentials, C one.
	for _, n := range []struct {
		node       *node
		token, who string
	}{{a, tokA, "Médiathèque A"}, {b, tokB, "France Services B"}, {c, tokC, "Association C"}} {
		if code := apiCall(t, n.node.base, n.token, "PATCH", "/api/v1/structures/main", map[string]string{"name": n.who}, nil); code != 200 {
			t.Fatalf("%s: rename the structure: %d", n.who, code)
		}
	}
	// A issues two credentials; C one.
	credA := a.issue(tokA, "Fatou Diallo", map[string]any{"1.1": 3, "2.1": 2, "5.2": 1})
	credA2 := a.issue(tokA, "Karim Benali", map[string]any{"1.1": 2})
	credC := c.issue(tokC, "Fatou Diallo", map[string]any{"1.1": 6})

	// Before B trusts A, A's credential is not valid there, but its
	// signature is checked against A's published key.
	if v := b.verify(credA.JWT); v.Valid || v.Reason != "unknown_issuer" || !v.SignatureVerified {
		t.Fatalf("B before trusting A: %+v", v)
	}

	// B trusts A by its base URL.
	var trust struct {
		ID      int64
		Issuers []struct{ ID string }
	}
	if code := apiCall(t, b.base, tokB, "POST", "/api/v1/trust", map[string]string{"url": a.base, "name": "Réseau A"}, &trust); code != 201 || len(trust.Issuers) == 0 {
		t.Fatalf("B trusts A: %d %+v", code, trust)
	}

	// 1. B verifies A's credential: API, portal page, CLI.
	v := b.verify(credA.JWT)
	if !v.Valid || v.Issuer == nil || !v.Issuer.Trusted || v.Learner != "Fatou Diallo" || v.Status != "active" || v.StatusStale {
		t.Fatalf("B verifies A's credential: %+v", v)
	}
	if v := b.verify(credA.QRText); !v.Valid || v.Learner != "Fatou Diallo" {
		t.Fatalf("B verifies A's card QR text: %+v", v)
	}
	if body := b.portal(credA.JWT); !strings.Contains(body, "Valide") || !strings.Contains(body, "Fatou Diallo") {
		t.Fatalf("B's portal on A's credential:\n%s", body)
	}
	jwtFile := filepath.Join(t.TempDir(), "a.jwt")
	os.WriteFile(jwtFile, []byte(credA.JWT), 0o600)
	if code, out := cli(t, "verify", "--trust", a.base, jwtFile); code != 0 {
		t.Fatalf("carnet verify --trust A: %d\n%s", code, out)
	}

	// 2. C is trusted by nobody: never valid, "signature correct, issuer not
	// trusted here"; a forged copy is forged.
	v = b.verify(credC.JWT)
	if v.Valid || v.Reason != "unknown_issuer" || !v.SignatureVerified || v.Issuer == nil || v.Issuer.Trusted || v.Learner != "" {
		t.Fatalf("B verifies C's credential: %+v", v)
	}
	if body := b.portal(credC.JWT); !strings.Contains(body, "Signature correcte, mais l&#39;émetteur n&#39;est pas reconnu ici") || strings.Contains(body, ">Valide<") {
		t.Fatalf("B's portal on C's credential:\n%s", body)
	}
	if v := b.verify(credC.QRText); v.Valid || v.Reason != "unknown_issuer" || !v.SignatureVerified {
		t.Fatalf("B verifies C's card: %+v", v)
	}
	forged := forgeSignature(credC.JWT)
	if v := b.verify(forged); v.Valid || v.Reason != "bad_signature" {
		t.Fatalf("B verifies a forged C credential: %+v", v)
	}
	cFile := filepath.Join(t.TempDir(), "c.jwt")
	os.WriteFile(cFile, []byte(credC.JWT), 0o600)
	if code, out := cli(t, "verify", "--trust", a.base, cFile); code != 1 {
		t.Fatalf("carnet verify --trust A of C's credential: %d\n%s", code, out)
	}

	// A network at once: C takes in B's signed trust list, so C now trusts
	// B's structures and A (whom B trusts) too; B still does not trust C.
	var viaList struct {
		Issuers []struct{ ID, URL string }
	}
	if code := apiCall(t, c.base, tokC, "POST", "/api/v1/trust", map[string]string{"url": b.base + "/trust-list.jwt", "name": "Réseau de B"}, &viaList); code != 201 || len(viaList.Issuers) != 2 {
		t.Fatalf("C trusts B's trust list: %d %+v", code, viaList)
	}
	if v := c.verify(credA.JWT); !v.Valid || v.Issuer == nil || !v.Issuer.Trusted {
		t.Fatalf("C verifies A's credential through B's trust list: %+v", v)
	}
	if v := b.verify(credC.JWT); v.Valid || v.Reason != "unknown_issuer" {
		t.Fatalf("B trusts C after C took in B's list: %+v", v)
	}
	// An offline-minded verifier does the same with the CLI.
	if code, out := cli(t, "verify", "--trust", b.base+"/trust-list.jwt", jwtFile); code != 0 {
		t.Fatalf("carnet verify --trust B's trust list: %d\n%s", code, out)
	}

	// 3. A mediator of B attaches A's credential to a new learner, who also
	// has a credential of B's own.
	admin := b.admin()
	code, body, _ := admin.submit("/structures/main", "/structures/main/invite", url.Values{"email": {"lea@b.example.org"}, "role": {"mediator"}})
	invite := regexp.MustCompile(`value="(http://[^"]+/invite/[^"]+)"`).FindStringSubmatch(body)
	if code != 200 || invite == nil {
		t.Fatalf("B invites a mediator: %d\n%.800s", code, body)
	}
	med := newSession(t, b.base)
	if code, _, loc := med.submit(invite[1], invite[1], url.Values{"name": {"Léa M."}, "password": {"le bus de 8 h 12"}, "password2": {"le bus de 8 h 12"}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("mediator accepts: %d %s", code, loc)
	}
	learner := attachNew(t, med, credA.JWT, "Fatou Diallo")
	// B's own credential for the same learner: 1.1 at 2, 2.1 at 4.
	issueForm(t, med, learner, map[string]string{"1.1": "2", "2.1": "4"})
	page := "/learners/" + learner
	_, body, _ = med.get(page)
	for _, want := range []string{"Médiathèque A", "France Services B", "Fatou Diallo", "partenaire"} {
		if !strings.Contains(body, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	var path pathAnswer
	tokMed := b.token() // the administrator's token reads every structure
	if code := apiCall(t, b.base, tokMed, "GET", "/api/v1/learners/"+learner+"/path", nil, &path); code != 200 {
		t.Fatalf("path: %d", code)
	}
	if got := path.current("digcomp-2.2"); got["1.1"] != "3" || got["2.1"] != "4" || got["5.2"] != "1" {
		t.Fatalf("current levels with A's credential: %v\n%+v", got, path)
	}
	// A new assessment starts from those levels.
	_, body, _ = med.get(page + "/assess?framework=digcomp-2.2&from=path")
	if !selected(body, "level_1.1", "3") || !selected(body, "level_2.1", "4") {
		t.Errorf("assessment not pre-filled from the current levels:\n%.2000s", body)
	}

	// 4. A revokes; once B's status cache expires, B answers revoked and the
	// timeline marks it.
	var st struct{ Status string }
	if code := apiCall(t, a.base, tokA, "POST", "/api/v1/credentials/"+credA.ID+"/revoke", map[string]any{"reason": "Erreur"}, &st); code != 200 || st.Status != "revoked" {
		t.Fatalf("A revokes: %d %+v", code, st)
	}
	eventually(t, 3*ttl+5*time.Second, func() string {
		if v := b.verify(credA.JWT); v.Reason != "revoked" {
			return fmt.Sprintf("B still answers %+v after A revoked", v)
		}
		return ""
	})
	if v := a.verify(credA.QRText); v.Valid || v.Reason != "revoked" {
		t.Errorf("A's own answer for the revoked credential's card: %+v", v)
	}
	_, body, _ = med.get(page)
	if !strings.Contains(body, "révoquée") {
		t.Errorf("timeline does not mark the revoked credential")
	}
	apiCall(t, b.base, tokMed, "GET", "/api/v1/learners/"+learner+"/path", nil, &path)
	if got := path.current("digcomp-2.2"); got["1.1"] != "2" || got["2.1"] != "4" || got["5.2"] != "" {
		t.Fatalf("current levels after A's revocation: %v", got)
	}

	// 5. A goes down: B keeps verifying A's credentials from its cached
	// keys and status, and says how old the status information is.
	if v := b.verify(credA2.JWT); !v.Valid || v.StatusStale {
		t.Fatalf("A2 before the outage: %+v", v)
	}
	a.stop()
	time.Sleep(ttl + 500*time.Millisecond)
	v = b.verify(credA2.JWT)
	if !v.Valid || !v.StatusStale || v.StatusCheckedAt == nil || time.Since(*v.StatusCheckedAt) < ttl || v.StatusMessage == "" {
		t.Fatalf("B verifies A2 while A is down: %+v", v)
	}
	if v := b.verify(credA.JWT); v.Valid || v.Reason != "revoked" {
		t.Fatalf("the revoked credential while A is down: %+v", v)
	}
	if body := b.portal(credA2.JWT); !strings.Contains(body, "Valide") || !strings.Contains(body, "il y a") {
		t.Fatalf("B's portal while A is down:\n%s", body)
	}
	// Even after B restarts, with A still down (keys and lists are stored).
	b.stop()
	b.start()
	if v := b.verify(credA2.JWT); !v.Valid || !v.StatusStale {
		t.Fatalf("B restarted while A is down: %+v", v)
	}

	// 6. A rotates its key (while stopped) and comes back; credentials
	// signed before still verify on B, and new ones too once B has A's new
	// keys.
	if code, out := cli(t, "keys", "rotate", "--data", a.data, "--structure", "main"); code != 0 {
		t.Fatalf("rotate: %d %s", code, out)
	}
	a.start()
	credA3 := a.issue(tokA, "Après rotation", map[string]any{"3.1": 2})
	if credA3.JWT == "" || decodeHeader(t, credA3.JWT) == decodeHeader(t, credA2.JWT) {
		t.Fatal("A's new credential is signed with the old key")
	}
	if v := b.verify(credA2.JWT); !v.Valid {
		t.Fatalf("credential signed before A's rotation: %+v", v)
	}
	// B fetched A's keys minutes ago: the new key is unknown until B
	// refreshes A (on schedule, on demand after schema.MinTrustRefresh, or
	// by an administrator, as here).
	if v := b.verify(credA3.JWT); v.Valid || v.Reason != "unknown_key" {
		t.Fatalf("credential signed with A's new key before B refreshes: %+v", v)
	}
	if code := apiCall(t, b.base, tokB, "POST", fmt.Sprintf("/api/v1/trust/%d/refresh", trust.ID), nil, nil); code != 200 {
		t.Fatalf("B refreshes A: %d", code)
	}
	if v := b.verify(credA3.JWT); !v.Valid {
		t.Fatalf("credential signed after A's rotation: %+v", v)
	}
	if v := b.verify(credA2.JWT); !v.Valid {
		t.Fatalf("credential signed before A's rotation, after B's refresh: %+v", v)
	}
}

type pathAnswer struct {
	Current map[string][]struct {
		Competency string
		Level      string
	}
}

func (p pathAnswer) current(fw string) map[string]string {
	out := map[string]string{}
	for _, l := range p.Current[fw] {
		out[l.Competency] = l.Level
	}
	return out
}

// selected reports whether the select named name has value selected.
func selected(body, name, value string) bool {
	// The assessment's levels are radio buttons, one group per competency.
	re := regexp.MustCompile(`<input type="radio"[^>]*name="` + regexp.QuoteMeta(name) + `" value="` + regexp.QuoteMeta(value) + `"[^>]*>`)
	m := re.FindString(body)
	return m != "" && strings.Contains(m, " checked")
}

// forgeSignature flips a bit of the signature.
func forgeSignature(jws string) string {
	i := strings.LastIndexByte(jws, '.')
	sig := []byte(jws[i+1:])
	if sig[3] == 'A' {
		sig[3] = 'B'
	} else {
		sig[3] = 'A'
	}
	return jws[:i+1] + string(sig)
}

// attachNew attaches a verified credential to a new learner through the
// pages, as a mediator does from the portal, and returns the learner id.
func attachNew(t *testing.T, s *session, input, name string) string {
	t.Helper()
	code, body, _ := s.submit("/learners/new", "/imports/new", url.Values{"input": {input}})
	if code != 200 || !strings.Contains(body, name) {
		t.Fatalf("attach, summary: %d\n%.1500s", code, body)
	}
	code, body, loc := s.submit("/learners/new", "/imports", url.Values{"input": {input}, "action": {"new"}, "name": {name},
		"structure": {"main"}, "consent": {"on"}})
	m := regexp.MustCompile(`^/learners/([0-9a-f-]{36})\?ok=attached$`).FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("attach to a new learner: %d %s\n%.1500s", code, loc, body)
	}
	return m[1]
}

// issueForm assesses a learner on DigComp through the form and issues.
func issueForm(t *testing.T, s *session, learner string, levels map[string]string) {
	t.Helper()
	assess := "/learners/" + learner + "/assess?framework=digcomp-2.2"
	form := url.Values{"framework": {"digcomp-2.2"}, "method": {"Observation en atelier"}, "evidence": {"Atelier"}, "action": {"issue"}}
	for c, l := range levels {
		form.Set("level_"+c, l)
	}
	code, body, loc := s.submit(assess, "/learners/"+learner+"/assess", form)
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?ok=issued") {
		t.Fatalf("issue by form: %d %s\n%.1500s", code, loc, body)
	}
}
