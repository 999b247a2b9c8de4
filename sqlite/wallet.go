package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"carnet/schema"
)

// Wallet grants (OpenID4VCI): *LearnerStore implements
// schema.WalletGrantStore, as the grants belong to a learner's credential.

var _ schema.WalletGrantStore = (*LearnerStore)(nil)

var errNoGrant = schema.Errorf(schema.ENOTFOUND, "unknown, used or expired code", "code inconnu, déjà utilisé ou expiré")

// PutWalletGrant implements schema.WalletGrantStore.
func (s *LearnerStore) PutWalletGrant(ctx context.Context, hash string, g *schema.WalletGrant) error {
	if _, err := s.db.db.ExecContext(ctx, `DELETE FROM wallet_grants WHERE expires_at < ?`, formatTime(g.CreatedAt)); err != nil {
		return fmt.Errorf("sqlite: sweep wallet grants: %w", err)
	}
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO wallet_grants (hash, kind, credential_id, learner_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		hash, g.Kind, g.CredentialID, g.LearnerID, formatTime(g.CreatedAt), formatTime(g.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: put wallet grant: %w", err)
	}
	return nil
}

// TakeWalletGrant implements schema.WalletGrantStore: one UPDATE marks the
// grant used, so that two requests with one secret cannot both take it.
func (s *LearnerStore) TakeWalletGrant(ctx context.Context, kind, hash string, now time.Time) (*schema.WalletGrant, error) {
	g := &schema.WalletGrant{Kind: kind}
	var created, expires string
	err := s.db.db.QueryRowContext(ctx, `UPDATE wallet_grants SET used_at = ?
		WHERE hash = ? AND kind = ? AND used_at = '' AND expires_at > ?
		RETURNING credential_id, learner_id, created_at, expires_at`,
		formatTime(now), hash, kind, formatTime(now)).Scan(&g.CredentialID, &g.LearnerID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoGrant
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: take wallet grant: %w", err)
	}
	var t times
	g.CreatedAt, g.ExpiresAt = t.at(created), t.at(expires)
	return g, t.err
}
