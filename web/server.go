// Package web is Carnet's HTTP server (gin): the public key documents, the
// verification API and, as they grow, the pages. It alone knows HTTP and
// maps error codes to statuses.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"carnet/app"
	"carnet/keys"
	"carnet/oid4vci"
	"carnet/report"
	"carnet/schema"
	"carnet/verifier"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"
)

// Server serves one Carnet instance: its pages, its JSON API and the
// public documents partners and wallets read (keys, status lists).
type Server struct {
	// App is the instance's operations, which the handlers call: its
	// stores, keys, issuer and verifier are the server's.
	*app.App
	Secret []byte // HMAC key of the CSRF tokens; random per instance
	// TrustedProxies lists the addresses (IPs or CIDRs) of the reverse
	// proxies whose X-Forwarded-For and X-Real-IP headers give the client's
	// address; none by default, so a forged header changes nothing.
	TrustedProxies []string
	// Health says whether the storage is usable (sqlite.DB.Health); nil:
	// always. /healthz answers 503 when it fails, and an internal error
	// met meanwhile is explained by it.
	Health func(ctx context.Context) error

	// Reports counts the bilan (reports.go); nil: no bilan.
	// ReportThreshold is the smallest count a bilan shows as a number;
	// 0: report.DefaultThreshold.
	Reports         report.Store
	ReportThreshold int

	router  *gin.Engine
	lookups app.Throttle // misses of typed short codes, per client address
	status  statusCache
	pages   map[string]*template.Template // by language and page

	signedTrust signedTrustList // /trust-list.jwt, signed again when it changes

	verifications verifyTally // verifications of our credentials, not yet stored (reports.go)

	metrics     *metrics     // made by Handler
	metricsHTTP http.Handler // serves metrics in the Prometheus text format
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// maxVerifyBody bounds a POST /api/v1/verify body: the verifier's input
// limit plus room for the JSON around it.
const maxVerifyBody = verifier.MaxInput + 4096

// maxBody bounds every other request body.
const maxBody = 256 << 10

// Handler returns the HTTP handler with every route.
func (s *Server) Handler() http.Handler {
	if s.router != nil {
		return s.router
	}
	if len(s.Secret) < 16 {
		panic("web: Server.Secret must hold at least 16 random bytes")
	}
	s.loadPages()
	s.startMetrics()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.TrustedPlatform = "" // no platform header (CF-Connecting-IP…) is believed either
	if err := r.SetTrustedProxies(s.TrustedProxies); err != nil {
		panic("web: Server.TrustedProxies: " + err.Error()) // checked by CheckTrustedProxies before
	}
	// observe first: it counts and logs the 500 that Recovery makes of a panic.
	r.Use(s.observe, gin.Recovery(), s.limitBody, s.securityHeaders, s.checkFormText)

	// Public documents.
	r.GET("/healthz", s.health)
	r.GET("/metrics", s.metricsPage) // to loopback clients only; see metricsPage
	r.GET("/.well-known/jwks.json", s.instanceJWKS)
	r.GET("/trust-list.jwt", s.trustList)
	r.GET("/s/:slug/did.json", s.didDocument)
	r.GET("/s/:slug/jwks.json", s.structureJWKS)
	r.GET("/s/:slug/logo", s.logo)
	r.GET("/s/:slug/status/:list", s.statusList)
	r.GET("/s/:slug/status/:list/:purpose", s.statusList)
	r.GET("/static/*file", s.static)
	r.GET("/favicon.ico", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/static/icon.svg") })

	// Public pages.
	r.GET("/verify", s.optionalSession, s.verifyPage)
	r.POST("/verify", s.optionalSession, s.verifyPage)
	r.GET("/c", s.optionalSession, s.cardPage)
	r.GET("/c/trust.json", s.cardTrustList)
	r.GET("/lieux.json", s.lieuxJSON)
	r.GET("/lieux.csv", s.lieuxCSV)
	r.GET("/offres.json", s.offresJSON)
	r.GET("/offres.csv", s.offresCSV)
	r.GET("/lieux", s.optionalSession, s.lieuxPage)
	r.GET("/c/status/:id", s.cardStatus)
	r.GET("/c/revocations.json", s.cardRevocations)
	r.GET("/c/sw.js", s.cardWorker)
	r.GET("/lang/:lang", s.setLang)
	r.GET("/login", s.loginPage)
	r.POST("/login", s.loginPost)
	r.POST("/logout", s.logout)
	r.GET("/login/link/:token", s.linkPage)
	r.POST("/login/link/:token", s.linkPost)
	r.GET("/invite/:token", s.optionalSession, s.linkPage)
	r.POST("/invite/:token", s.optionalSession, s.linkPost)
	// The learner's own carnet and share links: no session, the secret is the key.
	r.GET("/carnet/:secret", s.carnetPage)
	r.GET("/carnet/:secret/credentials/:id/credential.jwt", s.carnetDownload)
	r.GET("/carnet/:secret/credentials/:id/credential.json", s.carnetDownload)
	r.GET("/carnet/:secret/credentials/:id/vc.json", s.carnetDataIntegrity)
	r.GET("/carnet/:secret/credentials/:id/card.pdf", s.carnetCardPDF)
	r.POST("/carnet/:secret/shares", s.carnetShareCreate)
	r.POST("/carnet/:secret/shares/:id/withdraw", s.carnetShareWithdraw)
	r.POST("/carnet/:secret/erasure", s.carnetErasure)
	r.GET("/carnet/:secret/clr.jwt", s.carnetCLR)
	r.POST("/carnet/:secret/wallet-offer", s.carnetWalletOffer)
	r.GET(oid4vci.MetadataPath, s.walletIssuerMetadata)
	r.GET(oid4vci.ASMetadataPath, s.walletASMetadata)
	r.POST(oid4vci.TokenPath, s.walletToken)
	r.POST(oid4vci.NoncePath, s.walletNonce)
	r.POST(oid4vci.CredentialPath, s.walletCredential)
	r.GET("/carnet/:secret/clr.json", s.carnetCLR)
	r.GET("/partage/:secret", s.sharePage)
	r.GET("/partage/:secret/vc.json", s.shareDataIntegrity)

	// Pages of signed-in people.
	p := r.Group("/", s.requireSession)
	p.GET("/", s.homePage)
	p.GET("/learners/new", s.learnerNewPage)
	p.POST("/learners", s.learnerCreate)
	p.GET("/learners/:id", s.learnerPage)
	p.POST("/learners/:id", s.learnerUpdate)
	p.POST("/learners/:id/erase", s.learnerErase)
	p.POST("/learners/:id/carnet-link", s.carnetLinkCreate)
	p.POST("/learners/:id/carnet-link/revoke", s.carnetLinkRevoke)
	p.GET("/learners/:id/clr.jwt", s.learnerCLR)
	p.GET("/learners/:id/clr.json", s.learnerCLR)
	p.POST("/learners/:id/referrals", s.learnerRefer)
	p.GET("/learners/:id/assess", s.assessPage)
	p.POST("/learners/:id/assess", s.assessPost)
	p.POST("/imports/new", s.importPage)
	p.POST("/imports", s.importCreate)
	p.GET("/credentials/:id", s.credentialPage)
	p.GET("/credentials/:id/credential.jwt", s.credentialDownload)
	p.GET("/credentials/:id/credential.json", s.credentialDownload)
	p.GET("/credentials/:id/vc.json", s.credentialDataIntegrity)
	p.GET("/credentials/:id/card.pdf", s.cardPDF)
	p.POST("/credentials/:id/status", s.credentialStatus)
	p.POST("/credentials/:id/wallet-offer", s.walletOfferPage)
	p.GET("/structures", s.structuresPage)
	p.POST("/structures", s.structureCreate)
	p.GET("/structures/:slug", s.structurePage)
	p.POST("/structures/:slug", s.structureUpdate)
	p.POST("/structures/:slug/invite", s.structureInvite)
	p.POST("/structures/:slug/frameworks", s.structureFrameworks)
	p.POST("/structures/:slug/invitations/resend", s.inviteResend)
	p.POST("/structures/:slug/invitations/cancel", s.inviteCancel)
	r.POST("/structures/:slug/logo", s.readLogoForm, s.requireSession, s.structureLogo) // the form is read before the CSRF check
	p.POST("/structures/:slug/keys/rotate", s.keysRotate)
	p.POST("/structures/:slug/members/:id/reset", s.memberReset)
	p.GET("/structures/:slug/lieu", s.lieuEditPage)
	p.POST("/structures/:slug/lieu", s.lieuEditPost)
	p.GET("/setup", s.setupPage)
	p.POST("/setup", s.setupPost)
	p.GET("/account", s.accountPage)
	p.POST("/account/password", s.passwordChange)
	p.POST("/account/tokens", s.tokenCreate)
	p.POST("/account/tokens/:id/delete", s.tokenDelete)
	p.GET("/audit", s.auditPage)
	p.GET("/lieux/admin", s.lieuxAdminPage)
	p.POST("/lieux/admin/tiles", s.lieuxTilesPost)
	r.POST("/lieux/admin/import", s.readLieuxForm, s.requireSession, s.lieuxImportPost) // the fields before the file are read before the CSRF check
	p.POST("/lieux/admin/partners/:id/places", s.lieuxSharePost)
	p.GET("/trust", s.trustPage)
	p.POST("/trust", s.trustCreate)
	p.POST("/trust/:id/refresh", s.trustRefresh)
	p.POST("/trust/:id/delete", s.trustDelete)
	p.GET("/bilan", s.bilanPage)
	p.GET("/resources", s.resourcesPage)
	p.GET("/resources/new", s.resourceNewPage)
	p.POST("/resources", s.resourceSave)
	p.GET("/resources/:id", s.resourceEditPage)
	p.GET("/workshops", s.workshopsPage)
	p.POST("/workshops", s.workshopCreate)
	p.GET("/workshops/:id", s.workshopPage)
	p.POST("/workshops/:id", s.workshopSave)
	p.GET("/workshops/:id/review", s.workshopReview)
	p.POST("/workshops/:id/issue", s.workshopIssue)
	p.GET("/workshops/:id/cards.pdf", s.workshopCards)
	p.GET("/workshops/:id/certificates.pdf", s.workshopCertificates)
	r.POST("/batches", s.readBatchForm, s.requireSession, s.batchUpload) // the form is read before the CSRF check
	p.GET("/batches/template.csv", s.batchTemplatePage)
	p.GET("/batches/:id", s.batchPage)
	p.GET("/batches/:id/progress", s.batchProgress)
	p.POST("/batches/:id/start", s.batchStart)
	p.GET("/batches/:id/errors.csv", s.batchErrorsCSV)
	p.GET("/batches/:id/cards.pdf", s.batchCardsPage)
	p.GET("/batches/:id/certificates.pdf", s.batchCertificatesPage)
	p.POST("/resources/:id", s.resourceSave)
	p.POST("/resources/:id/delete", s.resourceDelete)

	// The JSON API.
	r.GET("/api/v1/openapi.json", s.openAPI)
	r.POST("/api/v1/verify", s.verify)
	a := r.Group("/api/v1", s.requireToken)
	a.GET("/me", s.apiMe)
	a.GET("/frameworks", s.apiFrameworks)
	a.GET("/frameworks/:id", s.apiFramework)
	a.GET("/structures", s.apiStructures)
	a.POST("/structures", s.apiStructureCreate)
	a.GET("/structures/:slug", s.apiStructure)
	a.PATCH("/structures/:slug", s.apiStructureUpdate)
	a.POST("/structures/:slug/invitations", s.apiInvite)
	a.POST("/structures/:slug/keys/rotate", s.apiKeysRotate)
	a.GET("/structures/:slug/offers", s.apiOffers)
	a.POST("/structures/:slug/offers", s.apiOfferCreate)
	a.DELETE("/structures/:slug/offers/:id", s.apiOfferDelete)
	a.GET("/orientation", s.apiOrientation)
	a.POST("/places/import", s.apiPlacesImport)
	a.GET("/learners", s.apiLearners)
	a.POST("/learners", s.apiLearnerCreate)
	a.GET("/learners/:id", s.apiLearner)
	a.PATCH("/learners/:id", s.apiLearnerUpdate)
	a.DELETE("/learners/:id", s.apiLearnerErase)
	a.POST("/learners/:id/imports", s.apiImportCreate)
	a.GET("/learners/:id/path", s.apiLearnerPath)
	a.POST("/learners/:id/carnet-link", s.apiCarnetLinkCreate)
	a.DELETE("/learners/:id/carnet-link", s.apiCarnetLinkDelete)
	a.GET("/learners/:id/clr.json", s.apiLearnerCLR)
	a.GET("/learners/:id/clr.jwt", s.apiLearnerCLR)
	a.GET("/credentials", s.apiCredentials)
	a.POST("/credentials", s.apiCredentialCreate)
	a.GET("/credentials/:id", s.apiCredential)
	a.GET("/credentials/:id/jwt", s.apiCredentialJWT)
	a.GET("/credentials/:id/vc.json", s.apiCredentialDataIntegrity)
	a.GET("/credentials/:id/card.pdf", s.cardPDF)
	a.POST("/credentials/:id/wallet-offer", s.apiWalletOffer)
	a.POST("/credentials/:id/revoke", s.apiCredentialStatus(schema.AuditRevoke))
	a.POST("/credentials/:id/suspend", s.apiCredentialStatus(schema.AuditSuspend))
	a.POST("/credentials/:id/unsuspend", s.apiCredentialStatus(schema.AuditUnsuspend))
	a.GET("/tokens", s.apiTokens)
	a.POST("/tokens", s.apiTokenCreate)
	a.DELETE("/tokens/:id", s.apiTokenDelete)
	a.GET("/audit", s.apiAudit)
	a.GET("/reports", s.apiReports)
	a.GET("/trust", s.apiTrustList)
	a.POST("/trust", s.apiTrustAdd)
	a.DELETE("/trust/:id", s.apiTrustDelete)
	a.POST("/trust/:id/refresh", s.apiTrustRefresh)
	a.POST("/batches", s.apiBatchCreate)
	a.GET("/batches/:id", s.apiBatch)
	a.GET("/batches/:id/cards.pdf", s.apiBatchCards)
	a.GET("/batches/:id/certificates.pdf", s.apiBatchCertificates)
	a.GET("/frameworks/:id/template.csv", s.apiBatchTemplate)

	r.NoRoute(func(c *gin.Context) {
		s.renderError(c, schema.Errorf(schema.ENOTFOUND, "no such page: check the address or go back to the home page", "page introuvable : vérifiez l'adresse ou revenez à l'accueil"))
	})
	s.router = r
	return r
}

// maxImportBody bounds the attach forms (/imports/new, /imports): they
// carry what /verify accepted, up to verifier.MaxInput, URL-encoded (which
// may triple a JSON credential), with the form's other fields.
const maxImportBody = 3*verifier.MaxInput + 64<<10

// limitBody bounds request bodies; the verify API and page have their own
// larger limits, the attach forms take what the page verified, and a logo
// upload is read to a larger limit than the logo's own (readLogoForm).
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body == nil {
		return
	}
	switch c.Request.URL.Path {
	case "/api/v1/verify", "/verify":
	case "/imports/new", "/imports":
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxImportBody)
	case "/api/v1/places/import", "/lieux/admin/import":
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxPlacesImport)
	case "/api/v1/batches", "/batches":
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBatchBody)
	default:
		if c.FullPath() == "/structures/:slug/logo" { // read to its end by readLogoForm
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxLogoBody)
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
	}
}

