// Package oid4vci holds what Carnet says and checks in OpenID for
// Verifiable Credential Issuance 1.0 (issue 16), pre-authorised code flow:
// the issuer and authorisation server metadata, credential offers and the
// wallet's proof of possession. It knows nothing of HTTP or storage; app
// keeps the single-use codes, tokens and nonces.
package oid4vci

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// Endpoints, under the instance's base URL.
const (
	MetadataPath    = "/.well-known/openid-credential-issuer"
	ASMetadataPath  = "/.well-known/oauth-authorization-server"
	TokenPath       = "/oid4vci/token"
	NoncePath       = "/oid4vci/nonce"
	CredentialPath  = "/oid4vci/credential"
	GrantPreAuth    = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	ProofType       = "openid4vci-proof+jwt"
	OfferScheme     = "openid-credential-offer://"
	FormatJWTVCJSON = "jwt_vc_json"
	FormatLDPVC     = "ldp_vc"
)

// Lifetimes of the flow's secrets: a wallet scans and asks at once.
const (
	CodeLifetime  = 10 * time.Minute
	TokenLifetime = 5 * time.Minute
	NonceLifetime = 5 * time.Minute
	// ProofMaxAge bounds how old (by its iat) a proof may be; a proof may
	// also be up to ProofSkew in the future (clocks differ).
	ProofMaxAge = 5 * time.Minute
	ProofSkew   = time.Minute
	// MaxProof bounds a proof JWT, in bytes.
	MaxProof = 8 << 10
)

// Configuration is a credential configuration Carnet offers: one credential
// in one format. The configuration id names it in offers and requests.
type Configuration struct {
	ID     string
	Format string
	// Context is the credential's @context, which the metadata of an
	// ldp_vc configuration lists; nil for jwt_vc_json.
	Context []string
}

// Configurations are the configurations Carnet offers, by id, all of them
// in every offer (the wallet picks one): the credential's JWS, and its Data
// Integrity form (eddsa-rdfc-2022), a JSON object. app's WalletCredential
// has a case per format.
var Configurations = []Configuration{
	{ID: "OpenBadgeCredential_jwt_vc_json", Format: FormatJWTVCJSON},
	{ID: "OpenBadgeCredential_ldp_vc", Format: FormatLDPVC, Context: []string{schema.ContextVC2, schema.ContextOB3, schema.ContextOBExt}},
}

// ConfigurationIDs are the ids of Configurations, as offers list them.
func ConfigurationIDs() []string {
	ids := make([]string, len(Configurations))
	for i, c := range Configurations {
		ids[i] = c.ID
	}
	return ids
}

// FindConfiguration returns a configuration by id.
func FindConfiguration(id string) (Configuration, bool) {
	for _, c := range Configurations {
		if c.ID == id {
			return c, true
		}
	}
	return Configuration{}, false
}

// Issuer is the credential issuer identifier of an instance: its base URL.
func Issuer(baseURL string) string { return strings.TrimRight(baseURL, "/") }

// IssuerMetadata is the document at MetadataPath.
func IssuerMetadata(baseURL string) map[string]any {
	iss := Issuer(baseURL)
	confs := map[string]any{}
	for _, c := range Configurations {
		conf := map[string]any{
			"format":                c.Format,
			"credential_definition": definition(c),
			"credential_signing_alg_values_supported": signing(c),
			// The credential is the one Carnet issued to the learner's
			// pseudonymous id: not bound to the wallet's key, so no
			// binding method is claimed. The proof still shows the wallet
			// answers this session's nonce.
			"proof_types_supported": map[string]any{
				"jwt": map[string]any{"proof_signing_alg_values_supported": []string{"ES256", "EdDSA"}},
			},
			"credential_metadata": map[string]any{
				"display": []map[string]any{
					{"name": "Attestation de compétences", "locale": "fr", "description": "Open Badges 3.0, délivrée par une structure de médiation numérique"},
					{"name": "Competence credential", "locale": "en", "description": "Open Badges 3.0, issued by a digital inclusion organisation"},
				},
			},
		}
		confs[c.ID] = conf
	}
	return map[string]any{
		"credential_issuer":                   iss,
		"credential_endpoint":                 iss + CredentialPath,
		"nonce_endpoint":                      iss + NoncePath,
		"display":                             []map[string]any{{"name": "Carnet", "locale": "fr"}, {"name": "Carnet", "locale": "en"}},
		"credential_configurations_supported": confs,
	}
}

// signing names how the credential is signed: a JWS algorithm, or a Data
// Integrity cryptosuite.
func signing(c Configuration) []string {
	if c.Format == FormatLDPVC {
		return []string{"eddsa-rdfc-2022"}
	}
	return []string{"ES256"}
}

func definition(c Configuration) map[string]any {
	d := map[string]any{"type": []string{schema.TypeVC, schema.TypeOBCredential}}
	if c.Format == FormatLDPVC {
		d["@context"] = c.Context
	}
	return d
}

// AuthorizationServerMetadata is the document at ASMetadataPath: the
// instance is its own authorisation server, for the pre-authorised code
// grant only.
func AuthorizationServerMetadata(baseURL string) map[string]any {
	iss := Issuer(baseURL)
	return map[string]any{
		"issuer":                   iss,
		"token_endpoint":           iss + TokenPath,
		"grant_types_supported":    []string{GrantPreAuth},
		"response_types_supported": []string{},
		"pre-authorized_grant_anonymous_access_supported": true,
	}
}

