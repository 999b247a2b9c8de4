package web

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // logo formats
	_ "image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
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

// maxLogoBody bounds the body of a logo upload. It is far above
// maxLogoBytes, so that the photo someone picks by mistake is read to its
// end (only maxLogoBytes of it kept) and they see the size limit rather than
// a connection cut; the CSRF token comes first in the form.
const maxLogoBody = 16 << 20

var errLogoTooLarge = schema.Errorf(schema.EINVALID, "the logo is larger than the maximum size of %d KB",
	"le logo dépasse la taille maximale de %d Ko", maxLogoBytes>>10)

var errNoLogo = schema.Errorf(schema.EINVALID, "choose an image file", "choisissez un fichier image")

// checkLogo returns the content type of a PNG or JPEG logo within limits.
func checkLogo(b []byte) (string, error) {
	if len(b) == 0 {
		return "", errNoLogo
	}
	if len(b) > maxLogoBytes {
		return "", errLogoTooLarge
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

// logoUpload is a logo form as readLogoForm read it.
type logoUpload struct {
	data     []byte // the file, when within maxLogoBytes
	tooLarge bool   // the file was larger than maxLogoBytes
}

// Bounds of the logo form's other fields (csrf_token, remove).
const (
	maxLogoFields     = 8
	maxLogoFieldBytes = 1024
)

// readLogoForm reads a logo upload before the session and CSRF checks,
// part by part, keeping at most maxLogoBytes of the file: gin would parse
// the whole multipart form to find csrf_token, and a form cut at the body
// limit lost its token, so a large file answered "the form has expired".
// The fields become the request's PostForm, so the CSRF check reads them as
// usual; the file goes to structureLogo, which says when it is too large.
func (s *Server) readLogoForm(c *gin.Context) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return // not multipart: no token, the CSRF check refuses it
	}
	values, up := url.Values{}, &logoUpload{}
	for n := 0; n < maxLogoFields; n++ {
		part, err := mr.NextPart()
		if err != nil {
			break // the end, or a body cut at maxLogoBody: what was read stands
		}
		if part.FormName() == "logo" {
			b, _ := io.ReadAll(io.LimitReader(part, maxLogoBytes+1))
			if len(b) > maxLogoBytes {
				up.data, up.tooLarge = nil, true
				if _, err := io.Copy(io.Discard, part); err != nil {
					break
				}
			} else if !up.tooLarge {
				up.data = b
			}
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(part, maxLogoFieldBytes+1))
		if len(b) <= maxLogoFieldBytes {
			values.Add(part.FormName(), string(b))
		}
	}
	c.Request.PostForm = values
	c.Request.Form = values
	c.Request.MultipartForm = &multipart.Form{Value: values, File: map[string][]*multipart.FileHeader{}}
	c.Set(logoKey, up)
}

const logoKey = "logo_upload"

// structureLogo stores (or, with remove=on, deletes) a structure's logo
// from a form upload read by readLogoForm; the profile's image_url points
// at it. A file over the limit is refused with 413 and the limit in words.
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
		up, _ := c.Value(logoKey).(*logoUpload)
		if up == nil {
			up = &logoUpload{}
		}
		if up.tooLarge {
			s.renderStructure(c, http.StatusRequestEntityTooLarge, errLogoTooLarge, "")
			return
		}
		typ, err := checkLogo(up.data)
		if err != nil {
			s.renderStructure(c, http.StatusBadRequest, err, "")
			return
		}
		logo, logoType = up.data, typ
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
