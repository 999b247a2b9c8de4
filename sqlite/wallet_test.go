package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

// TestWalletGrants: a grant is taken once, even by requests racing for it;
// not after it expired, not as another kind; expired grants are swept.
func TestWalletGrants(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ls := sqlite.NewLearnerStore(db)
	now := time.Now().UTC()
	put := func(hash, kind string, life time.Duration) {
		t.Helper()
		if err := ls.PutWalletGrant(ctx, hash, &schema.WalletGrant{Kind: kind, CredentialID: "urn:uuid:c", LearnerID: "l", CreatedAt: now, ExpiresAt: now.Add(life)}); err != nil {
			t.Fatal(err)
		}
	}
	put("h1", schema.GrantCode, time.Minute)
	if _, err := ls.TakeWalletGrant(ctx, schema.GrantToken, "h1", now); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("a code taken as a token: %v", err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g, err := ls.TakeWalletGrant(ctx, schema.GrantCode, "h1", now); err == nil && g.CredentialID == "urn:uuid:c" && g.ExpiresAt.Equal(now.Add(time.Minute)) {
				wins.Add(1)
			} else if schema.ErrorCode(err) != schema.ENOTFOUND {
				t.Errorf("take: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("the code was taken %d times", wins.Load())
	}
	put("h2", schema.GrantNonce, time.Minute)
	if _, err := ls.TakeWalletGrant(ctx, schema.GrantNonce, "h2", now.Add(time.Minute)); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("an expired nonce taken: %v", err)
	}
	// A later grant sweeps the expired ones: h2 is gone, not just unusable.
	now = now.Add(2 * time.Minute)
	put("h3", schema.GrantNonce, time.Minute)
	if err := ls.PutWalletGrant(ctx, "h2", &schema.WalletGrant{Kind: schema.GrantNonce, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
		t.Errorf("h2 was not swept: %v", err)
	}
}
