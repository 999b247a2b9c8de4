package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carnet/app"
	"carnet/issuer/card"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// The learner's own carnet (issue 16): the private link a mediator makes
// (shown once, with a QR code and a printable slip), "Mon carnet" at that
// link, and the read-only share links to one credential. The carnet's
// pages set no cookie and make their holder no one: they act on the
// learner the link opened, through app's carnet operations.

// limitCarnetLinks limits the unknown private and share links per client
// address, as for short codes.
var limitCarnetLinks = app.Limit{Burst: maxShortCodeMisses, Per: app.ThrottleWindow}

// carnetView is a page of the carnet: like view, but without the CSRF
// cookie (its forms are protected by the secret in their address and the
// Origin check) nor anyone signed in.
func (s *Server) carnetView(c *gin.Context, titleKey string) *page {
	l := lang(c)
	p := &page{Lang: l, Other: "en", Title: tr(l, titleKey), Path: c.Request.URL.RequestURI(),
		BaseURL: strings.TrimRight(s.BaseURL, "/"), Now: s.now()}
	if l == "en" {
		p.Other = "fr"
	}
	return p
}

// carnetError renders an error on a carnet page, without a cookie.
func (s *Server) carnetError(c *gin.Context, status int, err error) {
	p := s.carnetView(c, "error_title")
	p.Error = s.errorText(c, p, err)
	c.Header("Cache-Control", "no-store")
	s.render(c, status, "error", p)
	c.Abort()
}

// lookupLink throttles the unknown links of a client address: false (and
// the answer written) when the address is waiting. miss records an unknown
// link, logged without its secret.
func (s *Server) lookupLink(c *gin.Context) bool {
	if d := s.lookups.Wait("l:"+c.ClientIP(), limitCarnetLinks, s.now()); d > 0 {
		s.carnetError(c, http.StatusTooManyRequests, schema.Errorf(ERATELIMITED, "too many unknown links from your address; try again in %d minutes",
			"trop de liens inconnus depuis votre adresse ; réessayez dans %d minutes", int(d/time.Minute)+1))
		return false
	}
	return true
}

func (s *Server) missLink(c *gin.Context) {
	s.lookups.Fail("l:"+c.ClientIP(), limitCarnetLinks, s.now())
	if s.Log != nil {
		s.Log.Warn("unknown carnet or share link", "route", routeOf(c), "ip", c.ClientIP())
	}
}

// carnetLearner returns the learner of the request's private link, or
// writes the answer: 404 for an unknown, replaced or revoked link.
func (s *Server) carnetLearner(c *gin.Context) (*schema.Learner, bool) {
	c.Header("Cache-Control", "no-store")
	if !s.lookupLink(c) {
		return nil, false
	}
	l, err := s.CarnetLearner(c.Request.Context(), c.Param("secret"))
	if err != nil {
		if err == app.ErrCarnetUnknown {
			s.missLink(c)
		}
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return nil, false
	}
	if c.Request.Method == http.MethodPost {
		if o := c.GetHeader("Origin"); o != "" && o != "null" && !s.sameOrigin(c, o) {
			s.carnetError(c, http.StatusForbidden, errCSRF)
			return nil, false
		}
	}
	return l, true
}

// carnetShareView is a share link, as the carnet lists it.
type carnetShareView struct {
	*schema.CarnetShare
	Live  bool
	Label string // the credential's framework and date
}

func (s *Server) carnetPage(c *gin.Context) {
	l, ok := s.carnetLearner(c)
	if !ok {
		return
	}
	s.renderCarnet(c, http.StatusOK, l, nil, "")
}

// renderCarnet renders "Mon carnet"; p carries a notice, newShare a new
// share link to show once.
// renderCarnet renders a learner's carnet; newShare and profile are the
// share link just made and its LinkedIn and CV texts, shown once.
func (s *Server) renderCarnet(c *gin.Context, status int, l *schema.Learner, p *page, newShare string, profile ...*app.ProfileText) {
	if p == nil {
		p = s.carnetView(c, "carnet_title")
	}
	ctx := c.Request.Context()
	pv := &carnetPageView{Learner: l, Base: app.CarnetPath + c.Param("secret"), NewShare: newShare, Lifetimes: app.ShareLifetimes}
	if len(profile) > 0 {
		pv.NewShareProfile = profile[0]
	}
	p.View = pv
	if st, err := s.Structures.FindStructure(ctx, l.Structure); err == nil {
		pv.StructureName = st.Name
	}
	path, err := s.path(ctx, app.CarnetReader(l), l, p.Lang)
	if err != nil {
		if s.Log != nil {
			s.Log.Error("carnet path", "err", err)
		}
		p.Error = tr(p.Lang, "path_unavailable")
	} else {
		pv.Path = path
	}
	shares, err := s.CarnetShares(ctx, l)
	if err != nil {
		s.carnetError(c, http.StatusInternalServerError, err)
		return
	}
	now := s.now()
	var views []carnetShareView
	for _, sh := range shares {
		v := carnetShareView{CarnetShare: sh, Live: sh.Live(now)}
		if r, err := s.Credentials.FindCredential(ctx, sh.CredentialID); err == nil {
			v.Label = fwTitle(s.Frameworks, r.Framework, p.Lang) + " — " + dateIn(p.Lang, r.IssuedAt)
		}
		views = append(views, v)
	}
	pv.Shares = views
	s.render(c, status, "carnet", p)
}

