package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"carnet/schema"
)

// DemoWriter writes many rows fast, for the demo generator (carnet
// gen-demo): prepared statements in large transactions. The rows are the
// same as the stores write (the triggers and indexes follow); nothing is
// checked or audited.
type DemoWriter struct {
	db                   *DB
	ctx                  context.Context
	tx                   *sql.Tx
	learner, cred, imprt *sql.Stmt
	n                    int
}

// demoBatch is how many rows a transaction of the demo writer holds.
const demoBatch = 20000

// NewDemoWriter starts a demo writer on db; Close commits what remains.
func (db *DB) NewDemoWriter(ctx context.Context) (*DemoWriter, error) {
	w := &DemoWriter{db: db, ctx: ctx}
	return w, w.begin()
}

func (w *DemoWriter) begin() error {
	tx, err := w.db.db.BeginTx(w.ctx, nil)
	if err != nil {
		return err
	}
	w.tx = tx
	if w.learner, err = tx.PrepareContext(w.ctx, `INSERT INTO learners (id, structure_id, name, contact, notes, consent_at, created_at, folded)
		VALUES (?, ?, ?, ?, '', ?, ?, ?)`); err != nil {
		return err
	}
	if w.cred, err = tx.PrepareContext(w.ctx, `INSERT INTO credentials (id, structure_id, subject_id, learner_name, framework, results,
		issued_at, valid_until, jwt, card_token, short_code, status_list, status_index, created_at, learner_id, issued_by,
		revoked_at, revoke_reason, suspended_at, suspend_reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`); err != nil {
		return err
	}
	w.imprt, err = tx.PrepareContext(w.ctx, `INSERT INTO imports (learner_id, structure_id, kind, input, credential_id, issuer_id, issuer_name,
		learner_name, framework, levels, attached_at, last_status, last_checked_at)
		VALUES (?, ?, 'credential', ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)`)
	return err
}

func (w *DemoWriter) step() error {
	w.n++
	if w.n%demoBatch != 0 {
		return nil
	}
	if err := w.tx.Commit(); err != nil {
		return err
	}
	return w.begin()
}

// Learner writes a learner created at a time.
func (w *DemoWriter) Learner(l *schema.Learner, at time.Time) error {
	if _, err := w.learner.ExecContext(w.ctx, l.ID, l.StructureID, l.Name, l.Contact, formatTime(at), formatTime(at), foldLearner(l.Name, l.Contact)); err != nil {
		return fmt.Errorf("sqlite: demo learner: %w", err)
	}
	return w.step()
}

// Credential writes a credential row as CreateCredential and
// SetCredentialStatus would (c.StructureID must be set).
func (w *DemoWriter) Credential(c *schema.CredentialRecord) error {
	results, err := schema.MarshalCompact(c.Results)
	if err != nil {
		return err
	}
	if _, err := w.cred.ExecContext(w.ctx, c.ID, c.StructureID, c.SubjectID, c.LearnerName, c.Framework, string(results), formatTime(c.IssuedAt),
		c.JWT, c.CardToken, c.ShortCode, c.StatusList, c.StatusIndex, formatTime(c.IssuedAt), nullString(c.LearnerID),
		formatTime(c.RevokedAt), c.RevokeReason, formatTime(c.SuspendedAt), c.SuspendReason); err != nil {
		return fmt.Errorf("sqlite: demo credential: %w", err)
	}
	return w.step()
}

// Import writes an attached credential.
func (w *DemoWriter) Import(i *schema.ImportedCredential) error {
	lv, err := json.Marshal(i.Levels)
	if err != nil {
		return err
	}
	if _, err := w.imprt.ExecContext(w.ctx, i.LearnerID, i.StructureID, i.Input, i.CredentialID, i.IssuerID, i.IssuerName, i.LearnerName,
		i.Framework, string(lv), formatTime(i.AttachedAt), formatTime(i.AttachedAt)); err != nil {
		return fmt.Errorf("sqlite: demo import: %w", err)
	}
	return w.step()
}

// Close commits the last rows. It runs no ANALYZE: the queries are
// measured as an instance runs them, with the planner's defaults.
func (w *DemoWriter) Close() error { return w.tx.Commit() }

// DemoWorkshopsSQL turns a tenth of the demo's credentials into
// workshops: those picked (by rowid), eight at a time in the order of
// their issuance, per structure and framework, are one workshop issued
// as one batch naming them (two workshops in three with a partner).
// carnet gen-demo runs it; it runs on a demo data dir made before too
// (sqlite3 DIR/carnet.db < this text): it adds nothing twice.
const DemoWorkshopsSQL = `
CREATE TEMP TABLE demo_rows AS
	SELECT c.id AS cred, c.structure_id AS s, c.framework AS fw, COALESCE(c.learner_id, '') AS lrn,
		COALESCE(c.learner_id, c.subject_id) AS subject, c.issued_at AS at,
		(ROW_NUMBER() OVER (PARTITION BY c.structure_id, c.framework ORDER BY c.issued_at, c.rowid) - 1) / 8 AS chunk
	FROM credentials c INDEXED BY credentials_issued WHERE c.rowid % 10 = 0;
CREATE TEMP TABLE demo_groups AS
	SELECT 'demo-' || s || '-' || fw || '-' || chunk AS id, s, fw, chunk, MIN(at) AS at, COUNT(*) AS n
	FROM demo_rows GROUP BY s, fw, chunk;
INSERT OR IGNORE INTO batches (id, structure_id, framework, status, total, done, created_at)
	SELECT id, s, fw, 'done', n, n, at FROM demo_groups;
INSERT OR IGNORE INTO batch_rows (batch_id, row, structure_id, learner_id, row_key, done, credential_id, issued, cred_issued_at, cred_learner)
	SELECT 'demo-' || s || '-' || fw || '-' || chunk, ROW_NUMBER() OVER (PARTITION BY s, fw, chunk ORDER BY at, cred), s, lrn, 'demo ' || cred, 1, cred, 1,
		at, subject
	FROM demo_rows;
INSERT OR IGNORE INTO workshops (id, structure_id, title, dates, partner, framework, competencies, batch_id, created_at)
	SELECT id, s, 'Atelier du ' || substr(at, 1, 10), substr(at, 1, 10),
		CASE (s + chunk) % 3 WHEN 1 THEN 'France Travail' WHEN 2 THEN 'Mission locale' ELSE '' END, fw, '["1.1"]', id, at
	FROM demo_groups;
DROP TABLE demo_rows;
DROP TABLE demo_groups;
`

// DemoWorkshops runs DemoWorkshopsSQL.
func (db *DB) DemoWorkshops(ctx context.Context) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, DemoWorkshopsSQL); err != nil {
			return fmt.Errorf("sqlite: demo workshops: %w", err)
		}
		return nil
	})
}
