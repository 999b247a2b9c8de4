package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"carnet/schema"
	"carnet/verifier"
)

// portalCred is what the API answers when it issues a credential.
type portalCred struct {
	ID        string `json:"id"`
	JWT       string `json:"jwt"`
	QRText    string `json:"qr_text"`
	ShortCode string `json:"short_code"`
}

// portal is a fixture with a structure, a mediator and the credentials the
// tests verify on /verify.
type portal struct {
	f   *fixture
	st  *schema.Structure
	tok string
}

func newPortal(t *testing.T) *portal {
	f := startFixture(t)
	st := f.structure("bib")
	tok := f.token(f.user("m@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator}))
	return &portal{f: f, st: st, tok: tok}
}

// issue issues a credential to a new learner through the API.
func (p *portal) issue(name string) portalCred {
	p.f.t.Helper()
	var l struct{ ID string }
	if code := p.f.api(p.tok, "POST", "/api/v1/learners", map[string]any{"name": name}, &l); code != http.StatusCreated {
		p.f.t.Fatalf("create learner: %d", code)
	}
	var c portalCred
	if code := p.f.api(p.tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3, "4.2": 2}, "evidence": "Atelier"}, &c); code != http.StatusCreated || c.JWT == "" || c.QRText == "" {
		p.f.t.Fatalf("issue: %d %+v", code, c)
	}
	return c
}

// status revokes or suspends a credential through the API.
func (p *portal) status(c portalCred, action string) {
	p.f.t.Helper()
	if code := p.f.api(p.tok, "POST", "/api/v1/credentials/"+strings.TrimPrefix(c.ID, "urn:uuid:")+"/"+action,
		map[string]any{"reason": "Erreur de saisie"}, nil); code != http.StatusOK {
		p.f.t.Fatalf("%s: %d", action, code)
	}
}