func fwTitle(fws *schema.Frameworks, id, lang string) string {
	if fw, err := fws.Get(id); err == nil {
		return fw.Title.In(lang)
	}
	return id
}

func dateIn(lang string, t time.Time) string {
	if lang == "fr" {
		return t.Local().Format("02/01/2006")
	}
	return t.Local().Format("2006-01-02")
}

// carnetCredential returns one of the carnet's learner's credentials.
func (s *Server) carnetCredential(c *gin.Context) (*schema.CredentialRecord, bool) {
	l, ok := s.carnetLearner(c)
	if !ok {
		return nil, false
	}
	r, err := s.CarnetCredential(c.Request.Context(), l, c.Param("id"))
	if err != nil {
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return nil, false
	}
	return r, true
}

func (s *Server) carnetDownload(c *gin.Context) {
	r, ok := s.carnetCredential(c)
	if !ok {
		return
	}
	if r.JWT == "" {
		s.carnetError(c, http.StatusNotFound, errErased)
		return
	}
	s.writeCredentialFile(c, r)
}

// carnetDataIntegrity sends the Data Integrity form of a credential of the
// carnet (what DCC's VerifierPlus and the Learner Credential Wallet read).
func (s *Server) carnetDataIntegrity(c *gin.Context) {
	r, ok := s.carnetCredential(c)
	if !ok {
		return
	}
	b, err := s.DataIntegrity(r)
	if err != nil {
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return
	}
	c.Header("Cache-Control", "no-store")
	writeDataIntegrity(c, r, b)
}

func (s *Server) carnetCardPDF(c *gin.Context) {
	r, ok := s.carnetCredential(c)
	if !ok {
		return
	}
	if err := printable(r); err != nil {
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return
	}
	s.writeCardPDF(c, r)
}

func (s *Server) carnetShareCreate(c *gin.Context) {
	l, ok := s.carnetLearner(c)
	if !ok {
		return
	}
	days, _ := strconv.Atoi(c.PostForm("days"))
	u, _, err := s.ShareCredential(c.Request.Context(), l, c.PostForm("credential"), days, c.ClientIP())
	p := s.carnetView(c, "carnet_title")
	if err != nil {
		if code := schema.ErrorCode(err); code != schema.EINVALID && code != schema.ENOTFOUND && code != schema.ECONFLICT {
			s.carnetError(c, statusOf(code), err)
			return
		}
		p.Error = s.errorText(c, p, err)
		s.renderCarnet(c, http.StatusBadRequest, l, p, "")
		return
	}
	var profile *app.ProfileText
	if pt, err := s.ShareProfile(c.Request.Context(), l, c.PostForm("credential"), u, p.Lang); err == nil {
		profile = pt
	}
	p.Notice = tr(p.Lang, "carnet_share_made")
	s.renderCarnet(c, http.StatusOK, l, p, u, profile)
}

func (s *Server) carnetShareWithdraw(c *gin.Context) {
	l, ok := s.carnetLearner(c)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if err := s.WithdrawShare(c.Request.Context(), l, id, c.ClientIP()); err != nil {
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return
	}
	p := s.carnetView(c, "carnet_title")
	p.Notice = tr(p.Lang, "carnet_share_withdrawn")
	s.renderCarnet(c, http.StatusOK, l, p, "")
}

func (s *Server) carnetErasure(c *gin.Context) {
	l, ok := s.carnetLearner(c)
	if !ok {
		return
	}
	if c.PostForm("confirm") != "on" {
		p := s.carnetView(c, "carnet_title")
		p.Error = tr(p.Lang, "carnet_erasure_confirm_needed")
		s.renderCarnet(c, http.StatusBadRequest, l, p, "")
		return
	}
	if err := s.RequestErasure(c.Request.Context(), l, c.ClientIP()); err != nil {
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return
	}
	p := s.carnetView(c, "carnet_title")
	p.Notice = tr(p.Lang, "carnet_erasure_sent")
	s.renderCarnet(c, http.StatusOK, l, p, "")
}

