package schema

import (
	"context"
	"time"
)

// The learner's own carnet (issue 16): what a learner reaches through
// their private link, without an account.

// CarnetShare is a read-only link to one credential that a learner made
// from their carnet: it expires, and they may withdraw it.
type CarnetShare struct {
	ID           int64
	LearnerID    string
	CredentialID string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	WithdrawnAt  time.Time
}

// Live reports whether a share link still opens its credential at now.
func (s *CarnetShare) Live(now time.Time) bool {
	return s.WithdrawnAt.IsZero() && now.Before(s.ExpiresAt)
}

// ErasureRequest is a learner's request, sent from their carnet, that
// their structure erase their data.
type ErasureRequest struct {
	LearnerID   string
	LearnerName string
	StructureID int64
	Structure   string // slug
	RequestedAt time.Time
}

// CarnetStore keeps the learners' private links (by the hash of their
// secret), their share links and their erasure requests. Erasing a learner
// (LearnerStore.EraseLearner) deletes all three.
type CarnetStore interface {
	// SetCarnetLink stores the hash of a learner's new private link; the
	// previous one stops working.
	SetCarnetLink(ctx context.Context, learnerID, hash string, at time.Time) error
	// DeleteCarnetLink revokes it; ENOTFOUND when there is none.
	DeleteCarnetLink(ctx context.Context, learnerID string) error
	// HasCarnetLink reports whether a learner has a private link, and since when.
	HasCarnetLink(ctx context.Context, learnerID string) (time.Time, bool, error)
	// FindCarnetLink returns the learner of a link's hash; ENOTFOUND.
	FindCarnetLink(ctx context.Context, hash string) (string, error)

	CreateShare(ctx context.Context, s *CarnetShare, hash string) error
	// FindShare returns the share of a link's hash, live or not; ENOTFOUND.
	FindShare(ctx context.Context, hash string) (*CarnetShare, error)
	ListShares(ctx context.Context, learnerID string) ([]*CarnetShare, error)
	// WithdrawShare ends a learner's share link; ENOTFOUND when the
	// learner has no such link, or it was withdrawn already.
	WithdrawShare(ctx context.Context, learnerID string, id int64, at time.Time) error

	// RequestErasure records a learner's request; asking again keeps the
	// first date.
	RequestErasure(ctx context.Context, learnerID string, at time.Time) error
	// ListErasureRequests lists the pending requests of the learners of
	// the structures (nil: all), oldest first.
	ListErasureRequests(ctx context.Context, structureIDs []int64) ([]*ErasureRequest, error)
}
