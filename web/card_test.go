package web_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"

	"github.com/go-jose/go-jose/v4"
)

// get fetches a path of the fixture with optional headers.
func (f *fixture) get(path string, headers ...string) (*http.Response, []byte) {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.srv.BaseURL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// issueCard issues a credential in a structure through the API and returns
// its id and the card token of its QR text.
func (f *fixture) issueCard(tok string, levels map[string]any) (id, cardToken string) {
	f.t.Helper()
	var l struct{ ID string }
	if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Éloïse Ndiaye"}, &l); code != 201 {
		f.t.Fatalf("create learner: %d", code)
	}
	var c struct {
		ID     string `json:"id"`
		QRText string `json:"qr_text"`
	}
	if code := f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2", "levels": levels}, &c); code != 201 {
		f.t.Fatalf("issue: %d", code)
	}
	prefix := f.srv.BaseURL + "/c#"
	if !strings.HasPrefix(c.QRText, prefix) {
		f.t.Fatalf("qr_text %q does not start with %s", c.QRText, prefix)
	}
	jws, ok := schema.QRDecodeNumeric(strings.TrimPrefix(c.QRText, prefix))
	if !ok {
		f.t.Fatalf("qr_text %q is not numeric", c.QRText)
	}
	return c.ID, jws
}

type cardTrustDoc struct {
	Issuers []struct {
		ID     string            `json:"id"`
		Name   string            `json:"name"`
		URL    string            `json:"url"`
		Domain string            `json:"domain"`
		Local  bool              `json:"local"`
		Keys   []json.RawMessage `json:"keys"`
	} `json:"issuers"`
	Frameworks map[string]struct {
		Title        schema.Text `json:"title"`
		Competencies map[string]struct {
			Title schema.Text `json:"title"`
		} `json:"competencies"`
		Levels map[string]struct {
			Title schema.Text `json:"title"`
			Group schema.Text `json:"group"`
		} `json:"levels"`
	} `json:"frameworks"`
}

// TestCardTrustList: /c/trust.json lists the structures' issuers with
// their public keys (a card's kid is the RFC 7638 thumbprint of one, as
// the page computes it), trusted partners, and the frameworks' titles in
// French and English; it revalidates on every visit.
func TestCardTrustList(t *testing.T) {
	f := startFixture(t)
	stA := f.structure("bib-a")
	f.structure("bib-b")
	ctx := t.Context()
	stA.URL = "https://bib-a.example.org"
	if err := f.sts.UpdateStructure(ctx, stA); err != nil {
		t.Fatal(err)
	}
	partnerKey, err := keys.NewKey(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	partner := "did:web:partner.example.org:s:media"
	if err := f.srv.Verifier.Trust.Add(&verifier.TrustedIssuer{ID: partner, Name: "Médiathèque partenaire", Source: "test",
		Keys: []jose.JSONWebKey{partnerKey.PublicJWK(partner)}}); err != nil {
		t.Fatal(err)
	}
	tok := f.token(f.user("m@example.org", false, schema.Membership{StructureID: stA.ID, Role: schema.RoleMediator}))
	_, cardToken := f.issueCard(tok, map[string]any{"1.1": 3, "2.1": 4})

	res, body := f.get("/c/trust.json")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /c/trust.json: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache (the service worker refreshes it when online)", cc)
	}
	var doc cardTrustDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(f.srv.BaseURL, "http://")
	byID := map[string]int{}
	for i, is := range doc.Issuers {
		byID[is.ID] = i
	}
	for _, tc := range []struct {
		slug, name, url string
	}{{"bib-a", "Structure bib-a", "https://bib-a.example.org"}, {"bib-b", "Structure bib-b", ""}} {
		did, _ := keys.DIDWeb(f.srv.BaseURL, tc.slug)
		i, ok := byID[did]
		if !ok {
			t.Errorf("%s is not in the trust list", did)
			continue
		}
		is := doc.Issuers[i]
		if is.Name != tc.name || is.URL != tc.url || is.Domain != host || !is.Local {
			t.Errorf("%s: name %q url %q domain %q local %v, want %q %q %q true", tc.slug, is.Name, is.URL, is.Domain, is.Local, tc.name, tc.url, host)
		}
		// The same keys as the structure's JWKS, public only.
		_, jwks := f.get("/s/" + tc.slug + "/jwks.json")
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(jwks, &set); err != nil {
			t.Fatal(err)
		}
		if len(is.Keys) != len(set.Keys) || len(is.Keys) == 0 {
			t.Errorf("%s: %d keys, the JWKS has %d", tc.slug, len(is.Keys), len(set.Keys))
		}
		for j, raw := range is.Keys {
			if strings.Contains(string(raw), `"d"`) {
				t.Errorf("%s: key %d carries a private part: %s", tc.slug, j, raw)
			}
			var k jose.JSONWebKey
			if err := json.Unmarshal(raw, &k); err != nil || !k.IsPublic() || j >= len(set.Keys) || k.KeyID != set.Keys[j].KeyID {
				t.Errorf("%s: key %d %s does not match the JWKS: %v", tc.slug, j, raw, err)
			}
		}
	}
	if i, ok := byID[partner]; !ok {
		t.Errorf("the trusted partner %s is not in the trust list", partner)
	} else if p := doc.Issuers[i]; p.Local || p.Domain != "partner.example.org" || p.Name != "Médiathèque partenaire" || len(p.Keys) != 1 {
		t.Errorf("partner: %+v", p)
	}

	// The card names no key (issue 11): a key listed for its issuer, the
	// page's only candidates, verifies its signature.
	hb, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(cardToken, ".", 2)[0])
	didA, _ := keys.DIDWeb(f.srv.BaseURL, "bib-a")
	found := false
	for _, raw := range doc.Issuers[byID[didA]].Keys {
		var k jose.JSONWebKey
		json.Unmarshal(raw, &k)
		if obj, err := jose.ParseSignedCompact(cardToken, []jose.SignatureAlgorithm{jose.ES256}); err == nil {
			if _, err := obj.Verify(k.Key); err == nil {
				found = true
			}
		}
	}
	if !found || string(hb) != `{"alg":"ES256","zip":"DEF"}` {
		t.Errorf("card header %s: no listed key of %s verifies it", hb, didA)
	}

	fw, ok := doc.Frameworks["digcomp-2.2"]
	if !ok {
		t.Fatalf("digcomp-2.2 is not in the trust list's frameworks: %v", doc.Frameworks)
	}
	if fw.Title["fr"] == "" || fw.Title["en"] == "" {
		t.Errorf("framework title %v, want fr and en", fw.Title)
	}
	if c := fw.Competencies["1.1"].Title; !strings.HasPrefix(c["fr"], "Naviguer") || !strings.HasPrefix(c["en"], "Browsing") {
		t.Errorf("competency 1.1: %v", c)
	}
	if l := fw.Levels["3"]; l.Title["fr"] != "Niveau 3" || l.Title["en"] != "Level 3" || l.Group["fr"] != "Intermédiaire" {
		t.Errorf("level 3: %+v", l)
	}
	for _, id := range schema.NewFrameworks().IDs() {
		if _, ok := doc.Frameworks[id]; !ok {
			t.Errorf("framework %s missing", id)
		}
	}

	// Unchanged, it answers 304 to the ETag it gave.
	res, _ = f.get("/c/trust.json", "If-None-Match", res.Header.Get("ETag"))
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("with the ETag: %d, want 304", res.StatusCode)
	}
}

