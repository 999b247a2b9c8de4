package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"carnet/dataintegrity"
	"carnet/keys"
)

// get fetches u with an Accept header and returns the answer and its body.
func getWith(t *testing.T, u, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// diProof checks a Data Integrity document with the Ed25519 key that the
// structure's did.json publishes under the proof's verification method.
func diProof(t *testing.T, base string, b []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not JSON: %v: %.200s", err, b)
	}
	p, sig, err := dataintegrity.ReadProof(doc)
	if err != nil {
		t.Fatalf("proof: %v", err)
	}
	did, _, _ := strings.Cut(p.VerificationMethod, "#")
	u, err := keys.DIDDocumentURL(did)
	if err != nil || !strings.HasPrefix(u, base) {
		t.Fatalf("did %s: %v", did, err)
	}
	_, db := getWith(t, u, "")
	var dd keys.DIDDocument
	if err := json.Unmarshal(db, &dd); err != nil {
		t.Fatal(err)
	}
	for _, vm := range dd.VerificationMethod {
		if vm.ID == p.VerificationMethod && vm.Type == "Multikey" {
			pub, err := keys.ParseEd25519Multibase(vm.PublicKeyMultibase)
			if err != nil {
				t.Fatal(err)
			}
			if err := dataintegrity.Verify(doc, p, sig, pub); err != nil {
				t.Fatalf("proof does not verify with the published key: %v", err)
			}
			asserted := false
			for _, a := range dd.AssertionMethod {
				asserted = asserted || a == vm.ID
			}
			if !asserted {
				t.Error("the Ed25519 key is not an assertion method")
			}
			return doc
		}
	}
	t.Fatalf("did.json does not publish %s", p.VerificationMethod)
	return nil
}

// The Data Integrity form of a credential: at the API (authorised as the
// other downloads), in the learner's carnet and behind a share link, with
// the key the structure's DID document publishes; Carnet's own verifier
// accepts it, and sees its revocation.
func TestDataIntegrityDownloads(t *testing.T) {
	e := startCarnet(t)
	base := e.f.srv.BaseURL
	req, _ := http.NewRequest("GET", base+"/api/v1/credentials/"+e.cred+"/vc.json", nil)
	req.Header.Set("Authorization", "Bearer "+e.tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	api, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vc+ld+json" {
		t.Fatalf("API vc.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	doc := diProof(t, base, api)
	if doc["id"] != e.cred {
		t.Errorf("id %v", doc["id"])
	}
	// Another structure's mediator: 404, as for the JWS.
	req.Header.Set("Authorization", "Bearer "+e.tokB)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 404 {
		t.Errorf("other structure: %v %v", res.StatusCode, err)
	}

	// The carnet lists it and serves the same bytes.
	u := e.link(t)
	_, page, _ := fetch(t, "GET", u, nil, "")
	if !strings.Contains(page, "/credentials/"+uuidOf(e.cred)+"/vc.json") {
		t.Error("the carnet does not list the vc.json link")
	}
	code, body, _ := fetch(t, "GET", u+"/credentials/"+uuidOf(e.cred)+"/vc.json", nil, "")
	if code != 200 || body != string(api) {
		t.Errorf("carnet vc.json: %d, same bytes as the API: %v", code, body == string(api))
	}
	if code, _, _ := fetch(t, "GET", u+"/credentials/"+uuidOf(e.oCred)+"/vc.json", nil, ""); code != 404 {
		t.Errorf("another learner's credential from the carnet: %d", code)
	}

	// A share link serves it until withdrawn or expired.
	s := e.share(t, u, e.cred, "7")
	if code, body, _ := fetch(t, "GET", s+"/vc.json", nil, ""); code != 200 || body != string(api) {
		t.Errorf("share vc.json: %d", code)
	}

	// Carnet's verifier reads it, then sees the revocation.
	verifyDI := func() map[string]any {
		var out map[string]any
		if code := e.f.api("", "POST", "/api/v1/verify", map[string]any{"input": string(api)}, &out); code != 200 {
			t.Fatalf("verify: %d", code)
		}
		return out
	}
	if r := verifyDI(); r["valid"] != true || r["status"] != "active" || r["learner"] != "Awa Carnet" {
		t.Fatalf("verify DI: %v", r)
	}
	if code := e.f.api(e.tok, "POST", "/api/v1/credentials/"+e.cred+"/revoke", map[string]any{"reason": "erreur"}, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	if r := verifyDI(); r["valid"] != false || r["reason"] != "revoked" {
		t.Errorf("verify revoked DI: %v", r)
	}
	// The share link ends with its lifetime.
	e.step(8 * 24 * time.Hour)
	if code, body, _ := fetch(t, "GET", s+"/vc.json", nil, ""); code != http.StatusGone || strings.Contains(body, "proof") {
		t.Errorf("expired share vc.json: %d", code)
	}
}

// A status list is served in Data Integrity form to clients asking for
// JSON (JSON-LD document loaders), as a JWS otherwise, with Vary: Accept.
func TestStatusListDataIntegrity(t *testing.T) {
	e := startCarnet(t)
	base := e.f.srv.BaseURL
	var c struct {
		CredentialStatus struct {
			StatusListCredential string `json:"statusListCredential"`
		} `json:"credentialStatus"`
	}
	api := func() []byte {
		req, _ := http.NewRequest("GET", base+"/api/v1/credentials/"+e.cred+"/vc.json", nil)
		req.Header.Set("Authorization", "Bearer "+e.tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return b
	}
	json.Unmarshal(api(), &c)
	list := c.CredentialStatus.StatusListCredential
	if !strings.HasPrefix(list, base+"/s/bib-a/status/") {
		t.Fatalf("status list URL %q", list)
	}
	for _, accept := range []string{"application/ld+json, application/json", "application/json", "application/vc+ld+json", "application/vc", "application/json;q=0.5, text/html;q=0.1"} {
		res, b := getWith(t, list, accept)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vc+ld+json" || !strings.Contains(res.Header.Get("Vary"), "Accept") {
			t.Fatalf("Accept %s: %d %s vary %q", accept, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Vary"))
		}
		doc := diProof(t, base, b)
		sub, _ := doc["credentialSubject"].(map[string]any)
		if doc["id"] != list || sub["type"] != "BitstringStatusList" || sub["statusPurpose"] != "revocation" {
			t.Errorf("DI list: %.300s", b)
		}
		// Revalidation of the DI copy: its own entity tag.
		req, _ := http.NewRequest("GET", list, nil)
		req.Header.Set("Accept", accept)
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
		if r2, err := http.DefaultClient.Do(req); err != nil || r2.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match on the DI list: %v %v", r2.StatusCode, err)
		}
	}
	var jwsETag string
	for _, accept := range []string{"", "application/vc+jwt, application/jwt, text/plain", "text/html,application/xhtml+xml,*/*;q=0.8", "application/json, application/vc+jwt", "application/json;q=0, text/plain", "application/json; q=0.0"} {
		res, b := getWith(t, list, accept)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vc+jwt" || strings.Count(string(b), ".") != 2 {
			t.Errorf("Accept %q: %d %s %.60s", accept, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
		jwsETag = res.Header.Get("ETag")
	}
	res, _ := getWith(t, list, "application/json")
	if res.Header.Get("ETag") == jwsETag {
		t.Error("the two forms share an entity tag")
	}
}
