// Package sqlite is Carnet's storage adapter on SQLite (mattn/go-sqlite3):
// embedded SQL migrations, WAL, foreign keys on. Public store methods open a
// transaction and hand off to private helpers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"carnet/schema"

	sqlite3 "github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open Carnet database.
type DB struct {
	db   pool
	path string
	dsn  string
	Now  func() time.Time

	// damaged holds the first sign of corruption seen (an integrity check
	// that failed, SQLITE_CORRUPT or SQLITE_NOTADB): from then on every
	// write is refused (integrity.go).
	damaged atomic.Pointer[error]
}

// txKey is the context key of the transaction InTx runs.
type txKey struct{}

// ctxTx is the transaction InTx opened, and what to run once it commits.
type ctxTx struct {
	tx    *sql.Tx
	after []func() error
}

func txOf(ctx context.Context) *ctxTx {
	t, _ := ctx.Value(txKey{}).(*ctxTx)
	return t
}

// InTx implements schema.Transactor: the stores of db called with the
// context fn receives write in one transaction, committed when fn returns
// nil and rolled back otherwise. A call inside another's fn joins it.
// fn must make every write of db with that context: a write with another
// one would wait for the transaction's lock.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if txOf(ctx) != nil {
		return fn(ctx)
	}
	if err := db.Damaged(); err != nil {
		return err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return db.observe(fmt.Errorf("sqlite: begin: %w", err))
	}
	defer tx.Rollback()
	t := &ctxTx{tx: tx}
	if err := fn(context.WithValue(ctx, txKey{}, t)); err != nil {
		return db.observe(err)
	}
	if err := tx.Commit(); err != nil {
		return db.observe(fmt.Errorf("sqlite: commit: %w", err))
	}
	for _, f := range t.after {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// afterCommit runs f once the transaction of ctx commits, or now when
// ctx holds none.
func (db *DB) afterCommit(ctx context.Context, f func() error) error {
	if t := txOf(ctx); t != nil {
		t.after = append(t.after, f)
		return nil
	}
	return f()
}

// Open opens (creating if needed) the database at path and migrates it.
// Pragmas are in the DSN so that every pooled connection gets them;
// secure_delete zeroes deleted content, so an erasure leaves no trace of
// personal data in free pages.
func Open(path string) (*DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=10000&_synchronous=NORMAL&_txlock=immediate&_secure_delete=on"
	db := &DB{path: path, dsn: dsn, Now: time.Now}
	db.db = pool{DB: sql.OpenDB(db.connector()), owner: db}
	if err := db.migrate(); err != nil {
		db.db.Close()
		if isCorrupt(err) {
			return nil, damagedError(path, err.Error())
		}
		return nil, err
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

func (db *DB) migrate() error {
	if _, err := db.db.Exec(`CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("sqlite: migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(name); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateFile(name string) error {
	tx, err := db.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	} else if n != 0 {
		return nil
	}
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(string(buf)); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO migrations (name) VALUES (?)`, name); err != nil {
		return err
	}
	return tx.Commit()
}

func (db *DB) now() string { return formatTime(db.Now()) }

// timeLayout is how times are stored: UTC, fixed width (all nine digits
// of the nanoseconds written), so that text order is time order.
// Migration 0011 rewrote the earlier RFC 3339 texts.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// formatTime encodes a time for storage; "" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// parseTime decodes a stored time; "" is the zero time, anything else not
// in timeLayout an error.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: stored time %q: %w", s, err)
	}
	return t, nil
}

// times decodes the stored times of a row, keeping the first error.
type times struct{ err error }

func (d *times) at(s string) time.Time {
	t, err := parseTime(s)
	if err != nil && d.err == nil {
		d.err = err
	}
	return t
}

// withTx runs fn in a transaction, committed when fn returns nil; in the
// transaction of ctx when InTx opened one (committed with it). It refuses
// to start on a database known to be damaged.
func (db *DB) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := db.Damaged(); err != nil {
		return err
	}
	if t := txOf(ctx); t != nil {
		return db.observe(fn(t.tx))
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return db.observe(fmt.Errorf("sqlite: begin: %w", err))
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return db.observe(err)
	}
	if err := tx.Commit(); err != nil {
		return db.observe(fmt.Errorf("sqlite: commit: %w", err))
	}
	return nil
}

