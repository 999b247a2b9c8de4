package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"carnet/schema"
)

// UserStore implements schema.UserStore.
type UserStore struct{ db *DB }

// NewUserStore returns the user store of db.
func NewUserStore(db *DB) *UserStore { return &UserStore{db: db} }

// CreateUser implements schema.UserStore; the user's memberships are created
// with it.
func (s *UserStore) CreateUser(ctx context.Context, u *schema.User) error {
	email, err := schema.CleanEmail(u.Email)
	if err != nil {
		return err
	}
	u.Email = email
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Now().UTC()
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, network_admin, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			u.Email, u.Name, u.NetworkAdmin, u.PasswordHash, formatTime(now))
		if isUnique(err) {
			return schema.Errorf(schema.ECONFLICT, "a user with the address %s already exists", "un compte avec l'adresse %s existe déjà", u.Email)
		} else if err != nil {
			return fmt.Errorf("sqlite: create user: %w", err)
		}
		u.ID, _ = res.LastInsertId()
		u.CreatedAt = now
		for _, m := range u.Memberships {
			if err := setMembership(ctx, tx, u.ID, m.StructureID, m.Role); err != nil {
				return err
			}
		}
		return nil
	})
}

func setMembership(ctx context.Context, tx *sql.Tx, userID, structureID int64, role schema.Role) error {
	if !schema.ValidRole(role) {
		return schema.Errorf(schema.EINVALID, "unknown role %q (admin or mediator)", "rôle inconnu %q (admin ou mediator)", role)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, structure_id, role) VALUES (?, ?, ?)
		ON CONFLICT (user_id, structure_id) DO UPDATE SET role = excluded.role`, userID, structureID, string(role))
	if err != nil {
		return fmt.Errorf("sqlite: membership: %w", err)
	}
	return nil
}

// SetMembership implements schema.UserStore.
func (s *UserStore) SetMembership(ctx context.Context, userID, structureID int64, role schema.Role) error {
	return s.db.withTx(ctx, func(tx *sql.Tx) error { return setMembership(ctx, tx, userID, structureID, role) })
}

const userCols = `id, email, name, network_admin, password_hash, created_at`

func (s *UserStore) findBy(ctx context.Context, where string, arg any) (*schema.User, error) {
	var u schema.User
	var created string
	err := s.db.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE `+where, arg).Scan(
		&u.ID, &u.Email, &u.Name, &u.NetworkAdmin, &u.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, schema.Errorf(schema.ENOTFOUND, "no such user", "compte introuvable")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find user: %w", err)
	}
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if u.Memberships, err = s.memberships(ctx, u.ID); err != nil {
		return nil, err
	}
	return &u, nil
}

func (s *UserStore) memberships(ctx context.Context, userID int64) ([]schema.Membership, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT m.structure_id, s.slug, s.name, m.role FROM memberships m
		JOIN structures s ON s.id = m.structure_id WHERE m.user_id = ? ORDER BY s.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: memberships: %w", err)
	}
	defer rows.Close()
	var out []schema.Membership
	for rows.Next() {
		var m schema.Membership
		var role string
		if err := rows.Scan(&m.StructureID, &m.Structure, &m.StructureName, &role); err != nil {
			return nil, err
		}
		m.Role = schema.Role(role)
		out = append(out, m)
	}
	return out, rows.Err()
}

// FindUser implements schema.UserStore.
func (s *UserStore) FindUser(ctx context.Context, id int64) (*schema.User, error) {
	return s.findBy(ctx, `id = ?`, id)
}

// FindUserByEmail implements schema.UserStore.
func (s *UserStore) FindUserByEmail(ctx context.Context, email string) (*schema.User, error) {
	return s.findBy(ctx, `email = ?`, strings.ToLower(strings.TrimSpace(email)))
}

