package sqlite_test

import (
	"context"
	"errors"
	"testing"

	"carnet/schema"
	"carnet/sqlite"
)

// InTx: every store of the database writes in the one transaction of the
// context, committed together, or rolled back together; an InTx inside
// another joins it.
func TestInTx(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	sts, audit := sqlite.NewStructureStore(db), sqlite.NewAuditStore(db)
	events := func() int {
		list, err := audit.ListAudit(ctx, schema.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	refused := errors.New("refused")
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := sts.CreateStructure(ctx, &schema.Structure{Slug: "annulee", Name: "Annulée"}); err != nil {
			return err
		}
		if err := audit.AppendAudit(ctx, &schema.AuditEvent{Action: schema.AuditStructure, Object: "annulee"}); err != nil {
			return err
		}
		// Seen inside the transaction.
		if _, err := sts.FindStructure(ctx, "annulee"); err != nil {
			t.Errorf("inside the transaction: %v", err)
		}
		return db.InTx(ctx, func(ctx context.Context) error { return refused }) // joins, and fails the whole
	})
	if !errors.Is(err, refused) {
		t.Fatalf("InTx: %v, want the error of fn", err)
	}
	if _, err := sts.FindStructure(ctx, "annulee"); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Errorf("structure of a rolled back transaction: %v, want not found", err)
	}
	if n := events(); n != 0 {
		t.Errorf("%d audit events after the rollback, want 0", n)
	}
	err = db.InTx(ctx, func(ctx context.Context) error {
		if err := sts.CreateStructure(ctx, &schema.Structure{Slug: "gardee", Name: "Gardée"}); err != nil {
			return err
		}
		return audit.AppendAudit(ctx, &schema.AuditEvent{Action: schema.AuditStructure, Object: "gardee"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sts.FindStructure(ctx, "gardee"); err != nil || events() != 1 {
		t.Errorf("after the commit: %v, %d events", err, events())
	}
}