func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique || errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
}

// Setting returns the value of a setting, or "" when unset.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("sqlite: setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting sets a setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("sqlite: set %s: %w", key, err)
	}
	return nil
}

// StructureStore implements schema.StructureStore.
type StructureStore struct{ db *DB }

// NewStructureStore returns the structure store of db.
func NewStructureStore(db *DB) *StructureStore { return &StructureStore{db: db} }

// CreateStructure implements schema.StructureStore.
func (s *StructureStore) CreateStructure(ctx context.Context, st *schema.Structure) error {
	if err := schema.ValidateSlug(st.Slug); err != nil {
		return err
	}
	if strings.TrimSpace(st.Name) == "" {
		return schema.Errorf(schema.EINVALID, "a structure needs a name", "une structure doit avoir un nom")
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO structures (slug, name, url, email, image_url, created_at, frameworks, address, card_lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			st.Slug, st.Name, st.URL, st.Email, st.ImageURL, formatTime(now), strings.Join(st.Frameworks, ","), st.Address, cardLang(st.CardLang))
		if isUnique(err) {
			return schema.Errorf(schema.ECONFLICT, "structure %q already exists", "la structure %q existe déjà", st.Slug)
		} else if err != nil {
			return fmt.Errorf("sqlite: create structure: %w", err)
		}
		st.ID, _ = res.LastInsertId()
		st.CreatedAt = now.UTC()
		return nil
	})
}

const structureCols = `id, slug, name, url, email, image_url, created_at, frameworks, address, set_up_at, card_lang`

// cardLang is the card language stored for a structure: "fr" when unset.
func cardLang(l string) string {
	if l == "" {
		return "fr"
	}
	return l
}

func scanStructure(row interface{ Scan(...any) error }) (*schema.Structure, error) {
	var st schema.Structure
	var created, fws, setUp string
	if err := row.Scan(&st.ID, &st.Slug, &st.Name, &st.URL, &st.Email, &st.ImageURL, &created, &fws, &st.Address, &setUp, &st.CardLang); err != nil {
		return nil, err
	}
	if fws != "" {
		st.Frameworks = strings.Split(fws, ",")
	}
	var d times
	st.CreatedAt = d.at(created)
	if setUp != "" {
		st.SetUpAt = d.at(setUp)
	}
	return &st, d.err
}

