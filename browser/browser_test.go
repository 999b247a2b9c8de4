// Package browser_test clicks through Carnet's pages in a real browser:
// flow.mjs (playwright-core driving Debian's Chromium, axe-core on every
// page) against the real binary, started as an operator would start it.
package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// flowSummary is what every browser script prints about its run.
type flowSummary struct {
	OK       bool   `json:"ok"`
	Browser  string `json:"browser"`
	Versions struct {
		Playwright string `json:"playwright"`
		Axe        string `json:"axe"`
	} `json:"versions"`
	Steps []struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		MS    int    `json:"ms"`
		Error string `json:"error"`
	} `json:"steps"`
	Pages []struct {
		Name       string   `json:"name"`
		Path       string   `json:"path"`
		Lang       string   `json:"lang"`
		Review     []string `json:"review"`
		Violations []struct {
			ID      string   `json:"id"`
			Impact  string   `json:"impact"`
			Help    string   `json:"help"`
			Nodes   int      `json:"nodes"`
			Targets []string `json:"targets"`
		} `json:"violations"`
	} `json:"pages"`
	AxeControl    []string `json:"axeControl"`
	Screenshots   []string `json:"screenshots"`
	ConsoleErrors []string `json:"consoleErrors"`
	HTTPErrors    []string `json:"httpErrors"`
	Failures      []string `json:"failures"`
}

// summary is the JSON flow.mjs prints.
type summary struct {
	flowSummary
	Keyboard   []string `json:"keyboard"`
	Credential struct {
		URL        string   `json:"url"`
		ShortCode  string   `json:"shortCode"`
		Statuses   []string `json:"statuses"`
		StatusLine string   `json:"statusLine"`
	} `json:"credential"`
	Verify struct {
		Heading string `json:"heading"`
		Reason  string `json:"reason"`
	} `json:"verify"`
	English struct {
		Lang  string `json:"lang"`
		Title string `json:"title"`
	} `json:"english"`
	MS int `json:"ms"`
}

// screenshots are the pages a reviewer looks at, in test-artifacts/browser.
var screenshots = []string{"login", "home", "learner-new", "assess", "review", "credential",
	"credential-revoked", "verify", "verify-en", "structure", "audit", "credential-phone"}

