package schema

import (
	"context"
	"encoding/json"
	"time"
)

// TrustedSource is a partner this instance trusts: a did:web, a JWKS URL or
// another Carnet instance's base URL, with the issuers it named at the last
// successful fetch. The cached issuers keep verifying while the partner is
// down.
type TrustedSource struct {
	ID            int64
	Source        string // the URL or did:web as the administrator gave it
	Name          string // display name
	AddedBy       string // label of the administrator who added it
	AddedAt       time.Time
	LastFetchAt   time.Time // zero: never fetched
	LastSuccessAt time.Time // zero: never fetched successfully
	LastError     string    // of the last fetch; empty when it succeeded
	Issuers       []TrustedSourceIssuer
	// HTTP caching of the last successful answer: its validators, sent
	// back on the next refresh (a 304 keeps the issuers), and how long it
	// said it stays fresh (zero when it said nothing).
	ETag         string
	LastModified string
	MaxAge       time.Duration
	// ExpiresAt is when a signed trust list stops vouching for its issuers
	// (its exp, at the last successful fetch); zero for other partners.
	ExpiresAt time.Time
}

// Expired reports whether the source is a trust list past its expiry: its
// issuers are then no longer trusted, until a fetch brings a valid list.
func (ts *TrustedSource) Expired(now time.Time) bool {
	return !ts.ExpiresAt.IsZero() && !now.Before(ts.ExpiresAt)
}

// Scheduled refreshes of trusted sources: when the partner's answer said
// how long it stays fresh, the next refresh is due then, within these
// bounds; otherwise after DefaultTrustRefresh.
const (
	DefaultTrustRefresh = time.Hour
	MinTrustRefresh     = 5 * time.Minute
	MaxTrustRefresh     = 24 * time.Hour
)

// NextRefresh returns when the source should be fetched again.
func (ts *TrustedSource) NextRefresh() time.Time {
	every := DefaultTrustRefresh
	if ts.MaxAge > 0 {
		every = min(max(ts.MaxAge, MinTrustRefresh), MaxTrustRefresh)
	}
	if ts.LastError != "" && !ts.LastFetchAt.IsZero() {
		// A failing partner is tried again sooner, but not in a loop.
		every = min(every, 15*time.Minute)
	}
	return ts.LastFetchAt.Add(every)
}

// TrustedSourceIssuer is one issuer a trusted source named, with its public
// keys as JWK JSON objects.
type TrustedSourceIssuer struct {
	ID   string            `json:"id"`
	Name string            `json:"name,omitempty"`
	URL  string            `json:"url,omitempty"` // the document the keys came from
	Keys []json.RawMessage `json:"keys"`
}

// TrustStore keeps the trusted sources.
type TrustStore interface {
	// CreateTrustedSource stores a new source; ECONFLICT when the same
	// source is already trusted.
	CreateTrustedSource(ctx context.Context, ts *TrustedSource) error
	FindTrustedSource(ctx context.Context, id int64) (*TrustedSource, error)
	// ListTrustedSources lists the sources, oldest first.
	ListTrustedSources(ctx context.Context) ([]*TrustedSource, error)
	// UpdateTrustedSource records the result of a fetch: name, fetch
	// times, error and issuers.
	UpdateTrustedSource(ctx context.Context, ts *TrustedSource) error
	DeleteTrustedSource(ctx context.Context, id int64) error
}

// Audit actions of the trust registry.
const (
	AuditTrustAdded     = "trust_added"
	AuditTrustRefreshed = "trust_refreshed"
	AuditTrustRemoved   = "trust_removed"
)
