package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"carnet/schema"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// ErrDamaged is wrapped by every error that says the database is damaged,
// and by every write refused because of it: writing more into a damaged
// file can only spread the damage, and an acknowledged credential must not
// land in pages that may be lost.
var ErrDamaged = schema.Errorf(schema.EUNAVAILABLE,
	"the database is damaged: Carnet refuses to write into it until it is restored (operator: carnet check, then carnet restore from the last backup)",
	"la base de données est endommagée : Carnet refuse d'y écrire tant qu'elle n'est pas restaurée (exploitant : carnet check, puis carnet restore depuis la dernière sauvegarde)")

func damagedError(path, detail string) error {
	return fmt.Errorf("sqlite: %s: %s: %w", path, detail, ErrDamaged)
}

// isCorrupt reports whether SQLite said the file is damaged or not a
// database.
func isCorrupt(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB)
}

// observe marks the database damaged when err is SQLite saying so, and
// returns err.
func (db *DB) observe(err error) error {
	if err != nil && isCorrupt(err) {
		db.markDamaged(err.Error())
	}
	return err
}

func (db *DB) markDamaged(detail string) {
	err := damagedError(db.path, detail)
	db.damaged.CompareAndSwap(nil, &err)
}

// Damaged returns the first sign of damage seen on the database (wrapping
// ErrDamaged), or nil. It stays set until the process ends.
func (db *DB) Damaged() error {
	if p := db.damaged.Load(); p != nil {
		return *p
	}
	return nil
}

// pool is the database's connection pool: the queries the stores make
// outside a transaction go through it, so that SQLite saying the file is
// damaged, on a read as on a write, marks the database damaged.
type pool struct {
	*sql.DB
	owner *DB
}

// ExecContext, QueryContext and QueryRowContext run in the transaction of
// their context when DB.InTx opened one, so that every store joins it
// without knowing.
func (p pool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t := txOf(ctx); t != nil {
		res, err := t.tx.ExecContext(ctx, q, args...)
		return res, p.owner.observe(err)
	}
	res, err := p.DB.ExecContext(ctx, q, args...)
	return res, p.owner.observe(err)
}

func (p pool) QueryContext(ctx context.Context, q string, args ...any) (*rows, error) {
	var rs *sql.Rows
	var err error
	if t := txOf(ctx); t != nil {
		rs, err = t.tx.QueryContext(ctx, q, args...)
	} else {
		rs, err = p.DB.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, p.owner.observe(err)
	}
	return &rows{Rows: rs, owner: p.owner}, nil
}

func (p pool) QueryRowContext(ctx context.Context, q string, args ...any) *row {
	if t := txOf(ctx); t != nil {
		return &row{Row: t.tx.QueryRowContext(ctx, q, args...), owner: p.owner}
	}
	return &row{Row: p.DB.QueryRowContext(ctx, q, args...), owner: p.owner}
}

type rows struct {
	*sql.Rows
	owner *DB
}

func (r *rows) Scan(dest ...any) error { return r.owner.observe(r.Rows.Scan(dest...)) }
func (r *rows) Err() error             { return r.owner.observe(r.Rows.Err()) }

type row struct {
	*sql.Row
	owner *DB
}

func (r *row) Scan(dest ...any) error { return r.owner.observe(r.Row.Scan(dest...)) }

// Path returns the file of the database.
func (db *DB) Path() string { return db.path }

// connector opens the pool's connections with a commit hook that turns
// every commit into a rollback once the database is known to be damaged:
// no write, whichever store method makes it, reaches a damaged file.
func (db *DB) connector() driver.Connector {
	d := &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// Migration 0012 folds the learners' names as Carnet does.
		if err := c.RegisterFunc("carnet_fold", schema.Fold, true); err != nil {
			return err
		}
		c.RegisterCommitHook(func() int {
			if db.damaged.Load() != nil {
				return 1
			}
			return 0
		})
		return nil
	}}
	return connector{dsn: db.dsn, d: d}
}

type connector struct {
	dsn string
	d   *sqlite3.SQLiteDriver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.d }

// Check runs SQLite's own check of the database file (CheckFile) and
// marks the database damaged when it finds damage.
func (db *DB) Check(ctx context.Context, full bool) (problems []string, err error) {
	problems, damaged, err := checkFile(ctx, db.path, full)
	if damaged {
		db.markDamaged(strings.Join(problems, "; "))
	}
	return problems, err
}

