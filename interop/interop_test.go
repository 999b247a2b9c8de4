package interop_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// issueCase is one `carnet issue` run: a learner, a framework, levels and the
// optional flags that change the credential's shape.
type issueCase struct {
	learner   string
	framework string
	levels    []string // CODE=N
	evidence  []string // --evidence texts, kept verbatim in the credential
	extra     []string // other flags: --valid-until, --method, --lang…
	expires   bool     // --valid-until is among extra
}

// issued is what one `carnet issue --json` produced.
type issued struct {
	issueCase
	jwsFile string
	jws     string
	out     issueOutput
}

// issueOutput is the JSON `carnet issue --json` prints on stdout.
type issueOutput struct {
	ID        string `json:"id"`
	ShortCode string `json:"short_code"`
	QRText    string `json:"qr_text"`
	CardToken string `json:"card_token"`
	Issuer    string `json:"issuer"`
	Subject   string `json:"subject"`
}

// nodeLine is one per-token line of check.mjs's output.
type nodeLine struct {
	Kind   string          `json:"kind"`
	Index  int             `json:"index"`
	OK     bool            `json:"ok"`
	Errors []string        `json:"errors"`
	Claims json.RawMessage `json:"claims"`
}

// cardClaims are the card claims this test looks at.
type cardClaims struct {
	Iss    string  `json:"iss"`
	Jti    string  `json:"jti"`
	Exp    int64   `json:"exp"`
	Name   string  `json:"n"`
	Fw     string  `json:"f"`
	Levels [][]any `json:"l"` // [code, level]; a numeric level is a JSON number
}