// ListUsers implements schema.UserStore: the members of a structure, or
// every user when structureID is 0.
func (s *UserStore) ListUsers(ctx context.Context, structureID int64) ([]*schema.User, error) {
	q := `SELECT id FROM users ORDER BY id`
	args := []any{}
	if structureID != 0 {
		q = `SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.structure_id = ? ORDER BY u.id`
		args = append(args, structureID)
	}
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []*schema.User{}
	for _, id := range ids {
		u, err := s.FindUser(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// CountUsers implements schema.UserStore.
func (s *UserStore) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// SetPassword implements schema.UserStore.
func (s *UserStore) SetPassword(ctx context.Context, userID int64, hash string) error {
	_, err := s.db.db.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
	if err != nil {
		return fmt.Errorf("sqlite: set password: %w", err)
	}
	return nil
}

// ChangePassword implements schema.UserStore.
func (s *UserStore) ChangePassword(ctx context.Context, userID int64, hash, keepSession string, revokeTokens bool) error {
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		if err != nil {
			return fmt.Errorf("sqlite: change password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return schema.Errorf(schema.ENOTFOUND, "no such user", "compte introuvable")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND hash <> ?`, userID, keepSession); err != nil {
			return fmt.Errorf("sqlite: change password: sessions: %w", err)
		}
		if revokeTokens {
			if _, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, userID); err != nil {
				return fmt.Errorf("sqlite: change password: tokens: %w", err)
			}
		}
		return nil
	})
}

// CreateLink implements schema.UserStore.
func (s *UserStore) CreateLink(ctx context.Context, l *schema.Link) error {
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO links (hash, purpose, user_id, email, structure_id, role, created_by, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, l.Hash, l.Purpose, nullInt(l.UserID), l.Email, nullInt(l.StructureID), string(l.Role),
		nullInt(l.CreatedBy), formatTime(l.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: create link: %w", err)
	}
	return nil
}

func scanLink(row interface{ Scan(...any) error }) (*schema.Link, error) {
	var l schema.Link
	var uid, sid, by sql.NullInt64
	var role, expires string
	if err := row.Scan(&l.Hash, &l.Purpose, &uid, &l.Email, &sid, &role, &by, &expires); err != nil {
		return nil, err
	}
	l.UserID, l.StructureID, l.CreatedBy = uid.Int64, sid.Int64, by.Int64
	var d times
	l.Role, l.ExpiresAt = schema.Role(role), d.at(expires)
	return &l, d.err
}

const linkCols = `hash, purpose, user_id, email, structure_id, role, created_by, expires_at`

var errLinkGone = schema.Errorf(schema.ENOTFOUND, "this link is unknown, already used or expired: ask whoever sent it for a new one", "ce lien est inconnu, déjà utilisé ou expiré : demandez-en un nouveau à la personne qui vous l'a envoyé")

// FindLink implements schema.UserStore.
func (s *UserStore) FindLink(ctx context.Context, hash string, now time.Time) (*schema.Link, error) {
	l, err := scanLink(s.db.db.QueryRowContext(ctx, `SELECT `+linkCols+` FROM links WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errLinkGone
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find link: %w", err)
	}
	if !now.Before(l.ExpiresAt) {
		return nil, errLinkGone
	}
	return l, nil
}

// ConsumeLink implements schema.UserStore.
func (s *UserStore) ConsumeLink(ctx context.Context, hash string, now time.Time) (*schema.Link, error) {
	var out *schema.Link
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		l, err := scanLink(tx.QueryRowContext(ctx, `SELECT `+linkCols+` FROM links WHERE hash = ?`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			return errLinkGone
		} else if err != nil {
			return fmt.Errorf("sqlite: consume link: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE hash = ?`, hash); err != nil {
			return fmt.Errorf("sqlite: consume link: %w", err)
		}
		if !now.Before(l.ExpiresAt) {
			return nil // expired: deleted, and refused below once committed
		}
		out = l
		return nil
	})
	if err == nil && out == nil {
		err = errLinkGone
	}
	return out, err
}

// CreateSession implements schema.UserStore. Expired sessions of the user
// are removed on the way.
func (s *UserStore) CreateSession(ctx context.Context, se *schema.Session) error {
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND expires_at < ?`, se.UserID, formatTime(se.CreatedAt)); err != nil {
			return fmt.Errorf("sqlite: sessions: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			se.Hash, se.UserID, formatTime(se.CreatedAt), formatTime(se.ExpiresAt))
		if err != nil {
			return fmt.Errorf("sqlite: create session: %w", err)
		}
		return nil
	})
}

// FindSession implements schema.UserStore.
func (s *UserStore) FindSession(ctx context.Context, hash string, now time.Time) (*schema.Session, error) {
	var se schema.Session
	var created, expires string
	err := s.db.db.QueryRowContext(ctx, `SELECT hash, user_id, created_at, expires_at FROM sessions WHERE hash = ?`, hash).Scan(
		&se.Hash, &se.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, schema.Errorf(schema.EUNAUTHORIZED, "please sign in", "veuillez vous connecter")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find session: %w", err)
	}
	var d times
	if se.CreatedAt, se.ExpiresAt = d.at(created), d.at(expires); d.err != nil {
		return nil, d.err
	}
	if !now.Before(se.ExpiresAt) {
		return nil, schema.Errorf(schema.EUNAUTHORIZED, "your session has expired, please sign in again", "votre session a expiré, veuillez vous reconnecter")
	}
	return &se, nil
}

// ExtendSession implements schema.UserStore.
func (s *UserStore) ExtendSession(ctx context.Context, hash string, expires time.Time) error {
	_, err := s.db.db.ExecContext(ctx, `UPDATE sessions SET expires_at = ? WHERE hash = ?`, formatTime(expires), hash)
	return err
}

// DeleteSession implements schema.UserStore.
func (s *UserStore) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.db.db.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash)
	return err
}

// CreateAPIToken implements schema.UserStore.
func (s *UserStore) CreateAPIToken(ctx context.Context, t *schema.APIToken) error {
	now := s.db.Now().UTC()
	res, err := s.db.db.ExecContext(ctx, `INSERT INTO api_tokens (hash, user_id, name, created_at) VALUES (?, ?, ?, ?)`,
		t.Hash, t.UserID, t.Name, formatTime(now))
	if err != nil {
		return fmt.Errorf("sqlite: create token: %w", err)
	}
	t.ID, _ = res.LastInsertId()
	t.CreatedAt = now
	return nil
}

const tokenCols = `id, hash, user_id, name, created_at, last_used_at`

func scanToken(row interface{ Scan(...any) error }) (*schema.APIToken, error) {
	var t schema.APIToken
	var created, used string
	if err := row.Scan(&t.ID, &t.Hash, &t.UserID, &t.Name, &created, &used); err != nil {
		return nil, err
	}
	var d times
	t.CreatedAt, t.LastUsedAt = d.at(created), d.at(used)
	return &t, d.err
}

// FindAPIToken implements schema.UserStore and records the use (at most
// once a minute, to keep reads cheap).
func (s *UserStore) FindAPIToken(ctx context.Context, hash string) (*schema.APIToken, error) {
	t, err := scanToken(s.db.db.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, schema.Errorf(schema.EUNAUTHORIZED, "unknown or revoked API token", "jeton d'API inconnu ou révoqué")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find token: %w", err)
	}
	if now := s.db.Now(); now.Sub(t.LastUsedAt) > time.Minute {
		if _, err := s.db.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, formatTime(now), t.ID); err != nil {
			return nil, fmt.Errorf("sqlite: token use: %w", err)
		}
		t.LastUsedAt = now.UTC()
	}
	return t, nil
}

// ListAPITokens implements schema.UserStore.
func (s *UserStore) ListAPITokens(ctx context.Context, userID int64) ([]*schema.APIToken, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list tokens: %w", err)
	}
	defer rows.Close()
	out := []*schema.APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteAPIToken implements schema.UserStore.
func (s *UserStore) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("sqlite: delete token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.Errorf(schema.ENOTFOUND, "no such token", "jeton introuvable")
	}
	return nil
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// LearnerStore implements schema.LearnerStore.
type LearnerStore struct{ db *DB }

// NewLearnerStore returns the learner store of db.
func NewLearnerStore(db *DB) *LearnerStore { return &LearnerStore{db: db} }

// CreateLearner implements schema.LearnerStore.
func (s *LearnerStore) CreateLearner(ctx context.Context, l *schema.Learner) error {
	now := s.db.Now().UTC()
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO learners (id, structure_id, name, contact, notes, consent_at, created_at, created_by, folded)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.ID, l.StructureID, l.Name, l.Contact, l.Notes, formatTime(l.ConsentAt), formatTime(now), nullInt(l.CreatedBy),
		foldLearner(l.Name, l.Contact))
	if isUnique(err) {
		return schema.Errorf(schema.ECONFLICT, "learner %s already exists", "la personne %s existe déjà", l.ID)
	} else if err != nil {
		return fmt.Errorf("sqlite: create learner: %w", err)
	}
	l.CreatedAt = now
	return nil
}

const learnerCols = `l.id, l.structure_id, s.slug, l.name, l.contact, l.notes, l.consent_at, l.created_at, COALESCE(l.created_by, 0), l.erased_at`

func scanLearner(row interface{ Scan(...any) error }) (*schema.Learner, error) {
	var l schema.Learner
	var consent, created, erased string
	if err := row.Scan(&l.ID, &l.StructureID, &l.Structure, &l.Name, &l.Contact, &l.Notes, &consent, &created, &l.CreatedBy, &erased); err != nil {
		return nil, err
	}
	var d times
	l.ConsentAt, l.CreatedAt, l.ErasedAt = d.at(consent), d.at(created), d.at(erased)
	return &l, d.err
}

// FindLearner implements schema.LearnerStore.
func (s *LearnerStore) FindLearner(ctx context.Context, id string) (*schema.Learner, error) {
	l, err := scanLearner(s.db.db.QueryRowContext(ctx, `SELECT `+learnerCols+` FROM learners l JOIN structures s ON s.id = l.structure_id WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, schema.Errorf(schema.ENOTFOUND, "no such learner", "personne introuvable")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find learner: %w", err)
	}
	return l, nil
}

