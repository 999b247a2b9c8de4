package interop_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestCLRInterop walks a learner's record (CLR 2.0, issue 16) through a real
// `carnet serve`: credentials issued by the API, the record downloaded from
// GET /api/v1/learners/{id}/clr.jwt, then checked by interop/check.mjs (Node
// jose against the structure's published JWKS; ajv against the 1EdTech CLR
// 2.0 ClrCredential schema), which shares no code with the Go side. The
// record holds the learner's valid credentials exactly as signed, and a
// tampered record fails.
func TestCLRInterop(t *testing.T) {
	node := requireNode(t)
	token, base := startCarnet(t)
	work := t.TempDir()

	api := apiClient(t, base, token)
	var learner struct {
		ID        string `json:"id"`
		Structure string `json:"structure"`
	}
	json.Unmarshal(api("POST", "/api/v1/learners", map[string]any{"name": "Awa Diallo-Ségué"}, 201), &learner)
	type cred struct {
		ID  string `json:"id"`
		JWT string `json:"jwt"`
	}
	issue := func(fw string, levels map[string]any) cred {
		var c cred
		json.Unmarshal(api("POST", "/api/v1/credentials", map[string]any{"learner_id": learner.ID, "framework": fw, "levels": levels,
			"evidence": "A rempli une démarche en ligne « de bout en bout ».", "method": "Mise en situation"}, 201), &c)
		return c
	}
	valid := []cred{
		issue("digcomp-2.2", map[string]any{"1.1": 3, "2.1": 2}),
		issue("cefr-fr", map[string]any{"CO": "A2"}),
	}
	revoked := issue("digcomp-2.2", map[string]any{"1.1": 1})
	api("POST", "/api/v1/credentials/"+revoked.ID+"/revoke", map[string]any{"reason": "Erreur de saisie"}, 200)

	clrJWS := strings.TrimSpace(string(api("GET", "/api/v1/learners/"+learner.ID+"/clr.jwt", nil, 200)))
	writeFile(t, filepath.Join(work, "clr.jwt"), clrJWS+"\n")
	writeFile(t, filepath.Join(work, "jwks.json"), string(api("GET", "/s/"+learner.Structure+"/jwks.json", nil, 200)))
	schemaFile := filepath.Join("spec", "clr_v2p0", "clrcredential.json")
	res := run(t, -1, ".", node, "check.mjs", "--jwks", filepath.Join(work, "jwks.json"), "--schema", schemaFile,
		"--credentials", filepath.Join(work, "clr.jwt"))
	lines, summary := parseNode(t, res)
	if res.code != 0 || len(lines) != 1 || !lines[0].OK || summary != "1 passed, 0 failed" {
		t.Fatalf("check.mjs refused the CLR (exit %d):\n%s%s", res.code, res.stdout, res.stderr)
	}

	// The record holds the valid credentials, as signed (less their JWT
	// claims), newest first; not the revoked one.
	var payload struct {
		Type              []string            `json:"type"`
		Issuer            struct{ ID string } `json:"issuer"`
		CredentialSubject struct {
			ID                   string                       `json:"id"`
			VerifiableCredential []map[string]json.RawMessage `json:"verifiableCredential"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(segment(t, clrJWS, 1), &payload); err != nil {
		t.Fatal(err)
	}
	if got := payload.CredentialSubject.VerifiableCredential; len(got) != 2 {
		t.Fatalf("the CLR holds %d credentials, want 2", len(got))
	}
	for i, c := range []cred{valid[1], valid[0]} {
		var want map[string]json.RawMessage
		json.Unmarshal(segment(t, c.JWT, 1), &want)
		for _, k := range []string{"iss", "jti", "sub", "nbf", "exp"} {
			delete(want, k)
		}
		got := payload.CredentialSubject.VerifiableCredential[i]
		if !reflect.DeepEqual(canon(t, got), canon(t, want)) {
			t.Errorf("embedded credential %d differs from %s as signed", i, c.ID)
		}
	}
	if payload.CredentialSubject.ID != "urn:uuid:"+learner.ID {
		t.Errorf("CLR subject %q", payload.CredentialSubject.ID)
	}

	// A tampered record fails the signature check.
	writeFile(t, filepath.Join(work, "tampered.jwt"), tamperPayload(t, clrJWS)+"\n")
	res = run(t, 1, ".", node, "check.mjs", "--jwks", filepath.Join(work, "jwks.json"), "--schema", schemaFile,
		"--credentials", filepath.Join(work, "tampered.jwt"))
	if lines, _ := parseNode(t, res); len(lines) != 1 || lines[0].OK {
		t.Errorf("check.mjs accepted a tampered CLR:\n%s", res.stdout)
	}
}

// canon re-encodes a JSON object's members so that equal content compares
// equal whatever the spacing.
func canon(t *testing.T, m map[string]json.RawMessage) map[string]any {
	t.Helper()
	out := map[string]any{}
	for k, v := range m {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			t.Fatal(err)
		}
		out[k] = x
	}
	return out
}

// tamperPayload changes the learner's name in a JWS payload and keeps the
// signature.
func tamperPayload(t *testing.T, jws string) string {
	t.Helper()
	parts := strings.Split(jws, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte("Awa"), []byte("Ava"), 1)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}
