package schema

import (
	"context"
	"time"
	"unicode"
)

// Structure is an organisation that issues credentials (library, France
// Services, association): one issuer profile with its own keys and did:web.
type Structure struct {
	ID        int64
	Slug      string
	Name      string
	URL       string
	Email     string
	ImageURL  string
	CreatedAt time.Time
	// Frameworks are the framework ids the structure assesses against, in
	// its order: the first opens the assessment; empty: the built-in order.
	Frameworks []string
	Address    string    // postal address, for cards and the profile
	SetUpAt    time.Time // when the setup page was confirmed; zero: not yet
	// CardLang is the language of the cards it prints, the learner's:
	// "fr" (the default, also when empty) or French and a second language
	// ("fr+en"); see CardLangs.
	CardLang string
}

// ValidateSlug checks a structure slug: 1–40 lowercase letters, digits or
// '-', starting with a letter or digit. Slugs appear in did:web ids and URLs.
func ValidateSlug(slug string) error {
	ok := slug != "" && len(slug) <= 40 && slug[0] != '-'
	for _, r := range slug {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			ok = false
		}
	}
	if !ok {
		return Errorf(EINVALID, "invalid structure slug %q: use 1 to 40 lowercase letters, digits or '-'",
			"identifiant de structure %q invalide : 1 à 40 lettres minuscules, chiffres ou '-'", slug)
	}
	return nil
}

// LevelResult is the level reached in one competency.
type LevelResult struct {
	Competency string `json:"competency"`
	Level      string `json:"level"`
}

// EvidenceItem supports an assessment: an observation, a piece of work, a link.
type EvidenceItem struct {
	Name      string `json:"name,omitempty"`
	Narrative string `json:"narrative,omitempty"`
	URL       string `json:"url,omitempty"`
}

// Assessment is what a mediator observed of a learner against one framework;
// the issuer turns it into one credential.
type Assessment struct {
	LearnerName string // display name carried by the credential
	LearnerID   string // the structure's learner record, when there is one
	SubjectID   string // pseudonymous urn:uuid of the learner; generated when empty
	Framework   string
	Results     []LevelResult
	Evidence    []EvidenceItem
	Method      string // how it was assessed ("observation en atelier")
	Mediator    string // who assessed
	MediatorID  int64  // user id of who assessed; 0 from the CLI
	AssessedAt  time.Time
	ValidUntil  time.Time // zero: no expiry
}

// MaxNameLength bounds a learner's display name, in characters.
const MaxNameLength = 120

// CleanName cleans a learner's display name, as credentials and cards
// carry it: valid UTF-8 in NFC, ASCII white space collapsed and outer white
// space trimmed, no control, bidirectional or invisible character (see
// CleanLabel), 1 to MaxNameLength characters with at least one letter.
func CleanName(name string) (string, error) {
	name, err := cleanName(name, MaxNameLength, "the name", "le nom", unicode.IsLetter)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", Errorf(EINVALID, "the name must have 1 to %d characters", "le nom doit compter de 1 à %d caractères", MaxNameLength)
	}
	return name, nil
}

// CredentialRecord is an issued credential as stored by the issuing structure.
type CredentialRecord struct {
	ID            string // urn:uuid:…
	Structure     string // slug
	StructureID   int64
	LearnerID     string // "" when issued without a learner record (CLI)
	SubjectID     string
	LearnerName   string
	Framework     string
	Results       []LevelResult
	IssuedAt      time.Time
	ValidUntil    time.Time // zero: none
	JWT           string
	CardToken     string
	ShortCode     string
	StatusList    int
	StatusIndex   int
	RevokedAt     time.Time // zero: not revoked
	RevokeReason  string
	SuspendedAt   time.Time // zero: not suspended
	SuspendReason string
	IssuedBy      int64     // user id; 0 from the CLI
	ErasedAt      time.Time // the learner's data was erased: no name, JWT or card token kept
}

// Status returns "revoked", "suspended" or "active".
func (c *CredentialRecord) Status() string {
	switch {
	case !c.RevokedAt.IsZero():
		return StatusRevoked
	case !c.SuspendedAt.IsZero():
		return StatusSuspended
	}
	return StatusActive
}

// Credential statuses, and the purposes of the status lists that publish them.
const (
	StatusActive    = "active"
	StatusRevoked   = "revoked"
	StatusSuspended = "suspended"

	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
)

// StatusChange revokes, suspends or reinstates a credential.
type StatusChange struct {
	Action string // AuditRevoke, AuditSuspend or AuditUnsuspend
	Reason string
	At     time.Time
}

// CredentialFilter selects credentials, newest first.
type CredentialFilter struct {
	StructureIDs []int64 // nil: every structure
	LearnerID    string
	Limit        int
}

// StatusListSize is the number of entries of a Bitstring Status List
// (131,072, the minimum the W3C recommendation allows).
const StatusListSize = 131072

// StructureStore keeps structures.
type StructureStore interface {
	CreateStructure(ctx context.Context, s *Structure) error
	FindStructure(ctx context.Context, slug string) (*Structure, error)
	ListStructures(ctx context.Context) ([]*Structure, error)
	UpdateStructure(ctx context.Context, s *Structure) error
	SetLogo(ctx context.Context, slug string, data []byte, contentType string) error
	Logo(ctx context.Context, slug string) ([]byte, string, error)
}

// CredentialStore keeps issued credentials.
type CredentialStore interface {
	// ReserveStatusIndex reserves an unused random index in a status list of
	// the structure, picking candidates with pick(n) in [0, n).
	ReserveStatusIndex(ctx context.Context, structure string, pick func(n int) (int, error)) (list, index int, err error)
	CreateCredential(ctx context.Context, c *CredentialRecord) error
	FindCredential(ctx context.Context, id string) (*CredentialRecord, error)
	FindCredentialByShortCode(ctx context.Context, code string) (*CredentialRecord, error)
	ListCredentials(ctx context.Context, f CredentialFilter) ([]*CredentialRecord, error)
	// SetCredentialStatus applies a change; revocation is final (ECONFLICT
	// on a revoked credential).
	SetCredentialStatus(ctx context.Context, id string, ch StatusChange) (*CredentialRecord, error)
	// StatusIndexes lists the indexes set in a status list of a structure.
	StatusIndexes(ctx context.Context, structure string, list int, purpose string) ([]int, error)
}