// TestMediatorFlow runs browser/flow.mjs against a fresh `carnet serve`:
// first sign-in, a structure and its mediator, a learner, an assessment
// issued, suspended, reinstated and revoked, then checked on /verify; axe
// must find nothing serious or critical on any page.
func TestMediatorFlow(t *testing.T) {
	node, chromium := requireBrowser(t)
	bin := buildCarnet(t)
	base, link := startServer(t, bin)

	artifacts, err := filepath.Abs(filepath.Join("..", "test-artifacts", "browser"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(artifacts); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	var s summary
	elapsed, stderr, err := runScript(t, node, chromium, 4*time.Minute, filepath.Join(artifacts, "summary.json"), &s, "flow.mjs", base, link, artifacts)
	if !s.report(t, "flow.mjs", elapsed, stderr, err) {
		t.FailNow()
	}

	s.checkAxe(t, "pages of the flow", 15, false)

	if want := []string{"valide", "suspendue", "valide", "révoquée"}; !slices.Equal(s.Credential.Statuses, want) {
		t.Errorf("credential statuses %q, want %q", s.Credential.Statuses, want)
	}
	if !regexp.MustCompile(`^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$`).MatchString(s.Credential.ShortCode) {
		t.Errorf("short code read from the page: %q", s.Credential.ShortCode)
	}
	if !strings.HasSuffix(s.Verify.Heading, "Révoquée") || !strings.Contains(s.Verify.Reason, "révoqué") {
		t.Errorf("verify result %+v, want « Révoquée » with the revoked reason", s.Verify)
	}
	if s.English.Lang != "en" || !strings.HasPrefix(s.English.Title, "Verify a credential") {
		t.Errorf("after the language switch: %+v, want lang en and an English title", s.English)
	}
	if n := len(s.Keyboard); n < 3 || !strings.HasPrefix(s.Keyboard[n-3], "input#email") ||
		!strings.HasPrefix(s.Keyboard[n-2], "input#password") || !strings.HasPrefix(s.Keyboard[n-1], "button") {
		t.Errorf("Tab order on the login page: %q, want … e-mail, password, button", s.Keyboard)
	}
	for _, e := range s.ConsoleErrors {
		t.Logf("browser console: %s", e)
	}
	for _, e := range s.HTTPErrors {
		t.Errorf("HTTP error during the flow: %s", e)
	}

	for name, cfg := range checkScreenshots(t, artifacts, "", screenshots) {
		if strings.HasSuffix(name, "-phone") && (cfg.Width != 390 || cfg.Height != 844) {
			t.Errorf("phone screenshot %s is %d×%d, want 390×844", name, cfg.Width, cfg.Height)
		}
	}
}

// requireBrowser returns the paths of node and Chromium, or skips (fails
// when CI=true) if they or browser/node_modules are missing.
func requireBrowser(t *testing.T) (node, chromium string) {
	t.Helper()
	missing := func(what string) {
		msg := what + ": the browser test needs Node.js 20+, Debian's Chromium (apt-get install chromium) and `npm ci --prefix browser`; run `make deps`"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	chromium = os.Getenv("CARNET_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if fi, err := os.Stat(chromium); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		missing(chromium + " is not an executable Chromium")
	}
	for _, pkg := range []string{"playwright-core", "axe-core"} {
		if _, err := os.Stat(filepath.Join("node_modules", pkg, "package.json")); err != nil {
			missing("browser/node_modules/" + pkg + " is not installed")
		}
	}
	return node, chromium
}

// buildCarnet builds cmd/carnet into a temporary dir and returns its path.
func buildCarnet(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "carnet")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "carnet/cmd/carnet")
	cmd.Dir = ".." // the module root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build carnet/cmd/carnet: %v\n%s", err, out)
	}
	return bin
}

// startServer starts `carnet serve` on a free loopback port with an empty
// data dir and returns its base URL and the first administrator's one-time
// login link, read from stderr. The server is stopped with an interrupt
// when the test ends.
func startServer(t *testing.T, bin string) (base, link string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base = "http://" + addr
	return base, serveForLink(t, bin, filepath.Join(t.TempDir(), "data"), addr, base)
}

// serveForLink starts `carnet serve` (startServe) and returns the first
// administrator's one-time login link that it prints.
func serveForLink(t *testing.T, bin, data, addr, base string) (link string) {
	t.Helper()
	out := startServe(t, bin, data, addr, base)
	// The server prints the link before it serves, but its output reaches
	// the buffer through a pipe copied by another goroutine: wait for it.
	linkRE := regexp.MustCompile(regexp.QuoteMeta(base) + `/login/link/[A-Za-z0-9_-]+`)
	for deadline := time.Now().Add(10 * time.Second); link == ""; time.Sleep(20 * time.Millisecond) {
		if link = linkRE.FindString(out.String()); link == "" && time.Now().After(deadline) {
			t.Fatalf("no login link on carnet serve's stderr:\n%s", out.String())
		}
	}
	return link
}