// cardCredentialID reads a card's jti as a credential id: since issue 11 a
// urn:uuid id travels as its 16 bytes in base64url (22 characters).
func cardCredentialID(jti string) string {
	b, err := base64.RawURLEncoding.DecodeString(jti)
	if len(jti) != 22 || err != nil || len(b) != 16 {
		return jti
	}
	h := hex.EncodeToString(b)
	return "urn:uuid:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// credentialPayload is the part of a credential JWS payload this test looks at.
type credentialPayload struct {
	ID                string `json:"id"`
	ValidUntil        string `json:"validUntil"`
	CredentialSubject struct {
		ID         string `json:"id"`
		Identifier []struct {
			IdentityType string `json:"identityType"`
			Hashed       bool   `json:"hashed"`
			IdentityHash string `json:"identityHash"`
		} `json:"identifier"`
		Achievement struct {
			InLanguage string `json:"inLanguage"`
		} `json:"achievement"`
		Result []json.RawMessage `json:"result"`
	} `json:"credentialSubject"`
	Evidence []struct {
		ID        string `json:"id"`
		Narrative string `json:"narrative"`
	} `json:"evidence"`
}

// verifyResult is the part of `carnet verify --json` this test looks at.
type verifyResult struct {
	Valid        bool   `json:"valid"`
	Reason       string `json:"reason"`
	Kind         string `json:"kind"`
	CredentialID string `json:"credential_id"`
	Learner      string `json:"learner"`
}

// TestNodeInterop issues credentials and card tokens with the real carnet
// binary and checks them with interop/check.mjs (Node jose + ajv against the
// Open Badges 3.0 schema), which shares no code with the Go side.
func TestNodeInterop(t *testing.T) {
	node := requireNode(t)
	bin := buildCarnet(t)
	data := t.TempDir()
	work := t.TempDir()

	future := time.Now().UTC().AddDate(2, 0, 0).Format("2006-01-02")
	allDigComp := []string{
		"1.1=1", "1.2=2", "1.3=3",
		"2.1=4", "2.2=5", "2.3=6", "2.4=7", "2.5=8", "2.6=1",
		"3.1=2", "3.2=3", "3.3=4", "3.4=5",
		"4.1=6", "4.2=7", "4.3=8", "4.4=1",
		"5.1=2", "5.2=3", "5.3=4", "5.4=5",
	}
	before := []issueCase{
		{
			learner: "Éloïse Ndiaye-Bérénice", framework: "digcomp-2.2",
			levels:   []string{"1.1=3", "1.2=2", "2.1=4", "3.1=2", "4.2=2", "5.1=1"},
			evidence: []string{`Atelier « CV » : elle a dit "c'est facile" 🎉`, "ligne 1\nligne 2\n\ttabulée"},
			extra:    []string{"--method", "Mise en situation", "--mediator", "Zoé L'Hôte", "--evidence-url", "https://example.org/portfolio?id=1&lang=fr#atelier"},
		},
		{
			learner: "Олена Шевченко", framework: "digcomp-2.2", levels: allDigComp,
			extra: []string{"--valid-until", future}, expires: true,
		},
		{
			learner: "محمد", framework: "crcn-2019",
			levels:   []string{"1.1=2", "2.4=1", "3.4=3", "4.3=2", "5.2=8"},
			evidence: []string{"تقييم عملي 👩🏽‍💻 \"ok\""},
			extra:    []string{"--lang", "en", "--method", "Observation", "--mediator", "Sam"},
		},
		{
			learner: "Nguyễn Thị Minh Khai", framework: "cefr-fr",
			levels: []string{"CO=B1", "PE=A2", "IL=B2", "MED.C=C1"},
			extra:  []string{"--valid-until", future}, expires: true,
		},
		{
			learner: "O'Brien « Jo »", framework: "cefr-fr", levels: []string{"CE=C2"},
			evidence: []string{"«\u00a0guillemets\u00a0» 'simples' \"doubles\" \\ antislash"},
		},
	}
	after := []issueCase{
		{
			learner: "李小龙", framework: "digcomp-2.2", levels: []string{"4.4=3", "1.1=8"},
			evidence: []string{"新的密钥 🔑"}, extra: []string{"--valid-until", future}, expires: true,
		},
		{
			learner: "Éloïse Ndiaye-Bérénice", framework: "crcn-2019", levels: []string{"1.3=4"},
		},
	}

	var all []issued
	for i, c := range before {
		all = append(all, issue(t, bin, data, work, i, c))
	}
	oldKID := headerKID(t, all[0].jws)
	newKID := strings.TrimSpace(run(t, 0, "", bin, "keys", "rotate", "--data", data, "--structure", "main").stdout)
	if newKID == "" || newKID == oldKID {
		t.Fatalf("keys rotate printed kid %q; want a new kid (old one %q)", newKID, oldKID)
	}
	for i, c := range after {
		all = append(all, issue(t, bin, data, work, len(before)+i, c))
	}
	for i, is := range all {
		want := oldKID
		if i >= len(before) {
			want = newKID
		}
		if got := headerKID(t, is.jws); got != want {
			t.Errorf("credential %d (%s) is signed with kid %q, want %q", i, is.learner, got, want)
		}
	}

	jwks := filepath.Join(work, "jwks.json")
	jwksText := run(t, 0, "", bin, "keys", "jwks", "--data", data).stdout
	writeFile(t, jwks, jwksText)
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(jwksText), &set); err != nil {
		t.Fatalf("keys jwks: %v\n%s", err, jwksText)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	if len(kids) != 2 || !slices.Contains(kids, oldKID) || !slices.Contains(kids, newKID) {
		t.Fatalf("JWKS kids = %q; want exactly the old %q and the new %q", kids, oldKID, newKID)
	}

	// Node: every credential and card passes, and names survive.
	var creds, cards []string
	for _, is := range all {
		creds = append(creds, is.jws)
		cards = append(cards, is.out.CardToken)
	}
	credFile := filepath.Join(work, "credentials.txt")
	cardFile := filepath.Join(work, "cards.txt")
	writeFile(t, credFile, strings.Join(creds, "\n")+"\n")
	writeFile(t, cardFile, strings.Join(cards, "\n")+"\n")
	res := run(t, -1, ".", node, "check.mjs", "--jwks", jwks, "--credentials", credFile, "--cards", cardFile)
	if res.code != 0 {
		t.Fatalf("check.mjs exited %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	lines, summary := parseNode(t, res)
	if want := fmt.Sprintf("%d passed, 0 failed", len(creds)+len(cards)); summary != want {
		t.Errorf("check.mjs summary %q, want %q\n%s", summary, want, res.stdout)
	}
	if len(lines) != len(creds)+len(cards) {
		t.Fatalf("check.mjs printed %d token lines, want %d\n%s", len(lines), len(creds)+len(cards), res.stdout)
	}
	for i, is := range all {
		cred, card := lines[i], lines[len(creds)+i]
		if cred.Kind != "credential" || cred.Index != i || !cred.OK {
			t.Errorf("credential %d (%s, %s): %+v\nnode output:\n%s", i, is.learner, is.framework, cred, res.stdout)
		}
		if card.Kind != "card" || card.Index != i || !card.OK {
			t.Errorf("card %d (%s, %s): %+v\nnode output:\n%s", i, is.learner, is.framework, card, res.stdout)
		}
		var cc cardClaims
		if err := json.Unmarshal(card.Claims, &cc); err != nil {
			t.Fatalf("card %d claims: %v\n%s", i, err, card.Claims)
		}
		if cc.Name != is.learner {
			t.Errorf("card %d: n = %q, want %q", i, cc.Name, is.learner)
		}
		if cardCredentialID(cc.Jti) != is.out.ID || cc.Iss != is.out.Issuer || cc.Fw != is.framework {
			t.Errorf("card %d claims %s do not match issue output %+v (framework %s)", i, card.Claims, is.out, is.framework)
		}
		var levels []string
		for _, l := range cc.Levels {
			if len(l) == 2 {
				levels = append(levels, fmt.Sprintf("%v=%v", l[0], l[1]))
			}
		}
		want := slices.Clone(is.levels)
		slices.Sort(levels)
		slices.Sort(want)
		if !slices.Equal(levels, want) {
			t.Errorf("card %d: levels %q, want %q", i, levels, want)
		}
		if (cc.Exp != 0) != is.expires {
			t.Errorf("card %d: exp = %d, want one only with --valid-until (%v)", i, cc.Exp, is.expires)
		}
		checkPayload(t, i, is)
	}

	// Our own verifier agrees on the same tokens, with the same JWKS.
	for i, is := range all {
		v := verify(t, bin, jwks, is.jwsFile, 0)
		if !v.Valid || v.Kind != "credential" || v.CredentialID != is.out.ID || v.Learner != is.learner {
			t.Errorf("carnet verify credential %d (%s): %+v", i, is.learner, v)
		}
	}
	for _, i := range []int{0, len(all) - 1} { // one card per key
		qr := filepath.Join(work, fmt.Sprintf("qr-%d.txt", i))
		writeFile(t, qr, all[i].out.QRText)
		v := verify(t, bin, jwks, qr, 0)
		if !v.Valid || v.Kind != "card" || v.CredentialID != all[i].out.ID || v.Learner != all[i].learner {
			t.Errorf("carnet verify QR text %d (%s): %+v", i, all[i].learner, v)
		}
	}

	// Negative control: one character of the payload changed must fail in
	// both verifiers, so a check that passes everything is caught.
	tampered := tamper(t, all[0].jws)
	bad := filepath.Join(work, "tampered.txt")
	writeFile(t, bad, tampered+"\n")
	res = run(t, -1, ".", node, "check.mjs", "--jwks", jwks, "--credentials", bad)
	if res.code != 1 {
		t.Fatalf("check.mjs on a tampered credential exited %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	lines, summary = parseNode(t, res)
	if len(lines) != 1 || lines[0].OK || len(lines[0].Errors) == 0 || summary != "0 passed, 1 failed" {
		t.Errorf("check.mjs on a tampered credential: want one ok:false line with errors and \"0 passed, 1 failed\"\n%s", res.stdout)
	}
	if v := verify(t, bin, jwks, bad, 1); v.Valid {
		t.Errorf("carnet verify accepted a tampered credential: %+v", v)
	}
}

// requireNode returns the path of node, or skips (fails on CI) when node or
// interop/node_modules (jose, ajv and the packages named) is missing.
func requireNode(t *testing.T, packages ...string) string {
	t.Helper()
	missing := func(what string) {
		msg := what + ": the Node interop check needs Node.js 20+ and `npm ci --prefix interop`; run `make deps`"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	for _, pkg := range append([]string{"jose", "ajv", "ajv-formats"}, packages...) {
		if _, err := os.Stat(filepath.Join("node_modules", pkg, "package.json")); err != nil {
			missing("interop/node_modules/" + pkg + " is not installed")
		}
	}
	return node
}

// startCarnet builds carnet, makes an API token in a new data dir, and
// serves it on 127.0.0.1 until the test ends.
func startCarnet(t *testing.T) (token, base string) {
	t.Helper()
	bin := buildCarnet(t)
	data := t.TempDir()
	token = strings.TrimSpace(run(t, 0, t.TempDir(), bin, "token", "create", "--data", data).stdout)
	return token, serveCarnet(t, bin, data)
}

// buildCarnet builds cmd/carnet into a temporary dir and returns its path.
func buildCarnet(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "carnet")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "carnet/cmd/carnet")
	cmd.Dir = ".." // the module root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build carnet/cmd/carnet: %v\n%s", err, out)
	}
	return bin
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs a command in dir and returns its output; unless want is -1 it
// fails the test when the exit code is not want.
func run(t *testing.T, want int, dir, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	default:
		t.Fatalf("%s %q: %v\n%s", filepath.Base(name), args, err, res.stderr)
	}
	if want >= 0 && res.code != want {
		t.Fatalf("%s %q exited %d, want %d\nstdout:\n%s\nstderr:\n%s", filepath.Base(name), args, res.code, want, res.stdout, res.stderr)
	}
	return res
}

// issue runs `carnet issue --json` for c and reads back the JWS it wrote.
func issue(t *testing.T, bin, data, work string, i int, c issueCase) issued {
	t.Helper()
	out := filepath.Join(work, fmt.Sprintf("credential-%d.jwt", i))
	args := []string{"issue", "--data", data, "--learner", c.learner, "--framework", c.framework, "--out", out, "--json"}
	for _, l := range c.levels {
		args = append(args, "--level", l)
	}
	for _, e := range c.evidence {
		args = append(args, "--evidence", e)
	}
	args = append(args, c.extra...)
	res := run(t, 0, "", bin, args...)
	is := issued{issueCase: c, jwsFile: out}
	if err := json.Unmarshal([]byte(res.stdout), &is.out); err != nil {
		t.Fatalf("issue %d (%s): stdout is not the --json object: %v\n%s", i, c.learner, err, res.stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	is.jws = strings.TrimSpace(string(b))
	if strings.Count(is.jws, ".") != 2 || is.out.CardToken == "" || is.out.QRText == "" {
		t.Fatalf("issue %d (%s): want a compact JWS in %s and a card token and QR text, got %q and %+v", i, c.learner, out, is.jws, is.out)
	}
	return is
}

// verify runs `carnet verify --trust jwks --json file` and wants exit code want.
func verify(t *testing.T, bin, jwks, file string, want int) verifyResult {
	t.Helper()
	res := run(t, want, "", bin, "verify", "--trust", jwks, "--json", file)
	var v verifyResult
	if err := json.Unmarshal([]byte(res.stdout), &v); err != nil {
		t.Fatalf("carnet verify %s: %v\n%s", file, err, res.stdout)
	}
	return v
}

// parseNode splits check.mjs output into its token lines and summary line.
func parseNode(t *testing.T, res result) ([]nodeLine, string) {
	t.Helper()
	text := strings.Split(strings.TrimRight(res.stdout, "\n"), "\n")
	summary := text[len(text)-1]
	var lines []nodeLine
	for _, s := range text[:len(text)-1] {
		var l nodeLine
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("check.mjs line %q: %v\nstdout:\n%s\nstderr:\n%s", s, err, res.stdout, res.stderr)
		}
		lines = append(lines, l)
	}
	return lines, summary
}

// segment decodes part i (0 header, 1 payload) of a compact JWS.
func segment(t *testing.T, jws string, i int) []byte {
	t.Helper()
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", jws)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("JWS segment %d: %v", i, err)
	}
	return b
}

func headerKID(t *testing.T, jws string) string {
	t.Helper()
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(segment(t, jws, 0), &h); err != nil {
		t.Fatalf("JWS header: %v", err)
	}
	return h.Kid
}

// checkPayload decodes a credential's payload and checks that the name, the
// evidence texts, the expiry and the language came through unchanged.
func checkPayload(t *testing.T, i int, is issued) {
	t.Helper()
	var p credentialPayload
	if err := json.Unmarshal(segment(t, is.jws, 1), &p); err != nil {
		t.Fatalf("credential %d payload: %v", i, err)
	}
	s := p.CredentialSubject
	if p.ID != is.out.ID || s.ID != is.out.Subject {
		t.Errorf("credential %d: id %q subject %q, want %q and %q", i, p.ID, s.ID, is.out.ID, is.out.Subject)
	}
	if len(s.Identifier) != 1 || s.Identifier[0].IdentityType != "name" || s.Identifier[0].Hashed || s.Identifier[0].IdentityHash != is.learner {
		t.Errorf("credential %d: identifier %+v, want one unhashed name %q", i, s.Identifier, is.learner)
	}
	if len(s.Result) != len(is.levels) {
		t.Errorf("credential %d: %d results, want %d", i, len(s.Result), len(is.levels))
	}
	var narratives []string
	for _, e := range p.Evidence {
		narratives = append(narratives, e.Narrative)
	}
	for _, e := range is.evidence {
		if !slices.Contains(narratives, e) {
			t.Errorf("credential %d: evidence %q is not among the narratives %q", i, e, narratives)
		}
	}
	if (p.ValidUntil != "") != is.expires {
		t.Errorf("credential %d: validUntil = %q, want one only with --valid-until (%v)", i, p.ValidUntil, is.expires)
	}
	lang := "fr"
	if slices.Contains(is.extra, "--lang") {
		lang = is.extra[slices.Index(is.extra, "--lang")+1]
	}
	if s.Achievement.InLanguage != lang {
		t.Errorf("credential %d: achievement inLanguage = %q, want %q", i, s.Achievement.InLanguage, lang)
	}
}

// tamper changes one character in the middle of a JWS payload segment.
func tamper(t *testing.T, jws string) string {
	t.Helper()
	parts := strings.Split(jws, ".")
	p := []byte(parts[1])
	mid := len(p) / 2
	if p[mid] == 'A' {
		p[mid] = 'B'
	} else {
		p[mid] = 'A'
	}
	parts[1] = string(p)
	return strings.Join(parts, ".")
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
