package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"carnet/app"
	"carnet/schema"
)

// noscript is a <noscript> element.
var noscript = regexp.MustCompile(`(?s)<noscript>.*?</noscript>`)

// TestBatchProgressPage: while a batch runs, its page and its workshop's
// page show the progress in a polite live region that static/progress.js
// updates from GET /batches/{id}/progress (JSON, for the session); the
// page reloads itself only without JavaScript (a meta refresh inside
// <noscript>). Once done, neither the refresh nor the script remains.
// Another structure's mediator learns nothing of the batch's progress.
func TestBatchProgressPage(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	st := f.structure("main")
	other := f.structure("other")
	med := f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	stranger := f.user("autre@example.org", false, schema.Membership{StructureID: other.ID, Role: schema.RoleMediator})
	a := &app.Actor{User: med}
	w, err := f.srv.CreateWorkshop(ctx, a, app.WorkshopInput{Structure: st.Slug, Title: "Atelier", Framework: "digcomp-2.2", Competencies: []string{"1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.SaveWorkshopGrid(ctx, a, w.ID, []schema.WorkshopParticipant{
		{Name: "Awa Diallo", Levels: map[string]string{"1.1": "2"}}, {Name: "Zoë Martin", Levels: map[string]string{"1.1": "3"}},
	}); err != nil {
		t.Fatal(err)
	}
	// Issued but not started: the batch stays running for the test.
	b, _, err := f.srv.IssueWorkshop(ctx, a, w.ID, "fr")
	if err != nil || b.Status != schema.BatchRunning {
		t.Fatalf("issue: %v %+v", err, b)
	}
	br := newBrowser(t, f.srv.BaseURL)
	br.login(med.Email)
	for _, path := range []string{"/batches/" + b.ID, "/workshops/" + w.ID} {
		_, page, _ := br.get(path)
		for _, want := range []string{
			`<noscript><meta http-equiv="refresh" content="2"></noscript>`,
			`role="status" aria-live="polite" data-live-part data-progress="/batches/` + b.ID + `/progress" data-format="%d lignes traitées sur %d"`,
			`<p data-progress-text>0 lignes traitées sur 2</p>`,
			`<script src="/static/progress.js" defer></script>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s while running lacks %q", path, want)
			}
		}
		if strings.Contains(noscript.ReplaceAllString(page, ""), `http-equiv="refresh"`) {
			t.Errorf("%s reloads itself with JavaScript on", path)
		}
	}
	code, body, _ := br.get("/batches/" + b.ID + "/progress")
	var p struct {
		Status      string
		Total, Done int
	}
	if err := json.Unmarshal([]byte(body), &p); code != http.StatusOK || err != nil || p.Status != "running" || p.Total != 2 || p.Done != 0 {
		t.Errorf("progress while running: %d %s", code, body)
	}
	if code, js, _ := br.get("/static/progress.js"); code != http.StatusOK || !strings.Contains(js, "data-live-part") {
		t.Errorf("progress.js: %d", code)
	}
	sb := newBrowser(t, f.srv.BaseURL)
	sb.login(stranger.Email)
	if code, body, _ := sb.get("/batches/" + b.ID + "/progress"); code == http.StatusOK || strings.Contains(body, `"total"`) {
		t.Errorf("another structure's mediator got the progress: %d %s", code, body)
	}

	if err := f.srv.RunBatch(ctx, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	code, body, _ = br.get("/batches/" + b.ID + "/progress")
	if err := json.Unmarshal([]byte(body), &p); code != http.StatusOK || err != nil || p.Status != "done" || p.Done != 2 {
		t.Errorf("progress once done: %d %s", code, body)
	}
	for _, path := range []string{"/batches/" + b.ID, "/workshops/" + w.ID} {
		_, page, _ := br.get(path)
		for _, gone := range []string{`http-equiv="refresh"`, `data-progress=`, `progress.js`} {
			if strings.Contains(page, gone) {
				t.Errorf("%s once done still has %q", path, gone)
			}
		}
		if !strings.Contains(page, `<p data-progress-text>2 lignes traitées sur 2</p>`) || !strings.Contains(page, `/cards.pdf">`) {
			t.Errorf("%s once done lacks the count or the cards", path)
		}
	}
}

// TestBatchPreviewExpiry: the preview of an uploaded CSV says how long it
// is kept (24 h, or --pending-batch-ttl); once expired, it is gone from
// its page and cannot be confirmed, and nothing was issued.
func TestBatchPreviewExpiry(t *testing.T) {
	f := startFixture(t)
	var shift atomic.Int64
	f.srv.Now = func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
	st := f.structure("main")
	med := f.user("med@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	br := newBrowser(t, f.srv.BaseURL)
	br.login(med.Email)
	_, _, loc := br.uploadCSV("/batches", br.csrf("/workshops"), map[string]string{"framework": "digcomp-2.2"}, []byte(twelve))
	_, page, _ := br.get(loc)
	if !strings.Contains(strings.ReplaceAll(page, "&#39;", "'"), "Cet aperçu est gardé 24 h après l'envoi du fichier") {
		t.Errorf("the preview does not say how long it is kept:\n%s", page)
	}
	f.srv.PendingBatchTTL = 90 * time.Minute
	if _, page, _ = br.get(loc); !strings.Contains(page, "gardé 90 min") {
		t.Error("the preview does not say the instance's TTL")
	}
	form := br.csrf(loc)
	shift.Store(int64(91 * time.Minute))
	if n, err := f.srv.ExpirePendingBatches(context.Background()); err != nil || n != 1 {
		t.Fatalf("%d expired, %v", n, err)
	}
	if code, _, _ := br.get(loc); code != http.StatusNotFound {
		t.Errorf("expired preview: %d", code)
	}
	if code, _, _ := br.post(loc+"/start", form, url.Values{}); code != http.StatusNotFound {
		t.Errorf("expired preview confirmed: %d", code)
	}
	if list, _ := f.creds.ListCredentials(context.Background(), schema.CredentialFilter{Limit: 10}); len(list) != 0 {
		t.Errorf("%d credentials issued", len(list))
	}
}
