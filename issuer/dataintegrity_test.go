package issuer_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"

	"carnet/dataintegrity"
	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
)

// The Data Integrity form of a credential is the JWS form's credential,
// member for member, with an eddsa-rdfc-2022 proof by the structure's
// Ed25519 key; the same credential always gives the same bytes.
func TestDataIntegrityCredential(t *testing.T) {
	s := newService(3)
	a := schema.Assessment{
		LearnerName: "Éloïse Ndiaye-Bérénice", Framework: "digcomp-2.2", Results: sixLevels(),
		Method: "Observation en atelier", Mediator: "Camille Martin", ValidUntil: clock.AddDate(2, 0, 0),
		Evidence: []schema.EvidenceItem{{Narrative: "A créé son espace « seule »."}, {Name: "CV", URL: "https://example.org/cv"}},
	}
	is, err := s.Issue(context.Background(), lille, a)
	if err != nil {
		t.Fatal(err)
	}
	ring, _ := s.Keys.Ring(lille.Slug)
	ek := ring.EdSigner()
	di, err := issuer.DataIntegrityCredential(is.JWT, ek)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := issuer.DataIntegrityCredential(is.JWT, ek)
	if string(again) != string(di) {
		t.Error("two Data Integrity forms of one credential differ")
	}
	var doc map[string]any
	if err := json.Unmarshal(di, &doc); err != nil {
		t.Fatal(err)
	}
	p, sig, err := dataintegrity.ReadProof(doc)
	if err != nil {
		t.Fatal(err)
	}
	if p.VerificationMethod != ek.ID(is.Credential.Issuer.ID) {
		t.Errorf("verification method %s", p.VerificationMethod)
	}
	if err := dataintegrity.Verify(doc, p, sig, ek.Public()); err != nil {
		t.Fatalf("proof: %v", err)
	}
	// Same content as the JWS: its payload without the JWT claims.
	var jws map[string]any
	json.Unmarshal(payloadOf(t, is.JWT), &jws)
	for _, claim := range []string{"iss", "jti", "sub", "nbf", "exp"} {
		if _, ok := jws[claim]; !ok {
			t.Fatalf("the JWS has no %s claim", claim)
		}
		delete(jws, claim)
	}
	delete(doc, "proof")
	if !reflect.DeepEqual(doc, jws) {
		a, _ := json.Marshal(doc)
		b, _ := json.Marshal(jws)
		t.Errorf("content differs:\nDI  %s\nJWS %s", a, b)
	}
	// A key newer than the credential dates the proof at its creation.
	late, _ := keys.NewEdKey(nil, clock.AddDate(0, 1, 0))
	di2, _ := issuer.DataIntegrityCredential(is.JWT, late)
	var doc2 map[string]any
	json.Unmarshal(di2, &doc2)
	if c := doc2["proof"].(map[string]any)["created"]; c != schema.FormatTime(clock.AddDate(0, 1, 0).Truncate(1e9)) {
		t.Errorf("created %v", c)
	}
}

func TestSignStatusListDI(t *testing.T) {
	ring, _ := keys.NewMemStore().Ring("lille")
	ek := ring.EdSigner()
	did := "did:web:carnet.example.org:s:lille"
	list := issuer.StatusListURL("https://carnet.example.org", "lille", 1)
	b, err := issuer.SignStatusListDI(issuer.StatusListInput{Issuer: did, URL: list, Purpose: issuer.PurposeRevocation, Set: []int{5}, Now: clock}, ek)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	p, sig, err := dataintegrity.ReadProof(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := dataintegrity.Verify(doc, p, sig, ek.Public()); err != nil {
		t.Fatal(err)
	}
	for _, claim := range []string{"iss", "jti", "nbf", "exp"} {
		if _, ok := doc[claim]; ok {
			t.Errorf("the DI list carries the JWT claim %s", claim)
		}
	}
	sub := doc["credentialSubject"].(map[string]any)
	bits := decodeList(t, sub["encodedList"].(string))
	if doc["id"] != list || doc["issuer"] != did || sub["statusPurpose"] != "revocation" || bits[0] != 0x04 {
		t.Errorf("list %s", b)
	}
	if _, err := issuer.SignStatusListDI(issuer.StatusListInput{Issuer: did, URL: list, Purpose: "other"}, ek); err == nil {
		t.Error("unknown purpose signed")
	}
}

// A member Carnet's types do not know (a credential signed by another
// version) is kept in the Data Integrity form: same content, always.
func TestDataIntegrityKeepsUnknownMembers(t *testing.T) {
	s := newService(4)
	is, err := s.Issue(context.Background(), lille, schema.Assessment{LearnerName: "Awa", Framework: "digcomp-2.2", Results: sixLevels()[:1]})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(payloadOf(t, is.JWT), &m)
	m["awardedDate"] = "2026-03-14T09:30:15Z"
	m["credentialSubject"].(map[string]any)["source"] = map[string]any{"id": "https://example.org/p", "type": []any{"Profile"}}
	ring, _ := s.Keys.Ring(lille.Slug)
	b, _ := json.Marshal(m)
	jws := "e30." + base64.RawURLEncoding.EncodeToString(b) + ".sig"
	di, err := issuer.DataIntegrityCredential(jws, ring.EdSigner())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(di, &doc)
	p, sig, err := dataintegrity.ReadProof(doc)
	if err != nil || dataintegrity.Verify(doc, p, sig, ring.EdSigner().Public()) != nil {
		t.Fatalf("proof: %v", err)
	}
	delete(doc, "proof")
	for _, c := range []string{"iss", "jti", "sub", "nbf", "exp"} {
		delete(m, c)
	}
	if !reflect.DeepEqual(doc, m) {
		t.Errorf("content differs:\n%s", di)
	}
}
