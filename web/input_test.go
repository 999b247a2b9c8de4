package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carnet/schema"
)

// rawAPI sends body exactly as given (JSON or not) and returns the status
// and the decoded answer.
func rawAPI(t *testing.T, base, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %d %q: %v", method, path, res.StatusCode, b, err)
		}
	}
	return res.StatusCode, out
}

// wantInvalid checks the documented error shape {"error":{"code":"invalid","message":…}}.
func wantInvalid(t *testing.T, code int, out map[string]any) {
	t.Helper()
	e, _ := out["error"].(map[string]any)
	if code != http.StatusBadRequest || e == nil || e["code"] != schema.EINVALID || e["message"] == "" || e["message"] == nil {
		t.Errorf("got %d %v, want 400 {\"error\":{\"code\":\"invalid\",\"message\":…}}", code, out)
	}
}

// TestAPIInputNormalisation (issue 10, defect 8): names of nothing visible,
// bidirectional controls, invalid UTF-8, duplicate JSON keys at any depth
// and unknown languages are refused with 400 in the documented shape, and
// nothing is stored; a decomposed name is stored in NFC.
func TestAPIInputNormalisation(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	st := f.structure("bib")
	admin := f.user("admin@example.org", true, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	tok := f.token(admin)
	var l struct{ ID, Name string }
	if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Anne", "notes": "première", "consent": true}, &l); code != http.StatusCreated {
		t.Fatalf("create learner: %d", code)
	}
	var cred struct{ ID, Status string }
	if code := f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 2}}, &cred); code != http.StatusCreated {
		t.Fatalf("issue: %d", code)
	}
	// state sums up everything the requests below could have changed.
	state := func() string {
		var learners, creds, sts, toks, trust map[string]any
		f.api(tok, "GET", "/api/v1/learners", nil, &learners)
		f.api(tok, "GET", "/api/v1/credentials", nil, &creds)
		f.api(tok, "GET", "/api/v1/structures", nil, &sts)
		f.api(tok, "GET", "/api/v1/tokens", nil, &toks)
		f.api(tok, "GET", "/api/v1/trust", nil, &trust)
		b, _ := json.Marshal([]any{learners, creds, sts, toks, trust})
		return string(b)
	}
	before := state()
	learner := "/api/v1/learners/" + l.ID
	issue := func(extra string) string {
		return `{"learner_id":"` + l.ID + `","framework":"digcomp-2.2",` + extra + `}`
	}
	for _, tc := range []struct{ name, method, path, body string }{
		{"name of only U+00A0", "POST", "/api/v1/learners", `{"name":"\u00a0"}`},
		{"name of only U+00A0, raw", "POST", "/api/v1/learners", "{\"name\":\"\u00a0\u00a0\"}"},
		{"name of only U+200B", "POST", "/api/v1/learners", `{"name":"\u200b"}`},
		{"name of only U+200B, raw", "POST", "/api/v1/learners", "{\"name\":\"\u200b\"}"},
		{"name with U+202E", "POST", "/api/v1/learners", `{"name":"Anne\u202eevif"}`},
		{"name with U+2066", "POST", "/api/v1/learners", `{"name":"\u2066Anne"}`},
		{"name with U+2067", "POST", "/api/v1/learners", `{"name":"\u2067Anne"}`},
		{"name with U+2068", "POST", "/api/v1/learners", `{"name":"\u2068Anne"}`},
		{"name with U+2069", "POST", "/api/v1/learners", `{"name":"Anne\u2069"}`},
		{"name not UTF-8", "POST", "/api/v1/learners", "{\"name\":\"Elo\xefse\"}"},
		{"notes not UTF-8", "POST", "/api/v1/learners", "{\"name\":\"Bob\",\"notes\":\"caf\xe9\"}"},
		{"body not UTF-8 outside strings", "POST", "/api/v1/learners", "{\"name\":\"Bob\"}\xff"},
		{"notes with U+202E", "POST", "/api/v1/learners", `{"name":"Bob","notes":"a\u202eb"}`},
		{"duplicate key", "POST", "/api/v1/learners", `{"name":"Bob","name":"Eve"}`},
		{"duplicate key differing in case", "POST", "/api/v1/learners", `{"name":"Bob","Name":"Eve"}`},
		{"duplicate key escaped", "POST", "/api/v1/learners", `{"name":"Bob","\u006eame":"Eve"}`},
		{"duplicate key nested", "POST", "/api/v1/credentials", issue(`"levels":{"1.1":2,"1.1":5}`)},
		{"lang xx", "POST", "/api/v1/credentials", issue(`"levels":{"1.1":2},"lang":"xx"`)},
		{"evidence with U+202E", "POST", "/api/v1/credentials", issue(`"levels":{"1.1":2},"evidence":"a\u202eb"`)},
		{"patch name with U+202E", "PATCH", learner, `{"name":"\u202eAnne"}`},
		{"patch name of only U+200B", "PATCH", learner, `{"name":"\u200b"}`},
		{"patch duplicate key", "PATCH", learner, `{"notes":"a","notes":"b"}`},
		{"patch not UTF-8", "PATCH", learner, "{\"contact\":\"\xc3\"}"},
		{"structure name of only U+200B", "POST", "/api/v1/structures", `{"slug":"zw","name":"\u200b"}`},
		{"structure name with U+2066", "PATCH", "/api/v1/structures/bib", `{"name":"\u2066Bib"}`},
		{"token name with U+2067", "POST", "/api/v1/tokens", `{"name":"ci\u2067"}`},
		{"partner name with U+202E", "POST", "/api/v1/trust", `{"url":"https://partner.example","name":"\u202ex"}`},
		{"revocation reason with U+202E", "POST", "/api/v1/credentials/" + strings.TrimPrefix(cred.ID, "urn:uuid:") + "/revoke", `{"reason":"a\u202eb"}`},
		{"revocation reason duplicated", "POST", "/api/v1/credentials/" + strings.TrimPrefix(cred.ID, "urn:uuid:") + "/revoke", `{"reason":"x","reason":"y"}`},
		{"verify with a duplicate input", "POST", "/api/v1/verify", `{"input":"` + cred.ID + `","input":"x"}`},
		{"verify not UTF-8", "POST", "/api/v1/verify", "{\"input\":\"\xff\"}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := rawAPI(t, f.srv.BaseURL, tok, tc.method, tc.path, tc.body)
			wantInvalid(t, code, out)
			if testing.Verbose() {
				t.Logf("%v", out["error"])
			}
			if after := state(); after != before {
				t.Errorf("something was stored:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	if c, _ := f.creds.FindCredential(ctx, cred.ID); c.Status() != schema.StatusActive {
		t.Errorf("credential %s", c.Status())
	}

	// A decomposed name is stored, returned and signed in NFC.
	var nfc struct{ ID, Name string }
	if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "E\u0301loi\u0308se  Ndiaye\u00a0"}, &nfc); code != http.StatusCreated {
		t.Fatalf("decomposed name: %d", code)
	}
	if nfc.Name != "Éloïse Ndiaye" {
		t.Errorf("returned name %+q, want %+q", nfc.Name, "Éloïse Ndiaye")
	}
	stored, err := f.learns.FindLearner(ctx, nfc.ID)
	if err != nil || stored.Name != "\u00c9lo\u00efse Ndiaye" {
		t.Errorf("stored name %+q (%v), want NFC %+q", stored.Name, err, "\u00c9lo\u00efse Ndiaye")
	}
	var c2 struct {
		LearnerName string `json:"learner_name"`
	}
	f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": nfc.ID, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 2}, "lang": "en"}, &c2)
	if c2.LearnerName != "\u00c9lo\u00efse Ndiaye" {
		t.Errorf("credential name %+q", c2.LearnerName)
	}
	// A search finds it however its accents are typed.
	for _, q := range []string{"E\u0301loi\u0308se", "\u00c9lo\u00efse", "eloise"} {
		var found struct{ Learners []struct{ ID string } }
		f.api(tok, "GET", "/api/v1/learners?q="+url.QueryEscape(q), nil, &found)
		if len(found.Learners) != 1 || found.Learners[0].ID != nfc.ID {
			t.Errorf("search %+q: %+v", q, found.Learners)
		}
	}
	// Both supported languages, and none, are accepted.
	for _, lang := range []string{"", "fr", "en"} {
		code, out := rawAPI(t, f.srv.BaseURL, tok, "POST", "/api/v1/credentials", issue(`"levels":{"1.1":2},"lang":"`+lang+`"`))
		if code != http.StatusCreated {
			t.Errorf("lang %q: %d %v", lang, code, out)
		}
	}
	code, out := rawAPI(t, f.srv.BaseURL, tok, "GET", "/api/v1/credentials/"+strings.TrimPrefix(cred.ID, "urn:uuid:")+"/card.pdf?lang=xx", "")
	wantInvalid(t, code, out)
}

