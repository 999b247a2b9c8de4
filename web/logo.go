package web

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // logo formats
	_ "image/png"
	"io"
	"net/http"
	"strings"

	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// Logo limits: small enough for every card, bounded before decoding so
// that a crafted image cannot make the server allocate much.
const (
	maxLogoBytes = 200 << 10
	maxLogoSide  = 2000
)

// checkLogo returns the content type of a PNG or JPEG logo within limits.
func checkLogo(b []byte) (string, error) {
	if len(b) == 0 {
		return "", schema.Errorf(schema.EINVALID, "choose an image file", "choisissez un fichier image")
	}
	if len(b) > maxLogoBytes {
		return "", schema.Errorf(schema.EINVALID, "the logo is too large (200 KB at most)", "le logo est trop lourd (200 Ko au plus)")
	}
	typ := http.DetectContentType(b)
	if typ != "image/png" && typ != "image/jpeg" {
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

// structureLogo stores (or, with remove=on, deletes) a structure's logo
// from a form upload; the profile's image_url points at it.
func (s *Server) structureLogo(c *gin.Context) {
	ctx := c.Request.Context()
	a := actorOf(c)
	st, err := s.structureFor(ctx, a, c.Param("slug"), schema.RoleAdmin)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	own := strings.TrimRight(s.BaseURL, "/") + "/s/" + st.Slug + "/logo"
	var logo []byte // nil: removed
	var logoType string
	if c.PostForm("remove") == "on" {
		if st.ImageURL == own {
			st.ImageURL = ""
		}
	} else {
		fh, err := c.FormFile("logo")
		if err != nil {
			s.renderStructure(c, http.StatusBadRequest, schema.Errorf(schema.EINVALID, "choose an image file", "choisissez un fichier image"), "")
			return
		}
		f, err := fh.Open()
		if err != nil {
			s.renderPageError(c, err)
			return
		}
		b, err := io.ReadAll(io.LimitReader(f, maxLogoBytes+1))
		f.Close()
		if err != nil {
			s.renderPageError(c, err)
			return
		}
		typ, err := checkLogo(b)
		if err != nil {
			s.renderStructure(c, http.StatusBadRequest, err, "")
			return
		}
		logo, logoType = b, typ
		st.ImageURL = own
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Structures.SetLogo(ctx, st.Slug, logo, logoType); err != nil {
			return err
		}
		if err := s.Structures.UpdateStructure(ctx, st); err != nil {
			return err
		}
		return s.record(ctx, a, st.ID, schema.AuditStructureEdit, st.Slug, "logo", "")
	})
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/structures/"+st.Slug+"?ok=saved")
}

// logo serves a structure's logo (public: it is part of the issuer profile).
func (s *Server) logo(c *gin.Context) {
	b, typ, err := s.Structures.Logo(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Header("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, typ, b)
}

// cardLogo returns the logo bytes for a structure's cards, nil when none.
func (s *Server) cardLogo(c *gin.Context, slug string) []byte {
	b, _, err := s.Structures.Logo(c.Request.Context(), slug)
	if err != nil {
		return nil
	}
	return b
}
