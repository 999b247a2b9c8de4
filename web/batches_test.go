package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"carnet/schema"
)

// rawAPI sends body as contentType with headers, and returns the status,
// the body and the answer's headers.
func (f *fixture) rawAPI(token, method, path, contentType string, body []byte, headers ...string) (int, []byte, http.Header) {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.http.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header
}

type batchAnswer struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Total  int    `json:"total"`
	Done   int    `json:"done"`
	Rows   []struct {
		Row          int    `json:"row"`
		OK           bool   `json:"ok"`
		CredentialID string `json:"credential_id"`
		Error        *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"rows"`
}

// waitBatch polls a batch until it is no longer running.
func (f *fixture) waitBatch(token, id, lang string) batchAnswer {
	f.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, b, _ := f.rawAPI(token, "GET", "/api/v1/batches/"+id, "", nil, "Accept-Language", lang)
		var out batchAnswer
		if code != 200 {
			f.t.Fatalf("GET batch: %d %s", code, b)
		}
		json.Unmarshal(b, &out)
		if out.Status != schema.BatchRunning {
			return out
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("batch still running: %s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// twelve is a 12-row file with 5 rows refused, in Windows-1252 as Excel
// saves it ("Éloïse").
const twelve = "nom;contact;notes;accord;1.1;1.2;4.2;9.9\r\n" +
	"Awa Diallo;;;;3;;;\r\n" + // 2
	"\xc9lo\xefse Ndiaye;eloise@example.org;;oui;2;4;;\r\n" + // 3
	";;;;3;;;\r\n" + // 4: empty name
	"Karim Benali;;;;9;;;\r\n" + // 5: level 9
	"Lina Haddad;;;;;;2;\r\n" + // 6
	"Zo\xeb Martin;;;;;;;3\r\n" + // 7: unknown competency 9.9
	"Awa Diallo;;;;1;;;\r\n" + // 8: duplicate of row 2
	"Nina Petit;;;;;;;\r\n" + // 9: no level
	"Paul Durand;;;;1;1;1;\r\n" + // 10
	"In\xe8s Roche;;;;5;;;\r\n" + // 11
	"Tom Leroy;;;;;8;;\r\n" + // 12
	"Sami Kaci;;;;2;;;\r\n" // 13

// TestBatchAPI: a 12-row CSV with errors through the API: per-row results
// in French, every issued credential verifies, the cards PDF holds one
// card per issued row whose QR code scans and verifies, and a retry
// (same Idempotency-Key, or the same file again) issues nothing twice.
func TestBatchAPI(t *testing.T) {
	f := startFixture(t)
	st := f.structure("main")
	med := f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	tok := f.token(med)

	code, b, h := f.rawAPI(tok, "POST", "/api/v1/batches?framework=digcomp-2.2", "text/csv", []byte(twelve), "Idempotency-Key", "atelier-12")
	var created struct{ ID string }
	if json.Unmarshal(b, &created); code != http.StatusAccepted || created.ID == "" || h.Get("Location") != "/api/v1/batches/"+created.ID {
		t.Fatalf("POST: %d %s", code, b)
	}
	res := f.waitBatch(tok, created.ID, "fr")
	if res.Status != "done" || res.Total != 12 || res.Done != 12 || len(res.Rows) != 12 {
		t.Fatalf("batch: %+v", res)
	}
	failed := map[int]string{4: "le nom est vide", 5: "hors de l'échelle", 7: "compétence « 9.9 » inconnue", 8: "ligne en double", 9: "aucun niveau"}
	ids := map[int]string{}
	for _, r := range res.Rows {
		if want, bad := failed[r.Row]; bad {
			if r.OK || r.Error == nil || r.Error.Code != "invalid" || !strings.Contains(r.Error.Message, want) {
				t.Errorf("row %d: %+v, want %q", r.Row, r, want)
			}
			continue
		}
		if !r.OK || !strings.HasPrefix(r.CredentialID, "urn:uuid:") || r.Error != nil {
			t.Errorf("row %d: %+v", r.Row, r)
		}
		ids[r.Row] = r.CredentialID
	}
	if len(ids) != 7 {
		t.Fatalf("%d rows issued", len(ids))
	}
	names := map[string]bool{}
	for row, id := range ids {
		var c struct {
			JWT         string `json:"jwt"`
			LearnerName string `json:"learner_name"`
		}
		if code := f.api(tok, "GET", "/api/v1/credentials/"+strings.TrimPrefix(id, "urn:uuid:"), nil, &c); code != 200 {
			t.Fatalf("row %d: GET credential %d", row, code)
		}
		if r := f.srv.Verifier.Verify(context.Background(), []byte(c.JWT)); !r.Valid {
			t.Errorf("row %d: %s does not verify: %s", row, id, r.Reason)
		}
		names[c.LearnerName] = true
	}
	if !names["Éloïse Ndiaye"] || !names["Inès Roche"] {
		t.Errorf("Windows-1252 names read as %v", names)
	}
	count := func() int {
		list, err := f.creds.ListCredentials(context.Background(), schema.CredentialFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	// The same key and body: the same batch; nothing issued again.
	code, b, _ = f.rawAPI(tok, "POST", "/api/v1/batches?framework=digcomp-2.2", "text/csv", []byte(twelve), "Idempotency-Key", "atelier-12")
	var again struct{ ID string }
	if json.Unmarshal(b, &again); code != http.StatusAccepted || again.ID != created.ID {
		t.Errorf("retry: %d %s, want the batch %s", code, b, created.ID)
	}
	// The same key, another body: 409.
	if code, b, _ := f.rawAPI(tok, "POST", "/api/v1/batches?framework=digcomp-2.2", "text/csv", []byte(twelve+"Autre Personne;;;1;;;\r\n"),
		"Idempotency-Key", "atelier-12"); code != http.StatusConflict {
		t.Errorf("same key, other body: %d %s", code, b)
	}
	// The same file again, without a key: its rows answer the same credentials.
	code, b, _ = f.rawAPI(tok, "POST", "/api/v1/batches?framework=digcomp-2.2", "text/csv", []byte(twelve))
	var second struct{ ID string }
	if json.Unmarshal(b, &second); code != http.StatusAccepted || second.ID == created.ID {
		t.Fatalf("the same file again: %d %s", code, b)
	}
	res2 := f.waitBatch(tok, second.ID, "en")
	for _, r := range res2.Rows {
		if id, ok := ids[r.Row]; ok && r.CredentialID != id {
			t.Errorf("row %d again: %q, want %q", r.Row, r.CredentialID, id)
		}
		if r.Row == 4 && (r.Error == nil || r.Error.Message != "the name is empty") {
			t.Errorf("row 4 in English: %+v", r.Error)
		}
	}
	if n := count(); n != 7 {
		t.Errorf("%d credentials after two retries, want 7", n)
	}
	// Every issuance is in the audit log, as a single one.
	events, _ := f.srv.Audit.ListAudit(context.Background(), schema.AuditFilter{Limit: 500})
	issued := 0
	for _, e := range events {
		if e.Action == schema.AuditIssue && e.ActorID == med.ID && strings.Contains(e.Detail, "(API)") {
			issued++
		}
	}
	if issued != 7 {
		t.Errorf("%d issuances in the audit log, want 7", issued)
	}

	// The cards: one PDF, every card's QR code scans and verifies.
	code, pdf, h := f.rawAPI(tok, "GET", "/api/v1/batches/"+created.ID+"/cards.pdf", "", nil)
	if code != 200 || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("cards.pdf: %d %s %.100s", code, h.Get("Content-Type"), pdf)
	}
	code, a4, _ := f.rawAPI(tok, "GET", "/api/v1/batches/"+created.ID+"/certificates.pdf", "", nil)
	if code != 200 || !bytes.HasPrefix(a4, []byte("%PDF-")) {
		t.Fatalf("certificates.pdf: %d %.100s", code, a4)
	}
	qrs := scanPDF(t, pdf)
	if len(qrs) != 7 {
		t.Errorf("%d QR codes on the cards, want 7", len(qrs))
	}
	var scanned []string
	for _, q := range qrs {
		r := f.srv.Verifier.Verify(context.Background(), []byte(q))
		if !r.Valid {
			t.Errorf("a card's QR code does not verify: %s", r.Reason)
		}
		scanned = append(scanned, r.Learner)
	}
	sort.Strings(scanned)
	if strings.Join(scanned, "|") != "Awa Diallo|Inès Roche|Lina Haddad|Paul Durand|Sami Kaci|Tom Leroy|Éloïse Ndiaye" {
		t.Errorf("cards of %q", scanned)
	}
	if n := len(scanPDF(t, a4)); n != 7 {
		t.Errorf("%d QR codes on the certificates, want 7", n)
	}
}

// scanPDF renders a PDF and returns the texts of its QR codes (zbarimg).
func scanPDF(t *testing.T, pdf []byte) []string {
	t.Helper()
	for _, n := range []string{"pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(n); err != nil {
			msg := fmt.Sprintf("%s not found: install poppler-utils and zbar-tools to read the cards", n)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "in.pdf")
	os.WriteFile(p, pdf, 0o600)
	if out, err := exec.Command("pdftoppm", "-r", "200", "-gray", "-png", p, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	var out []string
	for _, png := range pngs {
		b, _ := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", png).Output()
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if line != "" {
				out = append(out, line)
			}
		}
	}
	return out
}

// TestBatchAPIInput: the JSON list, and what is refused whole with a
// clear message: a malformed CSV (with its line), a file over 50 MB, a
// wrong content type, a key reused; the template is served.
func TestBatchAPIInput(t *testing.T) {
	f := startFixture(t)
	st := f.structure("main")
	tok := f.token(f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator}))

	body := `{"framework": "digcomp-2.2", "rows": [{"name": "Awa Diallo", "levels": {"1.1": 3}}, {"name": "Bad", "levels": {"1.1": 3.5}}, {"name": "Zoé", "levels": {"4.2": "2", "1.1": ""}}]}`
	code, b, _ := f.rawAPI(tok, "POST", "/api/v1/batches", "application/json", []byte(body))
	var created struct{ ID string }
	if json.Unmarshal(b, &created); code != http.StatusAccepted {
		t.Fatalf("JSON: %d %s", code, b)
	}
	res := f.waitBatch(tok, created.ID, "en")
	if res.Total != 3 || !res.Rows[0].OK || res.Rows[1].OK || !strings.Contains(res.Rows[1].Error.Message, "3.5 is not a level") || !res.Rows[2].OK {
		t.Errorf("JSON batch: %+v", res)
	}

	cases := []struct {
		name, ctype string
		body        []byte
		status      int
		want        string
	}{
		{"malformed", "text/csv", []byte("nom;1.1\nAwa;3\nB\"ad;2\n"), 400, "malformed CSV at line 3"},
		{"no framework", "text/csv", []byte("nom;1.1\nAwa;3\n"), 400, "?framework=ID"},
		{"too large", "text/csv", bytes.Repeat([]byte("a;1\n"), (50<<20)/4+1), 400, "too large: 50 MB at most"},
		{"content type", "text/plain", []byte("nom;1.1\nAwa;3\n"), 400, "text/csv or application/json"},
		{"json unknown field", "application/json", []byte(`{"framework": "digcomp-2.2", "rows": [], "x": 1}`), 400, "unknown field"},
		{"json no row", "application/json", []byte(`{"framework": "digcomp-2.2", "rows": []}`), 400, "no row"},
		{"other structure", "application/json", []byte(`{"framework": "digcomp-2.2", "structure": "ailleurs", "rows": [{"name": "A", "levels": {"1.1": 1}}]}`), 404, ""},
	}
	for _, c := range cases {
		path := "/api/v1/batches?framework=digcomp-2.2"
		if c.name == "no framework" {
			path = "/api/v1/batches"
		}
		code, b, _ := f.rawAPI(tok, "POST", path, c.ctype, c.body, "Accept-Language", "en")
		if code != c.status || !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %d %.300s, want %d %q", c.name, code, b, c.status, c.want)
		}
	}
	if n, _ := f.creds.ListCredentials(context.Background(), schema.CredentialFilter{Limit: 100}); len(n) != 2 {
		t.Errorf("%d credentials, want 2", len(n))
	}
	code, b, h := f.rawAPI(tok, "GET", "/api/v1/frameworks/digcomp-2.2/template.csv", "", nil)
	if code != 200 || !strings.HasPrefix(string(b), "\uFEFFnom;contact;notes;1.1;1.2;") || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Errorf("template: %d %s %.80q", code, h.Get("Content-Type"), b)
	}
}
