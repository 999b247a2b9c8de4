package verifier_test

import (
	"context"
	"crypto"
	"strings"
	"testing"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
)

// TestCardTokenForms: cards issued since issue 11 name no key and carry a
// 22-character jti; cards printed before carry kid: <key thumbprint> and
// the full urn:uuid jti. Both verify, as a token and as the text of their
// QR code, and both report the credential id in full.
func TestCardTokenForms(t *testing.T) {
	fx := newFixture(t, keys.NewMemStore())
	is := fx.issue(t, "Éloïse Ndiaye-Bérénice")
	hdr, payload, _ := parts(t, is.CardToken)
	if string(hdr) != `{"alg":"ES256","zip":"DEF"}` {
		t.Fatalf("card header %s", hdr)
	}
	m := decodeObject(t, inflate(t, payload))
	if jti, _ := m["jti"].(string); len(jti) != 22 || schema.CredentialIDFromJTI(jti) != is.Record.ID {
		t.Fatalf("card jti %q for credential %s", m["jti"], is.Record.ID)
	}
	// The same claims as a card printed before issue 11.
	m["jti"] = is.Record.ID
	old := compact(`{"alg":"ES256","kid":`+jsonString(fx.key.Thumbprint)+`,"zip":"DEF"}`, deflate(t, marshal(t, m)),
		ecdsaSigner(t, fx.key.Private, crypto.SHA256))
	for name, input := range map[string]string{
		"new token": is.CardToken, "new QR text": is.QRText,
		"old token": old, "old QR text": issuer.QRText(testBaseURL, old),
	} {
		res := fx.v.Verify(context.Background(), []byte(input))
		if !res.Valid || res.Kind != "card" || res.CredentialID != is.Record.ID || res.Learner != "Éloïse Ndiaye-Bérénice" {
			t.Errorf("%s: valid=%v (%s), kind %s, credential %q", name, res.Valid, res.Reason, res.Kind, res.CredentialID)
		}
	}
	if len(is.QRText) >= len(issuer.QRText(testBaseURL, old)) || !strings.HasPrefix(is.QRText, testBaseURL) {
		t.Errorf("the new QR text (%d characters) is not shorter than the old one (%d)", len(is.QRText), len(issuer.QRText(testBaseURL, old)))
	}
}

// TestCardJTI: a urn:uuid credential id travels as 22 base64url
// characters and comes back whole; any other id travels as it is.
func TestCardJTI(t *testing.T) {
	for _, id := range []string{"urn:uuid:6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "urn:uuid:00000000-0000-4000-8000-000000000000"} {
		jti := schema.CardJTI(id)
		if len(jti) != 22 || schema.CredentialIDFromJTI(jti) != id {
			t.Errorf("%s → %q → %q", id, jti, schema.CredentialIDFromJTI(jti))
		}
	}
	for _, id := range []string{"urn:uuid:6F1C2E0A-3B4D-4E5F-8A9B-0C1D2E3F4A5B", "urn:uuid:6f1c2e0a3b4d4e5f8a9b0c1d2e3f4a5b0000",
		"https://example.org/credentials/1", "urn:uuid:6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5", ""} {
		if jti := schema.CardJTI(id); jti != id || schema.CredentialIDFromJTI(jti) != id {
			t.Errorf("%q → %q → %q, want it unchanged", id, jti, schema.CredentialIDFromJTI(jti))
		}
	}
}