// CheckFile runs SQLite's own check of the database file at path, on a
// connection of its own (so that no page cached by a pool hides what is on
// disk) and without migrating or writing anything: quick_check, or with
// full integrity_check and foreign_key_check (slower: they read every
// index). It returns the problems found, in SQLite's words; err is for a
// check that could not run (a missing file, say).
func CheckFile(ctx context.Context, path string, full bool) (problems []string, err error) {
	problems, _, err = checkFile(ctx, path, full)
	return problems, err
}

func checkFile(ctx context.Context, path string, full bool) (problems []string, damaged bool, err error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=rw&_busy_timeout=10000"
	sdb := sql.OpenDB(connector{dsn: dsn, d: &sqlite3.SQLiteDriver{}})
	defer sdb.Close()
	sdb.SetMaxOpenConns(1)
	pragma := "PRAGMA quick_check(50)"
	if full {
		pragma = "PRAGMA integrity_check(50)"
	}
	lines, err := queryStrings(ctx, sdb, pragma)
	if isCorrupt(err) {
		problems = append(problems, err.Error())
	} else if err != nil {
		return nil, false, fmt.Errorf("sqlite: %s: %s: %w", path, pragma, err)
	} else if len(lines) != 1 || lines[0] != "ok" {
		problems = append(problems, lines...)
	}
	if len(problems) > 0 || !full {
		return problems, len(problems) > 0, nil
	}
	rows, err := sdb.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return nil, isCorrupt(err), fmt.Errorf("sqlite: foreign_key_check: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return nil, false, fmt.Errorf("sqlite: foreign_key_check: %w", err)
		}
		problems = append(problems, fmt.Sprintf("foreign key: %s row %d refers to a missing %s row", table, rowid.Int64, parent))
	}
	return problems, isCorrupt(rows.Err()), rows.Err()
}

func queryStrings(ctx context.Context, sdb *sql.DB, q string) ([]string, error) {
	rows, err := sdb.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Health returns nil when the database is usable: not known to be damaged,
// and its schema readable (a cheap query; the full look at the file is the
// periodic Check of Watch).
func (db *DB) Health(ctx context.Context) error {
	if err := db.Damaged(); err != nil {
		return err
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return db.observe(fmt.Errorf("sqlite: health: %w", err))
	}
	return nil
}

// Watch runs the quick Check every period until ctx ends; onDamage, when
// set, is called once when damage is first found.
func (db *DB) Watch(ctx context.Context, period time.Duration, onDamage func(error)) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if db.Damaged() != nil {
			continue
		}
		db.Check(ctx, false) // a check that cannot run now is tried again next time
		if err := db.Damaged(); err != nil && onDamage != nil {
			onDamage(err)
		}
	}
}

// BackupTo writes a consistent copy of the database, as of one moment, to
// a new file at path (VACUUM INTO: a read transaction, so writers go on).
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return db.observe(fmt.Errorf("sqlite: backup: %w", err))
	}
	return nil
}

// Checkpoint moves the write-ahead log into the database file.
func (db *DB) Checkpoint(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return db.observe(fmt.Errorf("sqlite: checkpoint: %w", err))
	}
	return nil
}

// LatestSigned returns the latest credential of a structure that still has
// its JWS (an erasure empties it); ENOTFOUND when there is none.
func (s *CredentialStore) LatestSigned(ctx context.Context, structureID int64) (*schema.CredentialRecord, error) {
	return s.findBy(ctx, `c.structure_id = ? AND c.jwt != '' ORDER BY c.created_at DESC, c.rowid DESC LIMIT 1`, structureID)
}

// SampleCredentials returns up to n credentials picked at random among
// those that still have their JWS.
func (s *CredentialStore) SampleCredentials(ctx context.Context, n int) ([]*schema.CredentialRecord, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+credentialCols+` FROM credentials c JOIN structures s ON s.id = c.structure_id
		WHERE c.jwt != '' ORDER BY random() LIMIT ?`, n)
	if err != nil {
		return nil, s.db.observe(fmt.Errorf("sqlite: sample credentials: %w", err))
	}
	defer rows.Close()
	var out []*schema.CredentialRecord
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, s.db.observe(fmt.Errorf("sqlite: sample credentials: %w", err))
		}
		out = append(out, c)
	}
	return out, s.db.observe(rows.Err())
}
