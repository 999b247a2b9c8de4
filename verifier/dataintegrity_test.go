package verifier_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"carnet/dataintegrity"
	"carnet/issuer"
	"carnet/keys"
	"carnet/verifier"
)

// diOf returns the Data Integrity form of a credential JWS of fx's structure.
func (fx *fixture) diOf(tb testing.TB, jws string) []byte {
	tb.Helper()
	ring, err := fx.store.Ring(fx.st.Slug)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := issuer.DataIntegrityCredential(jws, ring.EdSigner())
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// resign edits a Data Integrity credential and signs it again with priv as
// vm: what an issuer holding that key could write.
func resign(tb testing.TB, di []byte, priv ed25519.PrivateKey, vm string, edit func(m map[string]any)) []byte {
	tb.Helper()
	m := decodeObject(tb, di)
	delete(m, "proof")
	if edit != nil {
		edit(m)
	}
	out, err := dataintegrity.Sign(marshal(tb, m), priv, vm, fixedNow)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func edit(tb testing.TB, di []byte, f func(m map[string]any)) []byte {
	tb.Helper()
	m := decodeObject(tb, di)
	f(m)
	return marshal(tb, m)
}

func TestDataIntegrityGenuine(t *testing.T) {
	fx := newFixture(t, keys.NewMemStore())
	is := fx.issue(t, "Éloïse Ndiaye-Bérénice")
	di := fx.diOf(t, is.JWT)
	ring, _ := fx.store.Ring(fx.st.Slug)
	r := verify(t, fx.v, di)
	if !r.Valid || !r.SignatureVerified || r.Kind != "credential" || r.Learner != "Éloïse Ndiaye-Bérénice" || r.CredentialID != is.Credential.ID ||
		r.Issuer == nil || !r.Issuer.Trusted || r.Issuer.KeyID != ring.EdSigner().ID(fx.did) || len(r.Levels) != 2 {
		t.Fatalf("genuine Data Integrity credential: %+v", r)
	}
	// Pretty-printed, as a download is, it verifies just as well.
	var pretty bytes.Buffer
	json.Indent(&pretty, di, "", "  ")
	if r := verify(t, fx.v, pretty.Bytes()); !r.Valid {
		t.Errorf("indented: %s", r.Reason)
	}
	// The JWS form still verifies as before.
	if r := verify(t, fx.v, []byte(is.JWT)); !r.Valid {
		t.Errorf("JWS: %s", r.Reason)
	}
}

func TestDataIntegrityHostile(t *testing.T) {
	fx := newFixture(t, keys.NewMemStore())
	is := fx.issue(t, "Awa Diallo")
	di := fx.diOf(t, is.JWT)
	ring, _ := fx.store.Ring(fx.st.Slug)
	ek := ring.EdSigner()
	vm := ek.ID(fx.did)
	_, atelierKID := fx.trustSecond(t)
	atelierRing, _ := fx.store.Ring("atelier")
	atelierDID, _, _ := strings.Cut(atelierKID, "#")
	_, attacker, _ := ed25519.GenerateKey(nil)
	attackerMB := keys.Ed25519Multibase(attacker.Public().(ed25519.PublicKey))

	proof := func(f func(p map[string]any)) func(m map[string]any) {
		return func(m map[string]any) { f(m["proof"].(map[string]any)) }
	}
	for _, tc := range []struct {
		name, want, msg string
		input           []byte
	}{
		{"name_changed", verifier.ReasonBadSignature, "", edit(t, di, func(m map[string]any) { m["name"] = "Compétences : tout" })},
		{"level_changed", verifier.ReasonBadSignature, "", edit(t, di, func(m map[string]any) {
			res := m["credentialSubject"].(map[string]any)["result"].([]any)[0].(map[string]any)
			res["achievedLevel"] = strings.Replace(res["achievedLevel"].(string), "a", "b", 1)
		})},
		{"learner_changed", verifier.ReasonBadSignature, "", edit(t, di, func(m map[string]any) {
			id := m["credentialSubject"].(map[string]any)["identifier"].([]any)[0].(map[string]any)
			id["identityHash"] = "Quelqu'un d'autre"
		})},
		{"forged_proof_value", verifier.ReasonBadSignature, "", edit(t, di, proof(func(p map[string]any) {
			v := []byte(p["proofValue"].(string))
			v[20] = map[bool]byte{true: '3', false: '2'}[v[20] == '2']
			p["proofValue"] = string(v)
		}))},
		{"proof_value_short", verifier.ReasonMalformed, "proofValue", edit(t, di, proof(func(p map[string]any) { p["proofValue"] = "z3vQB7B6MrGQZaxCuFg4oh" }))},
		{"wrong_cryptosuite", verifier.ReasonUnsupportedAlg, "eddsa-rdfc-2022", edit(t, di, proof(func(p map[string]any) { p["cryptosuite"] = "ecdsa-rdfc-2019" }))},
		{"jcs_cryptosuite", verifier.ReasonUnsupportedAlg, "eddsa-jcs-2022", edit(t, di, proof(func(p map[string]any) { p["cryptosuite"] = "eddsa-jcs-2022" }))},
		{"proof_set", verifier.ReasonUnsupportedAlg, "", edit(t, di, func(m map[string]any) { m["proof"] = []any{m["proof"]} })},
		{"unknown_context", verifier.ReasonInvalidCredential, "JSON-LD", edit(t, di, func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), "https://evil.example/context.json")
		})},
		{"inline_context_redefines_name", verifier.ReasonInvalidCredential, "JSON-LD", edit(t, di, func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), map[string]any{"name": "https://evil.example/ignored"})
		})},
		{"key_of_another_structure", verifier.ReasonClaimsMismatch, "", resign(t, di, atelierRing.EdSigner().Private, atelierRing.EdSigner().ID(atelierDID), nil)},
		{"unknown_key_of_trusted_issuer", verifier.ReasonUnknownKey, "", resign(t, di, attacker, fx.did+"#"+attackerMB, nil)},
		{"p256_key_id_as_method", verifier.ReasonUnknownKey, "", resign(t, di, ek.Private, fx.kid, nil)},
		{"attacker_issuer", verifier.ReasonUnknownIssuer, "", resign(t, di, attacker, evilDID+"#"+attackerMB, func(m map[string]any) {
			m["issuer"].(map[string]any)["id"] = evilDID
		})},
		{"expired", verifier.ReasonExpired, "", resign(t, di, ek.Private, vm, func(m map[string]any) {
			m["validFrom"] = fixedNow.Add(-48 * time.Hour).UTC().Format(time.RFC3339)
			m["validUntil"] = fixedNow.Add(-time.Hour).UTC().Format(time.RFC3339)
		})},
		{"not_open_badges", verifier.ReasonInvalidCredential, "", resign(t, di, ek.Private, vm, func(m map[string]any) {
			m["type"] = []any{"VerifiableCredential"}
		})},
		{"blank_node_label", verifier.ReasonTooLarge, "complex", resign(t, di, ek.Private, vm, nil)},
		{"huge", verifier.ReasonTooLarge, "KiB", edit(t, di, func(m map[string]any) { m["description"] = strings.Repeat("a", verifier.MaxDataIntegrity) })},
		{"proof_null", verifier.ReasonUnsigned, "", edit(t, di, func(m map[string]any) { m["proof"] = nil })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			input := tc.input
			if tc.name == "blank_node_label" {
				// Signed first, then given a blank node label: the shape is
				// refused before the (costly) canonicalisation.
				input = edit(t, di, func(m map[string]any) { m["credentialSubject"].(map[string]any)["id"] = "_:b0" })
			}
			r := verify(t, fx.v, input)
			if r.Valid || r.Reason != tc.want {
				t.Fatalf("reason %q (%s), want %q", r.Reason, r.Message, tc.want)
			}
			if r.Message == "" || r.MessageFR == "" || !strings.Contains(r.Message, tc.msg) {
				t.Errorf("message %q / %q, want one with %q", r.Message, r.MessageFR, tc.msg)
			}
			if tc.want != verifier.ReasonExpired && tc.want != verifier.ReasonInvalidCredential && r.SignatureVerified {
				t.Error("signature reported verified")
			}
		})
	}
}

