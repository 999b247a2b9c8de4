package web

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDoc is the OpenAPI 3 description of /api/v1; TestOpenAPI keeps it
// true to the routes.
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, "application/json", openAPIDoc)
}
