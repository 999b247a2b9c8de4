package schema

import (
	"bytes"
	"encoding/json"
	"time"
)

// Contexts, types and URLs of the credential format (DESIGN.md § Formats).
const (
	ContextVC2        = "https://www.w3.org/ns/credentials/v2"
	ContextOB3        = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextOBExt      = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
	OBSchemaURL       = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
	OBSchemaType      = "1EdTechJsonSchemaValidator2019"
	TypeVC            = "VerifiableCredential"
	TypeOBCredential  = "OpenBadgeCredential"
	TypeAchievementCr = "AchievementCredential"
	TypeStatusEntry   = "BitstringStatusListEntry"

	// AlignFramework and AlignCompetency are the targetType values Carnet gives
	// the alignment of an achievement to its framework and of a result
	// description to a framework item (OB 3.0 allows "ext:" extensions).
	AlignFramework  = "ext:Framework"
	AlignCompetency = "ext:Competency"
)

// Types is a JSON-LD "type": an array, also read from a single string.
type Types []string

// UnmarshalJSON accepts a string or an array of strings.
func (t *Types) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Types{s}
		return nil
	}
	var a []string
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	*t = a
	return nil
}

// Has reports whether t contains name.
func (t Types) Has(name string) bool {
	for _, s := range t {
		if s == name {
			return true
		}
	}
	return false
}

// Credential is a W3C VC 2.0 / Open Badges 3.0 OpenBadgeCredential, the JSON
// payload of the credential JWS.
type Credential struct {
	Context           []string           `json:"@context"`
	ID                string             `json:"id"`
	Type              Types              `json:"type"`
	Name              string             `json:"name,omitempty"`
	Description       string             `json:"description,omitempty"`
	Issuer            Profile            `json:"issuer"`
	ValidFrom         string             `json:"validFrom"`
	ValidUntil        string             `json:"validUntil,omitempty"`
	AwardedDate       string             `json:"awardedDate,omitempty"`
	CredentialSubject AchievementSubject `json:"credentialSubject"`
	Evidence          []Evidence         `json:"evidence,omitempty"`
	CredentialStatus  *CredentialStatus  `json:"credentialStatus,omitempty"`
	CredentialSchema  []CredentialSchema `json:"credentialSchema,omitempty"`
}

// Profile is an OB 3.0 issuer profile.
type Profile struct {
	ID          string `json:"id"`
	Type        Types  `json:"type"`
	Name        string `json:"name,omitempty"`
	URL         string `json:"url,omitempty"`
	Email       string `json:"email,omitempty"`
	Description string `json:"description,omitempty"`
	Image       *Image `json:"image,omitempty"`
}

// UnmarshalJSON also accepts an issuer given as a bare URI string.
func (p *Profile) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		*p = Profile{}
		return json.Unmarshal(b, &p.ID)
	}
	type plain Profile
	return json.Unmarshal(b, (*plain)(p))
}

// Image is an OB 3.0 image reference.
type Image struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Caption string `json:"caption,omitempty"`
}

// AchievementSubject is the credential subject: the learner.
type AchievementSubject struct {
	ID          string           `json:"id,omitempty"`
	Type        Types            `json:"type"`
	Identifier  []IdentityObject `json:"identifier,omitempty"`
	Achievement Achievement      `json:"achievement"`
	Result      []Result         `json:"result,omitempty"`
}