// TestFormInputNormalisation: forms and addresses that are not UTF-8 are
// refused with 400, not turned into U+FFFD; the page's own rules refuse
// bidirectional controls and names of nothing visible.
func TestFormInputNormalisation(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	st := f.structure("bib")
	admin := f.user("admin@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	b := newBrowser(t, f.srv.BaseURL)
	b.login(admin.Email)
	count := func() int {
		list, err := f.learns.SearchLearners(ctx, []int64{st.ID}, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	// rawPost posts an URL-encoded form body as given.
	rawPost := func(path, body string) (int, string) {
		req, _ := http.NewRequest("POST", b.abs(path), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Origin", b.base)
		code, page, _ := b.do(req)
		return code, page
	}
	tok := url.QueryEscape(b.csrf("/learners/new"))
	for _, tc := range []struct{ name, body string }{
		{"name not UTF-8", "csrf_token=" + tok + "&structure=bib&consent=on&name=Elo%EFse"},
		{"notes not UTF-8", "csrf_token=" + tok + "&structure=bib&name=Anne&notes=caf%E9"},
		{"field name not UTF-8", "csrf_token=" + tok + "&structure=bib&name=Anne&%FF=1"},
		{"name of only U+00A0", "csrf_token=" + tok + "&structure=bib&name=%C2%A0"},
		{"name of only U+200B", "csrf_token=" + tok + "&structure=bib&name=%E2%80%8B"},
		{"name with U+202E", "csrf_token=" + tok + "&structure=bib&name=Anne%E2%80%AEevif"},
		{"name with U+2066", "csrf_token=" + tok + "&structure=bib&name=%E2%81%A6Anne"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := count()
			code, page := rawPost("/learners", tc.body)
			if code != http.StatusBadRequest {
				t.Errorf("got %d, want 400\n%.600s", code, page)
			}
			if count() != n {
				t.Error("a learner was stored")
			}
		})
	}
	if code, _, _ := b.get("/?q=caf%E9"); code != http.StatusBadRequest {
		t.Errorf("search not UTF-8: %d, want 400", code)
	}
	// The same form, in UTF-8 and decomposed, is stored in NFC.
	code, page := rawPost("/learners", "csrf_token="+tok+"&structure=bib&consent=on&name="+url.QueryEscape("E\u0301loi\u0308se"))
	if code != http.StatusSeeOther {
		t.Fatalf("valid form: %d\n%.600s", code, page)
	}
	list, _ := f.learns.SearchLearners(ctx, []int64{st.ID}, "", 10)
	if len(list) != 1 || list[0].Name != "\u00c9lo\u00efse" {
		t.Errorf("stored %s", fmt.Sprint(list))
	}
}
