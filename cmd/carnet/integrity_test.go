package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"carnet/sqlite"
)

// issueOne issues a credential in data with the CLI and returns its file.
func issueOne(t *testing.T, data, learner string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "c.jwt")
	if code, _, stderr := carnet(t, "", "issue", "--data", data, "--learner", learner, "--framework", "digcomp-2.2",
		"--level", "1.1=3", "--out", out); code != exitOK {
		t.Fatalf("issue: %d %s", code, stderr)
	}
	return out
}

// serveExits runs the real `carnet serve` on data and returns its exit code
// and output; it fails the test if the server starts instead.
func serveExits(t *testing.T, data, base string) (int, string) {
	t.Helper()
	cmd := exec.Command(carnetBinary(t), "serve", "--data", data, "--addr", freeAddr(t), "--base-url", base)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String()
		}
		return 0, out.String()
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("carnet serve did not stop:\n%s", out.String())
		return 0, ""
	}
}

// TestMissingKeyFileStopsStart is defect 4 of issue 10: with the key file
// of a structure that has issued moved away, every command used to write
// a new key, and every credential issued before verified as unknown_key.
// Now `carnet serve` (and any command) stops with what to do, writes no
// key, and works again once the file is back.
func TestMissingKeyFileStopsStart(t *testing.T) {
	data := t.TempDir()
	cred := issueOne(t, data, "Awa")
	keyFile := filepath.Join(data, "keys", "main.json")
	if err := os.Rename(keyFile, keyFile+".away"); err != nil {
		t.Fatal(err)
	}
	code, out := serveExits(t, data, defaultBaseURL)
	if code == 0 || !strings.Contains(out, keyFile) || !strings.Contains(out, "carnet restore") ||
		!strings.Contains(out, "fichier de clés") || !strings.Contains(out, "key file") {
		t.Errorf("serve with the key file missing: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatal("a new key file was written")
	}
	if code, _, stderr := carnet(t, "", "issue", "--data", data, "--learner", "B", "--framework", "digcomp-2.2", "--level", "1.1=1",
		"--out", filepath.Join(t.TempDir(), "x.jwt")); code == exitOK || !strings.Contains(stderr, keyFile) {
		t.Errorf("issue with the key file missing: exit %d %s", code, stderr)
	}
	if code, _, _ := carnet(t, "", "keys", "create", "--data", data, "--structure", "main"); code == exitOK {
		t.Error("keys create replaced the key of a structure that has issued without --force")
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatal("a new key file was written")
	}

	// The file back, all is as before.
	if err := os.Rename(keyFile+".away", keyFile); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := carnet(t, "", "verify", "--data", data, cred); code != exitOK {
		t.Errorf("the credential after the key file came back: %d %s", code, out)
	}

	// Another ring in its place (a file from elsewhere) is refused too.
	other := t.TempDir()
	issueOne(t, other, "X")
	b, _ := os.ReadFile(filepath.Join(other, "keys", "main.json"))
	os.WriteFile(keyFile, b, 0o600)
	if code, _, stderr := carnet(t, "", "keys", "jwks", "--data", data); code == exitOK || !strings.Contains(stderr, "not the file that signed it") {
		t.Errorf("a foreign key file: exit %d %s", code, stderr)
	}
	// And an unreadable one.
	os.WriteFile(keyFile, []byte(`{"keys": [`), 0o600)
	if code, _, stderr := carnet(t, "", "keys", "jwks", "--data", data); code == exitOK || !strings.Contains(stderr, keyFile) {
		t.Errorf("a broken key file: exit %d %s", code, stderr)
	}

	// No backup: the operator gives up what was issued, explicitly.
	os.Remove(keyFile)
	if code, _, stderr := carnet(t, "", "keys", "create", "--data", data, "--structure", "main", "--force"); code != exitOK ||
		!strings.Contains(stderr, "no longer verify") {
		t.Fatalf("keys create --force: %d %s", code, stderr)
	}
	fresh := issueOne(t, data, "C")
	if code, out, _ := carnet(t, "", "verify", "--data", data, fresh); code != exitOK {
		t.Errorf("a credential signed with the new key: %d %s", code, out)
	}
	if code, out, _ := carnet(t, "", "verify", "--data", data, cred); code != exitInvalid {
		t.Errorf("a credential of the lost key: %d %s", code, out)
	}
	if code, out, _ := carnet(t, "", "check", "--data", data); code != exitOK || !strings.Contains(out, "as expected") {
		t.Errorf("check after keys create --force: %d %s", code, out)
	}
}

// TestNewStructureGetsAKey: a structure that never issued and has no key
// file gets one (a new key only for a structure with nothing to lose).
func TestNewStructureGetsAKey(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := carnet(t, "", "token", "create", "--data", data); code != exitOK {
		t.Fatal(stderr)
	}
	keyFile := filepath.Join(data, "keys", "main.json")
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := carnet(t, "", "keys", "jwks", "--data", data)
	if code != exitOK || !strings.Contains(stderr, "Signing key created") {
		t.Fatalf("jwks: %d %s", code, stderr)
	}
	if _, err := os.Stat(keyFile); err != nil {
		t.Error(err)
	}
}

// damageFile overwrites the middle pages of a database file with random
// bytes, as a failing disk or a stray write would.
func damageFile(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	const page = 4096
	pages := fi.Size() / page
	if pages < 10 {
		t.Fatalf("database too small to damage: %d pages", pages)
	}
	junk := make([]byte, page)
	for p := pages * 3 / 10; p < pages*7/10; p++ {
		rand.Read(junk)
		if _, err := f.WriteAt(junk, p*page); err != nil {
			t.Fatal(err)
		}
	}
	f.Sync()
}

// checkpoint moves the write-ahead log of a data dir's database into the
// database file (as a clean shutdown does).
func checkpoint(t *testing.T, data string) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(data, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// issueMany issues n credentials by API.
func (n *node) issueMany(tok string, count int) []issued {
	var out []issued
	for i := 0; i < count; i++ {
		out = append(out, n.issue(tok, "Personne "+strings.Repeat("x", i%40), map[string]any{"1.1": 3, "4.2": 2}))
	}
	return out
}

// TestDamagedDatabaseStopsServe is defect 7 of issue 10, at start: pages
// of carnet.db overwritten while the server was stopped, `carnet serve`
// used to start, say ok and issue into the damaged file. Now it exits
// non-zero saying the database is damaged and what to do.
func TestDamagedDatabaseStopsServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	n := newNode(t, "A")
	n.issueMany(n.token(), 60)
	n.cmd.Process.Signal(syscall.SIGINT)
	<-n.done
	checkpoint(t, n.data)
	db := filepath.Join(n.data, "carnet.db")
	damageFile(t, db)

	code, out := serveExits(t, n.data, n.base)
	if code == 0 || !strings.Contains(out, db) || !strings.Contains(out, "endommagée") || !strings.Contains(out, "is damaged") ||
		!strings.Contains(out, "carnet restore") {
		t.Errorf("serve on a damaged database: exit %d\n%s", code, out)
	}
	if code, out := cli(t, "check", "--data", n.data); code != 1 || !strings.Contains(out, "PROBLEM") {
		t.Errorf("check on a damaged database: exit %d\n%s", code, out)
	}
}

// TestDamageWhileRunning is defect 7 of issue 10, while serving: pages of
// carnet.db overwritten under the running server. The periodic check sees
// it: /healthz answers 503 naming the database, and issuance is refused
// with a message that says why.
func TestDamageWhileRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	n := newNode(t, "A", "--db-check-interval", "1s")
	tok := n.token()
	n.issueMany(tok, 60)
	var l struct{ ID string }
	if code := apiCall(t, n.base, tok, "POST", "/api/v1/learners", map[string]any{"name": "Avant"}, &l); code != 201 {
		t.Fatal(code)
	}
	if code, body := get(t, n.base+"/healthz"); code != 200 || body != `{"status":"ok"}` {
		t.Fatalf("healthz before: %d %s", code, body)
	}
	checkpoint(t, n.data)
	damageFile(t, filepath.Join(n.data, "carnet.db"))

	eventually(t, 30*time.Second, func() string {
		code, body := get(t, n.base+"/healthz")
		if code != http.StatusServiceUnavailable || !strings.Contains(body, `"database":"damaged"`) || !strings.Contains(body, `"status":"error"`) {
			return "healthz after damage: " + body
		}
		return ""
	})
	var e struct {
		Error struct{ Code, Message string }
	}
	code := apiCallLang(t, n.base, tok, "en", "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3}}, &e)
	if code != http.StatusServiceUnavailable || !strings.Contains(e.Error.Message, "database is damaged") {
		t.Errorf("issuance into a damaged database: %d %+v", code, e)
	}
	code = apiCallLang(t, n.base, tok, "fr", "POST", "/api/v1/learners", map[string]any{"name": "Après"}, &e)
	if code != http.StatusServiceUnavailable || !strings.Contains(e.Error.Message, "endommagée") {
		t.Errorf("learner into a damaged database: %d %+v", code, e)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, strings.TrimSpace(string(b))
}

// apiCallLang is apiCall with an Accept-Language.
func apiCallLang(t *testing.T, base, token, lang, method, path string, body, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Language", lang)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rb, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(rb, out); err != nil {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, rb)
	}
	return res.StatusCode
}
