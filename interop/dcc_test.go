package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dccLine is one line of dcc.mjs's output.
type dccLine struct {
	File       string   `json:"file"`
	Fatal      []string `json:"fatal"`
	Signature  *dccStep `json:"signature"`
	Revocation *dccStep `json:"revocation"`
	Expiration *dccStep `json:"expiration"`
	Log        []string `json:"log"`
}

type dccStep struct {
	Valid *bool  `json:"valid"`
	Error string `json:"error"`
}

func (s *dccStep) ok() bool { return s != nil && s.Valid != nil && *s.Valid && s.Error == "" }

// TestDCCVerifierCore: DCC's verifier-core (VerifierPlus, the Learner
// Credential Wallet), pinned in package.json, verifies the Data Integrity
// form of credentials served by a running Carnet, as it runs in those
// tools: it resolves the issuer's did:web over https (a TLS front on
// 127.0.0.1 whose test certificate Node trusts through
// NODE_EXTRA_CA_CERTS, Carnet behind it as behind any reverse proxy) and
// fetches the status list from its URL. A genuine credential verifies, a
// tampered one fails, a revoked one is reported revoked.
func TestDCCVerifierCore(t *testing.T) {
	node := requireNode(t, "@digitalcredentials/verifier-core")
	bin := buildCarnet(t)
	data, work := t.TempDir(), t.TempDir()
	token := strings.TrimSpace(run(t, 0, work, bin, "token", "create", "--data", data).stdout)

	// The https front, on its port before Carnet starts (its base URL).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "https://" + ln.Addr().String()
	backend, _ := url.Parse(serveCarnetAt(t, bin, data, base))
	// The front reads each request body whole before passing it on, as
	// nginx does by default (proxy_request_buffering). Streamed, Go's
	// transport reads the inbound body once more after copying it, to see
	// its end; if Carnet has answered by then, the front's server has
	// already closed that body, the transport drops the connection to
	// Carnet and the answer is cut (golang/go#40747): CI saw it once, as
	// "ReverseProxy read error during body copy" and an empty 201.
	proxy := httputil.NewSingleHostReverseProxy(backend)
	transport := &http.Transport{} // its own, not http.DefaultTransport that every test shares
	t.Cleanup(transport.CloseIdleConnections)
	proxy.Transport = transport
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		proxy.ServeHTTP(w, r)
	}))
	front.Listener.Close()
	front.Listener = ln
	front.StartTLS()
	t.Cleanup(front.Close)
	ca := filepath.Join(work, "front.pem")
	writeFile(t, ca, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: front.Certificate().Raw})))
	client := front.Client()

	api := func(method, path string, body any, out any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
		if p, ok := out.(*[]byte); ok {
			*p = b
		} else if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
		}
	}
	api("POST", "/api/v1/structures", map[string]any{"slug": "mediatheque-reims", "name": "Médiathèque Jean-Falala"}, nil)
	var learner struct{ ID string }
	api("POST", "/api/v1/learners", map[string]any{"structure": "mediatheque-reims", "name": "Éloïse Ndiaye-Bérénice", "consent": true}, &learner)
	issue := func(levels map[string]any) string {
		var c struct{ ID string }
		api("POST", "/api/v1/credentials", map[string]any{"learner_id": learner.ID, "framework": "digcomp-2.2", "levels": levels,
			"method": "Observation en atelier « premiers pas »", "evidence": "A créé son espace & sa boîte mail"}, &c)
		return c.ID
	}
	active, revoked := issue(map[string]any{"1.1": 3, "2.1": 2}), issue(map[string]any{"3.1": 1})
	var genuine, toRevoke []byte
	api("GET", "/api/v1/credentials/"+active+"/vc.json", nil, &genuine)
	api("GET", "/api/v1/credentials/"+revoked+"/vc.json", nil, &toRevoke)
	api("POST", "/api/v1/credentials/"+revoked+"/revoke", map[string]any{"reason": "erreur de saisie"}, nil)

	var m map[string]any
	if err := json.Unmarshal(genuine, &m); err != nil {
		t.Fatal(err)
	}
	m["name"] = strings.Replace(m["name"].(string), "1.1", "5.5", 1)
	tampered, _ := json.Marshal(m)
	files := map[string][]byte{"genuine.json": genuine, "tampered.json": tampered, "revoked.json": toRevoke}
	var args []string
	for _, name := range []string{"genuine.json", "tampered.json", "revoked.json"} {
		writeFile(t, filepath.Join(work, name), string(files[name]))
		args = append(args, filepath.Join(work, name))
	}

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"dcc.mjs"}, args...)...)
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+ca)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node dcc.mjs: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	got := map[string]dccLine{}
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if !strings.HasPrefix(l, `{"file":`) {
			continue // verifier-core's own console output (e.g. a schema it could not fetch offline)
		}
		var d dccLine
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("dcc.mjs line %q: %v", l, err)
		}
		got[filepath.Base(d.File)] = d
	}
	t.Logf("verifier-core:\n%s", stdout.String())

	if g := got["genuine.json"]; len(g.Fatal) != 0 || !g.Signature.ok() || !g.Revocation.ok() || (g.Expiration != nil && !g.Expiration.ok()) {
		t.Errorf("verifier-core refused Carnet's Data Integrity credential: %+v", g)
	}
	if g := got["tampered.json"]; len(g.Fatal) == 0 && g.Signature.ok() {
		t.Errorf("verifier-core accepted a tampered credential: %+v", g)
	}
	if g := got["revoked.json"]; len(g.Fatal) != 0 || !g.Signature.ok() || g.Revocation == nil || g.Revocation.ok() {
		t.Errorf("verifier-core did not report the revocation: %+v", g)
	}
}