// FindStructure implements schema.StructureStore.
func (s *StructureStore) FindStructure(ctx context.Context, slug string) (*schema.Structure, error) {
	st, err := scanStructure(s.db.db.QueryRowContext(ctx, `SELECT `+structureCols+` FROM structures WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, schema.Errorf(schema.ENOTFOUND, "no structure %q", "aucune structure %q", slug)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find structure: %w", err)
	}
	return st, nil
}

// UpdateStructure saves a structure's profile (name, URL, e-mail, logo).
func (s *StructureStore) UpdateStructure(ctx context.Context, st *schema.Structure) error {
	if strings.TrimSpace(st.Name) == "" {
		return schema.Errorf(schema.EINVALID, "a structure needs a name", "une structure doit avoir un nom")
	}
	setUp := ""
	if !st.SetUpAt.IsZero() {
		setUp = formatTime(st.SetUpAt)
	}
	res, err := s.db.db.ExecContext(ctx, `UPDATE structures SET name = ?, url = ?, email = ?, image_url = ?, frameworks = ?, address = ?, set_up_at = ?, card_lang = ? WHERE slug = ?`,
		st.Name, st.URL, st.Email, st.ImageURL, strings.Join(st.Frameworks, ","), st.Address, setUp, cardLang(st.CardLang), st.Slug)
	if err != nil {
		return fmt.Errorf("sqlite: update structure: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.Errorf(schema.ENOTFOUND, "no structure %q", "aucune structure %q", st.Slug)
	}
	return nil
}

// ListStructures implements schema.StructureStore.
func (s *StructureStore) ListStructures(ctx context.Context) ([]*schema.Structure, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+structureCols+` FROM structures ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list structures: %w", err)
	}
	defer rows.Close()
	var out []*schema.Structure
	for rows.Next() {
		st, err := scanStructure(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list structures: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// CredentialStore implements schema.CredentialStore.
type CredentialStore struct{ db *DB }

// NewCredentialStore returns the credential store of db.
func NewCredentialStore(db *DB) *CredentialStore { return &CredentialStore{db: db} }

func structureID(ctx context.Context, tx *sql.Tx, slug string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM structures WHERE slug = ?`, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, schema.Errorf(schema.ENOTFOUND, "no structure %q", "aucune structure %q", slug)
	}
	return id, err
}

// ReserveStatusIndex implements schema.CredentialStore. A list takes new
// entries until half full, so random indexes stay quick to find and the
// position of a credential in the list reveals nothing of its order.
func (s *CredentialStore) ReserveStatusIndex(ctx context.Context, slug string, pick func(n int) (int, error)) (list, index int, err error) {
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		sid, err := structureID(ctx, tx, slug)
		if err != nil {
			return err
		}
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(list), 1) FROM status_entries WHERE structure_id = ?`, sid).Scan(&list); err != nil {
			return fmt.Errorf("sqlite: status list: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM status_entries WHERE structure_id = ? AND list = ?`, sid, list).Scan(&count); err != nil {
			return fmt.Errorf("sqlite: status list: %w", err)
		}
		if count >= schema.StatusListSize/2 {
			list++
		}
		for try := 0; try < 64; try++ {
			if index, err = pick(schema.StatusListSize); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO status_entries (structure_id, list, idx) VALUES (?, ?, ?)`, sid, list, index)
			if err != nil {
				return fmt.Errorf("sqlite: reserve status index: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				return nil
			}
		}
		return fmt.Errorf("sqlite: no free status index found in list %d", list)
	})
	return list, index, err
}

// CreateCredential implements schema.CredentialStore.
func (s *CredentialStore) CreateCredential(ctx context.Context, c *schema.CredentialRecord) error {
	results, err := schema.MarshalCompact(c.Results)
	if err != nil {
		return err
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		sid, err := structureID(ctx, tx, c.Structure)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO credentials (id, structure_id, subject_id, learner_name, framework, results,
			issued_at, valid_until, jwt, card_token, short_code, status_list, status_index, created_at, learner_id, issued_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, sid, c.SubjectID, c.LearnerName, c.Framework, string(results), formatTime(c.IssuedAt), formatTime(c.ValidUntil),
			c.JWT, c.CardToken, c.ShortCode, c.StatusList, c.StatusIndex, s.db.now(), nullString(c.LearnerID), c.IssuedBy)
		c.StructureID = sid
		if isUnique(err) {
			return schema.Errorf(schema.ECONFLICT, "credential %s already exists", "l'attestation %s existe déjà", c.ID)
		} else if err != nil {
			return fmt.Errorf("sqlite: create credential: %w", err)
		}
		return nil
	})
}

const credentialCols = `c.id, s.slug, c.structure_id, COALESCE(c.learner_id, ''), c.subject_id, c.learner_name, c.framework, c.results,
	c.issued_at, c.valid_until, c.jwt, c.card_token, c.short_code, c.status_list, c.status_index, c.revoked_at, c.revoke_reason,
	c.suspended_at, c.suspend_reason, c.issued_by, c.erased_at`

func scanCredential(row interface{ Scan(...any) error }) (*schema.CredentialRecord, error) {
	var c schema.CredentialRecord
	var results, issued, until, revoked, suspended, erased string
	if err := row.Scan(&c.ID, &c.Structure, &c.StructureID, &c.LearnerID, &c.SubjectID, &c.LearnerName, &c.Framework, &results,
		&issued, &until, &c.JWT, &c.CardToken, &c.ShortCode, &c.StatusList, &c.StatusIndex, &revoked, &c.RevokeReason,
		&suspended, &c.SuspendReason, &c.IssuedBy, &erased); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(results), &c.Results); err != nil {
		return nil, fmt.Errorf("sqlite: credential %s results: %w", c.ID, err)
	}
	var d times
	c.IssuedAt, c.ValidUntil, c.RevokedAt = d.at(issued), d.at(until), d.at(revoked)
	c.SuspendedAt, c.ErasedAt = d.at(suspended), d.at(erased)
	if d.err != nil {
		return nil, fmt.Errorf("sqlite: credential %s: %w", c.ID, d.err)
	}
	return &c, nil
}

func (s *CredentialStore) findBy(ctx context.Context, where string, arg any) (*schema.CredentialRecord, error) {
	c, err := scanCredential(s.db.db.QueryRowContext(ctx, `SELECT `+credentialCols+` FROM credentials c JOIN structures s ON s.id = c.structure_id WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, schema.Errorf(schema.ENOTFOUND, "no such credential", "attestation introuvable")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find credential: %w", err)
	}
	return c, nil
}

// FindCredential implements schema.CredentialStore.
func (s *CredentialStore) FindCredential(ctx context.Context, id string) (*schema.CredentialRecord, error) {
	return s.findBy(ctx, `c.id = ?`, id)
}

// FindCredentialByShortCode implements schema.CredentialStore.
func (s *CredentialStore) FindCredentialByShortCode(ctx context.Context, code string) (*schema.CredentialRecord, error) {
	return s.findBy(ctx, `c.short_code = ?`, code)
}

// CountCredentials returns the number of credentials of a structure ("" for all).
func (s *CredentialStore) CountCredentials(ctx context.Context, slug string) (int, error) {
	var n int
	err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM credentials c JOIN structures s ON s.id = c.structure_id WHERE ? = '' OR s.slug = ?`, slug, slug).Scan(&n)
	return n, err
}

// ListCredentials implements schema.CredentialStore.
func (s *CredentialStore) ListCredentials(ctx context.Context, f schema.CredentialFilter) ([]*schema.CredentialRecord, error) {
	q := `SELECT ` + credentialCols + ` FROM credentials c JOIN structures s ON s.id = c.structure_id WHERE 1 = 1`
	var args []any
	if f.StructureIDs != nil {
		q += ` AND c.structure_id IN (` + placeholders(len(f.StructureIDs)) + `)`
		for _, id := range f.StructureIDs {
			args = append(args, id)
		}
	}
	if f.LearnerID != "" {
		q += ` AND c.learner_id = ?`
		args = append(args, f.LearnerID)
	}
	q += ` ORDER BY c.created_at DESC, c.rowid DESC LIMIT ?`
	args = append(args, limit(f.Limit))
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list credentials: %w", err)
	}
	defer rows.Close()
	out := []*schema.CredentialRecord{}
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list credentials: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetCredentialStatus implements schema.CredentialStore.
func (s *CredentialStore) SetCredentialStatus(ctx context.Context, id string, ch schema.StatusChange) (*schema.CredentialRecord, error) {
	var out *schema.CredentialRecord
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		c, err := scanCredential(tx.QueryRowContext(ctx, `SELECT `+credentialCols+` FROM credentials c JOIN structures s ON s.id = c.structure_id WHERE c.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return schema.Errorf(schema.ENOTFOUND, "no such credential", "attestation introuvable")
		} else if err != nil {
			return fmt.Errorf("sqlite: set status: %w", err)
		}
		if !c.RevokedAt.IsZero() {
			return schema.Errorf(schema.ECONFLICT, "this credential is revoked; revocation is final", "cette attestation est révoquée ; la révocation est définitive")
		}
		at := formatTime(ch.At)
		switch ch.Action {
		case schema.AuditRevoke:
			_, err = tx.ExecContext(ctx, `UPDATE credentials SET revoked_at = ?, revoke_reason = ? WHERE id = ?`, at, ch.Reason, id)
			c.RevokedAt, c.RevokeReason = ch.At, ch.Reason
		case schema.AuditSuspend:
			if !c.SuspendedAt.IsZero() {
				return schema.Errorf(schema.ECONFLICT, "this credential is already suspended", "cette attestation est déjà suspendue")
			}
			_, err = tx.ExecContext(ctx, `UPDATE credentials SET suspended_at = ?, suspend_reason = ? WHERE id = ?`, at, ch.Reason, id)
			c.SuspendedAt, c.SuspendReason = ch.At, ch.Reason
		case schema.AuditUnsuspend:
			if c.SuspendedAt.IsZero() {
				return schema.Errorf(schema.ECONFLICT, "this credential is not suspended", "cette attestation n'est pas suspendue")
			}
			_, err = tx.ExecContext(ctx, `UPDATE credentials SET suspended_at = '', suspend_reason = '' WHERE id = ?`, id)
			c.SuspendedAt, c.SuspendReason = time.Time{}, ""
		default:
			return fmt.Errorf("sqlite: unknown status action %q", ch.Action)
		}
		if err != nil {
			return fmt.Errorf("sqlite: set status: %w", err)
		}
		out = c
		return nil
	})
	return out, err
}

// StatusIndexes implements schema.CredentialStore.
func (s *CredentialStore) StatusIndexes(ctx context.Context, slug string, list int, purpose string) ([]int, error) {
	col := "revoked_at"
	if purpose == schema.PurposeSuspension {
		col = "suspended_at"
	} else if purpose != schema.PurposeRevocation {
		return nil, schema.Errorf(schema.ENOTFOUND, "no status list for %q", "aucune liste de statut %q", purpose)
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT c.status_index FROM credentials c JOIN structures s ON s.id = c.structure_id
		WHERE s.slug = ? AND c.status_list = ? AND c.`+col+` != '' ORDER BY c.status_index`, slug, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: status indexes: %w", err)
	}
	defer rows.Close()
	out := []int{}
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// WithdrawnCredentials lists the ids of the revoked and of the suspended
// credentials of every structure, the latest change first, at most limit
// in all: the /c page's offline revocation set (web.cardRevocations). A
// caller that asks for one more than it keeps knows when some were left out.
func (s *CredentialStore) WithdrawnCredentials(ctx context.Context, limit int) (revoked, suspended []string, err error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, revoked_at != '' FROM credentials
		WHERE revoked_at != '' OR suspended_at != '' ORDER BY MAX(revoked_at, suspended_at) DESC, rowid DESC LIMIT ?`, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: withdrawn credentials: %w", err)
	}
	defer rows.Close()
	revoked, suspended = []string{}, []string{}
	for rows.Next() {
		var id string
		var isRevoked bool
		if err := rows.Scan(&id, &isRevoked); err != nil {
			return nil, nil, fmt.Errorf("sqlite: withdrawn credentials: %w", err)
		}
		if isRevoked {
			revoked = append(revoked, id)
		} else {
			suspended = append(suspended, id)
		}
	}
	return revoked, suspended, rows.Err()
}

// StatusListExists reports whether a structure has reserved entries in a list.
func (s *CredentialStore) StatusListExists(ctx context.Context, slug string, list int) (bool, error) {
	var n int
	err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM status_entries e JOIN structures s ON s.id = e.structure_id
		WHERE s.slug = ? AND e.list = ? LIMIT 1`, slug, list).Scan(&n)
	return n > 0, err
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func limit(n int) int {
	if n <= 0 || n > 1000 {
		return 1000
	}
	return n
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SetLogo stores a structure's logo (nil removes it).
func (s *StructureStore) SetLogo(ctx context.Context, slug string, data []byte, contentType string) error {
	res, err := s.db.db.ExecContext(ctx, `UPDATE structures SET logo = ?, logo_type = ? WHERE slug = ?`, data, contentType, slug)
	if err != nil {
		return fmt.Errorf("sqlite: set logo: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schema.Errorf(schema.ENOTFOUND, "no structure %q", "aucune structure %q", slug)
	}
	return nil
}

// Logo returns a structure's logo and its content type; ENOTFOUND when it
// has none.
func (s *StructureStore) Logo(ctx context.Context, slug string) ([]byte, string, error) {
	var data []byte
	var typ string
	err := s.db.db.QueryRowContext(ctx, `SELECT logo, logo_type FROM structures WHERE slug = ?`, slug).Scan(&data, &typ)
	if errors.Is(err, sql.ErrNoRows) || err == nil && len(data) == 0 {
		return nil, "", schema.Errorf(schema.ENOTFOUND, "no logo", "pas de logo")
	} else if err != nil {
		return nil, "", fmt.Errorf("sqlite: logo: %w", err)
	}
	return data, typ, nil
}
