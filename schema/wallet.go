package schema

import (
	"context"
	"time"
)

// Kinds of wallet grants (OpenID4VCI, issue 16).
const (
	GrantCode  = "code"  // a credential offer's pre-authorised code
	GrantToken = "token" // the access token a code buys
	GrantNonce = "nonce" // a proof nonce (c_nonce)
)

// WalletGrant is one short-lived, single-use secret of the OpenID4VCI
// pre-authorised code flow, stored by its hash.
type WalletGrant struct {
	Kind         string
	CredentialID string // code and token: the credential offered
	LearnerID    string
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// WalletGrantStore keeps wallet grants.
type WalletGrantStore interface {
	// PutWalletGrant stores a grant under the hash of its secret, and
	// sweeps grants expired before g.CreatedAt.
	PutWalletGrant(ctx context.Context, hash string, g *WalletGrant) error
	// TakeWalletGrant returns the grant of kind with this hash and marks it
	// used, in one step: a grant is taken once. ENOTFOUND when there is
	// none, it was taken already or it expired at now.
	TakeWalletGrant(ctx context.Context, kind, hash string, now time.Time) (*WalletGrant, error)
}
