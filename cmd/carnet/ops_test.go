package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

// TestServeOperations runs the real binary as an operator would: JSON
// logs, metrics on an internal address, then SIGTERM (systemd, container
// runtimes). The log has one JSON line per request without personal data,
// /metrics answers on both addresses, and SIGTERM stops the server
// gracefully: "stopped", exit 0, a database that opens again.
func TestServeOperations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a server")
	}
	metricsAddr := freeAddr(t)
	n := newNode(t, "ops", "--log-format", "json", "--metrics-addr", metricsAddr)
	tok := n.token()
	const name = "Bérénice Zwölfops"
	var l struct{ ID string }
	if code := apiCall(t, n.base, tok, "POST", "/api/v1/learners", map[string]any{"name": name}, &l); code != 201 {
		t.Fatalf("API learner: %d", code)
	}
	if code := apiCall(t, n.base, tok, "GET", "/api/v1/learners/"+l.ID, nil, nil); code != 200 {
		t.Fatalf("API learner: %d", code)
	}
	const secret = "SECRETinvite5Kp2"
	for _, path := range []string{"/invite/" + secret + "?x=y", "/login/link/" + secret, "/learners/" + l.ID, "/?q=" + secret} {
		res, err := http.Get(n.base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}

	for _, u := range []string{n.base + "/metrics", "http://" + metricsAddr + "/metrics"} {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), `carnet_http_requests_total{method="GET",route="/invite/:token",status="404"} 1`) {
			t.Errorf("GET %s: %d\n%.2000s", u, res.StatusCode, body)
		}
		if strings.Contains(string(body), secret) || strings.Contains(string(body), l.ID) {
			t.Errorf("GET %s holds a token or an id", u)
		}
	}

	// SIGTERM: a graceful stop.
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-n.done:
	case <-time.After(20 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
		t.Fatalf("carnet serve did not stop on SIGTERM:\n%s", n.console.String())
	}
	console := n.console.String()
	if code := n.cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(console, "Carnet arrêté / stopped") {
		t.Fatalf("after SIGTERM: exit %d (%v), console:\n%s", code, n.cmd.ProcessState, console)
	}

	// The log: every line that looks like JSON is JSON; one line per
	// request, with the route template and nothing personal.
	requests, invites := 0, 0
	sc := bufio.NewScanner(strings.NewReader(console))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %v: %s", err, line)
			continue
		}
		if rec["msg"] == "request" {
			requests++
			if rec["route"] == "/invite/:token" && rec["method"] == "GET" && rec["status"] == float64(404) && rec["request_id"] != "" {
				invites++ // an unknown invitation token
			}
		}
	}
	if invites != 1 {
		t.Errorf("%d log lines for GET /invite/:token, want 1:\n%s", invites, console)
	}
	if requests < 8 {
		t.Errorf("%d request lines in the log, want one per request:\n%s", requests, console)
	}
	for _, leak := range []string{secret, "x=y", "q=", l.ID, name, "Zwölf", tok, "127.0.0.1:"} {
		for _, line := range strings.Split(console, "\n") {
			// The console's own lines (listening address, first sign-in
			// link) are not the request log.
			if strings.HasPrefix(line, "{") && strings.Contains(line, leak) {
				t.Errorf("the log holds %q: %s", leak, line)
			}
		}
	}

	// The database was closed cleanly: it opens again, and the learner is
	// there.
	db, err := sqlite.Open(filepath.Join(n.data, "carnet.db"))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if _, err := sqlite.NewLearnerStore(db).FindLearner(context.Background(), l.ID); err != nil {
		t.Errorf("the learner after the restart: %v", err)
	}
}

// TestServeLogFormatUsage: a log format that is neither text nor json is a
// usage error, by flag or by environment, before anything is created.
func TestServeLogFormatUsage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, _, stderr := carnet(t, "", "serve", "--data", dir, "--log-format", "xml")
	if code != exitError || !strings.Contains(stderr, "--log-format") {
		t.Errorf("--log-format xml: exit %d, %q", code, stderr)
	}
	t.Setenv("CARNET_LOG_FORMAT", "yaml")
	code, _, stderr = carnet(t, "", "serve", "--data", dir)
	if code != exitError || !strings.Contains(stderr, "yaml") {
		t.Errorf("CARNET_LOG_FORMAT=yaml: exit %d, %q", code, stderr)
	}
}

// TestServeStopsInOrder stops a server while its refresh loop is fetching
// a partner's keys (the partner never answers): the loop has returned
// before the database closes, and the stop is clean.
func TestServeStopsInOrder(t *testing.T) {
	ctx := context.Background()
	fetching := make(chan struct{}, 1)
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case fetching <- struct{}{}:
		default:
		}
		<-r.Context().Done() // until the client gives up
	}))
	defer partner.Close()

	in, err := openInstance(ctx, t.TempDir(), "http://127.0.0.1:1", defaultAdminEmail, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := in.trust.CreateTrustedSource(ctx, &schema.TrustedSource{Source: partner.URL + "/.well-known/jwks.json", Name: "Partenaire"}); err != nil {
		t.Fatal(err)
	}
	var console syncBuffer
	srv, err := in.server(ctx, slog.New(slog.NewTextHandler(&console, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serving, stop := context.WithCancel(ctx)
	defer stop()
	var loopAtClose string
	done := make(chan int)
	go func() {
		done <- serveUntilDone(serving, env{strings.NewReader(""), &console, &console}, srv, []*http.Server{newHTTPServer(srv.Handler())},
			[]net.Listener{ln}, func() error {
				buf := make([]byte, 1<<20)
				if stacks := buf[:runtime.Stack(buf, true)]; bytes.Contains(stacks, []byte("RefreshTrustLoop(")) {
					loopAtClose = string(stacks)
				}
				return in.Close()
			})
	}()
	select {
	case <-fetching: // the refresh loop is in its fetch
	case <-time.After(10 * time.Second):
		t.Fatalf("the refresh loop did not fetch the partner:\n%s", console.String())
	}
	stop()
	if code := <-done; code != exitOK || !strings.Contains(console.String(), "Carnet arrêté / stopped") {
		t.Fatalf("stop: exit %d\n%s", code, console.String())
	}
	if loopAtClose != "" {
		t.Errorf("the database closed while the refresh loop was running:\n%.3000s", loopAtClose)
	}
}