// A revoked credential is reported revoked in its Data Integrity form too:
// the status entry is the same, and so is the list.
func TestDataIntegrityRevoked(t *testing.T) {
	fx := newStatusFixture(t)
	fx.set(func() { fx.revoked = []int{7} })
	for _, tc := range []struct {
		index  int
		valid  bool
		status string
		reason string
	}{
		{1, true, verifier.StatusActive, ""},
		{7, false, verifier.StatusRevoked, verifier.ReasonRevoked},
	} {
		di, err := issuer.DataIntegrityCredential(fx.credential(t, "revocation", tc.index, fx.revURL), fx.ed)
		if err != nil {
			t.Fatal(err)
		}
		r := verify(t, fx.v, di)
		wantStatus(t, r, tc.valid, tc.status, tc.reason)
		if !r.SignatureVerified || r.Learner != "Awa Diallo" {
			t.Errorf("index %d: %+v", tc.index, r)
		}
	}
}

// FuzzDataIntegrity mutates Data Integrity credentials: whatever the input,
// Verify does not panic, refuses with a known reason, and accepts only what
// a trusted key signed.
func FuzzDataIntegrity(f *testing.F) {
	fx := newFixture(f, &fixedKeys{})
	is := fx.issue(f, "Éloïse Ndiaye-Bérénice")
	di := fx.diOf(f, is.JWT)
	f.Add(di)
	m := decodeObject(f, di)
	m["proof"].(map[string]any)["cryptosuite"] = "ecdsa-rdfc-2019"
	f.Add(marshal(f, m))
	m = decodeObject(f, di)
	m["@context"] = []any{"https://www.w3.org/ns/credentials/v2", map[string]any{"@vocab": "https://evil.example/"}}
	f.Add(marshal(f, m))
	m = decodeObject(f, di)
	m["credentialSubject"].(map[string]any)["id"] = "_:b0"
	f.Add(marshal(f, m))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","issuer":"did:web:x","proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofPurpose":"assertionMethod","created":"2025-01-01T00:00:00Z","verificationMethod":"did:web:x#z6Mk","proofValue":"z1"}}`))
	f.Fuzz(func(t *testing.T, input []byte) {
		r := verify(t, fx.v, input)
		checkInvariants(t, fx.reg, r)
	})
}

