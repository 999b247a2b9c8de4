package web_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"carnet/keys"
	"carnet/schema"
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

var _ = schema.RoleAdmin