// TestCardStatus: /c/status/ID answers the status of a credential of this
// instance, "active" then "revoked" after a revocation through the API, and
// 404 for any other id; it is never cached.
func TestCardStatus(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	tok := f.token(f.user("m@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator}))
	id, _ := f.issueCard(tok, map[string]any{"1.1": 2})
	id2, _ := f.issueCard(tok, map[string]any{"1.1": 2})
	uuid := strings.TrimPrefix(id, "urn:uuid:")

	status := func(path string) (int, string) {
		t.Helper()
		res, body := f.get(path)
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, cc)
		}
		var out struct{ Status string }
		json.Unmarshal(body, &out)
		return res.StatusCode, out.Status
	}
	if code, s := status("/c/status/" + uuid); code != 200 || s != schema.StatusActive {
		t.Fatalf("before revocation: %d %q, want 200 active", code, s)
	}
	if code := f.api(tok, "POST", "/api/v1/credentials/"+uuid+"/revoke", map[string]any{"reason": "erreur"}, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	if code, s := status("/c/status/" + uuid); code != 200 || s != schema.StatusRevoked {
		t.Errorf("after revocation: %d %q, want 200 revoked", code, s)
	}
	if code := f.api(tok, "POST", "/api/v1/credentials/"+strings.TrimPrefix(id2, "urn:uuid:")+"/suspend", map[string]any{"reason": "contrôle"}, nil); code != 200 {
		t.Fatalf("suspend: %d", code)
	}
	for name, path := range map[string]string{
		"suspended":      "/c/status/" + strings.TrimPrefix(id2, "urn:uuid:"),
		"urn form":       "/c/status/" + url.PathEscape(id2),
		"uppercase uuid": "/c/status/" + strings.ToUpper(strings.TrimPrefix(id2, "urn:uuid:")),
	} {
		if code, s := status(path); code != 200 || s != schema.StatusSuspended {
			t.Errorf("%s: %d %q, want 200 suspended", name, code, s)
		}
	}
	for name, path := range map[string]string{
		"unknown uuid": "/c/status/0b8f6a52-7c1e-4d3a-9f2b-5e6d7c8b9a01",
		"not a uuid":   "/c/status/1",
		"sql-ish":      "/c/status/" + url.PathEscape("' OR 1=1 --"),
	} {
		res, body := f.get(path)
		var e struct{ Error struct{ Code string } }
		json.Unmarshal(body, &e)
		if res.StatusCode != http.StatusNotFound || e.Error.Code != schema.ENOTFOUND {
			t.Errorf("%s: %d %s, want 404 not_found", name, res.StatusCode, body)
		}
	}
}

// TestCardWorker: the service worker is JavaScript, allowed the scope /c,
// revalidated on every update check, with its version filled in.
func TestCardWorker(t *testing.T) {
	f := startFixture(t)
	res, body := f.get("/c/sw.js")
	if res.StatusCode != 200 {
		t.Fatalf("GET /c/sw.js: %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("Content-Type %q, want text/javascript (browsers refuse a worker of another type)", ct)
	}
	if h := res.Header.Get("Service-Worker-Allowed"); h != "/c" {
		t.Errorf("Service-Worker-Allowed %q, want /c", h)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache", cc)
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("CSP %q", res.Header.Get("Content-Security-Policy"))
	}
	m := regexp.MustCompile(`const VERSION = '([0-9a-f]{16})';`).FindSubmatch(body)
	if m == nil || strings.Contains(string(body), "__CARNET_SW_VERSION__") {
		t.Fatalf("the worker's version is not filled in:\n%.600s", body)
	}
	for _, want := range []string{"'/c'", "'/c/trust.json'", "'/static/c.js'", "'/static/carnet.css'", "'/c/revocations.json'"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the worker does not cache %s", want)
		}
	}
	if _, again := f.get("/c/sw.js"); string(again) != string(body) {
		t.Error("the worker changes between two requests: browsers would reinstall it at every visit")
	}
	if res, _ := f.get("/static/c.js"); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("GET /static/c.js: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestCardPage: /c renders in French by default and in English on request,
// with the texts of c.js in a JSON data block (no inline script) and the
// intro pointing to the short-code check.
func TestCardPage(t *testing.T) {
	f := startFixture(t)
	scriptRE := regexp.MustCompile(`<script([^>]*)>`)
	blockRE := regexp.MustCompile(`(?s)<script type="application/json" id="card-text">(.*?)</script>`)
	want := map[string]map[string]string{
		"fr": {"title": "Carte de compétences", "valid": "Valide", "invalid": "Non valable", "reason_bad_signature": "Signature falsifiée",
			"reason_unknown_issuer": "Émetteur inconnu ici", "reason_expired": "Expirée", "reason_not_yet_valid": "Pas encore valable",
			"reason_malformed": "Illisible", "status_offline": "n'a pas pu être vérifié", "check_address": "Vérifiez que l'adresse de cette page est bien %s"},
		"en": {"title": "Skills card", "valid": "Valid", "invalid": "Not valid", "reason_bad_signature": "Forged signature",
			"reason_unknown_issuer": "Issuer unknown here", "reason_expired": "Expired", "reason_not_yet_valid": "Not valid yet",
			"reason_malformed": "Unreadable", "status_offline": "could not be checked", "check_address": "Check that this page's address is %s"},
	}
	texts := map[string]map[string]string{}
	for _, lang := range []string{"fr", "en"} {
		res, b := f.get("/c", "Accept", "text/html", "Accept-Language", lang)
		body := string(b)
		if res.StatusCode != 200 || !strings.Contains(body, `<html lang="`+lang+`">`) || !strings.Contains(body, "<h1>"+want[lang]["title"]+"</h1>") {
			t.Fatalf("%s: %d\n%s", lang, res.StatusCode, body)
		}
		for _, m := range scriptRE.FindAllStringSubmatch(body, -1) {
			if m[1] != ` type="application/json" id="card-text"` && m[1] != ` src="/static/c.js" defer` {
				t.Errorf("%s: unexpected script element <script%s>", lang, m[1])
			}
		}
		if !strings.Contains(body, `role="status"`) || !strings.Contains(body, `href="/verify"`) {
			t.Errorf("%s: no live region or no link to /verify", lang)
		}
		m := blockRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no JSON text block", lang)
		}
		var tx map[string]string
		if err := json.Unmarshal([]byte(m[1]), &tx); err != nil {
			t.Fatalf("%s: the text block is not JSON: %v\n%s", lang, err, m[1])
		}
		for k, v := range tx {
			if v == "" || strings.HasPrefix(v, "card_") {
				t.Errorf("%s: text %s is %q", lang, k, v)
			}
		}
		for k, w := range want[lang] {
			if k != "title" && !strings.HasPrefix(tx[k], w) && !strings.Contains(tx[k], w) {
				t.Errorf("%s: text %s = %q, want it to contain %q", lang, k, tx[k], w)
			}
		}
		texts[lang] = tx
	}
	for k := range texts["fr"] {
		if _, ok := texts["en"][k]; !ok {
			t.Errorf("text %s only in French", k)
		}
	}
	// Every reason code of the verifier a card can end on has a text.
	for _, r := range []string{verifier.ReasonMalformed, verifier.ReasonTooLarge, verifier.ReasonUnsupportedAlg, verifier.ReasonBadHeader,
		verifier.ReasonUnknownIssuer, verifier.ReasonUnknownKey, verifier.ReasonBadSignature, verifier.ReasonClaimsMismatch,
		verifier.ReasonInvalidCredential, verifier.ReasonNotYetValid, verifier.ReasonExpired, verifier.ReasonRevoked, verifier.ReasonSuspended} {
		if texts["fr"]["reason_"+r] == "" {
			t.Errorf("no text for reason %s", r)
		}
	}
}
