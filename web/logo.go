package web

import (
	_ "image/jpeg" // logo formats
	_ "image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"

	"carnet/app"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// maxLogoBody bounds the body of a logo upload. It is far above
// app.MaxLogoBytes, so that the photo someone picks by mistake is read to its
// end (only app.MaxLogoBytes of it kept) and they see the size limit rather than
// a connection cut; the CSRF token comes first in the form.
const maxLogoBody = 16 << 20

// logoUpload is a logo form as readLogoForm read it.
type logoUpload struct {
	data     []byte // the file, when within app.MaxLogoBytes
	tooLarge bool   // the file was larger than app.MaxLogoBytes
}

// Bounds of the logo form's other fields (csrf_token, remove).
const (
	maxLogoFields     = 8
	maxLogoFieldBytes = 1024
)

// readLogoForm reads a logo upload before the session and CSRF checks,
// part by part, keeping at most app.MaxLogoBytes of the file: gin would parse
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
			b, _ := io.ReadAll(io.LimitReader(part, app.MaxLogoBytes+1))
			if len(b) > app.MaxLogoBytes {
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
	st, err := s.StructureFor(ctx, a, c.Param("slug"), schema.RoleAdmin)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	remove := c.PostForm("remove") == "on"
	var logo []byte
	if !remove {
		up, _ := c.Value(logoKey).(*logoUpload)
		if up == nil {
			up = &logoUpload{}
		}
		if up.tooLarge {
			s.renderStructure(c, http.StatusRequestEntityTooLarge, app.ErrLogoTooLarge, "")
			return
		}
		logo = up.data
	}
	if st, err = s.SetLogo(ctx, a, st.Slug, logo, remove); err != nil {
		if schema.ErrorCode(err) == schema.EINVALID {
			s.renderStructure(c, http.StatusBadRequest, err, "")
			return
		}
		s.renderPageError(c, err)
		return
	}
	if c.PostForm("next") == "/setup" { // the setup page's logo form
		c.Redirect(http.StatusSeeOther, "/setup?structure="+st.Slug+"&ok=saved")
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
