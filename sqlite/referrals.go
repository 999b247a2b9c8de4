package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"carnet/places"
)

// CreateReferral implements places.Store.
func (s *PlaceStore) CreateReferral(ctx context.Context, r *places.Referral) error {
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO referrals (learner_id, structure_id, framework, competency, level, target, offer_id, place_id, referred_on, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.LearnerID, r.StructureID, r.Framework, r.Competency, r.Level, r.Target,
			r.OfferID, r.PlaceID, r.On, formatTime(r.CreatedAt), r.CreatedBy)
		if err != nil {
			return fmt.Errorf("sqlite: create referral: %w", err)
		}
		r.ID, err = res.LastInsertId()
		return err
	})
}

// ListReferrals implements places.Store.
func (s *PlaceStore) ListReferrals(ctx context.Context, learnerID string) ([]*places.Referral, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT r.id, r.learner_id, r.structure_id, s.slug, r.framework, r.competency, r.level, r.target,
		r.offer_id, r.place_id, r.referred_on, r.created_at, r.created_by
		FROM referrals r JOIN structures s ON s.id = r.structure_id WHERE r.learner_id = ? ORDER BY r.referred_on DESC, r.id DESC`, learnerID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: referrals: %w", err)
	}
	defer rows.Close()
	out := []*places.Referral{}
	for rows.Next() {
		var r places.Referral
		var created string
		if err := rows.Scan(&r.ID, &r.LearnerID, &r.StructureID, &r.Structure, &r.Framework, &r.Competency, &r.Level, &r.Target,
			&r.OfferID, &r.PlaceID, &r.On, &created, &r.CreatedBy); err != nil {
			return nil, fmt.Errorf("sqlite: referrals: %w", err)
		}
		if r.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// CountReferrals implements places.Store.
func (s *PlaceStore) CountReferrals(ctx context.Context, from, to string, structureIDs []int64) ([]places.ReferralCount, error) {
	q := `SELECT s.slug, substr(r.referred_on, 1, 7) AS period, COUNT(*) FROM referrals r JOIN structures s ON s.id = r.structure_id WHERE 1 = 1`
	var args []any
	if from != "" {
		q += ` AND r.referred_on >= ?`
		args = append(args, from)
	}
	if to != "" {
		q += ` AND r.referred_on <= ?`
		args = append(args, to)
	}
	if structureIDs != nil {
		if len(structureIDs) == 0 {
			return []places.ReferralCount{}, nil
		}
		q += ` AND r.structure_id IN (?` + strings.Repeat(`, ?`, len(structureIDs)-1) + `)`
		for _, id := range structureIDs {
			args = append(args, id)
		}
	}
	rows, err := s.db.db.QueryContext(ctx, q+` GROUP BY s.slug, period ORDER BY period, s.slug`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: count referrals: %w", err)
	}
	defer rows.Close()
	out := []places.ReferralCount{}
	for rows.Next() {
		var c places.ReferralCount
		if err := rows.Scan(&c.Structure, &c.Period, &c.Count); err != nil {
			return nil, fmt.Errorf("sqlite: count referrals: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
