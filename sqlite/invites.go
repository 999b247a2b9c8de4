package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"carnet/schema"
)

// ListInvites returns a structure's pending invitations (not used, not
// expired), the newest first.
func (s *UserStore) ListInvites(ctx context.Context, structureID int64, now time.Time) ([]*schema.Link, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+linkCols+` FROM links WHERE purpose = ? AND structure_id = ? AND expires_at > ?
		ORDER BY expires_at DESC, email`, schema.LinkInvite, structureID, formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	defer rows.Close()
	var out []*schema.Link
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list invitations: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// DeleteInvites cancels every pending invitation of an e-mail address into
// a structure; it returns how many there were.
func (s *UserStore) DeleteInvites(ctx context.Context, structureID int64, email string) (int, error) {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM links WHERE purpose = ? AND structure_id = ? AND email = ?`,
		schema.LinkInvite, structureID, strings.TrimSpace(email))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete invitations: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
