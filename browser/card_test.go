package browser_test

import (
	"bytes"
	"compress/flate"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"
)

// cardSummary is the JSON card.mjs prints.
type cardSummary struct {
	flowSummary
	Results map[string]cardResult `json:"results"`
	Cases   map[string]cardResult `json:"cases"`
	Worker  struct {
		Scope  string   `json:"scope"`
		State  string   `json:"state"`
		Script string   `json:"script"`
		Cached []string `json:"cached"`
	} `json:"worker"`
	OfflineProbe struct {
		Page   string `json:"page"`
		Worker string `json:"worker"`
	} `json:"offlineProbe"`
	Keyboard []string `json:"keyboard"`
}

// cardResult is what the page said about one card.
type cardResult struct {
	Title      string     `json:"title"`
	Mark       string     `json:"mark"`
	Reason     string     `json:"reason"`
	Revocation string     `json:"revocation"`
	Issuer     string     `json:"issuer"`
	Domain     string     `json:"domain"`
	Learner    string     `json:"learner"`
	Levels     [][]string `json:"levels"`
	Lang       string     `json:"lang"`
}

// cardScreenshots are the states of /c a reviewer looks at.
var cardScreenshots = []string{"intro", "valid", "tampered", "unknown-issuer", "expired", "valid-en", "offline", "revoked",
	"phone-unknown-issuer", "no-cache"}

// TestCardInBrowser issues cards with the real binary, starts `carnet
// serve` on the same data dir, and has Chromium open their QR URLs on /c
// (browser/card.mjs): a valid card reads "Valide" with its issuer, learner
// and levels; a tampered one and one of another instance read "Non
// valable" with the right reason; with the network cut, the page cached by
// the service worker still verifies the valid card; revoked through the
// API, it reads "révoquée" once online.
func TestCardInBrowser(t *testing.T) {
	node, chromium := requireBrowser(t)
	bin := buildCarnet(t)
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")

	addr, base := freeLoopback(t)

	// Cards issued before the server starts, on its data dir; one more by
	// another instance, which this one does not trust.
	type issued struct {
		ID     string `json:"id"`
		QRText string `json:"qr_text"`
	}
	issue := func(dir, baseURL, learner string) issued {
		t.Helper()
		out := run(t, bin, "issue", "--data", dir, "--base-url", baseURL, "--learner", learner, "--framework", "digcomp-2.2",
			"--level", "1.1=3", "--level", "2.1=4", "--level", "3.1=2", "--evidence", "Atelier recherche d'emploi",
			"--out", filepath.Join(tmp, filepath.Base(dir)+".jwt"), "--json")
		var is issued
		if err := json.Unmarshal([]byte(out), &is); err != nil || is.ID == "" || !strings.HasPrefix(is.QRText, baseURL+"/c#") {
			t.Fatalf("carnet issue --json: %v\n%s", err, out)
		}
		return is
	}
	valid := issue(data, base, "Éloïse Ndiaye")
	foreign := issue(filepath.Join(tmp, "other"), "http://localhost:8999", "Éloïse Ndiaye")
	token := strings.TrimSpace(run(t, bin, "token", "create", "--data", data))
	if token == "" || strings.ContainsAny(token, " \n") {
		t.Fatalf("carnet token create printed %q", token)
	}
	tampered := tamper(t, valid.QRText)
	cases := hostileCards(t, data, base)

	startServe(t, bin, data, addr, base)

	artifacts := artifactsDir(t, "browser", false)
	old, _ := filepath.Glob(filepath.Join(artifacts, "card-*.png"))
	for _, f := range old {
		os.Remove(f)
	}

	cfg, _ := json.Marshal(map[string]any{"base": base, "artifacts": artifacts, "valid": valid.QRText, "tampered": tampered,
		"foreign": foreign.QRText, "credential": valid.ID, "token": token, "cases": cases})
	var s cardSummary
	elapsed, stderr, err := runScript(t, node, chromium, 3*time.Minute, filepath.Join(artifacts, "card-summary.json"), &s, "card.mjs", string(cfg))
	s.report(t, "card.mjs", elapsed, stderr, err)

	// What the page said, card by card.
	want := []struct {
		name, title, reason string
	}{
		{"valid", "Valide", "Carte authentique, délivrée par Structure principale (" + addr + ")"},
		{"tampered", "Non valable", "Signature falsifiée"},
		{"foreign", "Non valable", "Émetteur inconnu ici"},
		{"english", "Valid", "Genuine card, issued by Structure principale (" + addr + ")"},
		{"offline", "Authentique · non révoquée au ", "Signature et émetteur vérifiés"},
		{"revoked", "Révoquée", "L'émetteur a révoqué cette carte"},
		{"noCache", "Connexion nécessaire", "Pour vérifier une carte sans connexion"},
	}
	for _, w := range want {
		r, ok := s.Results[w.name]
		if !ok {
			t.Errorf("%s: no result", w.name)
			continue
		}
		mark := "✗ " // not valid
		switch w.title {
		case "Valide", "Valid":
			mark = "✓ "
		case "Connexion nécessaire":
			mark = "" // no verdict: the card could not be checked
		case "Authentique · non révoquée au ":
			mark = "⚠ " // authentic, revocation status as of a date
		}
		if !(r.Title == w.title || strings.HasSuffix(w.title, " ") && strings.HasPrefix(r.Title, w.title)) || r.Mark != mark || !strings.HasPrefix(r.Reason, w.reason) {
			t.Errorf("%s: %q%q / %q, want %q%q / %q…", w.name, r.Mark, r.Title, r.Reason, mark, w.title, w.reason)
		}
	}
	if r := s.Results["valid"]; r.Issuer != "Structure principale" || r.Learner != "Éloïse Ndiaye" || len(r.Levels) != 3 ||
		r.Domain != addr || !strings.HasPrefix(r.Revocation, "Vérifiée en ligne") {
		t.Errorf("valid card: %+v", r)
	}
	if r := s.Results["offline"]; !strings.Contains(r.Revocation, "ni révoquée ni suspendue") || len(r.Levels) != 3 {
		t.Errorf("offline: %+v, want the levels and a revocation status as of the date of the kept set", r)
	}
	if r := s.Results["tampered"]; r.Learner != "" || r.Issuer != "" {
		t.Errorf("a tampered card shows unverified content: %+v", r)
	}
	for _, c := range cases {
		r, ok := s.Cases[c.Name]
		if !ok {
			t.Errorf("case %s: no result", c.Name)
		} else if r.Title != c.Title || !strings.HasPrefix(r.Reason, c.Reason) {
			t.Errorf("case %s: the page says %q / %q, want %q / %q…", c.Name, r.Title, r.Reason, c.Title, c.Reason)
		}
	}
	if s.OfflineProbe.Page != "failed" || s.OfflineProbe.Worker != "failed" {
		t.Errorf("with the network cut, the page or its worker still reached the server: %+v", s.OfflineProbe)
	}
	if s.Worker.Scope != "/c" || s.Worker.Script != "/c/sw.js" || s.Worker.State != "activated" {
		t.Errorf("service worker %+v", s.Worker)
	}

	// axe: serious and critical fail, the rest is logged for a person.
	s.checkAxe(t, "states of /c", 8, false)
	for _, e := range s.ConsoleErrors {
		t.Logf("browser console: %s", e)
	}
	for _, e := range s.HTTPErrors {
		t.Errorf("HTTP error: %s", e)
	}
	checkScreenshots(t, artifacts, "card-", cardScreenshots)
}

