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
