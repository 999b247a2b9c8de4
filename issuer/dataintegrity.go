package issuer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"carnet/dataintegrity"
	"carnet/keys"
	"carnet/schema"
)

// DataIntegrityCredential returns the Data Integrity form of a credential
// Carnet signed as a JWS: the same credential (the JWS payload without its
// JWT claims iss, jti, sub, nbf, exp) secured by a DataIntegrityProof
// (eddsa-rdfc-2022) of k, the issuer's Ed25519 key. The proof is dated at
// the credential's validFrom, or at k's creation when k is newer (a key
// added to a structure after it issued), so the same credential and key
// always give the same bytes.
func DataIntegrityCredential(jws string, k *keys.EdKey) ([]byte, error) {
	if k == nil || k.Private == nil {
		return nil, fmt.Errorf("issuer: no Ed25519 signing key")
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("issuer: not a compact JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("issuer: JWS payload: %w", err)
	}
	var c schema.Credential
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("issuer: JWS payload: %w", err)
	}
	if !strings.HasPrefix(c.Issuer.ID, "did:") {
		return nil, fmt.Errorf("issuer: the credential's issuer is not a DID")
	}
	created, err := time.Parse(time.RFC3339, c.ValidFrom)
	if err != nil {
		return nil, fmt.Errorf("issuer: validFrom: %w", err)
	}
	if k.Created.After(created) {
		created = k.Created
	}
	body, err := schema.MarshalCompact(&c)
	if err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	// The credential in Carnet's member order, unless a member of the JWS
	// payload has no field in schema.Credential (a credential signed by an
	// older or newer Carnet): then the payload's members as they are.
	var all, kept map[string]any
	if err := json.Unmarshal(payload, &all); err != nil {
		return nil, fmt.Errorf("issuer: JWS payload: %w", err)
	}
	for _, claim := range []string{"iss", "jti", "sub", "nbf", "exp"} {
		delete(all, claim)
	}
	if err := json.Unmarshal(body, &kept); err != nil || !reflect.DeepEqual(all, kept) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(all); err != nil {
			return nil, fmt.Errorf("issuer: %w", err)
		}
		body = bytes.TrimSpace(buf.Bytes())
	}
	return dataintegrity.Sign(body, k.Private, k.ID(c.Issuer.ID), created)
}
