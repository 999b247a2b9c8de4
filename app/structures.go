package app

import (
	"context"
	"slices"
	"strings"

	"carnet/issuer/card"
	"carnet/schema"
)

// StructureInput is a structure's issuer profile.
type StructureInput struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	URL      string `json:"url"`
	Email    string `json:"email"`
	ImageURL string `json:"image_url"`
	Address  string `json:"address"`
	// CardLang is the language of the structure's cards (card.LangOptions:
	// "fr", "fr+en"); empty: unchanged ("fr" for a new structure).
	CardLang string `json:"card_lang"`
}

// cardLang checks a structure's card language against those the loaded
// frameworks allow; empty stays empty.
func (s *App) cardLang(l string) (string, error) {
	l = strings.TrimSpace(l)
	if l == "" {
		return "", nil
	}
	opts := card.LangOptions(s.Frameworks)
	if !slices.Contains(opts, l) {
		return "", schema.Errorf(schema.EINVALID, "unknown card language %q: %s", "langue de carte %q inconnue : %s",
			l, strings.Join(opts, ", "))
	}
	return l, nil
}

// maxAddressLength bounds a structure's postal address.
const maxAddressLength = 300

func (in *StructureInput) clean() error {
	var err error
	if in.Name, err = schema.CleanLabel(in.Name, 200, "the name", "le nom"); err != nil {
		return err
	}
	if in.Name == "" {
		return schema.Errorf(schema.EINVALID, "a structure needs a name", "une structure doit avoir un nom")
	}
	for _, u := range []*string{&in.URL, &in.ImageURL} {
		*u = strings.TrimSpace(*u)
		if *u != "" && !strings.HasPrefix(*u, "https://") && !strings.HasPrefix(*u, "http://") || len(*u) > 500 {
			return schema.Errorf(schema.EINVALID, "web addresses must start with https://", "les adresses web doivent commencer par https://")
		}
	}
	if in.Address, err = schema.CleanText(in.Address, maxAddressLength, "the address", "l'adresse"); err != nil {
		return err
	}
	if in.Email = strings.TrimSpace(in.Email); in.Email != "" {
		if in.Email, err = schema.CleanEmail(in.Email); err != nil {
			return err
		}
	}
	return nil
}

func (s *App) CreateStructure(ctx context.Context, a *Actor, in StructureInput) (*schema.Structure, error) {
	if !a.User.NetworkAdmin {
		return nil, ErrForbidden
	}
	in.Slug = strings.TrimSpace(in.Slug)
	if err := schema.ValidateSlug(in.Slug); err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	cl, err := s.cardLang(in.CardLang)
	if err != nil {
		return nil, err
	}
	st := &schema.Structure{Slug: in.Slug, Name: in.Name, URL: in.URL, Email: in.Email, ImageURL: in.ImageURL, Address: in.Address, CardLang: cl}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Structures.CreateStructure(ctx, st); err != nil {
			return err
		}
		if err := s.Record(ctx, a, st.ID, schema.AuditStructure, st.Slug, st.Name, ""); err != nil {
			return err
		}
		// Keys are made now, so the did.json of the structure answers at
		// once and the instance's own verifier trusts it (below, once
		// committed). A key file already there (left by an earlier data
		// dir) is kept, never replaced.
		if _, err := s.Keys.Create(st.Slug); err != nil && schema.ErrorCode(err) != schema.ECONFLICT {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.TrustStructure(st); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *App) UpdateStructure(ctx context.Context, a *Actor, slug string, in StructureInput) (*schema.Structure, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	cl, err := s.cardLang(in.CardLang)
	if err != nil {
		return nil, err
	}
	st.Name, st.URL, st.Email, st.ImageURL, st.Address = in.Name, in.URL, in.Email, in.ImageURL, in.Address
	if cl != "" {
		st.CardLang = cl
	}
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

// VisibleStructures lists the structures the actor belongs to (all of them
// for a network administrator).
func (s *App) VisibleStructures(ctx context.Context, a *Actor) ([]*schema.Structure, error) {
	list, err := s.Structures.ListStructures(ctx)
	if err != nil {
		return nil, err
	}
	out := []*schema.Structure{}
	for _, st := range list {
		if a.User.RoleIn(st.ID) != "" {
			out = append(out, st)
		}
	}
	return out, nil
}

// TrustStructure adds (or refreshes) a structure of the instance in the
// trust registry of the instance's verifier.
func (s *App) TrustStructure(st *schema.Structure) error {
	if _, err := s.Keys.Ring(st.Slug); err != nil {
		return err
	}
	if s.Verifier == nil || s.Verifier.Trust == nil {
		return nil
	}
	// The registry reads the ring again at each look-up: a rotation is
	// trusted at once.
	return s.Verifier.Trust.AddLocal(s.DID(st.Slug), st.Name, st.Slug, s.Keys)
}
