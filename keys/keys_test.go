package keys_test

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"carnet/keys"
	"carnet/schema"
)

func TestDIDWeb(t *testing.T) {
	for _, tc := range []struct{ base, slug, did, docURL, code string }{
		{"https://carnet.example.org", "lille", "did:web:carnet.example.org:s:lille", "https://carnet.example.org/s/lille/did.json", ""},
		{"https://Carnet.Example.org/", "lille", "did:web:carnet.example.org:s:lille", "https://carnet.example.org/s/lille/did.json", ""},
		{"https://example.org:8443/carnet", "bib-1", "did:web:example.org%3A8443:carnet:s:bib-1", "https://example.org:8443/carnet/s/bib-1/did.json", ""},
		{"http://localhost:8080", "main", "did:web:localhost%3A8080:s:main", "http://localhost:8080/s/main/did.json", ""},
		{"http://127.0.0.1:9000", "main", "did:web:127.0.0.1%3A9000:s:main", "http://127.0.0.1:9000/s/main/did.json", ""},
		{"http://carnet.example.org", "main", "", "", schema.EINVALID}, // plain http off loopback
		{"ftp://example.org", "main", "", "", schema.EINVALID},
		{"https://example.org?x=1", "main", "", "", schema.EINVALID},
		{"https://example.org", "Main", "", "", schema.EINVALID},
		{"https://example.org", "a/b", "", "", schema.EINVALID},
	} {
		did, err := keys.DIDWeb(tc.base, tc.slug)
		if schema.ErrorCode(err) != tc.code || did != tc.did {
			t.Errorf("DIDWeb(%q, %q) = %q, %v; want %q", tc.base, tc.slug, did, err, tc.did)
			continue
		}
		if tc.did == "" {
			continue
		}
		u, err := keys.DIDDocumentURL(did)
		if err != nil || u != tc.docURL {
			t.Errorf("DIDDocumentURL(%q) = %q, %v; want %q", did, u, err, tc.docURL)
		}
	}
	if u, _ := keys.DIDDocumentURL("did:web:example.org"); u != "https://example.org/.well-known/did.json" {
		t.Errorf("bare host: %s", u)
	}
	for _, bad := range []string{"did:key:z6Mk", "did:web:", "did:web:ex.org:..:x", "did:web:ex.org#k", "did:web:a@b"} {
		if _, err := keys.DIDDocumentURL(bad); err == nil {
			t.Errorf("DIDDocumentURL(%q) accepted", bad)
		}
	}
}

func TestFileStorePersistsAndRotates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	s, err := keys.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	r1, err := s.Create("lille")
	if err != nil {
		t.Fatal(err)
	}
	if len(r1.Keys) != 1 || r1.Signer() != r1.Keys[0] {
		t.Fatalf("new ring: %+v", r1)
	}
	fi, err := os.Stat(filepath.Join(dir, "lille.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Errorf("key dir mode %v, want 0700", di.Mode().Perm())
	}

	// A second store on the same dir (another process) reads the same key.
	s2, _ := keys.NewFileStore(dir)
	r2, err := s2.Ring("lille")
	if err != nil {
		t.Fatal(err)
	}
	if r2.Signer().Thumbprint != r1.Signer().Thumbprint || !r2.Signer().Private.Equal(r1.Signer().Private) {
		t.Error("reloaded key differs")
	}

	k2, err := s2.Rotate("lille")
	if err != nil {
		t.Fatal(err)
	}
	// The first store sees the rotation: the new key signs, the old one stays.
	r3, err := s.Ring("lille")
	if err != nil {
		t.Fatal(err)
	}
	if len(r3.Keys) != 2 || r3.Signer().Thumbprint != k2.Thumbprint || r3.Find(r1.Keys[0].Thumbprint) == nil {
		t.Errorf("after rotation: %d keys, signer %s", len(r3.Keys), r3.Signer().Thumbprint)
	}
	did := "did:web:carnet.example.org:s:lille"
	set := r3.JWKS(did)
	if len(set.Keys) != 2 {
		t.Fatalf("JWKS has %d keys", len(set.Keys))
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || !strings.HasPrefix(k.KeyID, did+"#") || k.Algorithm != "ES256" || k.Use != "sig" {
			t.Errorf("JWKS key %+v", k)
		}
	}
	b, _ := json.Marshal(set)
	if strings.Contains(string(b), `"d"`) {
		t.Error("the JWKS leaks a private key")
	}
	doc := r3.DIDDocument(did, "Médiathèque")
	if doc.ID != did || len(doc.VerificationMethod) != 4 || len(doc.AssertionMethod) != 4 || doc.AssertionMethod[1] != k2.KID(did) || doc.AssertionMethod[3] != r3.EdSigner().ID(did) {
		t.Errorf("DID document %+v", doc)
	}
	for _, vm := range doc.VerificationMethod {
		if vm.Controller != did || (vm.Type == "JsonWebKey2020") != (vm.PublicKeyJwk != nil && vm.PublicKeyJwk.IsPublic()) {
			t.Errorf("verification method %+v", vm)
		}
	}
}

