package app

import (
	"context"
	"errors"

	"carnet/schema"
)

// The catalogue of self-training resources: everyone signed in reads it,
// network administrators edit it. It suggests what to work on next, on a
// learner's page and on the A4 attestation.

// Catalogue returns the self-training resources this instance suggests.
func (s *App) Catalogue(ctx context.Context) (*schema.Catalogue, error) {
	if s.Resources == nil {
		return schema.StarterCatalogue(s.Frameworks)
	}
	list, err := s.Resources.ListResources(ctx)
	if err != nil {
		return nil, err
	}
	return schema.CatalogueOf(list), nil
}

var ErrNoResourceStore = errors.New("app: no resource store configured (App.Resources)")

// ResourceAdmin lets network administrators through.
func ResourceAdmin(a *Actor) error {
	if !a.User.NetworkAdmin {
		return schema.Errorf(schema.EFORBIDDEN, "only network administrators edit the resource catalogue",
			"seuls les administrateurs du réseau modifient le catalogue de ressources")
	}
	return nil
}

// SaveResource creates (id "") or updates the resource with this id.
func (s *App) SaveResource(ctx context.Context, a *Actor, id string, r *schema.Resource) (*schema.Resource, error) {
	if err := ResourceAdmin(a); err != nil {
		return nil, err
	}
	if s.Resources == nil {
		return nil, ErrNoResourceStore
	}
	r.UpdatedBy = a.User.Label()
	action := schema.AuditResourceAdd
	err := s.InTx(ctx, func(ctx context.Context) error {
		if id != "" {
			r.ID, action = id, schema.AuditResourceEdit
			if err := s.Resources.UpdateResource(ctx, r); err != nil {
				return err
			}
		} else if err := s.Resources.CreateResource(ctx, r); err != nil {
			return err
		}
		return s.Record(ctx, a, 0, action, r.ID, r.Name["fr"], "")
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s *App) DeleteResource(ctx context.Context, a *Actor, id string) error {
	if err := ResourceAdmin(a); err != nil {
		return err
	}
	if s.Resources == nil {
		return ErrNoResourceStore
	}
	r, err := s.Resources.FindResource(ctx, id)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Resources.DeleteResource(ctx, id); err != nil {
			return err
		}
		return s.Record(ctx, a, 0, schema.AuditResourceDelete, r.ID, r.Name["fr"], "")
	})
}
