package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"carnet/schema"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// lockedBuffer is a log destination shared by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// scrape reads /metrics as Prometheus does and parses it with the
// Prometheus text parser (an implementation independent of the one that
// wrote it).
func scrape(t *testing.T, f *fixture) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	res, body := f.get("/metrics")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics from loopback: %d %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("GET /metrics: Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return fams, string(body)
}

// value is the counter value, or the histogram's sample count, of the
// series of a family whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	fam := fams[name]
	if fam == nil {
		return 0
	}
	sum := 0.0
next:
	for _, m := range fam.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// TestMetrics scrapes /metrics after requests of every kind: the counters
// moved, the requests are counted by route template, and nothing a client
// sent (a one-time token, an id, a query string, a name) is in a label.
func TestMetrics(t *testing.T) {
	f := startFixture(t)
	logs := &lockedBuffer{}
	f.srv.Log = slog.New(slog.NewJSONHandler(logs, nil))
	st := f.structure("bib-metrics")
	tok := f.token(f.user("admin-metrics@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin}))

	const secret = "SECRETtoken7Qx9"
	const name = "Bérénice Zwölfmetric"
	var l struct{ ID string }
	if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": name}, &l); code != 201 {
		t.Fatalf("create learner: %d", code)
	}
	var cred struct{ ID, JWT string }
	if code := f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3}}, &cred); code != 201 {
		t.Fatalf("issue: %d", code)
	}
	for range 2 {
		var r struct{ Valid bool }
		if code := f.api("", "POST", "/api/v1/verify", map[string]any{"input": cred.JWT}, &r); code != 200 || !r.Valid {
			t.Fatalf("verify: %d %+v", code, r)
		}
	}
	var bad struct{ Valid bool }
	f.api("", "POST", "/api/v1/verify", map[string]any{"input": cred.JWT[:len(cred.JWT)-4] + "AAAA"}, &bad)
	if f.api(tok, "GET", "/api/v1/learners/"+l.ID, nil, nil) != 200 {
		t.Fatal("read learner")
	}
	f.get("/invite/" + secret + "?x=" + secret + "q")
	f.get("/login/link/" + secret)
	f.get("/learners/" + l.ID)
	f.get("/no/such/" + secret)

	fams, text := scrape(t, f)
	for _, c := range []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"carnet_http_requests_total", map[string]string{"method": "POST", "route": "/api/v1/credentials", "status": "201"}, 1},
		{"carnet_http_requests_total", map[string]string{"method": "POST", "route": "/api/v1/verify", "status": "200"}, 3},
		{"carnet_http_requests_total", map[string]string{"method": "GET", "route": "/invite/:token"}, 1},
		{"carnet_http_requests_total", map[string]string{"method": "GET", "route": "/login/link/:token"}, 1},
		{"carnet_http_requests_total", map[string]string{"method": "GET", "route": "/api/v1/learners/:id", "status": "200"}, 1},
		{"carnet_http_requests_total", map[string]string{"method": "GET", "route": "unmatched", "status": "404"}, 1},
		{"carnet_http_request_duration_seconds", map[string]string{"method": "POST", "route": "/api/v1/verify"}, 3},
		{"carnet_issuance_duration_seconds", map[string]string{"result": "ok"}, 1},
		{"carnet_verification_duration_seconds", map[string]string{"reason": "valid"}, 2},
		{"carnet_verification_duration_seconds", map[string]string{"reason": "bad_signature"}, 1},
		// Each verification reads the structure's revocation list and its
		// suspension sibling: loaded once, then from the cache.
		{"carnet_status_list_cache_misses_total", nil, 1},
		{"carnet_status_list_cache_hits_total", nil, 1},
		{"go_goroutines", nil, 1},
		{"process_open_fds", nil, 0},
	} {
		if _, ok := fams[c.name]; !ok {
			t.Errorf("%s missing from /metrics", c.name)
			continue
		}
		if got := value(fams, c.name, c.labels); got < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, got, c.min)
		}
	}
	if got := value(fams, "carnet_issuance_duration_seconds", nil); got != 1 {
		t.Errorf("issuances counted: %v, want 1", got)
	}
	for _, leak := range []string{secret, l.ID, strings.TrimPrefix(cred.ID, "urn:uuid:"), "x=", name, "Zwölf", "/no/such"} {
		if strings.Contains(text, leak) {
			t.Errorf("/metrics holds %q", leak)
		}
	}

	// One JSON log line per request, with the route template and no
	// personal data.
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, sc.Text())
		}
		if rec["msg"] != "request" {
			continue
		}
		lines++
		for _, k := range []string{"method", "route", "status", "duration_ms", "bytes", "request_id"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line without %s: %s", k, sc.Text())
			}
		}
	}
	if lines < 12 {
		t.Errorf("%d request log lines, want one per request (at least 12):\n%s", lines, logs.String())
	}
	for _, leak := range []string{secret, l.ID, "x=", name, "Zwölf", "127.0.0.1", "/no/such", "/invite/S", "admin-metrics"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("the log holds %q:\n%s", leak, logs.String())
		}
	}
	if !strings.Contains(logs.String(), `"route":"/invite/:token"`) {
		t.Errorf("no log line with the route template /invite/:token:\n%s", logs.String())
	}
}

// TestMetricsTrustRefreshFailure counts a partner's keys that cannot be
// fetched again.
func TestMetricsTrustRefreshFailure(t *testing.T) {
	a := startFixture(t) // the partner
	a.structure("bib-partenaire")
	b := startFixture(t)
	tokB := b.token(b.user("admin@b.example.org", true))
	var ts struct{ ID int64 }
	if code := b.api(tokB, "POST", "/api/v1/trust", map[string]any{"url": a.srv.BaseURL + "/.well-known/jwks.json", "name": "Partenaire"}, &ts); code != 201 {
		t.Fatalf("trust: %d", code)
	}
	a.http.Close() // the partner is down
	b.api(tokB, "POST", fmt.Sprintf("/api/v1/trust/%d/refresh", ts.ID), nil, nil)
	fams, _ := scrape(t, b)
	if got := value(fams, "carnet_trust_refresh_failures_total", nil); got != 1 {
		t.Errorf("trust refresh failures: %v, want 1", got)
	}
	if got := value(fams, "carnet_trust_refreshes_total", nil); got != 2 {
		t.Errorf("trust fetches: %v, want 2 (adding the partner, then the refresh)", got)
	}
}

// TestMetricsLoopbackOnly: /metrics on the main address answers only a
// client on this machine that no proxy relayed; others see no such page.
func TestMetricsLoopbackOnly(t *testing.T) {
	f := startFixture(t)
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
		res, body := f.get("/metrics", h, "203.0.113.7")
		if res.StatusCode != http.StatusNotFound || bytes.Contains(body, []byte("carnet_")) {
			t.Errorf("GET /metrics relayed by a proxy (%s): %d", h, res.StatusCode)
		}
	}
	// The handler for --metrics-addr answers anyone who reaches it.
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = "198.51.100.9:4242"
	rec := httptest.NewRecorder()
	f.srv.MetricsHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "carnet_http_requests_total") {
		t.Errorf("MetricsHandler: %d", rec.Code)
	}
	// Through the main handler, a peer that is not loopback gets a 404.
	rec = httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "carnet_") {
		t.Errorf("GET /metrics from 198.51.100.9: %d", rec.Code)
	}
}
