package main

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// jwsKID returns the key id in a compact JWS's header.
func jwsKID(t *testing.T, jws string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.SplitN(strings.TrimSpace(jws), ".", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

// `carnet keys rotate`, run as its own process beside a running `carnet
// serve` on the same data dir, takes effect for signing and verifying
// together, without a restart (issue 10, defect 5). `carnet issue` run the
// same way verifies through the server too, and both commands leave an
// audit entry.
func TestKeysRotateBesideServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a server")
	}
	n := newNode(t, "A")
	tok := n.token()
	old := n.issue(tok, "Avant Rotation", map[string]any{"1.1": 3})
	if v := n.verify(old.JWT); !v.Valid {
		t.Fatalf("before the rotation: %s", v.Reason)
	}

	code, out := cli(t, "keys", "rotate", "--data", n.data, "--structure", "main")
	kid := regexp.MustCompile(`did:web:\S+#\S+`).FindString(out)
	if code != 0 || kid == "" {
		t.Fatalf("keys rotate: %d %s", code, out)
	}
	if kid == jwsKID(t, old.JWT) {
		t.Fatalf("keys rotate printed the old key %s", kid)
	}
	fresh := n.issue(tok, "Après Rotation", map[string]any{"1.1": 2})
	if got := jwsKID(t, fresh.JWT); got != kid {
		t.Fatalf("the server signs with %s after the rotation, want the new key %s", got, kid)
	}
	for name, in := range map[string]string{"new credential": fresh.JWT, "new card": fresh.QRText, "old credential": old.JWT, "old card": old.QRText} {
		if v := n.verify(in); !v.Valid {
			t.Errorf("%s after `carnet keys rotate`: not valid (%s %s), want valid without a restart", name, v.Reason, v.Message)
		}
	}
	var did struct {
		VerificationMethod []struct{ ID string } `json:"verificationMethod"`
	}
	if code := apiCall(t, n.base, "", "GET", "/s/main/did.json", nil, &did); code != 200 || !strings.Contains(func() string {
		b, _ := json.Marshal(did)
		return string(b)
	}(), strings.SplitN(kid, "#", 2)[1]) {
		t.Errorf("did.json does not name the new key at once: %d %+v", code, did)
	}

	// `carnet issue` beside the running server, with the new key.
	file := filepath.Join(t.TempDir(), "cli.jwt")
	code, out = cli(t, "issue", "--data", n.data, "--learner", "Par La Ligne", "--framework", "digcomp-2.2", "--level", "1.1=2", "--out", file)
	if code != 0 {
		t.Fatalf("carnet issue: %d %s", code, out)
	}
	jws, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if v := n.verify(strings.TrimSpace(string(jws))); !v.Valid || jwsKID(t, string(jws)) != kid {
		t.Errorf("credential of `carnet issue` through the running server: valid=%v %s, kid %s", v.Valid, v.Reason, jwsKID(t, string(jws)))
	}

	// Both commands are in the audit log, as the command line.
	var log struct {
		Events []struct{ Actor, Action, Object string }
	}
	if code := apiCall(t, n.base, tok, "GET", "/api/v1/audit", nil, &log); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	seen := map[string]bool{}
	for _, e := range log.Events {
		if strings.HasSuffix(e.Actor, "(CLI)") {
			seen[e.Action] = true
		}
	}
	for _, action := range []string{"keys_rotated", "credential_issued", "token_created"} {
		if !seen[action] {
			t.Errorf("no %s entry of the command line in the audit log: %+v", action, log.Events)
		}
	}
}

// When the audit entry of `carnet issue` or `carnet keys rotate` cannot be
// written (a trigger refuses every insert into the audit table), the
// command fails and stores nothing: no credential, no new key.
func TestCLIAuditFailureFailsTheCommand(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := carnet(t, "", "keys", "jwks", "--data", data); code != 0 { // initialises the data dir
		t.Fatalf("init: %d %s", code, errOut)
	}
	raw, err := sql.Open("sqlite3", filepath.Join(data, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`); err != nil {
		t.Fatal(err)
	}
	count := func() (creds, keys int) {
		raw.QueryRow(`SELECT COUNT(*) FROM credentials`).Scan(&creds)
		b, _ := os.ReadFile(filepath.Join(data, "keys", "main.json"))
		return creds, strings.Count(string(b), `"created"`)
	}
	creds, ks := count()
	out := filepath.Join(t.TempDir(), "c.jwt")
	if code, _, _ := carnet(t, "", "issue", "--data", data, "--learner", "Awa Diallo", "--framework", "digcomp-2.2", "--level", "1.1=2", "--out", out); code == 0 {
		t.Error("carnet issue succeeded without its audit entry")
	}
	if code, _, _ := carnet(t, "", "keys", "rotate", "--data", data, "--structure", "main"); code == 0 {
		t.Error("carnet keys rotate succeeded without its audit entry")
	}
	if c, k := count(); c != creds || k != ks {
		t.Errorf("stored without an audit entry: %d credentials (was %d), %d keys (was %d)", c, creds, k, ks)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("carnet issue wrote the credential file")
	}
}