// artifactsDir makes test-artifacts/NAME at the top of the repository and
// returns its absolute path; fresh empties it first.
func artifactsDir(t *testing.T, name string, fresh bool) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "test-artifacts", name))
	if err != nil {
		t.Fatal(err)
	}
	if fresh {
		os.RemoveAll(dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// syncBuffer is a bytes.Buffer safe for the server's writes and the
// test's reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runScript runs a browser script with node and Debian's Chromium, decodes
// the JSON summary it prints into out, keeps that summary as an artifact,
// and returns how long the script took, its stderr and its exit error. A
// script that fails its checks still prints its summary (exit 1); only a
// script that cannot run stops the test here.
func runScript(t *testing.T, node, chromium string, timeout time.Duration, artifact string, out any, args ...string) (time.Duration, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = append(os.Environ(), "CARNET_CHROMIUM="+chromium)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	started := time.Now()
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("node %s: %v\n%s", args[0], err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("%s did not print its JSON summary: %v\nstdout:\n%s\nstderr:\n%s", args[0], err, stdout.String(), stderr.String())
	}
	if err := os.WriteFile(artifact, stdout.Bytes(), 0o644); err != nil {
		t.Error(err)
	}
	return time.Since(started), stderr.String(), err
}

// checkAxe fails when axe audited fewer than minPages pages, or found a
// violation: any at all when strict, else serious and critical ones (the
// rest is logged for a person). It also fails unless axe's negative
// control found the faults planted in it, so that a silent axe cannot pass.
func (s *flowSummary) checkAxe(t *testing.T, what string, minPages int, strict bool) {
	t.Helper()
	if len(s.Pages) < minPages {
		t.Errorf("axe ran on %d %s, want %d or more", len(s.Pages), what, minPages)
	}
	for _, p := range s.Pages {
		name := p.Name
		if p.Path != "" {
			name += " (" + p.Path + ")"
		}
		for _, v := range p.Violations {
			msg := "axe %s on %s: %s, %s, %d nodes: %s"
			args := []any{v.Impact, name, v.ID, v.Help, v.Nodes, strings.Join(v.Targets, ", ")}
			if strict || v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf(msg, args...)
			} else {
				t.Logf(msg, args...)
			}
		}
		if len(p.Review) > 0 {
			t.Logf("axe could not decide on %s: %s", p.Name, strings.Join(p.Review, "; "))
		}
	}
	for _, want := range []string{"html-has-lang", "image-alt", "label", "color-contrast"} {
		if !slices.Contains(s.AxeControl, want) {
			t.Errorf("axe's negative control found %q, not %s: axe may be checking nothing", s.AxeControl, want)
		}
	}
}

// checkScreenshots fails unless each DIR/PREFIXNAME.png is a PNG, and
// returns their sizes by name.
func checkScreenshots(t *testing.T, dir, prefix string, names []string) map[string]image.Config {
	t.Helper()
	sizes := map[string]image.Config{}
	for _, name := range names {
		f, err := os.Open(filepath.Join(dir, prefix+name+".png"))
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			continue
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Errorf("screenshot %s is not a PNG: %v", name, err)
			continue
		}
		sizes[name] = cfg
	}
	t.Logf("screenshots in %s", dir)
	return sizes
}

// freeLoopback returns a free port on 127.0.0.1 for a server to listen on,
// and its base URL.
func freeLoopback(t *testing.T) (addr, base string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr = ln.Addr().String()
	return addr, "http://" + addr
}

// report logs a script's run and its steps, and fails the test for every
// failed step or failure the script recorded; it reports whether the
// script succeeded.
func (s *flowSummary) report(t *testing.T, script string, elapsed time.Duration, stderr string, err error) bool {
	t.Helper()
	t.Logf("%s, playwright-core %s, axe-core %s: %d steps, %d pages audited in %v",
		s.Browser, s.Versions.Playwright, s.Versions.Axe, len(s.Steps), len(s.Pages), elapsed.Round(time.Millisecond))
	for _, st := range s.Steps {
		t.Logf("  %-5v %5d ms  %s", st.OK, st.MS, st.Name)
		if !st.OK {
			t.Errorf("step %q failed: %s", st.Name, st.Error)
		}
	}
	for _, f := range s.Failures {
		t.Errorf("%s: %s", script, f)
	}
	if !s.OK || err != nil {
		t.Errorf("%s reported failure (exit %v)\nstderr:\n%s", script, err, stderr)
		return false
	}
	return true
}
