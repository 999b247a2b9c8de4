package issuer

import (
	"fmt"
	"strings"
	"time"

	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// TrustListValidity is how long a published trust list may be relied on
// by an offline verifier before it must be fetched again.
const TrustListValidity = 7 * 24 * time.Hour

// TrustListIssuer is one issuer a Carnet instance trusts, with its public
// keys, as published in the instance's trust list.
type TrustListIssuer struct {
	ID     string             `json:"id"` // did:web
	Name   string             `json:"name,omitempty"`
	Source string             `json:"source,omitempty"` // "local", or where its keys were fetched
	Keys   jose.JSONWebKeySet `json:"keys"`
}

// TrustList is the payload of /trust-list.jwt: whom an instance trusts,
// signed by the instance's first structure and dated, so that another
// instance or an offline verifier can take in a whole network at once.
type TrustList struct {
	Iss     string            `json:"iss"`
	Sub     string            `json:"sub"` // the instance's base URL
	Iat     int64             `json:"iat"`
	Exp     int64             `json:"exp"`
	Issuers []TrustListIssuer `json:"issuers"`
}

// SignTrustList signs a trust list as a compact JWS {alg ES256, kid
// absolute did:web key id, typ JWT}, valid from now for TrustListValidity.
func SignTrustList(signer string, baseURL string, issuers []TrustListIssuer, k *keys.Key, now time.Time) (string, error) {
	if k == nil || k.Private == nil {
		return "", fmt.Errorf("issuer: trust list: no signing key")
	}
	if !strings.HasPrefix(signer, "did:") || strings.Contains(signer, "#") {
		return "", schema.Errorf(schema.EINVALID, "trust list signer %q is not a DID", "le signataire de la liste de confiance %q n'est pas un DID", signer)
	}
	from := now.UTC().Truncate(time.Second)
	tl := TrustList{Iss: signer, Sub: strings.TrimRight(baseURL, "/"), Iat: from.Unix(), Exp: from.Add(TrustListValidity).Unix(), Issuers: issuers}
	if tl.Issuers == nil {
		tl.Issuers = []TrustListIssuer{}
	}
	payload, err := schema.MarshalCompact(tl)
	if err != nil {
		return "", fmt.Errorf("issuer: trust list: %w", err)
	}
	return sign(payload, jose.JSONWebKey{Key: k.Private, KeyID: k.KID(signer)}, (&jose.SignerOptions{}).WithType("JWT"))
}
