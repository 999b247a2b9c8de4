package verifier_test

import (
	"testing"

	"carnet/keys"
	"carnet/verifier"

	"github.com/go-jose/go-jose/v4"
)

// A structure added with AddLocal is trusted with the keys its store has
// now, not a copy taken when it was added: a rotation shows at once, also
// after the registry was replaced by a rebuilt one, and a partner still
// cannot add keys to it.
func TestAddLocalFollowsRotation(t *testing.T) {
	ks := keys.NewMemStore()
	const did = "did:web:carnet.example.org:s:main"
	reg := verifier.NewRegistry()
	if err := reg.AddLocal(did, "Médiathèque", "main", ks); err != nil {
		t.Fatal(err)
	}
	if n := len(reg.Issuer(did).ES256Keys()); n != 1 {
		t.Fatalf("%d keys, want 1", n)
	}
	k, err := ks.Rotate("main")
	if err != nil {
		t.Fatal(err)
	}
	ti := reg.Issuer(did)
	if es := ti.ES256Keys(); len(es) != 2 || es[1].KeyID != k.KID(did) || !ti.Local {
		t.Fatalf("after a rotation: %+v, want the new key %s too", ti, k.KID(did))
	}

	rebuilt := verifier.NewRegistry()
	if err := rebuilt.AddLocal(did, "Médiathèque", "main", ks); err != nil {
		t.Fatal(err)
	}
	reg.ReplaceWith(rebuilt)
	k3, err := ks.Rotate("main")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ti := range reg.Issuers() {
		for _, jk := range ti.Keys {
			found = found || jk.KeyID == k3.KID(did)
		}
	}
	if !found {
		t.Error("after ReplaceWith, a rotation is not seen")
	}

	other, _ := keys.NewKey(nil, k.Created)
	if err := reg.Add(&verifier.TrustedIssuer{ID: did, Source: "https://evil.example", Keys: []jose.JSONWebKey{other.PublicJWK(did)}}); err == nil {
		t.Error("a partner added a key to a structure of this instance")
	}
}
