package dataintegrity_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"carnet/dataintegrity"
)

const vm = "did:web:carnet.example.org:s:lille#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

var doc = []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
"id":"urn:uuid:0b7f4e9c-5d1a-4a39-9d43-2a4b9c1d0e11","type":["VerifiableCredential","OpenBadgeCredential"],
"issuer":{"id":"did:web:carnet.example.org:s:lille","type":["Profile"],"name":"Médiathèque"},
"validFrom":"2026-03-01T10:00:00Z","name":"Compétences CRCN : 1.1",
"credentialSubject":{"id":"urn:uuid:6f3c1e2a-9b0d-4c8e-8f7a-1d2e3f4a5b6c","type":["AchievementSubject"],
"achievement":{"id":"urn:uuid:1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","type":["Achievement"],"name":"CRCN 1.1","description":"d","criteria":{"narrative":"n"}}}}`)

func key(t testing.TB) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
}

func signed(t testing.TB) map[string]any {
	b, err := dataintegrity.Sign(doc, key(t), vm, time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func verify(m map[string]any) error {
	b, _ := json.Marshal(m)
	var fresh map[string]any
	json.Unmarshal(b, &fresh)
	p, sig, err := dataintegrity.ReadProof(fresh)
	if err != nil {
		return err
	}
	return dataintegrity.Verify(fresh, p, sig, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)).Public().(ed25519.PublicKey))
}

func TestSignVerify(t *testing.T) {
	m := signed(t)
	p := m["proof"].(map[string]any)
	if p["type"] != "DataIntegrityProof" || p["cryptosuite"] != "eddsa-rdfc-2022" || p["proofPurpose"] != "assertionMethod" ||
		p["verificationMethod"] != vm || p["created"] != "2026-03-01T10:00:00Z" || !strings.HasPrefix(p["proofValue"].(string), "z") {
		t.Errorf("proof %v", p)
	}
	if err := verify(m); err != nil {
		t.Fatalf("own proof: %v", err)
	}
	// Same input, same bytes (Ed25519 is deterministic).
	b1, _ := dataintegrity.Sign(doc, key(t), vm, time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	b2, _ := dataintegrity.Sign(doc, key(t), vm, time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	if !bytes.Equal(b1, b2) {
		t.Error("signing twice gives two documents")
	}
}

func TestVerifyRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m map[string]any)
		want error
	}{
		{"name_changed", func(m map[string]any) { m["name"] = "Compétences CRCN : 5.5" }, dataintegrity.ErrBadSignature},
		{"subject_changed", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
		}, dataintegrity.ErrBadSignature},
		{"member_added", func(m map[string]any) { m["description"] = "ajout" }, dataintegrity.ErrBadSignature},
		{"created_changed", func(m map[string]any) { m["proof"].(map[string]any)["created"] = "2026-03-02T10:00:00Z" }, dataintegrity.ErrBadSignature},
		{"vm_changed", func(m map[string]any) {
			m["proof"].(map[string]any)["verificationMethod"] = "did:web:evil.example:s:x#z6Mk"
		}, dataintegrity.ErrBadSignature},
		{"forged_proof_value", func(m map[string]any) {
			p := m["proof"].(map[string]any)
			v := []byte(p["proofValue"].(string))
			if v[10] == '2' {
				v[10] = '3'
			} else {
				v[10] = '2'
			}
			p["proofValue"] = string(v)
		}, dataintegrity.ErrBadSignature},
		{"proof_value_not_base58", func(m map[string]any) { m["proof"].(map[string]any)["proofValue"] = "z0OIl" }, dataintegrity.ErrMalformedProof},
		{"proof_value_base64", func(m map[string]any) { m["proof"].(map[string]any)["proofValue"] = "uAAAA" }, dataintegrity.ErrMalformedProof},
		{"wrong_cryptosuite", func(m map[string]any) { m["proof"].(map[string]any)["cryptosuite"] = "ecdsa-rdfc-2019" }, dataintegrity.ErrUnsupportedProof},
		{"jcs_cryptosuite", func(m map[string]any) { m["proof"].(map[string]any)["cryptosuite"] = "eddsa-jcs-2022" }, dataintegrity.ErrUnsupportedProof},
		{"ed25519signature2020", func(m map[string]any) { m["proof"].(map[string]any)["type"] = "Ed25519Signature2020" }, dataintegrity.ErrUnsupportedProof},
		{"proof_set", func(m map[string]any) { m["proof"] = []any{m["proof"], m["proof"]} }, dataintegrity.ErrUnsupportedProof},
		{"no_proof", func(m map[string]any) { delete(m, "proof") }, dataintegrity.ErrNoProof},
		{"authentication_purpose", func(m map[string]any) { m["proof"].(map[string]any)["proofPurpose"] = "authentication" }, dataintegrity.ErrMalformedProof},
		{"extra_proof_member", func(m map[string]any) { m["proof"].(map[string]any)["challenge"] = "x" }, dataintegrity.ErrMalformedProof},
		{"relative_vm", func(m map[string]any) { m["proof"].(map[string]any)["verificationMethod"] = "#key-1" }, dataintegrity.ErrMalformedProof},
		{"unknown_context", func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), "https://evil.example/context.json")
		}, dataintegrity.ErrUnknownContext},
		{"inline_context", func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), map[string]any{"name": "https://evil.example/name"})
		}, dataintegrity.ErrUnknownContext},
		{"vc1_context", func(m map[string]any) { m["@context"] = []any{"https://www.w3.org/2018/credentials/v1"} }, dataintegrity.ErrUnknownContext},
		{"blank_node_label", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["id"] = "_:b0"
		}, dataintegrity.ErrTooComplex},
		{"many_blank_children", func(m map[string]any) {
			var l []any
			for range 7 {
				l = append(l, map[string]any{"narrative": "x"})
			}
			m["evidence"] = []any{map[string]any{"type": "Evidence", "evidence": l}}
		}, dataintegrity.ErrTooComplex},
		{"deep_blank_nodes", func(m map[string]any) {
			var v any = map[string]any{"narrative": "x"}
			for range 6 {
				v = map[string]any{"narrative": "x", "evidence": v}
			}
			m["evidence"] = v
		}, dataintegrity.ErrTooComplex},
		{"type_not_a_string", func(m map[string]any) { m["type"] = 5 }, dataintegrity.ErrInvalidJSONLD},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := signed(t)
			tc.edit(m)
			if err := verify(m); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// The loader never fetches: an unknown context fails at once, offline.
func TestCanonicalizeOffline(t *testing.T) {
	_, err := dataintegrity.Canonicalize(map[string]any{"@context": []any{dataintegrity.ContextVC2, "https://127.0.0.1:1/ctx"}, "id": "urn:x"})
	if !errors.Is(err, dataintegrity.ErrUnknownContext) {
		t.Fatal(err)
	}
}

// BenchmarkCanonicalizeSmall canonicalises a small OB 3.0 credential (one
// achievement, no results).
func BenchmarkCanonicalizeSmall(b *testing.B) {
	var m map[string]any
	json.Unmarshal(doc, &m)
	b.ResetTimer()
	for b.Loop() {
		if _, err := dataintegrity.Canonicalize(m); err != nil {
			b.Fatal(err)
		}
	}
}