// verifyAs posts the portal's form, multipart as the page sends it, in a
// language ("fr" or "en", by Accept-Language), with the cookies of b when
// given (a signed-in person). A file is sent when fileName is not empty.
func verifyAs(t *testing.T, base string, b *browser, lang, text, fileName string, file []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("input", text)
	fw, _ := w.CreateFormFile("file", fileName)
	fw.Write(file)
	w.Close()
	req, _ := http.NewRequest("POST", base+"/verify", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", map[string]string{"fr": "fr-FR,fr;q=0.9", "en": "en-GB,en;q=0.9"}[lang])
	client := http.DefaultClient
	if b != nil {
		client = b.c
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

var verdictRE = regexp.MustCompile(`id="verdict-title"><span class="mark" aria-hidden="true">(.)</span> ([^<]+)</h2>\s*<p class="explain">([^<]*)</p>`)

// verdictOf returns the mark, the verdict and its explanation on a page.
func verdictOf(body string) (mark, title, explain string) {
	m := verdictRE.FindStringSubmatch(body)
	if m == nil {
		return "", "", ""
	}
	return m[1], html.UnescapeString(m[2]), html.UnescapeString(m[3])
}

// forge changes one character in the middle of a JWS signature.
func forge(jws string) string {
	parts := strings.Split(jws, ".")
	sig := []byte(parts[2])
	i := len(sig) / 2
	if sig[i] == 'A' {
		sig[i] = 'B'
	} else {
		sig[i] = 'A'
	}
	parts[2] = string(sig)
	return strings.Join(parts, ".")
}

// forgeCard changes one character of the card token in a QR text, which
// still decodes; the signature no longer holds.
func forgeCard(t *testing.T, qr string) string {
	t.Helper()
	prefix, digits, _ := strings.Cut(qr, "#")
	jws, ok := schema.QRDecodeNumeric(digits)
	parts := strings.Split(jws, ".")
	if !ok || len(parts) != 3 {
		t.Fatalf("not a card QR text: %q", qr)
	}
	p := []byte(parts[1])
	if i := len(p) / 2; p[i] == 'A' {
		p[i] = 'B'
	} else {
		p[i] = 'A'
	}
	parts[1] = string(p)
	return prefix + "#" + schema.QRNumeric(strings.Join(parts, "."))
}

// TestVerifyPortalInputs: each way of giving a credential reads "Valide"
// with the issuer, the trust, the learner, the levels and the status.
func TestVerifyPortalInputs(t *testing.T) {
	p := newPortal(t)
	c := p.issue("Éloïse Ndiaye")
	base := p.f.srv.BaseURL
	host := strings.TrimPrefix(base, "http://")
	envelope, _ := json.Marshal(map[string]any{"@context": []string{"https://www.w3.org/ns/credentials/v2"},
		"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + c.JWT})

	cases := []struct {
		name, text, file string
		content          []byte
		card             bool
	}{
		{name: "pasted JWS", text: c.JWT},
		{name: "pasted JSON envelope", text: string(envelope)},
		{name: "QR text", text: c.QRText, card: true},
		{name: "short code", text: strings.ToLower(c.ShortCode)},
		{name: ".jwt file", file: "eloise.jwt", content: []byte(c.JWT + "\n")},
		{name: ".json file with a byte-order mark", file: "eloise.json", content: append([]byte("\xef\xbb\xbf"), envelope...)},
		{name: "file wins over the text", text: "not a credential", file: "eloise.jwt", content: []byte(c.JWT)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := verifyAs(t, base, nil, "fr", tc.text, tc.file, tc.content)
			mark, title, explain := verdictOf(body)
			if code != http.StatusOK || mark != "✓" || title != "Valide" {
				t.Fatalf("%d %q %q %q\n%s", code, mark, title, explain, body)
			}
			for _, want := range []string{"Structure bib", "domaine <strong>" + host + "</strong>", "Émetteur de confiance ici",
				"Éloïse Ndiaye", "DigComp 2.2", "1.1 Naviguer", "Niveau 3 / 8 · Intermédiaire", "4.2", "sans date de fin",
				"Statut vérifié à l&#39;instant"} {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			if tc.card != strings.Contains(explain, "Carte authentique") {
				t.Errorf("explanation %q for a card=%v", explain, tc.card)
			}
			if tc.file != "" && !strings.Contains(body, "Fichier vérifié : "+tc.file) {
				t.Errorf("the page does not name the file %s", tc.file)
			}
			if strings.Contains(body, `action="/imports/new"`) {
				t.Error("the attach form shows to someone not signed in")
			}
		})
	}

	// The same in English, by the header and by the language switch.
	code, body := verifyAs(t, base, nil, "en", c.JWT, "", nil)
	if _, title, explain := verdictOf(body); code != http.StatusOK || title != "Valid" || !strings.HasPrefix(explain, "Genuine credential") ||
		!strings.Contains(body, "Trusted issuer here") || !strings.Contains(body, "Level 3 / 8 · Intermediate") || !strings.Contains(body, "Status checked with the issuer just now.") {
		t.Errorf("English: %d %q %q", code, title, explain)
	}
	b := newBrowser(t, base)
	b.get("/lang/en?next=/verify")
	if code, body, _ := b.post("/verify", "", url.Values{"input": {c.ShortCode}}); code != http.StatusOK {
		t.Errorf("URL-encoded form: %d", code)
	} else if _, title, _ := verdictOf(body); title != "Valid" {
		t.Errorf("URL-encoded form with the English cookie: %q", title)
	}

	// The empty page: the form, the camera's fallback text, the script.
	_, body, _ = newBrowser(t, base).get("/verify")
	for _, want := range []string{`enctype="multipart/form-data"`, `type="file"`, `accept=".jwt,.json,.txt`, `id="scan-start" class="secondary" hidden`,
		"l&#39;appareil photo du téléphone ouvre directement son QR code", `<script src="/static/verify.js" defer></script>`, `id="verify-text"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the empty portal lacks %s", want)
		}
	}
	if strings.Contains(body, `id="verdict"`) {
		t.Error("the empty portal shows a verdict")
	}
}

// TestVerifyPortalVerdicts: each verdict, in French and English, and the
// learner and levels only where the signature holds with a trusted issuer.
func TestVerifyPortalVerdicts(t *testing.T) {
	p := newPortal(t)
	base := p.f.srv.BaseURL
	revoked := p.issue("Révo Quée")
	p.status(revoked, "revoke")
	suspended := p.issue("Sus Pendue")
	p.status(suspended, "suspend")
	valid := p.issue("Éloïse Ndiaye")

	// Expired and not yet valid: signed by the trusted structure, with
	// dates out of range.
	now := time.Now()
	signed := func(from, until time.Time) string {
		out, err := p.f.srv.Issuer.Issue(context.Background(), p.st, schema.Assessment{LearnerName: "Dates Horsplage", Framework: "digcomp-2.2",
			Results: []schema.LevelResult{{Competency: "1.1", Level: "2"}}, AssessedAt: from, ValidUntil: until})
		if err != nil {
			t.Fatal(err)
		}
		return out.JWT
	}
	expired := signed(now.AddDate(-2, 0, 0), now.AddDate(0, -1, 0))
	future := signed(now.AddDate(0, 0, 3), time.Time{})

	// Another instance, which this one does not trust.
	other := startFixture(t)
	ost := other.structure("ailleurs")
	foreign, err := other.srv.Issuer.Issue(context.Background(), ost, schema.Assessment{LearnerName: "Per Sonne", Framework: "digcomp-2.2",
		Results: []schema.LevelResult{{Competency: "1.1", Level: "2"}}})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, input      string
		fr, en           string
		explainFR        string
		learner          string // shown, or "" for none
		hidden           string // a name that must not show
		card, unverified bool
	}{
		{name: "revoked", input: revoked.JWT, fr: "Révoquée", en: "Revoked", explainFR: "L'émetteur a révoqué cette attestation.", learner: "Révo Quée"},
		{name: "revoked card", input: revoked.QRText, fr: "Révoquée", en: "Revoked", explainFR: "L'émetteur a révoqué cette attestation.", learner: "Révo Quée", card: true},
		{name: "suspended", input: suspended.ShortCode, fr: "Suspendue", en: "Suspended", explainFR: "L'émetteur a suspendu cette attestation", learner: "Sus Pendue"},
		{name: "expired", input: expired, fr: "Expirée", en: "Expired", explainFR: "L'attestation a expiré.", learner: "Dates Horsplage"},
		{name: "not yet valid", input: future, fr: "Pas encore valable", en: "Not valid yet", explainFR: "La date d'émission est à venir", learner: "Dates Horsplage"},
		{name: "forged", input: forge(valid.JWT), fr: "Falsifiée", en: "Forged", explainFR: "La signature est fausse", hidden: "Éloïse", unverified: true},
		{name: "forged card", input: forgeCard(t, valid.QRText), fr: "Falsifiée", en: "Forged", explainFR: "La signature est fausse", hidden: "Éloïse", unverified: true},
		{name: "unknown issuer", input: foreign.JWT, fr: "Émetteur non reconnu ici", en: "Issuer not trusted here", hidden: "Per Sonne", unverified: true},
		{name: "unknown code", input: "ZZZZ-ZZZZ-ZZ", fr: "Code inconnu", en: "Unknown code", explainFR: "Aucune attestation de ce site ne porte ce code", unverified: true},
		{name: "not a credential", input: "bonjour", fr: "Illisible", en: "Unreadable", explainFR: "Ce n'est pas une attestation", unverified: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, lang := range []string{"fr", "en"} {
				code, body := verifyAs(t, base, nil, lang, tc.input, "", nil)
				mark, title, explain := verdictOf(body)
				want := map[string]string{"fr": tc.fr, "en": tc.en}[lang]
				if code != http.StatusOK || mark != "✗" || title != want {
					t.Fatalf("%s: %d %q %q, want ✗ %q\n%s", lang, code, mark, title, want, body)
				}
				if lang == "fr" && !strings.HasPrefix(explain, tc.explainFR) {
					t.Errorf("explanation %q, want %q…", explain, tc.explainFR)
				}
				if tc.learner != "" && !strings.Contains(body, "<strong>"+tc.learner+"</strong>") {
					t.Errorf("%s: the learner %s is not shown", lang, tc.learner)
				}
				if tc.hidden != "" && strings.Contains(body, tc.hidden) {
					t.Errorf("%s: unverified content %q shows", lang, tc.hidden)
				}
				if hasLevels := strings.Contains(body, `<caption>`); hasLevels == tc.unverified {
					t.Errorf("%s: levels shown %v, want %v", lang, hasLevels, !tc.unverified)
				}
				if tc.unverified && !strings.Contains(body, map[string]string{"fr": "ni la personne ni les niveaux", "en": "neither the learner nor the levels"}[lang]) {
					t.Errorf("%s: no word that nothing was verified", lang)
				}
			}
		})
	}

	// The unknown issuer: its domain, "not trusted here" and the hint for
	// network administrators; the link to /trust only for them.
	_, body := verifyAs(t, base, nil, "fr", foreign.JWT, "", nil)
	for _, want := range []string{strings.TrimPrefix(other.srv.BaseURL, "http://"), "n&#39;est pas un émetteur de confiance ici",
		"ajoutez-le aux partenaires de confiance"} {
		if !strings.Contains(body, want) {
			t.Errorf("unknown issuer: the page lacks %q", want)
		}
	}
	if strings.Contains(body, `href="/trust"`) {
		t.Error("unknown issuer: the /trust link shows to a visitor")
	}
	p.f.user("admin@example.org", true)
	admin := newBrowser(t, base)
	admin.login("admin@example.org")
	if _, body := verifyAs(t, base, admin, "en", foreign.JWT, "", nil); !strings.Contains(body, `<a href="/trust">Add this partner</a>`) ||
		!strings.Contains(body, "Network administrators: if this is a partner") {
		t.Error("unknown issuer: no link to /trust for a network administrator")
	}
}

// TestVerifyPortalAttach: a signed-in person who verified a valid
// credential is offered to attach it to a learner's path; nobody else.
func TestVerifyPortalAttach(t *testing.T) {
	p := newPortal(t)
	base := p.f.srv.BaseURL
	valid := p.issue("Éloïse Ndiaye")
	revoked := p.issue("Révo Quée")
	p.status(revoked, "revoke")
	p.f.user("other@example.org", false, schema.Membership{StructureID: p.st.ID, Role: schema.RoleMediator})
	b := newBrowser(t, base)
	b.login("other@example.org")
	formRE := regexp.MustCompile(`<form method="post" action="/imports/new" class="attach">\s*<input type="hidden" name="csrf_token" value="([^"]+)">\s*<input type="hidden" name="input" value="([^"]*)">`)

	for _, in := range []struct{ name, text, file, want string }{
		{name: "pasted", text: valid.JWT, want: valid.JWT},
		{name: "short code", text: valid.ShortCode, want: valid.ShortCode},
		{name: "file", file: "c.jwt", want: valid.JWT},
	} {
		var content []byte
		if in.file != "" {
			content = []byte(valid.JWT + "\r\n")
		}
		_, body := verifyAs(t, base, b, "fr", in.text, in.file, content)
		m := formRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no attach form for a signed-in person:\n%s", in.name, body)
		}
		if html.UnescapeString(m[2]) != in.want || m[1] == "" {
			t.Errorf("%s: the form carries %q", in.name, m[2])
		}
		if !strings.Contains(body, "Rattacher au parcours d&#39;une personne") {
			t.Errorf("%s: no button text", in.name)
		}
	}
	if _, body := verifyAs(t, base, b, "en", valid.JWT, "", nil); !strings.Contains(body, "Attach to a learner&#39;s path") {
		t.Error("no English button")
	}
	if _, body := verifyAs(t, base, b, "fr", revoked.JWT, "", nil); strings.Contains(body, "/imports/new") {
		t.Error("the attach form shows for a revoked credential")
	}
	if _, body := verifyAs(t, base, nil, "fr", valid.JWT, "", nil); strings.Contains(body, "/imports/new") {
		t.Error("the attach form shows to a visitor")
	}
}

// TestVerifyPortalFiles: a file over 1 MiB is refused with a plain
// message in the page's language and nothing verified; binary content and
// a compression bomb are only unreadable.
func TestVerifyPortalFiles(t *testing.T) {
	p := newPortal(t)
	base := p.f.srv.BaseURL
	valid := p.issue("Éloïse Ndiaye")
	big := append([]byte(valid.JWT), bytes.Repeat([]byte(" "), verifier.MaxInput)...)
	for lang, want := range map[string]string{"fr": "Fichier trop volumineux : une attestation tient en 1 Mo au plus. Rien n&#39;a été vérifié.",
		"en": "File too large: a credential takes 1 MB at most. Nothing was verified."} {
		code, body := verifyAs(t, base, nil, lang, "", "big.jwt", big)
		if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 413 with %q", lang, code, want)
		}
		if strings.Contains(body, `id="verdict"`) {
			t.Errorf("%s: a file over the limit was verified", lang)
		}
	}
	// A body far over the limit (a file of 3 MiB) is cut short the same way.
	if code, body := verifyAs(t, base, nil, "fr", "", "huge.json", bytes.Repeat([]byte("A"), 3<<20)); code != http.StatusRequestEntityTooLarge ||
		!strings.Contains(body, "Fichier trop volumineux") {
		t.Errorf("3 MiB: %d", code)
	}
	// Exactly 1 MiB is read (and verified).
	exact := append([]byte(valid.JWT), bytes.Repeat([]byte("\n"), verifier.MaxInput-len(valid.JWT))...)
	if code, body := verifyAs(t, base, nil, "fr", "", "exact.jwt", exact); code != http.StatusOK {
		t.Errorf("1 MiB file: %d", code)
	} else if _, title, _ := verdictOf(body); title != "Valide" {
		t.Errorf("1 MiB file: %q", title)
	}

	// A gzip stream that would inflate to 16 MiB, and binary bytes.
	bomb := gzipBomb(t)
	for name, content := range map[string][]byte{"bomb.json.gz": bomb, "image.jwt": {0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d, 0xff, 0xfe}} {
		code, body := verifyAs(t, base, nil, "en", "", name, content)
		if _, title, _ := verdictOf(body); code != http.StatusOK || title != "Unreadable" {
			t.Errorf("%s: %d %q, want Unreadable", name, code, title)
		}
		if strings.Contains(body, "\x00") || strings.Contains(body, "\xff") {
			t.Errorf("%s: the page echoes the binary content", name)
		}
	}
	// Nothing at all.
	if code, body := verifyAs(t, base, nil, "fr", "  ", "", nil); code != http.StatusBadRequest || !strings.Contains(body, "Rien à vérifier") {
		t.Errorf("empty: %d", code)
	}
}

// gzipBomb returns a small gzip stream of 16 MiB of zeros.
func gzipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for i := 0; i < 16; i++ {
		zw.Write(zero)
	}
	zw.Close()
	if buf.Len() > 64<<10 {
		t.Fatalf("bomb of %d bytes", buf.Len())
	}
	return buf.Bytes()
}