// foldLearner is what learner search compares with: the name and the
// contact folded (schema.Fold), apart (a folded search text holds no line
// break, so it never matches across the two).
func foldLearner(name, contact string) string {
	return schema.Fold(name) + "\n" + schema.Fold(contact)
}

// SearchLearners implements schema.LearnerStore. Names and contacts are
// compared folded (schema.Fold: cases and accents of every script alike),
// from the column learners.folded that Carnet fills when it writes a
// learner: a learner matches when the folded text is in their folded name
// or contact; newest first, n at most. Three ways, by what the text is
// (BENCHMARKS.md has the figures):
//   - three characters or more: the learners holding its rarest trigram
//     (learner_grams, migration 0020), newest first, each looked up under
//     its other rarest trigrams, then compared; it stops at n (in
//     structures with fewer learners than a few times that trigram's,
//     the ordered scan below);
//   - one or two characters held by few learners (the trigrams beginning
//     with them, counted in learner_gram_counts): those learners, sorted;
//   - empty, or one or two characters held by many: the learners newest
//     first from the index learners_search (learners_recent for the whole
//     instance), compared in the index without reading the rows, stopping
//     at n (soon: matches are many).
func (s *LearnerStore) SearchLearners(ctx context.Context, structureIDs []int64, q string, n int) ([]*schema.Learner, error) {
	fq := schema.Fold(q)
	scope, scopeArgs := "", []any{}
	if structureIDs != nil {
		scope = ` AND l.structure_id IN (` + placeholders(len(structureIDs)) + `)`
		for _, id := range structureIDs {
			scopeArgs = append(scopeArgs, id)
		}
	}
	scan := func() ([]*schema.Learner, error) {
		return s.search(ctx, `SELECT `+learnerCols+` FROM learners l JOIN structures s ON s.id = l.structure_id
			WHERE l.erased_at = '' AND instr(l.folded, ?) > 0`+scope+` ORDER BY l.created_at DESC, l.rowid DESC LIMIT ?`,
			append(append([]any{fq}, scopeArgs...), limit(n))...)
	}
	runes := []rune(fq)
	if len(runes) == 0 {
		return scan()
	}
	if len(runes) < 3 {
		// Every character of a folded text begins a trigram (padded with
		// line breaks): the text's learners hold a trigram it begins.
		lo, hi := fq, fq+string(utf8.MaxRune)
		var rows sql.NullInt64
		if err := s.db.db.QueryRowContext(ctx, `SELECT SUM(n) FROM learner_gram_counts WHERE gram >= ? AND gram < ?`, lo, hi).Scan(&rows); err != nil {
			return nil, fmt.Errorf("sqlite: search learners: %w", err)
		}
		if rows.Int64 > int64(shortGramRows) {
			return scan()
		}
		return s.search(ctx, `SELECT `+learnerCols+` FROM learners l JOIN structures s ON s.id = l.structure_id
			WHERE l.rowid IN (SELECT g.learner FROM learner_grams g WHERE g.gram >= ? AND g.gram < ?)
				AND l.erased_at = '' AND instr(l.folded, ?) > 0`+scope+` ORDER BY l.created_at DESC, l.rowid DESC LIMIT ?`,
			append(append([]any{lo, hi, fq}, scopeArgs...), limit(n))...)
	}
	seen := map[string]bool{}
	var grams []any
	for i := 0; i+3 <= len(runes); i++ {
		if g := string(runes[i : i+3]); !seen[g] {
			seen[g] = true
			grams = append(grams, g)
		}
	}
	counts := map[string]int{}
	rows, err := s.db.db.QueryContext(ctx, `SELECT gram, n FROM learner_gram_counts WHERE gram IN (`+placeholders(len(grams))+`)`, grams...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search learners: %w", err)
	}
	for rows.Next() {
		var g string
		var c int
		if err := rows.Scan(&g, &c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: search learners: %w", err)
		}
		counts[g] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: search learners: %w", err)
	}
	for _, g := range grams {
		if counts[g.(string)] <= 0 {
			return []*schema.Learner{}, nil // a trigram no one holds
		}
	}
	sort.SliceStable(grams, func(i, j int) bool { return counts[grams[i].(string)] < counts[grams[j].(string)] })
	if structureIDs != nil {
		// A few structures: when they have fewer learners than a few
		// times the rarest trigram's (each of which costs a lookup or
		// more, and most are elsewhere), comparing theirs costs less.
		bound := scanPerGram * counts[grams[0].(string)]
		var inScope int
		if err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM learners l INDEXED BY learners_search WHERE 1`+scope+` LIMIT ?)`,
			append(append([]any{}, scopeArgs...), bound)...).Scan(&inScope); err != nil {
			return nil, fmt.Errorf("sqlite: search learners: %w", err)
		}
		if inScope < bound {
			return scan()
		}
	}
	others := grams[1:min(len(grams), 1+maxGramProbes)]
	args := append(append([]any{grams[0]}, others...), fq)
	return s.search(ctx, gramQuery(len(others), scope), append(append(args, scopeArgs...), limit(n))...)
}

// gramQuery reads the learners holding a trigram, newest first, that hold
// probes other trigrams too and whose folded text holds the search's;
// scope is the condition on their structures.
func gramQuery(probes int, scope string) string {
	probe := strings.Repeat(` AND EXISTS (SELECT 1 FROM learner_grams h WHERE h.gram = ? AND h.created_at = g.created_at AND h.learner = g.learner)`, probes)
	return `SELECT ` + learnerCols + ` FROM learner_grams g CROSS JOIN learners l ON l.rowid = g.learner JOIN structures s ON s.id = l.structure_id
		WHERE g.gram = ?` + probe + ` AND l.erased_at = '' AND instr(l.folded, ?) > 0` + scope + `
		ORDER BY g.created_at DESC, g.learner DESC LIMIT ?`
}

// shortGramRows: a text of one or two characters whose trigrams have more
// rows than this is held by many learners (a few thousand at least): the
// ordered scan finds n of them sooner than sorting them all.
var shortGramRows = 5000 // a variable for the tests

// scanPerGram: comparing this many learners' folded texts in the index
// costs about as much as reading one candidate of a trigram.
const scanPerGram = 6

// maxGramProbes is how many trigrams beside the rarest a candidate is
// looked up under before its text is compared.
const maxGramProbes = 4

func (s *LearnerStore) search(ctx context.Context, query string, args ...any) ([]*schema.Learner, error) {
	rows, err := s.db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search learners: %w", err)
	}
	defer rows.Close()
	out := []*schema.Learner{}
	for rows.Next() {
		l, err := scanLearner(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: search learners: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// UpdateLearner implements schema.LearnerStore: name, contact, notes and
// consent of a learner who was not erased.
func (s *LearnerStore) UpdateLearner(ctx context.Context, l *schema.Learner) error {
	res, err := s.db.db.ExecContext(ctx, `UPDATE learners SET name = ?, contact = ?, notes = ?, consent_at = ?, folded = ? WHERE id = ? AND erased_at = ''`,
		l.Name, l.Contact, l.Notes, formatTime(l.ConsentAt), foldLearner(l.Name, l.Contact), l.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update learner: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.Errorf(schema.ENOTFOUND, "no such learner", "personne introuvable")
	}
	return nil
}

// EraseLearner implements schema.LearnerStore. After the transaction, the
// write-ahead log is checkpointed and truncated so that the old versions of
// the rows do not linger in it.
func (s *LearnerStore) EraseLearner(ctx context.Context, id string, at time.Time) error {
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE learners SET name = '', contact = '', notes = '', folded = '', erased_at = ? WHERE id = ? AND erased_at = ''`,
			formatTime(at), id)
		if err != nil {
			return fmt.Errorf("sqlite: erase learner: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return schema.Errorf(schema.ENOTFOUND, "no such learner, or already erased", "personne introuvable, ou déjà effacée")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE credentials SET learner_name = '', jwt = '', card_token = '', erased_at = ? WHERE learner_id = ?`,
			formatTime(at), id); err != nil {
			return fmt.Errorf("sqlite: erase learner credentials: %w", err)
		}
		// Credentials attached from other structures carry the name too.
		if _, err := tx.ExecContext(ctx, `DELETE FROM imports WHERE learner_id = ?`, id); err != nil {
			return fmt.Errorf("sqlite: erase learner imports: %w", err)
		}
		// Their private link, share links and erasure request go too.
		for _, table := range []string{"carnet_links", "carnet_shares", "erasure_requests"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE learner_id = ?`, id); err != nil {
				return fmt.Errorf("sqlite: erase learner %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.db.afterCommit(ctx, func() error {
		if _, err := s.db.db.DB.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return fmt.Errorf("sqlite: checkpoint after erasure: %w", err)
		}
		return nil
	})
}

// DeleteLearner implements schema.LearnerStore. The foreign keys of
// credentials and attachments refuse the deletion of a learner they name.
// The write-ahead log is checkpointed, as after an erasure, so that the
// deleted row does not linger in it.
func (s *LearnerStore) DeleteLearner(ctx context.Context, id string) error {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM learners WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete learner: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.Errorf(schema.ENOTFOUND, "no such learner", "personne introuvable")
	}
	return s.db.afterCommit(ctx, func() error {
		if _, err := s.db.db.DB.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return fmt.Errorf("sqlite: checkpoint after deletion: %w", err)
		}
		return nil
	})
}

// AuditStore implements schema.AuditStore.
type AuditStore struct{ db *DB }

// NewAuditStore returns the audit store of db.
func NewAuditStore(db *DB) *AuditStore { return &AuditStore{db: db} }

// AppendAudit implements schema.AuditStore.
func (s *AuditStore) AppendAudit(ctx context.Context, e *schema.AuditEvent) error {
	if e.At.IsZero() {
		e.At = s.db.Now().UTC()
	}
	res, err := s.db.db.ExecContext(ctx, `INSERT INTO audit (at, actor_id, actor, structure_id, action, object, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(e.At), e.ActorID, e.Actor, e.StructureID, e.Action, e.Object, e.Detail, e.IP)
	if err != nil {
		return fmt.Errorf("sqlite: audit: %w", err)
	}
	e.ID, _ = res.LastInsertId()
	return nil
}

// ListAudit implements schema.AuditStore.
func (s *AuditStore) ListAudit(ctx context.Context, f schema.AuditFilter) ([]*schema.AuditEvent, error) {
	q := `SELECT a.id, a.at, a.actor_id, a.actor, a.structure_id, COALESCE(s.slug, ''), a.action, a.object, a.detail, a.ip
		FROM audit a LEFT JOIN structures s ON s.id = a.structure_id WHERE 1 = 1`
	var args []any
	if f.StructureIDs != nil {
		q += ` AND a.structure_id IN (` + placeholders(len(f.StructureIDs)) + `)`
		for _, id := range f.StructureIDs {
			args = append(args, id)
		}
	}
	q += ` ORDER BY a.id DESC LIMIT ?`
	args = append(args, limit(f.Limit))
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list audit: %w", err)
	}
	defer rows.Close()
	out := []*schema.AuditEvent{}
	for rows.Next() {
		var e schema.AuditEvent
		var at string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.StructureID, &e.Structure, &e.Action, &e.Object, &e.Detail, &e.IP); err != nil {
			return nil, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}
