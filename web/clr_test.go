package web_test

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"carnet/app"
)

var (
	linkedinRE = regexp.MustCompile(`id="linkedin-add" href="([^"]+)"`)
	cvRE       = regexp.MustCompile(`(?s)<textarea id="cv-line"[^>]*>([^<]*)</textarea>`)
)

// TestCarnetLinkedInAndCV: the carnet offers LinkedIn and the CV line only
// with a share link the learner just made: LinkedIn's documented
// add-to-profile address with that share link as certUrl, never the
// private link; no LinkedIn script anywhere on the page.
func TestCarnetLinkedInAndCV(t *testing.T) {
	e := startCarnet(t)
	u := e.link(t)
	_, page, _ := fetch(t, "GET", u, nil, "")
	if strings.Contains(page, "linkedin-add") || !strings.Contains(page, "créez d&#39;abord son lien de partage") {
		t.Errorf("the carnet offers LinkedIn before any share link, or does not say how:\n%.3000s", page)
	}
	code, body, _ := fetch(t, "POST", u+"/shares", url.Values{"credential": {uuidOf(e.cred)}, "days": {"365"}}, e.f.srv.BaseURL)
	share := shareRE.FindStringSubmatch(body)
	li := linkedinRE.FindStringSubmatch(body)
	cv := cvRE.FindStringSubmatch(body)
	if code != 200 || share == nil || li == nil || cv == nil {
		t.Fatalf("share: %d, LinkedIn %v, CV %v\n%.3000s", code, li != nil, cv != nil, body)
	}
	lu, err := url.Parse(html.UnescapeString(li[1]))
	if err != nil {
		t.Fatal(err)
	}
	q := lu.Query()
	if lu.Scheme+"://"+lu.Host+lu.Path != app.LinkedInAddURL || q.Get("startTask") != "CERTIFICATION_NAME" {
		t.Errorf("LinkedIn address %s", lu)
	}
	want := map[string]string{"name": "Compétences DigComp 2.2 — niveau 3", "organizationName": "Structure bib-a", "certUrl": share[1]}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("LinkedIn %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if q.Get("issueYear") == "" || q.Get("issueMonth") == "" || q.Get("certId") == "" {
		t.Errorf("LinkedIn dates or id missing: %v", q)
	}
	line := html.UnescapeString(cv[1])
	if !strings.HasPrefix(line, "Compétences DigComp 2.2 — niveau 3, attesté par Structure bib-a, 20") || !strings.HasSuffix(line, "vérifiable : "+share[1]) {
		t.Errorf("CV line %q", line)
	}
	for _, s := range []string{html.UnescapeString(li[1]), line} {
		if strings.Contains(s, app.CarnetPath) || strings.Contains(s, strings.TrimPrefix(u, e.f.srv.BaseURL)) {
			t.Errorf("the private link leaks into %q", s)
		}
	}
	if strings.Contains(body, "<script src=\"https://") || strings.Contains(strings.ToLower(body), "platform.linkedin.com") {
		t.Error("the carnet loads a third-party script")
	}
}

// TestCarnetCLR: the carnet downloads the learner's record (CLR 2.0): their
// valid credentials only (not the suspended one, nor another learner's);
// a revoked link downloads nothing.
func TestCarnetCLR(t *testing.T) {
	e := startCarnet(t)
	u := e.link(t)
	_, page, _ := fetch(t, "GET", u, nil, "")
	if !strings.Contains(page, `id="clr-jwt"`) || !strings.Contains(page, `id="clr-json"`) {
		t.Fatalf("the carnet has no CLR download:\n%.2000s", page)
	}
	code, jws, _ := fetch(t, "GET", u+"/clr.jwt", nil, "")
	parts := strings.Split(jws, ".")
	if code != 200 || len(parts) != 3 {
		t.Fatalf("clr.jwt: %d %.200s", code, jws)
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var p struct {
		Name              string `json:"name"`
		CredentialSubject struct {
			ID                   string `json:"id"`
			VerifiableCredential []struct {
				ID string `json:"id"`
			} `json:"verifiableCredential"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if vc := p.CredentialSubject.VerifiableCredential; len(vc) != 1 || vc[0].ID != e.cred || p.CredentialSubject.ID != "urn:uuid:"+e.learner {
		t.Errorf("the carnet's CLR: %s", b)
	}
	if p.Name != "Relevé de compétences de Awa Carnet" {
		t.Errorf("CLR name %q", p.Name)
	}
	code, env, _ := fetch(t, "GET", u+"/clr.json", nil, "")
	if code != 200 || !strings.Contains(env, `"EnvelopedVerifiableCredential"`) || !strings.Contains(env, "data:application/vc+jwt,ey") {
		t.Errorf("clr.json: %d %.200s", code, env)
	}
	if code := e.f.api(e.tok, "DELETE", "/api/v1/learners/"+e.learner+"/carnet-link", nil, nil); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	if code, body, _ := fetch(t, "GET", u+"/clr.jwt", nil, ""); code != 404 || strings.HasPrefix(body, "ey") {
		t.Errorf("a revoked link downloaded the CLR: %d", code)
	}
}
