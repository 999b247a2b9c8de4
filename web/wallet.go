package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carnet/app"
	"carnet/oid4vci"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// OpenID for Verifiable Credential Issuance (issue 16), pre-authorised code
// flow: the metadata, token, nonce and credential endpoints a wallet calls,
// and the offers (QR and link) a mediator or the learner makes. The
// endpoints answer OAuth-style errors ({"error", "error_description"}).

func (s *Server) walletIssuerMetadata(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, oid4vci.IssuerMetadata(s.BaseURL))
}

func (s *Server) walletASMetadata(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, oid4vci.AuthorizationServerMetadata(s.BaseURL))
}

// walletError writes an OAuth-style error; an error of Carnet's own kind
// goes out as invalid_request or server_error.
func (s *Server) walletError(c *gin.Context, err error) {
	c.Header("Cache-Control", "no-store")
	var oe *oid4vci.Error
	if errors.As(err, &oe) {
		if oe.Status == http.StatusUnauthorized {
			c.Header("WWW-Authenticate", `Bearer error="`+oe.Code+`"`)
		}
		c.JSON(oe.Status, gin.H{"error": oe.Code, "error_description": oe.Description})
		return
	}
	if code := schema.ErrorCode(err); code == schema.EINVALID {
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	if s.Log != nil {
		s.Log.Error("wallet endpoint", "route", routeOf(c), "err", err)
	}
	c.JSON(http.StatusInternalServerError, gin.H{"error": "server_error"})
}

// walletToken is the token endpoint: the pre-authorised code grant only.
// Unknown codes count against the client address, as unknown links do.
func (s *Server) walletToken(c *gin.Context) {
	key := "w:" + c.ClientIP()
	c.Header("Cache-Control", "no-store")
	if d := s.lookups.Wait(key, limitCarnetLinks, s.now()); d > 0 {
		c.Header("Retry-After", strconv.Itoa(int(d/time.Second)+1))
		c.JSON(http.StatusTooManyRequests, gin.H{"error": "slow_down", "error_description": "too many unknown codes from this address"})
		return
	}
	if gt := c.PostForm("grant_type"); gt != oid4vci.GrantPreAuth {
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusBadRequest, gin.H{"error": "unsupported_grant_type", "error_description": "only " + oid4vci.GrantPreAuth})
		return
	}
	if c.PostForm("tx_code") != "" {
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid_request", "error_description": "Carnet's offers ask no transaction code"})
		return
	}
	token, life, err := s.WalletToken(c.Request.Context(), c.PostForm("pre-authorized_code"))
	if err != nil {
		var oe *oid4vci.Error
		if errors.As(err, &oe) && oe.Code == "invalid_grant" {
			s.lookups.Fail(key, limitCarnetLinks, s.now())
			if s.Log != nil {
				s.Log.Warn("unknown, used or expired pre-authorised code", "ip", c.ClientIP())
			}
		}
		s.walletError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"access_token": token, "token_type": "Bearer", "expires_in": int(life / time.Second)})
}

func (s *Server) walletNonce(c *gin.Context) {
	nonce, life, err := s.WalletNonce(c.Request.Context())
	if err != nil {
		s.walletError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"c_nonce": nonce, "c_nonce_expires_in": int(life / time.Second)})
}

func (s *Server) walletCredential(c *gin.Context) {
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok {
		s.walletError(c, &oid4vci.Error{Code: "invalid_token", Description: "a Bearer access token is required", Status: http.StatusUnauthorized})
		return
	}
	var req app.WalletRequest
	if err := bindWalletJSON(c, &req); err != nil {
		s.walletError(c, &oid4vci.Error{Code: "invalid_credential_request", Description: err.Error(), Status: http.StatusBadRequest})
		return
	}
	cred, err := s.WalletCredential(c.Request.Context(), strings.TrimSpace(token), req)
	if err != nil {
		s.walletError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"credentials": []gin.H{{"credential": cred}}})
}

// bindWalletJSON reads a credential request: a JSON object; members Carnet
// does not use are ignored, as wallets add their own.
func bindWalletJSON(c *gin.Context, v any) error {
	b, err := readJSON(c)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return schema.Errorf(schema.EINVALID, "invalid credential request", "demande d'attestation invalide")
	}
	return nil
}

// The offers.

type walletOfferJSON struct {
	OfferURI  string    `json:"offer_uri"`
	ExpiresAt time.Time `json:"expires_at"`
}

// apiWalletOffer answers POST /api/v1/credentials/{id}/wallet-offer.
func (s *Server) apiWalletOffer(c *gin.Context) {
	o, err := s.CredentialWalletOffer(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, walletOfferJSON{OfferURI: o.URI, ExpiresAt: o.ExpiresAt.UTC()})
}

// walletOfferPage answers a mediator's POST /credentials/{id}/wallet-offer.
func (s *Server) walletOfferPage(c *gin.Context) {
	o, err := s.CredentialWalletOffer(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "wallet_title")
	s.renderWalletOffer(c, p, o, "")
}

// carnetWalletOffer answers the learner's POST /carnet/{secret}/wallet-offer.
func (s *Server) carnetWalletOffer(c *gin.Context) {
	l, ok := s.carnetLearner(c)
	if !ok {
		return
	}
	o, err := s.CarnetWalletOffer(c.Request.Context(), l, c.PostForm("credential"), c.ClientIP())
	if err != nil {
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return
	}
	p := s.carnetView(c, "wallet_title")
	s.renderWalletOffer(c, p, o, app.CarnetPath+c.Param("secret"))
}

// renderWalletOffer shows a wallet offer: its QR code and link, how long
// it lasts, and back, the page to go back to ("" for none).
func (s *Server) renderWalletOffer(c *gin.Context, p *page, o *app.WalletOffer, back string) {
	p.View = &walletOfferView{
		Offer:   template.URL(o.URI), // #nosec: our own openid-credential-offer: URI, its offer query-escaped (html/template would refuse the scheme)
		QR:      qrSVG(o.URI),
		Minutes: int(o.ExpiresAt.Sub(s.now()).Round(time.Minute) / time.Minute),
		Back:    back,
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "wallet_offer", p)
}
