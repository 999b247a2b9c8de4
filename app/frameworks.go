package app

import (
	"context"
	"strings"

	"carnet/schema"
)

// StructureFrameworks returns the frameworks a structure assesses
// against, in its order: the ones it chose first (the first opens the
// assessment), then the other built-in ones in their usual order.
func (s *App) StructureFrameworks(st *schema.Structure) []*schema.Framework {
	var out []*schema.Framework
	seen := map[string]bool{}
	add := func(id string) {
		fw, err := s.Frameworks.Get(id)
		if err != nil || seen[fw.ID] {
			return
		}
		seen[fw.ID] = true
		out = append(out, fw)
	}
	if st != nil {
		for _, id := range st.Frameworks {
			add(id)
		}
	}
	for _, id := range s.Frameworks.IDs() {
		add(id)
	}
	return out
}

// DefaultFramework is the framework a structure's assessments open on.
func (s *App) DefaultFramework(st *schema.Structure) *schema.Framework {
	if list := s.StructureFrameworks(st); len(list) > 0 {
		return list[0]
	}
	return nil
}

// SetFrameworks saves a structure's choice of frameworks, in order (the
// first is the default one): every id must be a built-in framework, once.
// Frameworks left out still come after, in their usual order.
func (s *App) SetFrameworks(ctx context.Context, a *Actor, slug string, ids []string) (*schema.Structure, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return nil, err
	}
	var clean []string
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		fw, err := s.Frameworks.Get(id)
		if err != nil {
			return nil, schema.Errorf(schema.EINVALID, "Unknown framework %q: choose one from the list", "Référentiel %q inconnu : choisissez-en un dans la liste", id)
		}
		if seen[fw.ID] {
			continue
		}
		seen[fw.ID] = true
		clean = append(clean, fw.ID)
	}
	st.Frameworks = clean
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Structures.UpdateStructure(ctx, st); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, schema.AuditStructureEdit, st.Slug, "frameworks: "+strings.Join(clean, ", "), "")
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// LastFramework is the framework of the learner's latest credential
// issued here, or the learner's structure's default one.
func (s *App) LastFramework(ctx context.Context, a *Actor, l *schema.Learner) *schema.Framework {
	creds, err := s.ListCredentials(ctx, a, l.ID, 20)
	if err == nil {
		var last *schema.CredentialRecord
		for _, c := range creds {
			if last == nil || c.IssuedAt.After(last.IssuedAt) {
				last = c
			}
		}
		if last != nil {
			if fw, err := s.Frameworks.Get(last.Framework); err == nil {
				return fw
			}
		}
	}
	st, _ := s.Structures.FindStructure(ctx, l.Structure)
	return s.DefaultFramework(st)
}