// securityHeaders sets the headers every answer carries: no framing, no
// sniffing, no referrer leaking one-time links, a strict content policy.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", contentSecurityPolicy(""))
	if strings.HasPrefix(s.BaseURL, "https://") {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// contentSecurityPolicy is the policy of every answer; imageOrigin, when
// not empty, is one more origin images may come from (the map tiles of
// /lieux: exactly the configured tile server, checked by
// places.Tiles.Clean to hold no character that could end the directive).
func contentSecurityPolicy(imageOrigin string) string {
	img := "'self' data:"
	if imageOrigin != "" {
		img += " " + imageOrigin
	}
	return "default-src 'self'; img-src " + img + "; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
}

// health answers 200 {"status": "ok"}, or 503 with what fails: for now
// the database, {"status": "error", "database": "damaged"|"unavailable",
// "message", "message_fr"}.
func (s *Server) health(c *gin.Context) {
	if s.Health != nil {
		if err := s.Health(c.Request.Context()); err != nil {
			if s.Log != nil {
				s.Log.Error("health check failed", "err", err)
			}
			state := "unavailable"
			if schema.ErrorCode(err) == schema.EUNAVAILABLE {
				state = "damaged"
			}
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "error", "database": state,
				"message": schema.ErrorMessage(err), "message_fr": schema.ErrorMessageFR(err)})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

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
	list, err := s.Structures.ListStructures(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, st := range list {
		did, ring, _, err := s.ring(c.Request.Context(), st.Slug)
		if err != nil {
			s.renderError(c, err)
			return
		}
		set.Keys = append(set.Keys, ring.JWKS(did).Keys...)
	}
	s.renderKeyDoc(c, "application/jwk-set+json", set)
}

func (s *Server) structureJWKS(c *gin.Context) {
	did, ring, _, err := s.ring(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderKeyDoc(c, "application/jwk-set+json", ring.JWKS(did))
}

func (s *Server) didDocument(c *gin.Context) {
	did, ring, st, err := s.ring(c.Request.Context(), c.Param("slug"))
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
	servePublic(c, contentType, b, 300)
}

type verifyRequest struct {
	Input string `json:"input"`
}

func (s *Server) verify(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxVerifyBody)
	var req verifyRequest
	b, err := readJSON(c) // no repeated "input", no invalid UTF-8; other members are ignored
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		c.JSON(http.StatusOK, verifier.Refused(verifier.ReasonTooLarge))
		return
	} else if err != nil {
		s.renderError(c, err)
		return
	}
	if err := json.Unmarshal(b, &req); err != nil {
		s.renderError(c, schema.Errorf(schema.EINVALID, `the body must be JSON {"input": "…"}`, `le corps doit être du JSON {"input": "…"}`))
		return
	}
	if strings.TrimSpace(req.Input) == "" {
		s.renderError(c, schema.Errorf(schema.EINVALID, "input is empty", "l'entrée est vide"))
		return
	}
	res, err := s.verifyInput(c, req.Input)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// Short-code guessing: a client address gets this many unknown short codes
// per throttle window, then waits.
const maxShortCodeMisses = 30

// limitShortCodes limits the misses of typed short codes per address.
var limitShortCodes = app.Limit{Burst: maxShortCodeMisses, Per: app.ThrottleWindow}

// verifyInput verifies what a visitor gave. Typed short codes are
// rate-limited on misses, so that 50-bit codes cannot be enumerated.
func (s *Server) verifyInput(c *gin.Context, input string) (*verifier.Result, error) {
	short := schema.NormalizeShortCode(strings.TrimSpace(input)) != ""
	key := "i:" + c.ClientIP()
	if short {
		if d := s.lookups.Wait(key, limitShortCodes, s.now()); d > 0 {
			return nil, schema.Errorf(ERATELIMITED, "too many unknown short codes from your address; try again in %d minutes",
				"trop de codes courts inconnus depuis votre adresse ; réessayez dans %d minutes", int(d/time.Minute)+1)
		}
	}
	res := s.verifyText(c.Request.Context(), input)
	if short && res.Reason == verifier.ReasonNotFound {
		s.lookups.Fail(key, limitShortCodes, s.now())
	}
	return res, nil
}

// renderError writes the one error body shape; internal causes go to the
// log, never to the client.
func (s *Server) renderError(c *gin.Context, err error) {
	if schema.ErrorCode(err) == schema.EINTERNAL && s.Health != nil {
		// A write refused by a damaged database, say, is explained as such.
		if herr := s.Health(c.Request.Context()); schema.ErrorCode(herr) == schema.EUNAVAILABLE {
			if s.Log != nil {
				s.Log.Error("internal error", "path", c.Request.URL.Path, "err", err)
			}
			err = herr
		}
	}
	if p := c.Request.URL.Path; !(strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/s/") || strings.HasPrefix(p, "/.well-known/") ||
		strings.HasPrefix(p, "/static/") || p == "/healthz") && strings.Contains(c.GetHeader("Accept"), "text/html") {
		s.renderPageError(c, err)
		return
	}
	code := schema.ErrorCode(err)
	if code == schema.EINTERNAL && s.Log != nil {
		s.Log.Error("internal error", "route", routeOf(c), "request_id", c.GetString(requestIDKey), "err", err)
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
	case ERATELIMITED:
		return http.StatusTooManyRequests
	case schema.EUNAVAILABLE:
		return http.StatusServiceUnavailable
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
