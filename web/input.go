package web

import (
	"mime"
	"net/http"
	"net/url"
	"unicode/utf8"

	"carnet/schema"

	"github.com/gin-gonic/gin"
)

var errFormUTF8 = schema.Errorf(schema.EINVALID, "the form or the address holds text that is not valid UTF-8",
	"le formulaire ou l'adresse contient du texte qui n'est pas de l'UTF-8 valide")

// checkFormText refuses, with a 400, a request whose query string or
// URL-encoded form holds invalid UTF-8. Go keeps such bytes as they came;
// stored, shown or signed they would become U+FFFD, text nobody typed. The
// JSON API checks its bodies in readJSON, the logo form its fields in
// readLogoForm; the /verify page reads its own form under its own limit,
// and what is not UTF-8 there does not verify.
func (s *Server) checkFormText(c *gin.Context) {
	r := c.Request
	if !utf8Values(r.URL.Query()) {
		s.renderError(c, errFormUTF8)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path == "/verify" {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return
	}
	// A form that cannot be read (too large) is left to its handler.
	if err := r.ParseForm(); err == nil && !utf8Values(r.PostForm) {
		s.renderError(c, errFormUTF8)
	}
}

func utf8Values(v url.Values) bool {
	for k, list := range v {
		if !utf8.ValidString(k) {
			return false
		}
		for _, s := range list {
			if !utf8.ValidString(s) {
				return false
			}
		}
	}
	return true
}
