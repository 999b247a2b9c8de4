package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"carnet/keys"
	"carnet/schema"
	"carnet/web"
)

// kidOf returns the key id in a compact JWS's header.
func kidOf(t *testing.T, jws string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.SplitN(jws, ".", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

// getDoc returns a public document of the fixture.
func (f *fixture) getDoc(path string) string {
	f.t.Helper()
	res, err := http.Get(f.srv.BaseURL + path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		f.t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return string(b)
}

// checkRotated issues a credential after a rotation to newKey and checks
// that it is signed with the new key, that the running server verifies it
// (credential and card) and that the old credential still verifies, and
// that the public key documents name the new key at once.
func checkRotated(t *testing.T, p *portal, old portalCred, newKey *keys.Key) {
	t.Helper()
	fresh := p.issue("Après Rotation")
	if kid := kidOf(t, fresh.JWT); !strings.HasSuffix(kid, "#"+newKey.Thumbprint) {
		t.Fatalf("issued after the rotation with %s, want the new key %s", kid, newKey.Thumbprint)
	}
	for name, in := range map[string]string{"new credential": fresh.JWT, "new card": fresh.QRText, "new short code": fresh.ShortCode,
		"old credential": old.JWT, "old card": old.QRText} {
		if r := verifyOn(t, p.f, in); !r.Valid {
			t.Errorf("%s after the rotation: not valid (%s), want valid without a restart", name, r.Reason)
		}
	}
	for _, doc := range []string{"/s/bib/did.json", "/s/bib/jwks.json", "/.well-known/jwks.json", "/c/trust.json"} {
		if body := p.f.getDoc(doc); !strings.Contains(body, newKey.Thumbprint) {
			t.Errorf("%s does not name the new key %s after the rotation", doc, newKey.Thumbprint)
		}
	}
}

// A key rotation made beside a running server, as `carnet keys rotate`
// does (another key store on the same key files), takes effect for
// signing and verifying together, without a restart (issue 10, defect 5).
func TestRotationByAnotherProcessVerifies(t *testing.T) {
	p := newPortal(t)
	old := p.issue("Avant Rotation")
	if r := verifyOn(t, p.f, old.JWT); !r.Valid {
		t.Fatalf("before the rotation: %s", r.Reason)
	}
	cli, err := keys.NewFileStore(filepath.Join(p.f.dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := cli.Rotate("bib")
	if err != nil {
		t.Fatal(err)
	}
	checkRotated(t, p, old, k)
}

// signer returns the current signing key of a structure.
func (f *fixture) signer(slug string) *keys.Key {
	f.t.Helper()
	ring, err := f.srv.Keys.Ring(slug)
	if err != nil {
		f.t.Fatal(err)
	}
	return ring.Signer()
}

// rotations counts the audit entries of key rotations.
func (f *fixture) rotations() int {
	f.t.Helper()
	events, err := f.srv.Audit.ListAudit(context.Background(), schema.AuditFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Action == schema.AuditKeysRotated {
			n++
		}
	}
	return n
}

// A structure administrator rotates the key on the structure page; the
// new key signs and verifies at once (issue 10, defect 5).
func TestRotationByPageVerifies(t *testing.T) {
	p := newPortal(t)
	admin := p.f.user("admin@example.org", false, schema.Membership{StructureID: p.st.ID, Role: schema.RoleAdmin})
	old := p.issue("Avant Rotation")
	before := p.f.signer("bib")

	br := newBrowser(t, p.f.srv.BaseURL)
	br.login(admin.Email)
	if _, body, _ := br.get("/structures/bib"); !strings.Contains(body, before.Thumbprint) || !strings.Contains(body, `action="/structures/bib/keys/rotate"`) {
		t.Fatalf("the structure page shows no signing key or rotation form:\n%s", body)
	}
	// Without the box ticked, nothing changes.
	if code, _, _ := br.post("/structures/bib/keys/rotate", br.csrf("/structures/bib"), url.Values{}); code != http.StatusBadRequest {
		t.Errorf("rotation without confirmation: %d, want 400", code)
	}
	// Without the form's token, nothing changes.
	if code, _, _ := br.post("/structures/bib/keys/rotate", "", url.Values{"confirm": {"on"}}); code != http.StatusForbidden {
		t.Errorf("rotation without CSRF token: %d, want 403", code)
	}
	if k := p.f.signer("bib"); k.Thumbprint != before.Thumbprint || p.f.rotations() != 0 {
		t.Fatal("the key changed without a confirmed form")
	}
	code, _, loc := br.post("/structures/bib/keys/rotate", br.csrf("/structures/bib"), url.Values{"confirm": {"on"}})
	if code != http.StatusSeeOther || loc != "/structures/bib?ok=keys_rotated" {
		t.Fatalf("rotation: %d %s", code, loc)
	}
	k := p.f.signer("bib")
	if k.Thumbprint == before.Thumbprint {
		t.Fatal("no new signing key after the rotation")
	}
	if _, body, _ := br.get(loc); !strings.Contains(body, k.Thumbprint) || !strings.Contains(body, web.Message("fr", "notice_keys_rotated")) {
		t.Errorf("the page does not show the new key and the notice")
	}
	if n := p.f.rotations(); n != 1 {
		t.Errorf("%d rotations in the audit log, want 1", n)
	}
	checkRotated(t, p, old, k)
}

// The API rotates too, for structure administrators only.
func TestRotationByAPIVerifies(t *testing.T) {
	p := newPortal(t)
	admin := p.f.token(p.f.user("admin@example.org", false, schema.Membership{StructureID: p.st.ID, Role: schema.RoleAdmin}))
	old := p.issue("Avant Rotation")
	if code := p.f.api(p.tok, "POST", "/api/v1/structures/bib/keys/rotate", nil, nil); code != http.StatusForbidden {
		t.Errorf("rotation by a mediator: %d, want 403", code)
	}
	var out struct {
		SigningKey struct{ KID string } `json:"signing_key"`
	}
	if code := p.f.api(admin, "POST", "/api/v1/structures/bib/keys/rotate", nil, &out); code != http.StatusOK {
		t.Fatalf("rotation: %d", code)
	}
	k := p.f.signer("bib")
	if !strings.HasSuffix(out.SigningKey.KID, "#"+k.Thumbprint) {
		t.Errorf("answered kid %s, the ring signs with %s", out.SigningKey.KID, k.Thumbprint)
	}
	checkRotated(t, p, old, k)
}
