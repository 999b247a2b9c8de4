package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"carnet/schema"
)

// callCSV posts a CSV body, as callers of POST /api/v1/batches do, and
// checks the answer against the document.
func (e *oaEnv) callCSV(token, path, body string, headers ...string) *oaResp {
	e.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Accept-Language", "en")
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	res := &oaResp{Status: rec.Code, Body: rec.Body.Bytes()}
	if m, ok := oaJSONObject(res.Body); ok {
		res.JSON = m
	}
	e.check("POST", path, nil, rec.Header().Get("Content-Type"), res)
	return res
}

// oaWaitBatch polls a batch through the API until it is not running.
func oaWaitBatch(e *oaEnv, token, id string) *oaResp {
	e.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; {
		res := e.want(e.call(token, "GET", "/api/v1/batches/"+id, nil), http.StatusOK)
		if res.str("status") != schema.BatchRunning {
			return res
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("batch still running: %s", res.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// oaExerciseBatches calls the batch operations (TestOpenAPIExercise).
func oaExerciseBatches(t *testing.T, e *oaEnv) {
	mediator, outsider := e.mediator, e.outsider
	e.want(e.call(mediator, "GET", "/api/v1/frameworks/digcomp-2.2/template.csv", nil), http.StatusOK)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/frameworks/nope/template.csv", nil), http.StatusNotFound), schema.ENOTFOUND)

	file := "nom;contact;1.1;4.2\nAwa Lot;;3;2\n;;1;\nBea Lot;bea@example.org;;9\n"
	id := e.want(e.callCSV(mediator, "/api/v1/batches?framework=digcomp-2.2", file, "Idempotency-Key", "oa-1"), http.StatusAccepted).str("id")
	done := oaWaitBatch(e, mediator, id)
	if done.str("status") != schema.BatchDone || len(done.JSON["rows"].([]any)) != 3 {
		t.Errorf("batch: %s", done.Body)
	}
	if again := e.want(e.callCSV(mediator, "/api/v1/batches?framework=digcomp-2.2", file, "Idempotency-Key", "oa-1"), http.StatusAccepted); again.str("id") != id {
		t.Errorf("retry: %s, want %s", again.Body, id)
	}
	e.wantError(e.want(e.callCSV(mediator, "/api/v1/batches?framework=digcomp-2.2", file+"Cleo;;1;1\n", "Idempotency-Key", "oa-1"), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.callCSV(mediator, "/api/v1/batches?framework=digcomp-2.2", "nom;1.1\nA\"b;1\n"), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.callCSV(outsider, "/api/v1/batches?framework=digcomp-2.2", file), http.StatusForbidden), schema.EFORBIDDEN)
	e.wantError(e.want(e.callCSV(mediator, "/api/v1/batches?framework=digcomp-2.2&structure=annexe", file), http.StatusNotFound), schema.ENOTFOUND)
	list := map[string]any{"framework": "digcomp-2.2", "lang": "en", "rows": []map[string]any{
		{"name": "Chen Lot", "contact": "chen@example.org", "notes": "mardi", "levels": map[string]any{"1.1": 2, "4.2": "3"}}}}
	jid := e.want(e.call(mediator, "POST", "/api/v1/batches", list), http.StatusAccepted).str("id")
	oaWaitBatch(e, mediator, jid)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/batches/nope", nil), http.StatusNotFound), schema.ENOTFOUND)

	for _, doc := range []string{"cards.pdf", "certificates.pdf"} {
		res := e.want(e.call(mediator, "GET", "/api/v1/batches/"+id+"/"+doc, nil), http.StatusOK)
		if !bytes.HasPrefix(res.Body, []byte("%PDF-")) {
			t.Errorf("%s: %.40q", doc, res.Body)
		}
		e.wantError(e.want(e.call(mediator, "GET", "/api/v1/batches/"+id+"/"+doc+"?lang=xx", nil), http.StatusBadRequest), schema.EINVALID)
		e.wantError(e.want(e.call(mediator, "GET", "/api/v1/batches/nope/"+doc, nil), http.StatusNotFound), schema.ENOTFOUND)
		e.wantError(e.want(e.call(outsider, "GET", "/api/v1/batches/"+id+"/"+doc, nil), http.StatusNotFound), schema.ENOTFOUND)
	}
	// A batch that issued nothing has nothing to print.
	none := e.want(e.callCSV(mediator, "/api/v1/batches?framework=digcomp-2.2", "nom;1.1\n;1\n"), http.StatusAccepted).str("id")
	if res := oaWaitBatch(e, mediator, none); res.str("status") != schema.BatchDone {
		t.Errorf("batch of refused rows: %s", res.Body)
	}
	for _, doc := range []string{"cards.pdf", "certificates.pdf"} {
		e.wantError(e.want(e.call(mediator, "GET", "/api/v1/batches/"+none+"/"+doc, nil), http.StatusConflict), schema.ECONFLICT)
	}
}
