package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"carnet/schema"
)

// uploadCSV posts a CSV file as the import form does.
func (b *browser) uploadCSV(path, token string, fields map[string]string, file []byte) (int, string, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", token)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "atelier.csv")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", b.abs(path), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

// TestImportPage: a CSV with errors uploaded from the page is checked
// first (per-row errors in French, nothing issued), then its valid rows
// are issued on confirmation, with progress and PDFs; the report of
// refused rows never hands a formula to a spreadsheet.
func TestImportPage(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	st := f.structure("main")
	med := f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	br := newBrowser(t, f.srv.BaseURL)
	br.login(med.Email)
	_, page, _ := br.get("/workshops")
	if !strings.Contains(page, `action="/batches" enctype="multipart/form-data"`) {
		t.Fatal("no import form on /workshops")
	}
	code, tpl, _ := br.get("/batches/template.csv?framework=digcomp-2.2")
	if code != 200 || !strings.HasPrefix(tpl, "\uFEFFnom;contact;notes;1.1;") {
		t.Fatalf("template: %d %.60q", code, tpl)
	}
	file := twelve + "\"=HYPERLINK(\"\"http://evil.example\"\";\"\"clic\"\")\";;;;9;;;\r\n"
	code, body, loc := br.uploadCSV("/batches", br.csrf("/workshops"), map[string]string{"framework": "digcomp-2.2"}, []byte(file))
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/batches/") {
		t.Fatalf("upload: %d %s %s", code, loc, body)
	}
	_, page, _ = br.get(loc)
	for _, want := range []string{"7 ligne(s) valable(s) sur 13", "le nom est vide", "ligne en double", "compétence « 9.9 » inconnue", "Délivrer les lignes valables"} {
		if !strings.Contains(strings.ReplaceAll(page, "&#39;", "'"), want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if list, _ := f.creds.ListCredentials(ctx, schema.CredentialFilter{Limit: 100}); len(list) != 0 {
		t.Fatalf("%d credentials issued before confirmation", len(list))
	}
	if code, body, _ = br.post(loc+"/start", br.csrf(loc), url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("start: %d %s", code, body)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, page, _ = br.get(loc)
		if strings.Contains(page, "/cards.pdf") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still running:\n%s", page)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if list, _ := f.creds.ListCredentials(ctx, schema.CredentialFilter{Limit: 100}); len(list) != 7 {
		t.Errorf("%d credentials, want 7", len(list))
	}
	if code, pdf, _ := br.get(loc + "/cards.pdf"); code != 200 || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("cards.pdf: %d", code)
	}
	code, report, _ := br.get(loc + "/errors.csv")
	if code != 200 || !strings.Contains(report, "ligne;nom;erreur") || !strings.Contains(report, `'=HYPERLINK`) {
		t.Errorf("report: %d %q", code, report)
	}
	for _, line := range strings.Split(report, "\r\n") {
		for _, cell := range strings.Split(line, ";") {
			cell = strings.TrimPrefix(strings.TrimPrefix(cell, "\uFEFF"), `"`)
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("formula in the report: %q", line)
			}
		}
	}
	// The same file again, confirmed: nothing issued twice.
	_, _, loc2 := br.uploadCSV("/batches", br.csrf("/workshops"), map[string]string{"framework": "digcomp-2.2"}, []byte(file))
	br.post(loc2+"/start", br.csrf(loc2), url.Values{})
	f.srv.WaitBatches()
	if list, _ := f.creds.ListCredentials(ctx, schema.CredentialFilter{Limit: 100}); len(list) != 7 {
		t.Errorf("%d credentials after the same file again, want 7", len(list))
	}
}
