package schema

import (
	"context"
	"time"
)

// Batch statuses.
const (
	BatchRunning = "running"
	BatchDone    = "done"
	BatchFailed  = "failed"
	// BatchPending: uploaded from a page, checked, waiting for the
	// mediator to confirm (app.StartPendingBatch); not run at start.
	BatchPending = "pending"
)

// Batch is a list of learners issued in one go (a CSV file, a JSON list, a
// workshop's grid): every row is issued as if alone, in the background,
// and its result kept.
type Batch struct {
	ID          string
	StructureID int64
	Framework   string
	Lang        string
	Status      string
	Total, Done int
	// Who started it: the account (0 for a command run on the data dir),
	// its API token, the operating system's user of a command, the
	// address. Rows still to issue after a restart are issued as them.
	ActorID  int64
	TokenID  int64
	ActorCLI string
	IP       string
	// IdemKey is the Idempotency-Key it was created with ("" none), and
	// BodyHash the SHA-256 of the body: the same key and body answer this
	// batch again.
	IdemKey   string
	BodyHash  string
	Error     string // why it failed (English)
	ErrorFR   string
	CreatedAt time.Time
}

// BatchRow is one line of a batch. Row is the line's number in the file
// (its header is line 1) or, for a JSON list, its rank from 1.
type BatchRow struct {
	BatchID   string
	Row       int
	LearnerID string // an existing learner; "" creates one from Name, Contact, Notes
	Name      string
	Contact   string
	Notes     string
	Levels    []LevelResult
	// Key identifies the row in its file (the file's hash and the row's
	// number): one key is issued once, whichever batch carries it.
	Key          string
	Done         bool
	CredentialID string // issued (or issued before, under the same key)
	ErrCode      string // refused: its code and messages
	ErrMessage   string
	ErrMessageFR string
}

// OK reports whether a row done was issued.
func (r *BatchRow) OK() bool { return r.Done && r.CredentialID != "" }

// BatchStore keeps batches and their rows.
type BatchStore interface {
	// CreateBatch stores a batch and its rows; a batch of the same
	// structure and IdemKey (not "") already stored is returned instead,
	// with created false.
	CreateBatch(ctx context.Context, b *Batch, rows []*BatchRow) (stored *Batch, created bool, err error)
	FindBatch(ctx context.Context, id string) (*Batch, error)
	// BatchRows lists a batch's rows in order.
	BatchRows(ctx context.Context, id string) ([]*BatchRow, error)
	// PendingBatchRows lists up to limit rows not done yet, in order.
	PendingBatchRows(ctx context.Context, id string, limit int) ([]*BatchRow, error)
	// IssuedForKey returns the credential already issued under a row key,
	// "" when none.
	IssuedForKey(ctx context.Context, structureID int64, key string) (string, error)
	// FinishBatchRow marks a row done with its result and counts it in
	// its batch; called in the transaction of the row's issuance, it
	// commits with it. issued: the row's credential was issued by this
	// row (not an earlier batch under the same key); a second one under
	// one key is refused (ECONFLICT), and a row done already too.
	FinishBatchRow(ctx context.Context, r *BatchRow, issued bool) error
	// EndBatch sets a batch's final status (and its error).
	EndBatch(ctx context.Context, id, status, errEN, errFR string) error
	// RunningBatches lists the batches still running.
	RunningBatches(ctx context.Context) ([]*Batch, error)
	// DeletePendingBatches deletes the batches still pending (previews
	// never confirmed) created before a time, with their rows, and
	// returns how many; a batch started meanwhile is kept.
	DeletePendingBatches(ctx context.Context, before time.Time) (int, error)
}