// A Data Integrity credential of an issuer not trusted here: its proof is
// checked with the Ed25519 key its did:web document publishes, only to
// tell a genuine credential ("signature correct, issuer not trusted here")
// from a forgery; nothing of it is shown.
func TestDataIntegrityUntrustedIssuer(t *testing.T) {
	s := newSite(t)
	did := s.publish("lille", "Médiathèque de Lille")
	is := s.issue(t, "lille", "Médiathèque de Lille", "Éloïse Ndiaye")
	ring, _ := s.store.Ring("lille")
	di, err := issuer.DataIntegrityCredential(is.JWT, ring.EdSigner())
	if err != nil {
		t.Fatal(err)
	}
	v := untrustedVerifier(&verifier.DIDResolver{Fetcher: localFetcher()})
	r := v.Verify(t.Context(), di)
	wantNothingShown(t, r)
	if r.Reason != verifier.ReasonUnknownIssuer || !r.SignatureVerified || r.Message != verifier.UntrustedSignatureMessage ||
		r.Issuer == nil || r.Issuer.KeyID != ring.EdSigner().ID(did) || r.Issuer.Name != "Médiathèque de Lille" {
		t.Fatalf("genuine, untrusted: %+v", r)
	}
	forged := edit(t, di, func(m map[string]any) { m["name"] = "Compétences : toutes" })
	r = v.Verify(t.Context(), forged)
	wantNothingShown(t, r)
	if r.Reason != verifier.ReasonBadSignature || r.SignatureVerified {
		t.Fatalf("forged, untrusted: %+v", r)
	}
}