// sharedCredential finds the credential of the share link in the path,
// never cached; it answers an unknown secret (throttled and counted) with
// 404 and an expired or withdrawn link with 410, and then reports false.
func (s *Server) sharedCredential(c *gin.Context) (*schema.CredentialRecord, *schema.CarnetShare, bool) {
	c.Header("Cache-Control", "no-store")
	if !s.lookupLink(c) {
		return nil, nil, false
	}
	r, sh, err := s.SharedCredential(c.Request.Context(), c.Param("secret"))
	switch {
	case err == app.ErrCarnetUnknown:
		s.missLink(c)
		s.carnetError(c, http.StatusNotFound, err)
		return nil, nil, false
	case err == app.ErrShareGone:
		s.carnetError(c, http.StatusGone, err)
		return nil, nil, false
	case err != nil:
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return nil, nil, false
	}
	return r, sh, true
}

// sharePage shows the one credential of a share link, with its verdict
// checked now, and nothing else of the learner. An expired or withdrawn
// link answers 410 and says no more.
func (s *Server) sharePage(c *gin.Context) {
	r, sh, ok := s.sharedCredential(c)
	if !ok {
		return
	}
	p := s.carnetView(c, "share_title")
	v := &sharePageView{Credential: r, Share: sh, Result: s.verifyText(c.Request.Context(), r.JWT), DIURL: c.Request.URL.Path + "/vc.json"}
	p.View = v
	if st, err := s.Structures.FindStructure(c.Request.Context(), r.Structure); err == nil {
		v.StructureName = st.Name
	}
	s.render(c, http.StatusOK, "carnet_share", p)
}

// shareDataIntegrity sends the Data Integrity form of the one credential of
// a share link, for a verifier or wallet given the link; an expired or
// withdrawn link answers 410 as the page does.
func (s *Server) shareDataIntegrity(c *gin.Context) {
	r, _, ok := s.sharedCredential(c)
	if !ok {
		return
	}
	b, err := s.DataIntegrity(r)
	if err != nil {
		s.carnetError(c, statusOf(schema.ErrorCode(err)), err)
		return
	}
	writeDataIntegrity(c, r, b)
}

// Mediators: the private link of a learner.

func (s *Server) carnetLinkCreate(c *gin.Context) {
	a := actorOf(c)
	l, err := s.Learner(c.Request.Context(), a, c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	u, err := s.NewCarnetLink(c.Request.Context(), a, l.ID)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "carnet_link_title")
	v := &carnetLinkView{Learner: l, URL: u, QR: qrSVG(u)}
	p.View = v
	if st, err := s.Structures.FindStructure(c.Request.Context(), l.Structure); err == nil {
		v.StructureName = st.Name
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "carnet_link", p)
}

func (s *Server) carnetLinkRevoke(c *gin.Context) {
	if err := s.RevokeCarnetLink(c.Request.Context(), actorOf(c), c.Param("id")); err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/learners/"+c.Param("id")+"?ok=carnet_revoked")
}

func (s *Server) apiCarnetLinkCreate(c *gin.Context) {
	u, err := s.NewCarnetLink(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"url": u})
}

func (s *Server) apiCarnetLinkDelete(c *gin.Context) {
	if err := s.RevokeCarnetLink(c.Request.Context(), actorOf(c), c.Param("id")); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// qrSVG draws text as a QR code in SVG (medium error correction, the
// standard's 4-module quiet zone), one path of unit squares: printed and
// shown without a script or a third party.
func qrSVG(text string) template.HTML {
	svg, err := card.QRSVG(text)
	if err != nil {
		return ""
	}
	return template.HTML(svg) // digits and fixed text only
}

// addCarnetLink tells the learner page whether the learner has a private
// link, and since when.
func (s *Server) addCarnetLink(c *gin.Context, v *learnerView) {
	l := v.Learner
	if l.Erased() {
		return
	}
	since, ok, err := s.CarnetLinkSince(c.Request.Context(), actorOf(c), l.ID)
	if err != nil {
		if s.Log != nil {
			s.Log.Error("carnet link", "err", err)
		}
		return
	}
	v.CarnetLink = true
	if ok {
		v.CarnetSince = &since
	}
}

// erasureRequests lists, for the home page, the erasure requests that
// learners sent from their carnet to the actor's structures.
func (s *Server) erasureRequests(c *gin.Context) []*schema.ErasureRequest {
	list, err := s.ErasureRequests(c.Request.Context(), actorOf(c))
	if err != nil {
		if s.Log != nil {
			s.Log.Error("erasure requests", "err", err)
		}
		return nil
	}
	return list
}