func TestFileStoreConcurrentCreate(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	prints := make([]string, 8)
	var mu sync.Mutex
	created := 0
	for i := range prints {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s, _ := keys.NewFileStore(dir) // separate stores, as separate processes
			_, err := s.Create("main")
			if err == nil {
				mu.Lock()
				created++
				mu.Unlock()
			} else if schema.ErrorCode(err) != schema.ECONFLICT {
				t.Error(err)
			}
			r, err := s.Ring("main")
			if err != nil {
				t.Error(err)
				return
			}
			prints[i] = r.Signer().Thumbprint
		}(i)
	}
	wg.Wait()
	if created != 1 {
		t.Errorf("%d stores created the ring, want exactly 1", created)
	}
	for _, p := range prints {
		if p != prints[0] {
			t.Fatalf("concurrent first use created different keys: %v", prints)
		}
	}
}

func TestFileStoreRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	s, _ := keys.NewFileStore(dir)
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o600)
	if _, err := s.Ring("broken"); err == nil {
		t.Error("a corrupt key file was accepted")
	}
	os.WriteFile(filepath.Join(dir, "empty.json"), []byte(`{"keys":[]}`), 0o600)
	if _, err := s.Ring("empty"); err == nil {
		t.Error("an empty ring was accepted")
	}
	if _, err := s.Ring("../etc"); schema.ErrorCode(err) != schema.EINVALID {
		t.Errorf("path traversal slug: %v", err)
	}
}

// TestFileStoreNeverReplacesAMissingKey is defect 4 of issue 10: a key file
// moved away must not come back as a new key (which would make every
// credential signed before unverifiable); Create never overwrites.
func TestFileStoreNeverReplacesAMissingKey(t *testing.T) {
	dir := t.TempDir()
	s, _ := keys.NewFileStore(dir)
	first, err := s.Create("main")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "main.json")
	if err := os.Rename(p, p+".away"); err != nil {
		t.Fatal(err)
	}
	for name, op := range map[string]func() error{
		"Ring":   func() error { _, err := s.Ring("main"); return err },
		"Rotate": func() error { _, err := s.Rotate("main"); return err },
	} {
		err := op()
		var missing *keys.MissingError
		if !errors.As(err, &missing) || missing.Path != p || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s with the key file moved away: %v, want a MissingError naming %s", name, err, p)
		}
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s wrote a new key file", name)
		}
	}
	// Put back, the file works again; Create does not replace it.
	if err := os.Rename(p+".away", p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create("main"); schema.ErrorCode(err) != schema.ECONFLICT {
		t.Errorf("Create over an existing ring: %v, want conflict", err)
	}
	r, err := s.Ring("main")
	if err != nil || r.Signer().Thumbprint != first.Signer().Thumbprint {
		t.Errorf("after restoring the file: %v", err)
	}
}

// TestFileStoreRejectsMismatchedKey: a file whose public half is not the
// one of its private half (edited by hand, or pieced together) is refused.
func TestFileStoreRejectsMismatchedKey(t *testing.T) {
	dir := t.TempDir()
	s, _ := keys.NewFileStore(dir)
	if _, err := s.Create("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create("b"); err != nil {
		t.Fatal(err)
	}
	var fa, fb map[string][]map[string]map[string]any
	ba, _ := os.ReadFile(filepath.Join(dir, "a.json"))
	bb, _ := os.ReadFile(filepath.Join(dir, "b.json"))
	json.Unmarshal(ba, &fa)
	json.Unmarshal(bb, &fb)
	fa["keys"][0]["jwk"]["d"] = fb["keys"][0]["jwk"]["d"] // b's private half, a's public half
	out, _ := json.Marshal(fa)
	os.WriteFile(filepath.Join(dir, "mixed.json"), out, 0o600)
	if _, err := s.Ring("mixed"); err == nil {
		t.Error("a key file whose halves disagree was accepted")
	}
}

func TestMemStore(t *testing.T) {
	m := keys.NewMemStore()
	r, _ := m.Ring("a")
	if _, ok := interface{}(r.Signer().Private).(*ecdsa.PrivateKey); !ok {
		t.Fatal("no key")
	}
	k, _ := m.Rotate("a")
	r2, _ := m.Ring("a")
	if r2.Signer() != k || len(r2.Keys) != 2 {
		t.Error("rotation")
	}
	if b, _ := m.Ring("b"); b.Signer().Thumbprint == k.Thumbprint {
		t.Error("two issuers share a key")
	}
}

// Two stores on one directory (a server and `carnet keys rotate`)
// rotating at the same time take turns: no key is lost.
func TestFileStoreConcurrentRotations(t *testing.T) {
	dir := t.TempDir()
	a, err := keys.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := keys.NewFileStore(dir)
	if _, err := a.Create("main"); err != nil {
		t.Fatal(err)
	}
	const each = 8
	var wg sync.WaitGroup
	kids := make(chan string, 2*each)
	for _, s := range []*keys.FileStore{a, b} {
		wg.Go(func() {
			for range each {
				k, err := s.Rotate("main")
				if err != nil {
					t.Error(err)
					return
				}
				kids <- k.Thumbprint
			}
		})
	}
	wg.Wait()
	close(kids)
	c, _ := keys.NewFileStore(dir)
	r, err := c.Ring("main")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, k := range r.Keys {
		have[k.Thumbprint] = true
	}
	if len(r.Keys) != 1+2*each {
		t.Errorf("the ring holds %d keys after %d rotations, want %d", len(r.Keys), 2*each, 1+2*each)
	}
	for kid := range kids {
		if !have[kid] {
			t.Errorf("rotated key %s was lost", kid)
		}
	}
}
