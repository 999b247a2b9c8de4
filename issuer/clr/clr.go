// Package clr builds a learner's Comprehensive Learner Record (1EdTech CLR
// 2.0): one ClrCredential that holds the learner's Open Badges 3.0
// credentials, signed by their structure like the credentials themselves
// (compact JWS, ES256, typ JWT). It knows nothing of HTTP, SQL or storage:
// the caller picks the credentials and the key.
package clr

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
)

// The CLR 2.0 names Carnet writes.
const (
	ContextCLR  = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
	SchemaURL   = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
	TypeCLR     = "ClrCredential"
	TypeSubject = "ClrSubject"
)

// MaxCredentials bounds the credentials one CLR holds (the newest are kept).
const MaxCredentials = 500

// Credential is a ClrCredential.
type Credential struct {
	Context           []string                  `json:"@context"`
	ID                string                    `json:"id"`
	Type              schema.Types              `json:"type"`
	Name              string                    `json:"name"`
	Description       string                    `json:"description,omitempty"`
	Issuer            schema.Profile            `json:"issuer"`
	ValidFrom         string                    `json:"validFrom"`
	AwardedDate       string                    `json:"awardedDate"`
	CredentialSubject Subject                   `json:"credentialSubject"`
	CredentialSchema  []schema.CredentialSchema `json:"credentialSchema"`
}

// Subject is the ClrSubject: the learner, their achievements and the
// credentials that assert them.
type Subject struct {
	ID                   string                  `json:"id"`
	Type                 schema.Types            `json:"type"`
	Identifier           []schema.IdentityObject `json:"identifier,omitempty"`
	Achievement          []json.RawMessage       `json:"achievement,omitempty"`
	VerifiableCredential []json.RawMessage       `json:"verifiableCredential"`
}

// Input is what a CLR is made of.
type Input struct {
	ID          string         // urn:uuid of the CLR
	Issuer      schema.Profile // the learner's structure
	SubjectID   string         // the learner's pseudonymous urn:uuid
	LearnerName string         // "" for none (erased)
	Lang        string         // "fr" (default) or "en"
	Credentials []string       // compact JWS of OB 3.0 credentials the issuer signed, newest first
	Now         time.Time
}

// jwtClaims are the JWT claims beside the credential in a JWS payload:
// they are not CLR or OB terms, so the embedded copies leave them out.
var jwtClaims = []string{"iss", "jti", "sub", "nbf", "exp", "iat", "aud"}

// Build returns the ClrCredential of a learner. Each OB 3.0 credential is
// embedded as its JWS payload says (less the JWT claims), its achievement
// listed once. A credential of another subject or issuer is refused.
func Build(in Input) (*Credential, error) {
	if len(in.Credentials) == 0 {
		return nil, schema.Errorf(schema.ECONFLICT, "this learner has no valid credential to put in a record",
			"cette personne n'a aucune attestation valable à mettre dans un relevé")
	}
	if len(in.Credentials) > MaxCredentials {
		in.Credentials = in.Credentials[:MaxCredentials]
	}
	t := texts["fr"]
	if in.Lang == "en" {
		t = texts["en"]
	}
	now := in.Now.UTC().Truncate(time.Second)
	issuerProfile := in.Issuer
	issuerProfile.Type = schema.Types{"Profile"}
	c := &Credential{
		Context:           []string{schema.ContextVC2, ContextCLR, schema.ContextOB3, schema.ContextOBExt},
		ID:                in.ID,
		Type:              schema.Types{schema.TypeVC, TypeCLR},
		Name:              t.name,
		Description:       fmt.Sprintf(t.description, len(in.Credentials), in.Issuer.Name),
		Issuer:            issuerProfile,
		ValidFrom:         schema.FormatTime(now),
		AwardedDate:       schema.FormatTime(now),
		CredentialSubject: Subject{ID: in.SubjectID, Type: schema.Types{TypeSubject}},
		CredentialSchema:  []schema.CredentialSchema{{ID: SchemaURL, Type: schema.OBSchemaType}},
	}
	if in.LearnerName != "" {
		c.Name = fmt.Sprintf(t.nameOf, in.LearnerName)
		c.CredentialSubject.Identifier = []schema.IdentityObject{{
			Type: "IdentityObject", IdentityType: "name", Hashed: false, IdentityHash: in.LearnerName,
		}}
	}
	seen := map[string]bool{}
	for i, jws := range in.Credentials {
		vc, err := embedded(jws)
		if err != nil {
			return nil, fmt.Errorf("clr: credential %d: %w", i, err)
		}
		var head struct {
			Issuer            json.RawMessage `json:"issuer"`
			CredentialSubject struct {
				ID          string          `json:"id"`
				Achievement json.RawMessage `json:"achievement"`
			} `json:"credentialSubject"`
		}
		if err := json.Unmarshal(vc, &head); err != nil {
			return nil, fmt.Errorf("clr: credential %d: %w", i, err)
		}
		var iss schema.Profile
		if err := json.Unmarshal(head.Issuer, &iss); err != nil || iss.ID != in.Issuer.ID {
			return nil, fmt.Errorf("clr: credential %d is not issued by %s", i, in.Issuer.ID)
		}
		if head.CredentialSubject.ID != in.SubjectID {
			return nil, fmt.Errorf("clr: credential %d is not about %s", i, in.SubjectID)
		}
		c.CredentialSubject.VerifiableCredential = append(c.CredentialSubject.VerifiableCredential, vc)
		var ach struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(head.CredentialSubject.Achievement, &ach) == nil && ach.ID != "" && !seen[ach.ID] {
			seen[ach.ID] = true
			c.CredentialSubject.Achievement = append(c.CredentialSubject.Achievement, head.CredentialSubject.Achievement)
		}
	}
	return c, nil
}

// embedded returns the credential a JWS carries, without its JWT claims.
func embedded(jws string) (json.RawMessage, error) {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a compact JWS")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	for _, k := range jwtClaims {
		delete(m, k)
	}
	return schema.MarshalCompact(m)
}

// claims is the JWS payload of a CLR: the ClrCredential with the JWT claims
// VC-JWT asks for beside it, as in Carnet's OB 3.0 credentials.
type claims struct {
	*Credential
	Iss string `json:"iss"`
	Jti string `json:"jti"`
	Sub string `json:"sub"`
	Nbf int64  `json:"nbf"`
}

// Sign signs c with the issuer's key k: a compact JWS (ES256, typ JWT, kid
// the issuer's key id). It returns the JWS and its payload.
func Sign(c *Credential, k *keys.Key) (string, []byte, error) {
	from, err := time.Parse(time.RFC3339, c.ValidFrom)
	if err != nil {
		return "", nil, fmt.Errorf("clr: validFrom: %w", err)
	}
	payload, err := schema.MarshalCompact(claims{Credential: c, Iss: c.Issuer.ID, Jti: c.ID, Sub: c.CredentialSubject.ID, Nbf: from.Unix()})
	if err != nil {
		return "", nil, fmt.Errorf("clr: %w", err)
	}
	jws, err := issuer.SignVC(payload, k, c.Issuer.ID)
	return jws, payload, err
}

type text struct{ name, nameOf, description string }

var texts = map[string]text{
	"fr": {
		name:        "Relevé de compétences",
		nameOf:      "Relevé de compétences de %s",
		description: "Les %d attestation(s) de compétences valables à ce jour, délivrées par %s, en un seul relevé (CLR 2.0).",
	},
	"en": {
		name:        "Record of competences",
		nameOf:      "Record of competences of %s",
		description: "The %d competence credential(s) valid today, issued by %s, in one record (CLR 2.0).",
	},
}
