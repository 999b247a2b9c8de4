package app

import (
	"context"
	"net/url"
	"strings"

	"carnet/i18n"
	"carnet/keys"
	"carnet/schema"
)

// DefaultStructureName is the name `carnet serve` gives the structure it
// makes on first start; the setup page asks for the real one.
const DefaultStructureName = "Structure principale"

// LoopbackWarning is what the setup page and `carnet serve` say when the
// public URL names this machine.
// It is the catalogue's message setup_loopback_warning, French then English.
var LoopbackWarning = [2]string{i18n.T("fr", "setup_loopback_warning"), i18n.T("en", "setup_loopback_warning")}

// IsLoopbackURL reports whether a public URL names this machine
// (localhost, 127.0.0.0/8, ::1): fine to try Carnet, useless on cards.
func IsLoopbackURL(base string) bool {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || u.Host == "" {
		return true
	}
	return keys.IsLoopback(u.Hostname())
}

// NeedsSetUp returns the structure whose first administrator has not yet
// given its real profile (its name is still the default one), or nil.
func (s *App) NeedsSetUp(ctx context.Context, a *Actor) *schema.Structure {
	if a == nil || a.User == nil {
		return nil
	}
	list, err := s.Structures.ListStructures(ctx)
	if err != nil {
		return nil
	}
	for _, st := range list {
		if st.SetUpAt.IsZero() && st.Name == DefaultStructureName && a.Can(st.ID, schema.RoleAdmin) && a.User.RoleIn(st.ID) != "" {
			return st
		}
	}
	return nil
}

// SetUpStructure saves the profile given on the setup page: the real name
// (never the default one, which no card may print), address, website and
// e-mail.
func (s *App) SetUpStructure(ctx context.Context, a *Actor, slug string, in StructureInput) (*schema.Structure, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	if strings.EqualFold(in.Name, DefaultStructureName) || strings.EqualFold(in.Name, "Main structure") {
		return nil, schema.Errorf(schema.EINVALID, "Give your structure's real name: it is printed on every card",
			"Indiquez le vrai nom de votre structure : il est imprimé sur chaque carte")
	}
	st.Name, st.URL, st.Email, st.Address = in.Name, in.URL, in.Email, in.Address
	st.SetUpAt = s.now().UTC()
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Structures.UpdateStructure(ctx, st); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, schema.AuditStructureEdit, st.Slug, st.Name, "")
	})
	if err != nil {
		return nil, err
	}
	if err := s.TrustStructure(st); err != nil {
		return nil, err
	}
	return st, nil
}
