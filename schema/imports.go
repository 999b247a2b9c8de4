package schema

import (
	"context"
	"time"
)

// ImportedCredential is a credential from another structure (of this
// instance or a partner's) that a mediator verified and attached to a
// learner of their own structure, so that the learner's path continues
// where it left off. Input is kept as given (a credential JWS or JSON, a
// card token, a scanned QR text) and verified again whenever the path is
// shown; the other fields are what the verification said when attached.
type ImportedCredential struct {
	ID           int64
	LearnerID    string
	StructureID  int64
	Kind         string // "credential" or "card"
	Input        string
	CredentialID string
	IssuerID     string
	IssuerName   string
	LearnerName  string // the display name the credential carries
	Framework    string
	Levels       []LevelResult
	ValidFrom    time.Time
	ValidUntil   time.Time // zero: no expiry
	AttachedBy   int64     // user id
	AttachedAt   time.Time
	// LastStatus is the verdict of the last verification: StatusActive,
	// StatusRevoked, StatusSuspended or a verifier reason ("expired",
	// "unknown_issuer"…). LastCheckedAt is how recent the information
	// behind it is (when the issuer's status list was last read).
	LastStatus    string
	LastCheckedAt time.Time
	// RevokedAt is when the credential was first seen revoked (zero:
	// never). A revocation is final: it stays whatever later
	// verifications say (the issuer no longer trusted, its list out of
	// reach).
	RevokedAt time.Time
}

// ImportStore keeps the credentials attached to learners.
type ImportStore interface {
	// CreateImport stores an attachment; ECONFLICT when the learner
	// already has this credential.
	CreateImport(ctx context.Context, imp *ImportedCredential) error
	// ListImports lists a learner's attachments, oldest first.
	ListImports(ctx context.Context, learnerID string) ([]*ImportedCredential, error)
	// UpdateImportStatus records the verdict of the latest verification of
	// the attachment id: status as LastStatus, and checkedAt, how recent
	// the information behind it is, as LastCheckedAt. A first
	// StatusRevoked also sets RevokedAt, which no later verdict clears.
	// ENOTFOUND when there is no such attachment.
	UpdateImportStatus(ctx context.Context, id int64, status string, checkedAt time.Time) error
	// DeleteImport removes the attachment id; ENOTFOUND when there is no
	// such attachment.
	DeleteImport(ctx context.Context, id int64) error
}
