package web

import (
	"net/http"
	"strings"

	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// The learner's Comprehensive Learner Record (CLR 2.0, issue 16): one
// ClrCredential, signed like the credentials, holding every credential of
// theirs valid now. .jwt is the compact JWS; .json its VC 2.0
// EnvelopedVerifiableCredential, as for one credential's downloads.

// apiLearnerCLR answers GET /api/v1/learners/{id}/clr.json and clr.jwt.
func (s *Server) apiLearnerCLR(c *gin.Context) {
	jws, err := s.LearnerCLR(c.Request.Context(), actorOf(c), c.Param("id"), clrLang(c))
	if err != nil {
		s.renderError(c, err)
		return
	}
	writeCLRFile(c, jws)
}

// learnerCLR answers the learner page's download links.
func (s *Server) learnerCLR(c *gin.Context) {
	jws, err := s.LearnerCLR(c.Request.Context(), actorOf(c), c.Param("id"), lang(c))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	writeCLRFile(c, jws)
}

// carnetCLR answers the carnet's download links.
func (s *Server) carnetCLR(c *gin.Context) {
	l, ok := s.carnetLearner(c)
	if !ok {
		return
	}
	jws, err := s.CarnetCLR(c.Request.Context(), l, lang(c))
	if err != nil {
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return
	}
	writeCLRFile(c, jws)
}

// clrLang is the API's language: ?lang=en|fr, else Accept-Language, else
// French.
func clrLang(c *gin.Context) string {
	switch c.Query("lang") {
	case "en", "fr":
		return c.Query("lang")
	}
	if h := c.GetHeader("Accept-Language"); h != "" && !preferFrench(h) {
		return "en"
	}
	return "fr"
}

func writeCLRFile(c *gin.Context, jws string) {
	c.Header("Cache-Control", "no-store")
	if strings.HasSuffix(c.Request.URL.Path, ".jwt") {
		c.Header("Content-Disposition", `attachment; filename="carnet-clr.jwt"`)
		c.Data(http.StatusOK, "application/vc+jwt", []byte(jws))
		return
	}
	env := map[string]any{
		"@context": []string{"https://www.w3.org/ns/credentials/v2"},
		"id":       "data:application/vc+jwt," + jws,
		"type":     "EnvelopedVerifiableCredential",
	}
	b, _ := indentJSON(env)
	c.Header("Content-Disposition", `attachment; filename="carnet-clr.json"`)
	c.Data(http.StatusOK, "application/json", b)
}
