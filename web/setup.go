package web

import (
	"fmt"
	"net/http"

	"carnet/app"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// The first start: the first administrator gives their structure's real
// name, address and logo, and sees whether the public URL can work on
// printed cards.

// loopbackWarning is the warning about a public URL that names this
// machine, in lang; "" when the URL is fine.
func (s *Server) loopbackWarning(lang string) string {
	if !app.IsLoopbackURL(s.BaseURL) {
		return ""
	}
	w := app.LoopbackWarning[0]
	if lang == "en" {
		w = app.LoopbackWarning[1]
	}
	return fmt.Sprintf(w, s.BaseURL)
}

func (s *Server) setupPage(c *gin.Context) { s.renderSetup(c, http.StatusOK, nil, nil) }

func (s *Server) renderSetup(c *gin.Context, status int, formErr error, in *app.StructureInput) {
	a := actorOf(c)
	st := s.NeedsSetUp(c.Request.Context(), a)
	if slug := c.Query("structure"); slug != "" || st == nil {
		var err error
		if st, err = s.StructureFor(c.Request.Context(), a, slug, schema.RoleAdmin); err != nil {
			s.renderPageError(c, err)
			return
		}
	}
	p := s.view(c, "setup_title")
	if formErr != nil {
		p.Error = s.errorText(c, p, formErr)
	}
	if in == nil {
		in = &app.StructureInput{Name: st.Name, URL: st.URL, Email: st.Email, Address: st.Address}
		if st.Name == app.DefaultStructureName {
			in.Name = ""
		}
	}
	p.View = &setupView{Structure: st, Input: in, Loopback: s.loopbackWarning(p.Lang)}
	s.render(c, status, "setup", p)
}

func (s *Server) setupPost(c *gin.Context) {
	in := structureForm(c)
	if _, err := s.SetUpStructure(c.Request.Context(), actorOf(c), c.PostForm("structure"), in); err != nil {
		if schema.ErrorCode(err) == schema.EINVALID {
			s.renderSetup(c, http.StatusBadRequest, err, &in)
			return
		}
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/?ok=setup_done")
}
