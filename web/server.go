// Package web is Carnet's HTTP server (gin): the public key documents, the
// verification API and, as they grow, the pages. It alone knows HTTP and
// maps error codes to statuses.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"
)

// Server serves one Carnet instance.
type Server struct {
	BaseURL    string
	Structures schema.StructureStore
	Keys       keys.Store
	Verifier   *verifier.Verifier
	Log        *slog.Logger

	router *gin.Engine
}

// maxVerifyBody bounds a POST /api/v1/verify body: the verifier's input
// limit plus room for the JSON around it.
const maxVerifyBody = verifier.MaxInput + 4096

// Handler returns the HTTP handler with every route.
func (s *Server) Handler() http.Handler {
	if s.router != nil {
		return s.router
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/healthz", s.health)
	r.GET("/.well-known/jwks.json", s.instanceJWKS)
	r.GET("/s/:slug/did.json", s.didDocument)
	r.GET("/s/:slug/jwks.json", s.structureJWKS)
	r.POST("/api/v1/verify", s.verify)
	r.NoRoute(func(c *gin.Context) {
		s.renderError(c, schema.Errorf(schema.ENOTFOUND, "no such page", "page introuvable"))
	})
	s.router = r
	return r
}

func (s *Server) health(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// ring returns the did and key ring of a structure.
func (s *Server) ring(ctx context.Context, slug string) (string, *keys.Ring, *schema.Structure, error) {
	st, err := s.Structures.FindStructure(ctx, slug)
	if err != nil {
		return "", nil, nil, err
	}
	did, err := keys.DIDWeb(s.BaseURL, slug)
	if err != nil {
		return "", nil, nil, err
	}
	ring, err := s.Keys.Ring(slug)
	if err != nil {
		return "", nil, nil, err
	}
	return did, ring, st, nil
}

func (s *Server) instanceJWKS(c *gin.Context) {
	list, err := s.Structures.ListStructures(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, st := range list {
		did, ring, _, err := s.ring(c, st.Slug)
		if err != nil {
			s.renderError(c, err)
			return
		}
		set.Keys = append(set.Keys, ring.JWKS(did).Keys...)
	}
	s.renderKeyDoc(c, "application/jwk-set+json", set)
}

func (s *Server) structureJWKS(c *gin.Context) {
	did, ring, _, err := s.ring(c, c.Param("slug"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderKeyDoc(c, "application/jwk-set+json", ring.JWKS(did))
}

func (s *Server) didDocument(c *gin.Context) {
	did, ring, st, err := s.ring(c, c.Param("slug"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderKeyDoc(c, "application/did+json", ring.DIDDocument(did, st.Name))
}

// renderKeyDoc serves a public key document: cacheable for a short while
// (rotation shows up within minutes) and readable from any origin, as
// browsers verifying cards offline fetch it.
func (s *Server) renderKeyDoc(c *gin.Context, contentType string, v any) {
	b, err := schema.MarshalCompact(v)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Header("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, contentType, b)
}

type verifyRequest struct {
	Input string `json:"input"`
}

func (s *Server) verify(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxVerifyBody)
	var req verifyRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.JSON(http.StatusOK, verifier.Refused(verifier.ReasonTooLarge))
			return
		}
		s.renderError(c, schema.Errorf(schema.EINVALID, `the body must be JSON {"input": "…"}`, `le corps doit être du JSON {"input": "…"}`))
		return
	}
	if strings.TrimSpace(req.Input) == "" {
		s.renderError(c, schema.Errorf(schema.EINVALID, "input is empty", "l'entrée est vide"))
		return
	}
	c.JSON(http.StatusOK, s.Verifier.Verify(c, []byte(req.Input)))
}

// renderError writes the one error body shape; internal causes go to the
// log, never to the client.
func (s *Server) renderError(c *gin.Context, err error) {
	code := schema.ErrorCode(err)
	if code == schema.EINTERNAL && s.Log != nil {
		s.Log.Error("internal error", "path", c.Request.URL.Path, "err", err)
	}
	msg := schema.ErrorMessage(err)
	if preferFrench(c.GetHeader("Accept-Language")) {
		msg = schema.ErrorMessageFR(err)
	}
	c.AbortWithStatusJSON(statusOf(code), gin.H{"error": gin.H{"code": code, "message": msg}})
}

func statusOf(code string) int {
	switch code {
	case schema.EINVALID:
		return http.StatusBadRequest
	case schema.ENOTFOUND:
		return http.StatusNotFound
	case schema.ECONFLICT:
		return http.StatusConflict
	case schema.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case schema.EFORBIDDEN:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// preferFrench reports whether French comes before English in an
// Accept-Language header; French is the default.
func preferFrench(h string) bool {
	for _, part := range strings.Split(h, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "fr"):
			return true
		case strings.HasPrefix(tag, "en"):
			return false
		}
	}
	return true
}