// tamper changes one character in the middle of the card token's payload
// of a QR text, to another base64url character: the text still decodes,
// the signature no longer holds.
func tamper(t *testing.T, qr string) string {
	t.Helper()
	prefix, digits, _ := strings.Cut(qr, "#")
	jws, ok := schema.QRDecodeNumeric(digits)
	parts := strings.Split(jws, ".")
	if !ok || len(parts) != 3 || len(parts[1]) < 10 {
		t.Fatalf("not a card QR text: %q", qr)
	}
	p := []byte(parts[1])
	i := len(p) / 2
	if p[i] == 'A' {
		p[i] = 'B'
	} else {
		p[i] = 'A'
	}
	parts[1] = string(p)
	return prefix + "#" + schema.QRNumeric(strings.Join(parts, "."))
}

// run runs the carnet binary and returns its standard output.
func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("carnet %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// startServe starts `carnet serve` on a data dir and waits for /healthz;
// it is stopped with an interrupt when the test ends. It returns the
// server's console output.
func startServe(t *testing.T, bin, data, addr, base string) *syncBuffer {
	t.Helper()
	var out syncBuffer
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr, "--base-url", base)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("carnet serve did not stop cleanly: %v\n%s", err, out.String())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("carnet serve did not stop within 15 s\n%s", out.String())
		}
		if t.Failed() {
			t.Logf("carnet serve output:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return &out
			}
		}
		select {
		case err := <-done:
			t.Fatalf("carnet serve exited: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/healthz does not answer: %v\n%s", base, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cardCase is a crafted card and what the page must say of it; Code is the
// Go verifier's reason for the same token ("" when valid), so that the page
// and `carnet verify` agree.
type cardCase struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Title  string `json:"title"`
	Reason string `json:"reason"`
	Code   string `json:"-"`
}

// hostileCards crafts cards with the instance's own key (read from the data
// dir, as an insider or a stolen key would) and with other keys: bad
// headers, wrong algorithms, dates out of range, a claimed issuer that did
// not sign, an oversized payload. Each is checked with the Go verifier first.
func hostileCards(t *testing.T, data, base string) []cardCase {
	t.Helper()
	store, err := keys.NewFileStore(filepath.Join(data, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := store.Ring("main")
	if err != nil {
		t.Fatal(err)
	}
	key := ring.Signer()
	did, _ := keys.DIDWeb(base, "main")
	other, err := keys.NewKey(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	claims := func(edit func(*schema.CardClaims)) *schema.CardClaims {
		c := &schema.CardClaims{Iss: did, Jti: "urn:example:crafted", Nbf: now - 3600, Name: "Carte fabriquée", Framework: "digcomp-2.2",
			Levels: []schema.CardLevel{{Competency: "1.1", Level: "2"}}, Digest: "AAAAAAAAAAAAAAAAAAAAAA"}
		if edit != nil {
			edit(c)
		}
		return c
	}
	header := func(extra map[string]any) map[string]any {
		h := map[string]any{"alg": "ES256", "kid": key.Thumbprint, "zip": "DEF"}
		for k, v := range extra {
			if v == nil {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
		return h
	}
	const (
		invalid = "Non valable"
		// Signed with the instance's key but unknown to its database (not a
		// UUID): authentic, but no revocation status, so never "Valide".
		unknown = "Authentique · statut de révocation inconnu"
	)
	cases := []struct {
		name, title, reason, code string
		header                    map[string]any
		claims                    *schema.CardClaims
		signer                    *keys.Key
		raw                       string // a token given as is
	}{
		{name: "absolute kid", title: unknown, reason: "Signature et émetteur vérifiés", header: header(map[string]any{"kid": key.KID(did)}), claims: claims(nil)},
		// No kid: the header of today's cards, so the URL takes the packed
		// numeric form (schema.QRNumeric); the others keep the older form.
		{name: "no kid, packed digits", title: unknown, reason: "Signature et émetteur vérifiés", header: header(map[string]any{"kid": nil}), claims: claims(nil)},
		{name: "issued a minute ahead (leeway)", title: unknown, reason: "Signature et émetteur vérifiés", header: header(nil), claims: claims(func(c *schema.CardClaims) { c.Nbf = now + 60 })},
		{name: "expired", title: invalid, reason: "Expirée", code: verifier.ReasonExpired, header: header(nil),
			claims: claims(func(c *schema.CardClaims) { c.Nbf, c.Exp = now-400*86400, now-30*86400 })},
		{name: "not yet valid", title: invalid, reason: "Pas encore valable", code: verifier.ReasonNotYetValid, header: header(nil),
			claims: claims(func(c *schema.CardClaims) { c.Nbf = now + 2*86400 })},
		{name: "embedded jwk", title: invalid, reason: "Illisible : l'en-tête", code: verifier.ReasonBadHeader,
			header: header(map[string]any{"jwk": other.PublicJWK(did)}), claims: claims(nil), signer: other},
		{name: "jku", title: invalid, reason: "Illisible : l'en-tête", code: verifier.ReasonBadHeader,
			header: header(map[string]any{"jku": "https://evil.example/jwks.json"}), claims: claims(nil)},
		{name: "crit", title: invalid, reason: "Illisible : l'en-tête", code: verifier.ReasonBadHeader,
			header: header(map[string]any{"crit": []string{"exp"}}), claims: claims(nil)},
		{name: "typ beside zip", title: invalid, reason: "Illisible : l'en-tête", code: verifier.ReasonBadHeader,
			header: header(map[string]any{"typ": "JWT"}), claims: claims(nil)},
		{name: "alg none", title: invalid, reason: "Illisible : algorithme", code: verifier.ReasonUnsupportedAlg,
			raw: b64json(header(map[string]any{"alg": "none"})) + "." + deflated(t, claims(nil)) + "."},
		{name: "alg HS256", title: invalid, reason: "Illisible : algorithme", code: verifier.ReasonUnsupportedAlg,
			header: header(map[string]any{"alg": "HS256"}), claims: claims(nil)},
		{name: "high-S twin of a genuine signature", title: invalid, reason: "Signature falsifiée", code: verifier.ReasonBadSignature,
			raw: highS(t, signES256(t, key, b64json(header(nil))+"."+deflated(t, claims(nil))))},
		{name: "trusted kid, other key", title: invalid, reason: "Signature falsifiée", code: verifier.ReasonBadSignature,
			header: header(nil), claims: claims(nil), signer: other},
		{name: "other key, its own kid", title: invalid, reason: "Émetteur inconnu ici", code: verifier.ReasonUnknownIssuer,
			header: header(map[string]any{"kid": other.Thumbprint}), claims: claims(func(c *schema.CardClaims) { c.Iss = "did:web:evil.example:s:x" }), signer: other},
		{name: "other key, claims a trusted issuer", title: invalid, reason: "Clé inconnue ici", code: verifier.ReasonUnknownKey,
			header: header(map[string]any{"kid": other.Thumbprint}), claims: claims(nil), signer: other},
		{name: "names another issuer", title: invalid, reason: "Incohérente", code: verifier.ReasonClaimsMismatch,
			header: header(nil), claims: claims(func(c *schema.CardClaims) { c.Iss = "did:web:evil.example:s:x" })},
		{name: "no levels", title: invalid, reason: "Illisible : la carte est incomplète", code: verifier.ReasonInvalidCredential,
			header: header(nil), claims: claims(func(c *schema.CardClaims) { c.Levels = nil })},
		{name: "inflates past 16 KiB", title: invalid, reason: "Illisible : la carte est trop volumineuse", code: verifier.ReasonTooLarge,
			header: header(nil), claims: claims(func(c *schema.CardClaims) { c.Name = strings.Repeat("é", 9000) })},
		{name: "not a card (no zip)", title: invalid, reason: "Illisible : ce lien", header: header(map[string]any{"zip": nil}), claims: claims(nil)},
	}
	reg := verifier.NewRegistry()
	if err := reg.Add(verifier.LocalIssuer(did, "Structure principale", ring)); err != nil {
		t.Fatal(err)
	}
	v := &verifier.Verifier{Trust: reg, Frameworks: schema.NewFrameworks()}
	var out []cardCase
	for _, c := range cases {
		tok := c.raw
		if tok == "" {
			signer := key
			if c.signer != nil {
				signer = c.signer
			}
			payload := deflated(t, c.claims)
			if _, zip := c.header["zip"]; !zip {
				b, _ := schema.MarshalCompact(c.claims)
				payload = base64.RawURLEncoding.EncodeToString(b)
			}
			tok = signES256(t, signer, b64json(c.header)+"."+payload)
		}
		if c.name != "not a card (no zip)" { // the Go verifier reads that one as a credential
			if r := v.Verify(t.Context(), []byte(tok)); r.Reason != c.code {
				t.Errorf("case %s: the Go verifier says %q, want %q", c.name, r.Reason, c.code)
			}
		}
		num := schema.QRNumeric(tok)
		if packed := num[0] == '1'; packed != (c.name == "no kid, packed digits") {
			t.Fatalf("case %s: numeric form %.20s…, packed %v", c.name, num, packed)
		}
		out = append(out, cardCase{Name: c.name, URL: base + "/c#" + num, Title: c.title, Reason: c.reason, Code: c.code})
	}
	return out
}

// highS replaces the signature (r, s) of a compact JWS by its twin
// (r, n−s), which ECDSA verifies just as well.
func highS(t *testing.T, jws string) string {
	t.Helper()
	i := strings.LastIndexByte(jws, '.')
	sig, err := base64.RawURLEncoding.DecodeString(jws[i+1:])
	if err != nil || len(sig) != 64 {
		t.Fatalf("signature %q: %v", jws[i+1:], err)
	}
	s := new(big.Int).SetBytes(sig[32:])
	new(big.Int).Sub(elliptic.P256().Params().N, s).FillBytes(sig[32:])
	return jws[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// deflated is the base64url raw DEFLATE of the minified claims, as
// issuer.SignCard makes it.
func deflated(t *testing.T, c *schema.CardClaims) string {
	t.Helper()
	raw, err := schema.MarshalCompact(c)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(raw)
	w.Close()
	return base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// signES256 appends a JWS ES256 signature (r || s, low-S as the issuer
// writes it) to a signing input.
func signES256(t *testing.T, k *keys.Key, input string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, k.Private, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(keys.LowS(sig))
}
