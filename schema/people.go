package schema

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Role is what a person may do in a structure.
type Role string

// Roles. A network administrator (User.NetworkAdmin) acts in every structure
// of the instance; the others act only in the structures they belong to.
const (
	RoleAdmin    Role = "admin"    // structure administrator: profile, people, audit log
	RoleMediator Role = "mediator" // learners, assessments, credentials
)

// ValidRole reports whether r is a structure role.
func ValidRole(r Role) bool { return r == RoleAdmin || r == RoleMediator }

// User is a person who signs in: a mediator, a structure or network
// administrator.
type User struct {
	ID           int64
	Email        string
	Name         string
	NetworkAdmin bool
	PasswordHash string // "" until the person chooses a password
	CreatedAt    time.Time
	Memberships  []Membership
}

// Membership gives a user a role in one structure.
type Membership struct {
	StructureID   int64
	Structure     string // slug
	StructureName string
	Role          Role
}

// RoleIn returns the user's role in a structure ("" when none). A network
// administrator is an administrator everywhere.
func (u *User) RoleIn(structureID int64) Role {
	for _, m := range u.Memberships {
		if m.StructureID == structureID {
			if u.NetworkAdmin {
				return RoleAdmin
			}
			return m.Role
		}
	}
	if u.NetworkAdmin {
		return RoleAdmin
	}
	return ""
}

// Label is how a user is shown in lists and the audit log.
func (u *User) Label() string {
	if u.Name != "" {
		return u.Name + " <" + u.Email + ">"
	}
	return u.Email
}