// IdentityObject identifies the recipient; Carnet carries the learner's
// display name as identityType "name", not hashed.
type IdentityObject struct {
	Type         string `json:"type"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	IdentityHash string `json:"identityHash"`
	Salt         string `json:"salt,omitempty"`
}

// Achievement is what the credential recognises: here, the scope of one
// assessment against one framework.
type Achievement struct {
	ID                string              `json:"id"`
	Type              Types               `json:"type"`
	AchievementType   string              `json:"achievementType,omitempty"`
	Name              string              `json:"name"`
	Description       string              `json:"description"`
	Criteria          *Criteria           `json:"criteria"`
	Alignment         []Alignment         `json:"alignment,omitempty"`
	ResultDescription []ResultDescription `json:"resultDescription,omitempty"`
	InLanguage        string              `json:"inLanguage,omitempty"`
}

// Criteria says how the achievement is earned.
type Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

// Alignment points to a node of a framework.
type Alignment struct {
	Type            Types  `json:"type"`
	TargetName      string `json:"targetName"`
	TargetURL       string `json:"targetUrl"`
	TargetFramework string `json:"targetFramework,omitempty"`
	TargetCode      string `json:"targetCode,omitempty"`
	TargetType      string `json:"targetType,omitempty"`
}

// ResultDescription describes one assessed competency and its possible levels.
type ResultDescription struct {
	ID                   string                 `json:"id"`
	Type                 Types                  `json:"type"`
	Name                 string                 `json:"name"`
	ResultType           string                 `json:"resultType"`
	Alignment            []Alignment            `json:"alignment,omitempty"`
	RubricCriterionLevel []RubricCriterionLevel `json:"rubricCriterionLevel,omitempty"`
}

// RubricCriterionLevel is one level of a framework, for one competency.
type RubricCriterionLevel struct {
	ID          string `json:"id"`
	Type        Types  `json:"type"`
	Name        string `json:"name"`
	Level       string `json:"level,omitempty"`
	Description string `json:"description,omitempty"`
}

// Result is the level achieved for one ResultDescription.
type Result struct {
	Type              Types  `json:"type"`
	ResultDescription string `json:"resultDescription,omitempty"`
	AchievedLevel     string `json:"achievedLevel,omitempty"`
}

// Evidence supports the assessment (observation, work, link).
type Evidence struct {
	ID          string `json:"id,omitempty"`
	Type        Types  `json:"type"`
	Name        string `json:"name,omitempty"`
	Narrative   string `json:"narrative,omitempty"`
	Description string `json:"description,omitempty"`
	Genre       string `json:"genre,omitempty"`
}

// CredentialStatus is a W3C Bitstring Status List entry.
type CredentialStatus struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose,omitempty"`
	StatusListIndex      string `json:"statusListIndex,omitempty"`
	StatusListCredential string `json:"statusListCredential,omitempty"`
}

// CredentialSchema names a JSON schema the credential conforms to.
type CredentialSchema struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// LearnerName returns the display name the credential carries, or "".
func (c *Credential) LearnerName() string {
	for _, id := range c.CredentialSubject.Identifier {
		if id.IdentityType == "name" && !id.Hashed {
			return id.IdentityHash
		}
	}
	return ""
}

// FrameworkID returns the id of the framework the achievement is aligned to.
func (c *Credential) FrameworkID() string {
	for _, a := range c.CredentialSubject.Achievement.Alignment {
		if a.TargetType == AlignFramework {
			return a.TargetCode
		}
	}
	return ""
}

// Levels returns the achieved level of each assessed competency, in the
// order of the credential's results.
func (c *Credential) Levels() []LevelResult {
	rds := c.CredentialSubject.Achievement.ResultDescription
	var out []LevelResult
	for _, r := range c.CredentialSubject.Result {
		for _, rd := range rds {
			if rd.ID != r.ResultDescription {
				continue
			}
			code := ""
			for _, a := range rd.Alignment {
				if a.TargetType == AlignCompetency {
					code = a.TargetCode
				}
			}
			for _, l := range rd.RubricCriterionLevel {
				if l.ID == r.AchievedLevel {
					out = append(out, LevelResult{Competency: code, Level: l.Level})
				}
			}
		}
	}
	return out
}

// MarshalCompact encodes v as minified JSON without HTML escaping, the form
// that is signed.
func MarshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// FormatTime formats t as an XML Schema dateTimeStamp in UTC with whole
// seconds, as validFrom and the JWT nbf claim must agree.
func FormatTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
