package app

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // logo formats
	_ "image/png"
	"strings"

	"carnet/schema"
)

// Logo limits: small enough for every card, bounded before decoding so
// that a crafted image cannot make the server allocate much.
const (
	MaxLogoBytes = 200 << 10
	maxLogoSide  = 2000
)

// ErrLogoTooLarge refuses a logo file over MaxLogoBytes.
var ErrLogoTooLarge = schema.Errorf(schema.EINVALID, "the logo is larger than the maximum size of %d KB",
	"le logo dépasse la taille maximale de %d Ko", MaxLogoBytes>>10)

var errNoLogo = schema.Errorf(schema.EINVALID, "choose an image file", "choisissez un fichier image")

// Signatures of the logo formats (what http.DetectContentType sniffs).
const (
	pngSignature  = "\x89PNG\x0D\x0A\x1A\x0A"
	jpegSignature = "\xFF\xD8\xFF"
)

// CheckLogo returns the content type of a PNG or JPEG logo within limits.
func CheckLogo(b []byte) (string, error) {
	if len(b) == 0 {
		return "", errNoLogo
	}
	if len(b) > MaxLogoBytes {
		return "", ErrLogoTooLarge
	}
	var typ string
	switch {
	case bytes.HasPrefix(b, []byte(pngSignature)):
		typ = "image/png"
	case bytes.HasPrefix(b, []byte(jpegSignature)):
		typ = "image/jpeg"
	default:
		return "", schema.Errorf(schema.EINVALID, "the logo must be a PNG or JPEG image", "le logo doit être une image PNG ou JPEG")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxLogoSide || cfg.Height > maxLogoSide {
		return "", schema.Errorf(schema.EINVALID, "the logo must be a readable image of at most 2000 x 2000 pixels",
			"le logo doit être une image lisible de 2000 x 2000 pixels au plus")
	}
	if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
		return "", schema.Errorf(schema.EINVALID, "the logo image is damaged", "l'image du logo est abîmée")
	}
	return typ, nil
}

// SetLogo stores a structure's logo (or, with remove, deletes it); the
// profile's image_url points at it (own, the address it is served at).
// The structure's administrators may; a logo that CheckLogo refuses is
// refused with its error (code EINVALID).
func (s *App) SetLogo(ctx context.Context, a *Actor, slug string, logo []byte, remove bool) (*schema.Structure, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return nil, err
	}
	own := strings.TrimRight(s.BaseURL, "/") + "/s/" + st.Slug + "/logo"
	var logoType string
	if remove {
		logo = nil
		if st.ImageURL == own {
			st.ImageURL = ""
		}
	} else {
		if logoType, err = CheckLogo(logo); err != nil {
			return nil, err
		}
		st.ImageURL = own
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Structures.SetLogo(ctx, st.Slug, logo, logoType); err != nil {
			return err
		}
		if err := s.Structures.UpdateStructure(ctx, st); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, schema.AuditStructureEdit, st.Slug, "logo", "")
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}
