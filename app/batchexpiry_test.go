package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"carnet/app"
	"carnet/schema"
)

// TestBatchPendingExpiry, on a fixed clock: a CSV preview never confirmed
// is deleted with its rows once older than the TTL (24 h by default, or
// PendingBatchTTL), and only it: a younger preview, a confirmed batch, a
// batch running or done stay, rows and all. An expired preview can no
// longer be confirmed; the same file uploaded again previews anew.
func TestBatchPendingExpiry(t *testing.T) {
	ctx := context.Background()
	ops := newBatchApp(t, t.TempDir())
	var logs bytes.Buffer
	ops.Log = slog.New(slog.NewTextHandler(&logs, nil))
	med := batchMediator(t, ops)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := t0
	ops.Now = func() time.Time { return now }
	preview := func(file string) *schema.Batch {
		t.Helper()
		b, err := ops.PreviewBatchCSV(ctx, med, "", "digcomp-2.2", "fr", []byte(file))
		if err != nil || b.Status != schema.BatchPending {
			t.Fatalf("preview: %v %+v", err, b)
		}
		return b
	}
	rows := func(id string) int {
		t.Helper()
		r, err := ops.Batches.BatchRows(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return len(r)
	}
	exists := func(id string) bool {
		_, _, err := ops.Batch(ctx, med, id)
		if err != nil && schema.ErrorCode(err) != schema.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}
	old := preview(twelveRows)
	confirmed := preview("nom;1.1\nAwa Diallo;2\n")
	if _, err := ops.StartPendingBatch(ctx, med, confirmed.ID); err != nil {
		t.Fatal(err)
	}
	if err := ops.RunBatch(ctx, confirmed.ID, nil); err != nil {
		t.Fatal(err)
	}
	running, err := ops.CreateBatchCSV(ctx, med, "", "digcomp-2.2", "fr", []byte("nom;1.1\nZoë Martin;3\n"), "")
	if err != nil || running.Status != schema.BatchRunning {
		t.Fatalf("running: %v %+v", err, running)
	}
	now = t0.Add(20 * time.Hour)
	young := preview("nom;1.1\nLina Haddad;4\n")

	now = t0.Add(app.DefaultPendingBatchTTL) // not older than 24 h yet
	if n, err := ops.ExpirePendingBatches(ctx); err != nil || n != 0 {
		t.Fatalf("at 24 h: %d deleted, %v", n, err)
	}
	now = t0.Add(24*time.Hour + time.Second)
	if n, err := ops.ExpirePendingBatches(ctx); err != nil || n != 1 {
		t.Fatalf("after 24 h: %d deleted, %v; want 1", n, err)
	}
	if exists(old.ID) || rows(old.ID) != 0 {
		t.Errorf("the old preview is still there (%d rows)", rows(old.ID))
	}
	if _, err := ops.StartPendingBatch(ctx, med, old.ID); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("an expired preview confirmed: %v", err)
	}
	for name, b := range map[string]*schema.Batch{"young preview": young, "confirmed": confirmed, "running": running} {
		if !exists(b.ID) || rows(b.ID) == 0 {
			t.Errorf("%s batch deleted", name)
		}
	}
	if !strings.Contains(logs.String(), "batches=1") {
		t.Errorf("the deletion is not logged: %s", logs.String())
	}
	again := preview(twelveRows)
	if again.ID == old.ID || rows(again.ID) != 12 {
		t.Errorf("the same file again: %+v, %d rows", again, rows(again.ID))
	}

	// A shorter TTL, as `carnet serve --pending-batch-ttl 1h` sets it.
	ops.PendingBatchTTL = time.Hour
	now = now.Add(time.Hour + time.Second)
	if n, err := ops.ExpirePendingBatches(ctx); err != nil || n != 2 {
		t.Fatalf("TTL 1h: %d deleted, %v; want 2 (the young preview and the new one)", n, err)
	}
	if exists(young.ID) || exists(again.ID) || !exists(confirmed.ID) || !exists(running.ID) {
		t.Error("TTL 1h: wrong batches deleted")
	}
}

// TestBatchExpiredWhileConfirming: a preview that the sweep deletes
// between its read and its confirmation is not started (and not reported
// running): ending a batch that no longer exists is "not found".
func TestBatchExpiredWhileConfirming(t *testing.T) {
	ctx := context.Background()
	ops := newBatchApp(t, t.TempDir())
	med := batchMediator(t, ops)
	b, err := ops.PreviewBatchCSV(ctx, med, "", "digcomp-2.2", "fr", []byte("nom;1.1\nAwa Diallo;2\n"))
	if err != nil {
		t.Fatal(err)
	}
	// The sweep runs first: what StartPendingBatch read is now gone.
	if n, err := ops.Batches.DeletePendingBatches(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("deleted %d, %v", n, err)
	}
	if err := ops.Batches.EndBatch(ctx, b.ID, schema.BatchRunning, "", ""); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("a deleted preview started: %v", err)
	}
	running, err := ops.Batches.RunningBatches(ctx)
	if err != nil || len(running) != 0 {
		t.Errorf("running batches: %v, %v", running, err)
	}
}
