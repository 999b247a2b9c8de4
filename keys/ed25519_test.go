package keys_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carnet/keys"
)

// A key file written before Ed25519 keys existed (P-256 keys only) keeps
// its P-256 keys byte for byte and gets an Ed25519 key on first read, which
// later reads, by this store or another process, find unchanged.
func TestFileStoreAddsEd25519ToOldRing(t *testing.T) {
	dir := t.TempDir()
	s, _ := keys.NewFileStore(dir)
	if _, err := s.Create("lille"); err != nil {
		t.Fatal(err)
	}
	// Make the file an old one: drop the ed25519 member.
	var m map[string]json.RawMessage
	b, _ := os.ReadFile(s.Path("lille"))
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["ed25519"] == nil {
		t.Fatal("Create made no Ed25519 key")
	}
	delete(m, "ed25519")
	old, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(s.Path("lille"), old, 0o600); err != nil {
		t.Fatal(err)
	}
	oldKeys := m["keys"]

	s2, _ := keys.NewFileStore(dir)
	r, err := s2.Ring("lille")
	if err != nil {
		t.Fatal(err)
	}
	ek := r.EdSigner()
	if ek == nil || len(r.Ed) != 1 || !strings.HasPrefix(ek.Multibase, "z6Mk") {
		t.Fatalf("no Ed25519 key added: %+v", r.Ed)
	}
	b, _ = os.ReadFile(s2.Path("lille"))
	var m2 map[string]json.RawMessage
	if err := json.Unmarshal(b, &m2); err != nil {
		t.Fatal(err)
	}
	var k1, k2 any
	json.Unmarshal(oldKeys, &k1)
	json.Unmarshal(m2["keys"], &k2)
	a1, _ := json.Marshal(k1)
	a2, _ := json.Marshal(k2)
	if !bytes.Equal(a1, a2) {
		t.Errorf("the P-256 keys changed:\n%s\n%s", a1, a2)
	}
	r2, err := s.Ring("lille")
	if err != nil || r2.EdSigner() == nil || r2.EdSigner().Multibase != ek.Multibase {
		t.Fatalf("another store reads another Ed25519 key: %v", err)
	}
	if r3, _ := s2.Ring("lille"); len(r3.Ed) != 1 {
		t.Errorf("a second read added a key: %d", len(r3.Ed))
	}
	// Rotation adds an Ed25519 key beside the P-256 one.
	if _, err := s.Rotate("lille"); err != nil {
		t.Fatal(err)
	}
	r4, _ := s2.Ring("lille")
	if len(r4.Ed) != 2 || r4.EdSigner().Multibase == ek.Multibase || r4.Ed[0].Multibase != ek.Multibase {
		t.Errorf("after rotation: %d Ed25519 keys", len(r4.Ed))
	}
	// The DID document publishes both keys as Multikey assertion methods.
	did := "did:web:carnet.example.org:s:lille"
	doc := r4.DIDDocument(did, "Lille")
	var multi int
	for _, vm := range doc.VerificationMethod {
		if vm.Type == "Multikey" {
			multi++
			pub, err := keys.ParseEd25519Multibase(vm.PublicKeyMultibase)
			if err != nil || vm.ID != did+"#"+vm.PublicKeyMultibase || vm.PublicKeyJwk != nil || len(pub) != ed25519.PublicKeySize {
				t.Errorf("Multikey method %+v: %v", vm, err)
			}
		}
	}
	if multi != 2 || doc.Context[len(doc.Context)-1] != keys.ContextMultikey {
		t.Errorf("DID document: %d Multikey methods, context %v", multi, doc.Context)
	}
	out, _ := json.Marshal(doc)
	if strings.Contains(string(out), `"d"`) || strings.Contains(string(out), "seed") {
		t.Error("the DID document leaks a private key")
	}
}

// A hand-edited Ed25519 public key that is not its seed's is refused.
func TestFileStoreRefusesMismatchedEd25519(t *testing.T) {
	dir := t.TempDir()
	s, _ := keys.NewFileStore(dir)
	r, err := s.Create("lille")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := keys.NewEdKey(nil, r.Ed[0].Created)
	b, _ := os.ReadFile(filepath.Join(dir, "lille.json"))
	b = bytes.Replace(b, []byte(r.Ed[0].Multibase), []byte(other.Multibase), 1)
	os.WriteFile(filepath.Join(dir, "lille.json"), b, 0o600)
	s2, _ := keys.NewFileStore(dir)
	if _, err := s2.Ring("lille"); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Errorf("mismatched Ed25519 key read: %v", err)
	}
}

func TestEd25519Multibase(t *testing.T) {
	// W3C vc-di-eddsa test vector key.
	const mb = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	pub, err := keys.ParseEd25519Multibase(mb)
	if err != nil || keys.Ed25519Multibase(pub) != mb {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "z", "u7QE", "z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc", mb + "1", "zzzz"} {
		if _, err := keys.ParseEd25519Multibase(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A ring whose Ed25519 key cannot be added (here its lock cannot be
// taken; a read-only data dir alike) still reads, for JWS, without one.
func TestFileStoreOldRingUnwritable(t *testing.T) {
	dir := t.TempDir()
	s, _ := keys.NewFileStore(dir)
	if _, err := s.Create("lille"); err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	b, _ := os.ReadFile(s.Path("lille"))
	json.Unmarshal(b, &m)
	delete(m, "ed25519")
	old, _ := json.Marshal(m)
	os.WriteFile(s.Path("lille"), old, 0o600)
	if err := os.Mkdir(filepath.Join(dir, ".lille.lock"), 0o700); err != nil {
		t.Fatal(err)
	}
	s2, _ := keys.NewFileStore(dir)
	r, err := s2.Ring("lille")
	if err != nil || r.Signer() == nil || r.EdSigner() != nil {
		t.Fatalf("ring: %v, Ed25519 %v", err, r)
	}
}
