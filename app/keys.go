package app

import (
	"context"

	"carnet/keys"
	"carnet/schema"
)

// Key rotation: a structure's administrator (or a network administrator)
// adds a new signing key to the structure's ring. Credentials are signed
// with it from then on; the previous keys stay in the ring, published and
// trusted, so everything issued before keeps verifying. The instance's
// verifier reads the ring at each verification (verifier.Registry.AddLocal),
// so the new key verifies at once. `carnet keys rotate` rotates through
// RotateKeys too.

// RotateKeys adds a new signing key to the ring of a structure. The audit
// entry is written first, in the same transaction: when it cannot be
// written, no key is added.
func (s *App) RotateKeys(ctx context.Context, a *Actor, slug string) (*schema.Structure, *keys.Key, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return nil, nil, err
	}
	var k *keys.Key
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Record(ctx, a, st.ID, schema.AuditKeysRotated, st.Slug, "", ""); err != nil {
			return err
		}
		k, err = s.Keys.Rotate(st.Slug)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return st, k, nil
}
