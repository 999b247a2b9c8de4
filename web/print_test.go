package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"carnet/schema"
)

// TestCardPDFNotWhenRevokedOrSuspended: a revoked or suspended credential's
// card and A4 certificate are never printed as if valid. Through the real
// router, the API and the signed-in pages answer 409 with a bilingual
// refusal, the credential page stops linking the PDFs (and says why), the
// API stops giving card_url; once reinstated, the PDFs come back.
func TestCardPDFNotWhenRevokedOrSuspended(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	u := f.user("m@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	tok := f.token(u)
	b := newBrowser(t, f.srv.BaseURL)
	b.login("m@example.org")
	revokedID, _ := f.issueCard(tok, map[string]any{"1.1": 2})
	suspendedID, _ := f.issueCard(tok, map[string]any{"1.1": 3})
	rev := strings.TrimPrefix(revokedID, "urn:uuid:")
	sus := strings.TrimPrefix(suspendedID, "urn:uuid:")

	// apiPDF fetches a PDF route with the token, in a language.
	apiPDF := func(path, lang string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.srv.BaseURL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept-Language", lang)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, body
	}
	// printable checks every PDF route of a credential and its pages: all
	// print (ok), or none does and the refusal says why (word).
	printable := func(state, uuid string, ok bool, fr, en string) {
		t.Helper()
		for _, q := range []string{"", "?layout=a4"} {
			for _, lang := range []string{"fr", "en"} {
				code, body := apiPDF("/api/v1/credentials/"+uuid+"/card.pdf"+q, lang)
				if ok {
					if code != http.StatusOK || !bytes.HasPrefix(body, []byte("%PDF-")) {
						t.Errorf("%s: API card.pdf%s: %d %.60q, want a PDF", state, q, code, body)
					}
					continue
				}
				var e struct {
					Error struct{ Code, Message string }
				}
				json.Unmarshal(body, &e)
				want := map[string]string{"fr": fr, "en": en}[lang]
				if code != http.StatusConflict || e.Error.Code != schema.ECONFLICT || !strings.Contains(e.Error.Message, want) {
					t.Errorf("%s: API card.pdf%s (%s): %d %s, want 409 conflict saying %q", state, q, lang, code, body, want)
				}
			}
			code, body, _ := b.get("/credentials/" + uuid + "/card.pdf" + q)
			if ok {
				if code != http.StatusOK || !strings.HasPrefix(body, "%PDF-") {
					t.Errorf("%s: page card.pdf%s: %d %.60q, want a PDF", state, q, code, body)
				}
			} else if code != http.StatusConflict || !strings.Contains(body, "<html") || !strings.Contains(strings.ToLower(body), fr) {
				t.Errorf("%s: page card.pdf%s: %d, want 409 and an error page saying %q:\n%.400s", state, q, code, fr, body)
			}
		}
		_, page, _ := b.get("/credentials/" + uuid)
		if links := strings.Contains(page, "/card.pdf"); links != ok {
			t.Errorf("%s: the credential page links the PDFs: %v, want %v", state, links, ok)
		}
		var c struct {
			CardURL  string `json:"card_url"`
			CardPage string `json:"card_page"`
			QRText   string `json:"qr_text"`
		}
		f.api(tok, "GET", "/api/v1/credentials/"+uuid, nil, &c)
		if (c.CardURL != "" && c.CardPage != "") != ok || c.QRText == "" {
			t.Errorf("%s: API card_url %q card_page %q qr_text %q", state, c.CardURL, c.CardPage, c.QRText)
		}
	}

	printable("active", rev, true, "", "")
	printable("active", sus, true, "", "")

	if code := f.api(tok, "POST", "/api/v1/credentials/"+rev+"/revoke", map[string]any{"reason": "erreur"}, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	printable("revoked", rev, false, "cette attestation est révoquée", "this credential is revoked")
	_, page, _ := b.get("/credentials/" + rev)
	if !strings.Contains(page, "sa carte et son attestation A4 ne sont plus proposées") {
		t.Errorf("the revoked credential's page does not say why the PDFs are gone")
	}

	if code := f.api(tok, "POST", "/api/v1/credentials/"+sus+"/suspend", map[string]any{"reason": "contrôle"}, nil); code != 200 {
		t.Fatalf("suspend: %d", code)
	}
	printable("suspended", sus, false, "cette attestation est suspendue", "this credential is suspended")

	// The learner pages list the credentials without PDF links.
	var list struct {
		Credentials []struct {
			LearnerID string `json:"learner_id"`
		} `json:"credentials"`
	}
	f.api(tok, "GET", "/api/v1/credentials", nil, &list)
	if len(list.Credentials) != 2 {
		t.Fatalf("%d credentials listed, want 2", len(list.Credentials))
	}
	for _, c := range list.Credentials {
		if _, body, _ := b.get("/learners/" + c.LearnerID); strings.Contains(body, "card.pdf") {
			t.Errorf("learner page %s links a PDF", c.LearnerID)
		}
	}

	if code := f.api(tok, "POST", "/api/v1/credentials/"+sus+"/unsuspend", nil, nil); code != 200 {
		t.Fatalf("unsuspend: %d", code)
	}
	printable("reinstated", sus, true, "", "")
	printable("still revoked", rev, false, "cette attestation est révoquée", "this credential is revoked")
}
