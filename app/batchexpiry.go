package app

import (
	"context"
	"time"
)

// DefaultPendingBatchTTL is how long a CSV preview that was never
// confirmed (a pending batch: the rows of an uploaded file, names,
// contacts and notes included) is kept.
const DefaultPendingBatchTTL = 24 * time.Hour

// pendingSweepEvery is how often ExpirePendingBatchesLoop looks.
const pendingSweepEvery = time.Hour

// ExpirePendingBatches deletes the previews never confirmed that are
// older than PendingBatchTTL (DefaultPendingBatchTTL when zero), with
// their rows, and returns how many. Nothing was issued from them, and
// their upload is not audited: their deletion is logged, not audited.
// A preview confirmed meanwhile runs and is kept.
func (s *App) ExpirePendingBatches(ctx context.Context) (int, error) {
	if s.Batches == nil {
		return 0, nil
	}
	ttl := s.PendingBatchTTL
	if ttl <= 0 {
		ttl = DefaultPendingBatchTTL
	}
	n, err := s.Batches.DeletePendingBatches(ctx, s.now().UTC().Add(-ttl))
	if err == nil && n > 0 && s.Log != nil {
		s.Log.Info("previews never confirmed deleted", "batches", n, "older_than", ttl.String())
	}
	return n, err
}

// ExpirePendingBatchesLoop runs ExpirePendingBatches at once, then every
// hour, until ctx ends.
func (s *App) ExpirePendingBatchesLoop(ctx context.Context) {
	t := time.NewTicker(pendingSweepEvery)
	defer t.Stop()
	for {
		if _, err := s.ExpirePendingBatches(ctx); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Error("expiring previews never confirmed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