// Offer returns the credential offer of one credential in the given
// configurations: the openid-credential-offer:// URI a wallet opens (by QR
// or link) with the offer inline, and the offer object.
func Offer(baseURL string, configurationIDs []string, code string) (string, map[string]any) {
	offer := map[string]any{
		"credential_issuer":            Issuer(baseURL),
		"credential_configuration_ids": configurationIDs,
		"grants": map[string]any{
			GrantPreAuth: map[string]any{"pre-authorized_code": code},
		},
	}
	b, _ := schema.MarshalCompact(offer)
	return OfferScheme + "?credential_offer=" + url.QueryEscape(strings.TrimSpace(string(b))), offer
}

// Error is an OAuth 2.0 / OpenID4VCI error answer: its code, a description
// and the HTTP status it goes with.
type Error struct {
	Code        string // invalid_grant, invalid_token, invalid_proof, invalid_nonce, …
	Description string
	Status      int
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func proofError(format string, a ...any) *Error {
	return &Error{Code: "invalid_proof", Description: fmt.Sprintf(format, a...), Status: 400}
}

// Proof is a wallet's checked proof of possession.
type Proof struct {
	Key      jose.JSONWebKey // the wallet's public key
	Nonce    string          // the c_nonce it answers; the caller takes it (single use)
	IssuedAt time.Time
}

// ReadProof checks a proof JWT (OpenID4VCI 1.0 appendix F.1): header typ
// openid4vci-proof+jwt, alg ES256 or EdDSA, the wallet's public key as jwk
// or as a did:jwk kid; its signature by that key; aud the issuer; iat
// recent; a nonce present. The nonce itself is the caller's to check.
func ReadProof(proof, issuer string, now time.Time) (*Proof, error) {
	if len(proof) > MaxProof {
		return nil, proofError("the proof is larger than %d bytes", MaxProof)
	}
	jws, err := jose.ParseSigned(proof, []jose.SignatureAlgorithm{jose.ES256, jose.EdDSA})
	if err != nil {
		return nil, proofError("not a compact JWS signed with ES256 or EdDSA: %v", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, proofError("one signature expected")
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != ProofType {
		return nil, proofError("typ must be %s", ProofType)
	}
	var key jose.JSONWebKey
	switch {
	case h.JSONWebKey != nil && h.KeyID == "":
		key = *h.JSONWebKey
	case h.JSONWebKey == nil && strings.HasPrefix(h.KeyID, "did:jwk:"):
		if key, err = didJWK(h.KeyID); err != nil {
			return nil, err
		}
	default:
		return nil, proofError("the wallet's key must be given as jwk, or as a did:jwk kid")
	}
	if !key.Valid() || !key.IsPublic() {
		return nil, proofError("the wallet's key must be a valid public key")
	}
	switch k := key.Key.(type) {
	case *ecdsa.PublicKey:
		if h.Algorithm != string(jose.ES256) || k.Curve.Params().Name != "P-256" {
			return nil, proofError("an EC key must be P-256 with ES256")
		}
	case ed25519.PublicKey:
		if h.Algorithm != string(jose.EdDSA) {
			return nil, proofError("an Ed25519 key goes with EdDSA")
		}
	default:
		return nil, proofError("the wallet's key must be EC P-256 or Ed25519")
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, proofError("the signature does not verify with the wallet's key")
	}
	var c struct {
		Aud   json.RawMessage `json:"aud"`
		Iat   *json.Number    `json:"iat"`
		Nonce string          `json:"nonce"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, proofError("the proof's claims are not a JSON object")
	}
	var aud []string
	if json.Unmarshal(c.Aud, &aud) != nil {
		var one string
		if json.Unmarshal(c.Aud, &one) != nil {
			return nil, proofError("aud must be the credential issuer")
		}
		aud = []string{one}
	}
	if !slices.Contains(aud, issuer) {
		return nil, proofError("aud must be the credential issuer %s", issuer)
	}
	if c.Iat == nil {
		return nil, proofError("iat is missing")
	}
	secs, err := c.Iat.Int64()
	if err != nil {
		return nil, proofError("iat must be a number of seconds")
	}
	iat := time.Unix(secs, 0)
	if iat.Before(now.Add(-ProofMaxAge)) || iat.After(now.Add(ProofSkew)) {
		return nil, proofError("iat is too old or in the future")
	}
	if c.Nonce == "" {
		return nil, &Error{Code: "invalid_nonce", Description: "the proof has no nonce: ask the nonce endpoint for one", Status: 400}
	}
	return &Proof{Key: key, Nonce: c.Nonce, IssuedAt: iat}, nil
}

// didJWK reads the public key of a did:jwk (with an optional #0 fragment).
func didJWK(kid string) (jose.JSONWebKey, error) {
	id, _, _ := strings.Cut(strings.TrimPrefix(kid, "did:jwk:"), "#")
	b, err := base64.RawURLEncoding.DecodeString(id)
	var key jose.JSONWebKey
	if err != nil || key.UnmarshalJSON(b) != nil {
		return key, proofError("the did:jwk kid does not hold a JWK")
	}
	return key, nil
}