// CleanEmail trims and lower-cases an e-mail address and checks its shape.
// Internationalised addresses are kept (in NFC); invisible, space and
// bidirectional characters, which net/mail lets through, are refused.
func CleanEmail(email string) (string, error) {
	if !utf8.ValidString(email) {
		return "", invalidUTF8("the e-mail address", "l'adresse électronique")
	}
	email = strings.ToLower(strings.TrimSpace(norm.NFC.String(email)))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || !strings.Contains(email, "@") ||
		strings.ContainsFunc(email, func(r rune) bool { return !unicode.IsGraphic(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }) {
		return "", Errorf(EINVALID, "%q is not a valid e-mail address", "%q n'est pas une adresse électronique valide", email)
	}
	return email, nil
}

// Password limits. Long passphrases are welcome; the upper bound keeps the
// hashing cost of a hostile request bounded.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// CheckPassword checks a new password's length.
func CheckPassword(p string) error {
	n := utf8.RuneCountInString(p)
	if n < MinPasswordLength || len(p) > MaxPasswordLength {
		return Errorf(EINVALID, "the password must have at least %d characters", "le mot de passe doit compter au moins %d caractères", MinPasswordLength)
	}
	return nil
}

// Link is a one-time link: the first administrator's login link, an
// invitation into a structure, or a password reset an administrator made
// for someone. Only the hash of its secret is stored.
type Link struct {
	Hash        string
	Purpose     string // LinkLogin, LinkInvite or LinkReset
	UserID      int64  // LinkLogin, LinkReset: whose password is set
	Email       string // LinkInvite: who is invited
	StructureID int64  // LinkInvite
	Role        Role   // LinkInvite
	CreatedBy   int64
	ExpiresAt   time.Time
}

// Link purposes.
const (
	LinkLogin  = "login"
	LinkInvite = "invite"
	LinkReset  = "reset"
)

// Session is a signed-in browser. Only the hash of its cookie is stored.
type Session struct {
	Hash      string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken is a bearer token of the JSON API, acting as its user. Only the
// hash of its secret is stored.
type APIToken struct {
	ID         int64
	Hash       string
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Learner is the minimal record a structure keeps of a person it assesses.
type Learner struct {
	ID          string // random UUID; the credential subject is urn:uuid:ID
	StructureID int64
	Structure   string // slug
	Name        string // display name, carried by credentials
	Contact     string // optional: phone, e-mail, postal address
	Notes       string
	ConsentAt   time.Time // when the learner agreed to the record
	CreatedAt   time.Time
	CreatedBy   int64
	ErasedAt    time.Time // zero unless erased: name, contact and notes are gone
}

// SubjectID is the pseudonymous credentialSubject.id of the learner.
func (l *Learner) SubjectID() string { return "urn:uuid:" + l.ID }

// Erased reports whether the learner's personal data was erased.
func (l *Learner) Erased() bool { return !l.ErasedAt.IsZero() }

// Limits on the free-text fields of a learner record.
const (
	MaxContactLength = 300
	MaxNotesLength   = 4000
)

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// AuditEvent is one line of the audit log: who did what, when.
type AuditEvent struct {
	ID          int64
	At          time.Time
	ActorID     int64  // 0: the system or an anonymous visitor
	Actor       string // label of the actor at the time
	StructureID int64  // 0: instance-wide
	Structure   string // slug
	Action      string
	Object      string // id of what was acted on
	Detail      string
	IP          string
}

// Audit actions.
const (
	AuditLogin          = "login"
	AuditLoginFailed    = "login_failed"
	AuditLogout         = "logout"
	AuditPasswordSet    = "password_set"
	AuditInvite         = "invite"
	AuditInviteAccepted = "invite_accepted"
	AuditInviteDeclined = "invite_declined"
	AuditPasswordChange = "password_changed"    // by its owner, on their account page
	AuditResetLink      = "password_reset_link" // made by an administrator for someone
	AuditPasswordReset  = "password_reset"      // a reset link used
	AuditStructure      = "structure_created"
	AuditStructureEdit  = "structure_updated"
	AuditTokenCreated   = "token_created"
	AuditTokenRevoked   = "token_revoked"
	AuditLearnerCreated = "learner_created"
	AuditLearnerErased  = "learner_erased"
	AuditIssue          = "credential_issued"
	AuditRevoke         = "credential_revoked"
	AuditSuspend        = "credential_suspended"
	AuditUnsuspend      = "credential_unsuspended"
	AuditImport         = "credential_attached" // a credential from another structure attached to a learner
	AuditResourceAdd    = "resource_created"    // the self-training catalogue
	AuditResourceEdit   = "resource_updated"
	AuditResourceDelete = "resource_deleted"
	AuditKeysRotated    = "keys_rotated" // a new signing key for a structure
)

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	StructureIDs []int64 // nil: every structure and instance-wide events
	Limit        int
}

// UserStore keeps people, their sessions, one-time links and API tokens.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	FindUser(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context, structureID int64) ([]*User, error)
	CountUsers(ctx context.Context) (int, error)
	SetPassword(ctx context.Context, userID int64, hash string) error
	// ChangePassword sets a password and, in the same transaction, ends
	// every session of the user but keepSession (a hash; "" ends all) and,
	// when revokeTokens, deletes the user's API tokens.
	ChangePassword(ctx context.Context, userID int64, hash, keepSession string, revokeTokens bool) error
	SetMembership(ctx context.Context, userID, structureID int64, role Role) error

	CreateLink(ctx context.Context, l *Link) error
	FindLink(ctx context.Context, hash string, now time.Time) (*Link, error)
	// ConsumeLink deletes a valid link and returns it; ENOTFOUND when it is
	// unknown, used or expired.
	ConsumeLink(ctx context.Context, hash string, now time.Time) (*Link, error)

	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, hash string, now time.Time) (*Session, error)
	ExtendSession(ctx context.Context, hash string, expires time.Time) error
	DeleteSession(ctx context.Context, hash string) error

	CreateAPIToken(ctx context.Context, t *APIToken) error
	FindAPIToken(ctx context.Context, hash string) (*APIToken, error)
	ListAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	DeleteAPIToken(ctx context.Context, userID, id int64) error
}

// LearnerStore keeps learners.
type LearnerStore interface {
	CreateLearner(ctx context.Context, l *Learner) error
	FindLearner(ctx context.Context, id string) (*Learner, error)
	// SearchLearners lists the learners of the structures whose name or
	// contact contains q (case-insensitive), newest first.
	SearchLearners(ctx context.Context, structureIDs []int64, q string, limit int) ([]*Learner, error)
	UpdateLearner(ctx context.Context, l *Learner) error
	// EraseLearner removes the learner's personal data and the names and
	// signed documents of their credentials, which keep their status entry
	// so they stay revocable, and deletes the credentials attached to them
	// from other structures (ImportStore).
	EraseLearner(ctx context.Context, id string, at time.Time) error
	// DeleteLearner removes a learner record that nothing refers to yet
	// (no credential, no attachment): one created for an attachment that
	// then failed. ENOTFOUND when there is no such learner.
	DeleteLearner(ctx context.Context, id string) error
}

// Transactor runs a unit of work in one transaction: every write that the
// stores of the same database make with the context fn receives commits
// when fn returns nil, and none does otherwise. An action and its audit
// entry are written this way, so that neither stands without the other. A
// call inside another's fn joins the outer transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// AuditStore keeps the audit log.
type AuditStore interface {
	AppendAudit(ctx context.Context, e *AuditEvent) error
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
}
