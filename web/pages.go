package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"carnet/app"
	"carnet/issuer/card"
	"carnet/schema"
	"carnet/verifier"

	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is what every template receives.
type page struct {
	Lang    string
	Other   string // the other language, for the switch
	Title   string
	Path    string // current path, for the language switch
	User    *schema.User
	Admin   bool
	CSRF    string
	Error   string
	Notice  string
	View    any  // the page's own data: a typed struct per page (views.go)
	Refresh bool // without JavaScript, reload every 2 s (a batch running)
	BaseURL string
	Now     time.Time
}

// loadPages parses every page template once per language, with the
// layout, so that the template function t needs no language argument.
func (s *Server) loadPages() {
	s.pages = map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, lang := range []string{"fr", "en"} {
		for _, name := range names {
			base := path.Base(name)
			if base == "layout.html" {
				continue
			}
			t := template.New(base).Funcs(funcs(lang, s.Frameworks))
			t = template.Must(t.ParseFS(templateFS, "templates/layout.html", name))
			s.pages[lang+"/"+strings.TrimSuffix(base, ".html")] = t
		}
	}
}

func funcs(lang string, fws *schema.Frameworks) template.FuncMap {
	return template.FuncMap{
		"t":  func(key string) string { return tr(lang, key) },
		"tf": func(key string, args ...any) string { return fmt.Sprintf(tr(lang, key), args...) },
		"in": func(t schema.Text) string { return t.In(lang) },
		"date": func(v any) string {
			t := asTime(v)
			if t.IsZero() {
				return ""
			}
			if lang == "fr" {
				return t.Local().Format("02/01/2006")
			}
			return t.Local().Format("2006-01-02")
		},
		"datetime": func(v any) string {
			t := asTime(v)
			if t.IsZero() {
				return ""
			}
			if lang == "fr" {
				return t.Local().Format("02/01/2006 15:04")
			}
			return t.Local().Format("2006-01-02 15:04")
		},
		"uuid": func(id string) string { return strings.TrimPrefix(id, "urn:uuid:") },
		"reason": func(code string) string {
			en, fr := verifier.ReasonText(code)
			if lang == "fr" {
				return fr
			}
			return en
		},
		"desc":     func(l schema.Level) string { return l.Description(lang) },
		"desclang": func(l schema.Level) string { return descLang(&l, lang) },
		// What a level means for one competency (the published statement),
		// its language, and the plain-language line for learners.
		"stmt":     func(c schema.Competency, l schema.Level) string { return c.Statement(&l, lang) },
		"stmtlang": func(c schema.Competency, l schema.Level) string { return c.StatementLang(&l, lang) },
		"plain":    func(c schema.Competency, id string) string { return c.Plain(id, lang) },
		"fwtitle": func(id string) string {
			if fw, err := fws.Get(id); err == nil {
				return fw.Title.In(lang)
			}
			return id
		},
		// A competency's code and title, as mediators read it ("1.1 Naviguer…").
		// A level as every page and print shows it: "Niveau 3 / 8 ·
		// Intermédiaire", "B1 · Utilisateur indépendant".
		"levellabel": func(fwID, level string) string {
			if fw, err := fws.Get(fwID); err == nil {
				return fw.LevelLabel(level, lang).Full
			}
			return level
		},
		"comptitle": func(fwID, code string) string {
			if fw, err := fws.Get(fwID); err == nil {
				if comp, _, err := fw.Competency(code); err == nil {
					return comp.Code + " " + comp.Title.In(lang)
				}
			}
			return code
		},
		"eq":    func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
		"inc":   func(i int) int { return i + 1 },
		"colon": func() string { return colon(lang) },

		// A credential id without its urn:uuid: prefix, for addresses.
		"trimuuid": func(id string) string { return strings.TrimPrefix(id, "urn:uuid:") },
	}
}

// lang picks the language of a page: the switch's cookie, then the
// browser's preference, French by default.
func lang(c *gin.Context) string {
	if l, err := c.Cookie(langCookie); err == nil && (l == "fr" || l == "en") {
		return l
	}
	if preferFrench(c.GetHeader("Accept-Language")) {
		return "fr"
	}
	return "en"
}

func (s *Server) view(c *gin.Context, titleKey string) *page {
	l := lang(c)
	p := &page{Lang: l, Other: "en", Title: tr(l, titleKey), Path: c.Request.URL.RequestURI(),
		BaseURL: strings.TrimRight(s.BaseURL, "/"), Now: s.now()}
	if l == "en" {
		p.Other = "fr"
	}
	var a *app.Actor
	if v, ok := c.Get("actor"); ok {
		a = v.(*app.Actor)
		p.User = a.User
		p.Admin = a.IsAdmin()
	}
	p.CSRF = s.csrfToken(c, a)
	switch c.Query("ok") {
	case "revoked", "suspended", "unsuspended", "saved", "created", "erased", "token_deleted", "issued", "attached",
		"joined", "declined", "password_changed", "invite_cancelled", "setup_done", "consent_withdrawn",
		"carnet_revoked":
		p.Notice = tr(l, "notice_"+c.Query("ok"))
	}
	return p
}

func (s *Server) render(c *gin.Context, status int, name string, p *page) {
	t := s.pages[p.Lang+"/"+name]
	if t == nil {
		panic("web: no page template " + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		if s.Log != nil {
			s.Log.Error("template", "page", name, "err", err)
		}
		c.String(http.StatusInternalServerError, "internal error / erreur interne")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorText returns an error's message in the page's language; internal
// causes are logged, never shown.
func (s *Server) errorText(c *gin.Context, p *page, err error) string {
	if schema.ErrorCode(err) == schema.EINTERNAL {
		if s.Log != nil {
			s.Log.Error("internal error", "route", routeOf(c), "request_id", c.GetString(requestIDKey), "err", err)
		}
		return tr(p.Lang, "internal_error")
	}
	if p.Lang == "fr" {
		return sentence(schema.ErrorMessageFR(err))
	}
	return sentence(schema.ErrorMessage(err))
}

// sentence makes a message begin with a capital, as pages show it.
func sentence(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	if n == 0 || !unicode.IsLower(r) {
		return msg
	}
	return string(unicode.ToUpper(r)) + msg[n:]
}

// renderPageError shows an error page with the status of the error's code.
func (s *Server) renderPageError(c *gin.Context, err error) {
	if schema.ErrorCode(err) == schema.EUNAUTHORIZED {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	p := s.view(c, "error_title")
	p.Error = s.errorText(c, p, err)
	s.render(c, statusOf(schema.ErrorCode(err)), "error", p)
	c.Abort()
}

// requireSession lets through signed-in people; others go to the sign-in
// page. Every POST also needs a valid CSRF token.
func (s *Server) requireSession(c *gin.Context) {
	a, err := s.identify(c)
	if err == nil && (a == nil || a.Session == "") {
		err = app.ErrSignIn
	}
	if err != nil {
		s.setCookie(c, sessionCookie, "", -1)
		s.renderPageError(c, app.ErrSignIn)
		return
	}
	c.Set("actor", a)
	if c.Request.Method == http.MethodPost {
		if err := s.checkCSRF(c, a); err != nil {
			s.renderPageError(c, err)
			return
		}
	}
}

// optionalSession recognises a signed-in person on a public page, for the
// navigation; a missing or stale session is simply ignored.
func (s *Server) optionalSession(c *gin.Context) {
	if a, err := s.identify(c); err == nil && a != nil && a.Session != "" {
		c.Set("actor", a)
	}
}

func (s *Server) static(c *gin.Context) {
	name := strings.TrimPrefix(path.Clean("/"+c.Param("file")), "/")
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		s.renderError(c, schema.Errorf(schema.ENOTFOUND, "no such file", "fichier introuvable"))
		return
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	case ".png":
		ct = "image/png"
	case "":
		ct = "text/plain; charset=utf-8" // leaflet/LICENSE, leaflet/VERSION
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, ct, b)
}

// localPath accepts only a path of this site as a redirect target; any
// other value gives "/". Browsers drop tabs and newlines from a Location
// and read a backslash as a slash, so "/\t/evil.com" or "/\evil.com" would
// leave the site: a target must start with a single "/", have no scheme nor
// host, and hold no control character nor backslash, before or after
// percent-decoding.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || unsafeInPath(p) {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	dec, err := url.PathUnescape(p)
	if err != nil || unsafeInPath(dec) || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return p
}

// unsafeInPath reports whether a redirect target holds what a browser may
// read as leaving the site: a control character, a backslash, or a leading
// "//".
func unsafeInPath(p string) bool {
	if strings.HasPrefix(p, "//") {
		return true
	}
	for i := 0; i < len(p); i++ {
		if b := p[i]; b < 0x20 || b == 0x7f || b == '\\' {
			return true
		}
	}
	return false
}

func (s *Server) setLang(c *gin.Context) {
	l := c.Param("lang")
	if l != "fr" && l != "en" {
		l = "fr"
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: strings.HasPrefix(s.BaseURL, "https://"), SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
}

// Sign-in and one-time links.

func (s *Server) loginPage(c *gin.Context) {
	if a, err := s.identify(c); err == nil && a != nil && a.Session != "" {
		c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
		return
	}
	p := s.view(c, "login_title")
	p.View = &loginView{Next: localPath(c.Query("next"))}
	s.render(c, http.StatusOK, "login", p)
}

func (s *Server) loginPost(c *gin.Context) {
	p := s.view(c, "login_title")
	next := localPath(c.PostForm("next"))
	p.View = &loginView{Next: next, Email: c.PostForm("email")}
	if err := s.checkCSRF(c, nil); err != nil {
		p.Error = s.errorText(c, p, err)
		s.render(c, http.StatusForbidden, "login", p)
		return
	}
	device, _ := c.Cookie(deviceCookie)
	u, err := s.Login(c.Request.Context(), c.PostForm("email"), c.PostForm("password"), c.ClientIP(), func(u *schema.User) string { return s.deviceID(device, u) })
	if err == nil {
		err = s.startSession(c, u)
	}
	if err != nil {
		p.Error = s.errorText(c, p, err)
		p.CSRF = s.csrfToken(c, nil)
		s.render(c, statusOf(schema.ErrorCode(err)), "login", p)
		return
	}
	s.trustDevice(c, u)
	s.AuditOnly(c.Request.Context(), &app.Actor{User: u}, 0, schema.AuditLogin, u.Email, "", c.ClientIP())
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c *gin.Context) {
	a, _ := s.identify(c)
	if a != nil && a.Session != "" {
		if err := s.checkCSRF(c, a); err != nil {
			s.renderPageError(c, err)
			return
		}
		if err := s.Users.DeleteSession(c.Request.Context(), a.Session); err != nil {
			s.renderPageError(c, err)
			return
		}
		s.AuditOnly(c.Request.Context(), a, 0, schema.AuditLogout, a.User.Email, "", "")
	}
	s.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

// linkPage shows the form of a one-time link (first sign-in, password
// reset or invitation). GET never uses the link: link previews and
// scanners must not burn it.
func (s *Server) linkPage(c *gin.Context) { s.renderLink(c, http.StatusOK, nil) }

// renderLink shows a one-time link's page. An invitation of an existing
// account never asks for a password: it sends its owner to sign in, then
// asks them to accept or decline.
func (s *Server) renderLink(c *gin.Context, status int, formErr error) {
	invite := strings.HasPrefix(c.Request.URL.Path, "/invite/")
	p := s.view(c, map[bool]string{true: "invite_title", false: "link_title"}[invite])
	ctx := c.Request.Context()
	l, err := s.Users.FindLink(ctx, HashSecret(c.Param("token")), s.now())
	if err == nil && (l.Purpose == schema.LinkInvite) != invite {
		err = app.ErrLinkGone
	}
	if err != nil {
		p.Error = s.errorText(c, p, err)
		s.render(c, http.StatusNotFound, "error", p)
		return
	}
	if formErr != nil {
		p.Error = s.errorText(c, p, formErr)
	}
	v := &linkView{Invite: invite, Email: l.Email, Action: c.Request.URL.Path}
	p.View = v
	switch l.Purpose {
	case schema.LinkLogin, schema.LinkReset:
		u, err := s.Users.FindUser(ctx, l.UserID)
		if err == nil && l.Purpose == schema.LinkLogin && u.PasswordHash != "" {
			err = app.ErrLinkGone
		}
		if err != nil {
			p.Error = s.errorText(c, p, err)
			s.render(c, http.StatusNotFound, "error", p)
			return
		}
		v.Email = u.Email
		if l.Purpose == schema.LinkReset {
			p.Title = tr(p.Lang, "reset_title")
			v.Reset = true
		}
	case schema.LinkInvite:
		if st, err := s.structureByID(c, l.StructureID); err == nil {
			v.Structure = st.Name
			v.Role = tr(p.Lang, "role_"+string(l.Role))
		}
		if u, err := s.Users.FindUserByEmail(ctx, l.Email); err == nil {
			v.Existing = true
			switch {
			case p.User == nil:
				v.LoginURL = "/login?next=" + url.QueryEscape(c.Request.URL.Path)
			case p.User.ID == u.ID:
				v.Answer = true
			default:
				v.OtherAccount = p.User.Email
			}
		}
	}
	s.render(c, status, "link", p)
}

func (s *Server) linkPost(c *gin.Context) {
	var a *app.Actor
	if v, ok := c.Get("actor"); ok {
		a = v.(*app.Actor)
	}
	if err := s.checkCSRF(c, a); err != nil {
		s.renderPageError(c, err)
		return
	}
	ctx := c.Request.Context()
	invite := strings.HasPrefix(c.Request.URL.Path, "/invite/")
	if invite {
		// An existing account: accepted or declined by its owner, signed
		// in; never a password typed by the link's holder.
		_, existing, err := s.InviteFor(ctx, c.Param("token"))
		if err != nil {
			s.renderPageError(c, err)
			return
		}
		if existing != nil {
			action := c.PostForm("action")
			if action != "accept" && action != "decline" {
				s.renderLink(c, statusOf(schema.ECONFLICT), app.ErrExistingAccount)
				return
			}
			if _, err := s.AnswerInvite(ctx, a, c.Param("token"), action == "accept"); err != nil {
				s.renderPageError(c, err)
				return
			}
			c.Redirect(http.StatusSeeOther, "/?ok="+map[bool]string{true: "joined", false: "declined"}[action == "accept"])
			return
		}
	} else if l, err := s.Users.FindLink(ctx, HashSecret(c.Param("token")), s.now()); err != nil || l.Purpose == schema.LinkInvite {
		s.renderPageError(c, app.ErrLinkGone)
		return
	}
	if c.PostForm("password") != c.PostForm("password2") {
		s.renderLink(c, http.StatusBadRequest, errPasswordsDiffer)
		return
	}
	u, err := s.AcceptLink(ctx, c.Param("token"), c.PostForm("name"), c.PostForm("password"), c.ClientIP())
	if err == nil {
		err = s.startSession(c, u)
	}
	if err != nil {
		if code := schema.ErrorCode(err); code == schema.EINVALID || code == schema.ECONFLICT {
			s.renderLink(c, statusOf(code), err)
			return
		}
		s.renderPageError(c, err)
		return
	}
	s.trustDevice(c, u)
	s.AuditOnly(ctx, &app.Actor{User: u}, 0, schema.AuditLogin, u.Email, "link", c.ClientIP())
	if s.NeedsSetUp(ctx, &app.Actor{User: u}) != nil { // the first administrator's first sign-in
		c.Redirect(http.StatusSeeOther, "/setup")
		return
	}
	c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) structureByID(c *gin.Context, id int64) (*schema.Structure, error) {
	list, err := s.Structures.ListStructures(c.Request.Context())
	if err != nil {
		return nil, err
	}
	for _, st := range list {
		if st.ID == id {
			return st, nil
		}
	}
	return nil, app.ErrNoAccess
}

// Learners.

func (s *Server) homePage(c *gin.Context) {
	a := actorOf(c)
	p := s.view(c, "home_title")
	q := c.Query("q")
	learners, err := s.SearchLearners(c.Request.Context(), a, q, 50)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	creds, err := s.ListCredentials(c.Request.Context(), a, "", 10)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	v := &homeView{Query: q, Learners: learners, Credentials: creds, StructureNames: s.structureNames(c),
		SetUp: s.NeedsSetUp(c.Request.Context(), a)}
	p.View = v
	if p.Admin {
		v.Loopback = s.loopbackWarning(p.Lang)
	}
	v.ErasureRequests = s.erasureRequests(c)
	s.render(c, http.StatusOK, "home", p)
}

func (s *Server) learnerNewPage(c *gin.Context) {
	p := s.view(c, "learner_new_title")
	sts, err := s.VisibleStructures(c.Request.Context(), actorOf(c))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p.View = &learnerNewView{Structures: sts}
	s.render(c, http.StatusOK, "learner_new", p)
}

func learnerForm(c *gin.Context) app.LearnerInput {
	return app.LearnerInput{Structure: c.PostForm("structure"), Name: c.PostForm("name"), Contact: c.PostForm("contact"),
		Notes: c.PostForm("notes"), Consent: c.PostForm("consent") == "on"}
}

func (s *Server) learnerCreate(c *gin.Context) {
	in := learnerForm(c)
	l, err := s.CreateLearner(c.Request.Context(), actorOf(c), in)
	if err != nil {
		if schema.ErrorCode(err) != schema.EINVALID {
			s.renderPageError(c, err)
			return
		}
		p := s.view(c, "learner_new_title")
		p.Error = s.errorText(c, p, err)
		sts, _ := s.VisibleStructures(c.Request.Context(), actorOf(c))
		p.View = &learnerNewView{Structures: sts, Input: in}
		s.render(c, http.StatusBadRequest, "learner_new", p)
		return
	}
	if c.PostForm("next") == "assess" { // the home page's quick start: straight to the assessment
		c.Redirect(http.StatusSeeOther, "/learners/"+l.ID+"/assess")
		return
	}
	c.Redirect(http.StatusSeeOther, "/learners/"+l.ID+"?ok=created")
}

// newLearnerView makes the view of a learner's page with what every
// form of it shows, and gives it to p.
func (s *Server) newLearnerView(c *gin.Context, p *page, l *schema.Learner) *learnerView {
	v := &learnerView{Learner: l, StructureName: s.structureNames(c)[l.Structure], Frameworks: s.learnerFrameworks(c, l),
		LastFramework: s.LastFramework(c.Request.Context(), actorOf(c), l)}
	p.View = v
	return v
}

func (s *Server) learnerPage(c *gin.Context) {
	a := actorOf(c)
	l, err := s.Learner(c.Request.Context(), a, c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "learner_title")
	p.Title = l.Name
	if l.Erased() {
		p.Title = tr(p.Lang, "learner_erased")
	}
	v := s.newLearnerView(c, p, l)
	s.addPath(c, p, v)
	s.addCarnetLink(c, v)
	s.addOrientation(c, p, v)
	s.render(c, http.StatusOK, "learner", p)
}

func (s *Server) learnerUpdate(c *gin.Context) {
	before, err := s.Learner(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	l, err := s.UpdateLearner(c.Request.Context(), actorOf(c), c.Param("id"), learnerForm(c))
	if err != nil {
		if schema.ErrorCode(err) == schema.EINVALID {
			p := s.view(c, "learner_title")
			p.Error = s.errorText(c, p, err)
			if l, err2 := s.Learner(c.Request.Context(), actorOf(c), c.Param("id")); err2 == nil {
				p.Title = l.Name
				v := s.newLearnerView(c, p, l)
				s.addPath(c, p, v)
				s.addOrientation(c, p, v)
				s.render(c, http.StatusBadRequest, "learner", p)
				return
			}
		}
		s.renderPageError(c, err)
		return
	}
	if !before.ConsentAt.IsZero() && l.ConsentAt.IsZero() {
		c.Redirect(http.StatusSeeOther, "/learners/"+l.ID+"?ok=consent_withdrawn")
		return
	}
	c.Redirect(http.StatusSeeOther, "/learners/"+l.ID+"?ok=saved")
}

func (s *Server) learnerErase(c *gin.Context) {
	if c.PostForm("confirm") != "on" {
		s.renderPageError(c, schema.Errorf(schema.EINVALID, "tick the box to confirm the erasure", "cochez la case pour confirmer l'effacement"))
		return
	}
	l, err := s.EraseLearner(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/learners/"+l.ID+"?ok=erased")
}

// structureNames maps the instance's structures' slugs to their names,
// which pages show instead of slugs.
func (s *Server) structureNames(c *gin.Context) map[string]string {
	out := map[string]string{}
	list, _ := s.Structures.ListStructures(c.Request.Context())
	for _, st := range list {
		out[st.Slug] = st.Name
	}
	return out
}

// learnerFrameworks lists the frameworks in the order of the learner's
// structure (its default one first).
func (s *Server) learnerFrameworks(c *gin.Context, l *schema.Learner) []*schema.Framework {
	st, _ := s.Structures.FindStructure(c.Request.Context(), l.Structure)
	return s.StructureFrameworks(st)
}

func (s *Server) frameworkList() []*schema.Framework {
	var out []*schema.Framework
	for _, id := range s.Frameworks.IDs() {
		fw, _ := s.Frameworks.Get(id)
		out = append(out, fw)
	}
	return out
}

// Assessment and issuance.

// levelForm reads the levels of an assessment form: fields "level_CODE".
func levelForm(c *gin.Context) map[string]any {
	levels := map[string]any{}
	for k, v := range c.Request.PostForm {
		if code, ok := strings.CutPrefix(k, "level_"); ok && len(v) > 0 && strings.TrimSpace(v[0]) != "" {
			levels[code] = v[0]
		}
	}
	return levels
}

func (s *Server) assessPage(c *gin.Context) {
	l, err := s.Learner(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	if l.Erased() {
		s.renderPageError(c, schema.Errorf(schema.ECONFLICT, "this learner's data was erased: create a new record to assess them again", "les données de cette personne ont été effacées : créez une nouvelle fiche pour l'évaluer de nouveau"))
		return
	}
	p := s.view(c, "assess_title")
	v := &assessView{Learner: l, Frameworks: s.learnerFrameworks(c, l), Levels: map[string]string{}}
	p.View = v
	// The assessment opens on the framework asked for, or the one last
	// used with this learner, or the structure's default one.
	var fw *schema.Framework
	if fwID := c.Query("framework"); fwID != "" {
		if fw, err = s.Frameworks.Get(fwID); err != nil {
			s.renderPageError(c, err)
			return
		}
	} else if fw = s.LastFramework(c.Request.Context(), actorOf(c), l); fw == nil {
		s.renderPageError(c, schema.Errorf(schema.ENOTFOUND, "No framework is installed: ask the administrator", "Aucun référentiel n'est installé : demandez à l'administrateur"))
		return
	}
	v.Framework = fw
	if c.Query("from") == "path" { // start from the learner's current levels
		levels, err := s.startingLevels(c.Request.Context(), actorOf(c), l, fw)
		if err != nil {
			s.renderPageError(c, err)
			return
		}
		v.Levels, v.FromPath = levels, len(levels) > 0
	}
	v.Input = app.AssessmentInput{Framework: fw.ID}
	s.render(c, http.StatusOK, "assess", p)
}

// reviewLine is one assessed competency on the review page.
type reviewLine struct {
	Code, Title, Level, LevelTitle, Description string
	Label                                       string // the level as every page shows it (schema.LevelLabel)
	DescLang                                    string // language of Description (frameworks lack some translations)
	Plain                                       string // the plain-language line for learners, when there is one
}

// levelLine is the review line of a competency at a level: the statement of
// that level for that competency.
func levelLine(comp *schema.Competency, lv *schema.Level, lang string) reviewLine {
	return reviewLine{Code: comp.Code, Title: comp.Title.In(lang), Level: lv.ID, LevelTitle: lv.Title.In(lang),
		Description: comp.Statement(lv, lang), DescLang: comp.StatementLang(lv, lang), Plain: comp.Plain(lv.ID, lang)}
}

// labelled gives a review line its level's label in framework fw.
func labelled(l reviewLine, fw *schema.Framework, lang string) reviewLine {
	l.Label = fw.LevelLabel(l.Level, lang).Full
	return l
}

// textLang is the language Text.In(lang) actually returns.
func textLang(t schema.Text, lang string) string {
	if t[lang] != "" {
		return lang
	}
	for _, l := range []string{"fr", "en"} {
		if t[l] != "" {
			return l
		}
	}
	return lang
}

// descLang is the language of Level.Description(lang), so that a screen
// reader reads an untranslated descriptor with the right voice.
func descLang(l *schema.Level, lang string) string {
	if len(l.Summary) > 0 {
		return textLang(l.Summary, lang)
	}
	return textLang(l.Descriptors["complexityOfTasks"], lang)
}

func (s *Server) assessPost(c *gin.Context) {
	a := actorOf(c)
	l, err := s.Learner(c.Request.Context(), a, c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	in := app.AssessmentInput{LearnerID: l.ID, Framework: c.PostForm("framework"), Levels: levelForm(c),
		Evidence: c.PostForm("evidence"), EvidenceURL: c.PostForm("evidence_url"), Method: c.PostForm("method"),
		ValidUntil: c.PostForm("valid_until"), ShowMediator: c.PostForm("show_mediator") == "on"}
	fw, err := s.Frameworks.Get(in.Framework)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "assess_title")
	in.Lang = p.Lang
	levels := map[string]string{}
	for k, v := range in.Levels {
		levels[k] = fmt.Sprint(v)
	}
	v := &assessView{Learner: l, Framework: fw, Input: in, MediatorName: a.User.Name,
		Frameworks: s.learnerFrameworks(c, l), Levels: levels}
	p.View = v
	action := c.PostForm("action")
	if action == "edit" {
		s.render(c, http.StatusOK, "assess", p)
		return
	}
	// Validate before review and again before issuing.
	if _, err := s.Assessment(l, a, in); err != nil {
		if schema.ErrorCode(err) != schema.EINVALID {
			s.renderPageError(c, err)
			return
		}
		p.Error = s.errorText(c, p, err)
		s.render(c, http.StatusBadRequest, "assess", p)
		return
	}
	if action != "issue" {
		var lines []reviewLine
		for _, area := range fw.Areas {
			for _, comp := range area.Competences {
				v, ok := levels[comp.Code]
				if !ok {
					continue
				}
				lv, _, _ := fw.Level(v)
				lines = append(lines, labelled(levelLine(&comp, lv, p.Lang), fw, p.Lang))
			}
		}
		p.Title = tr(p.Lang, "review_title")
		v.Lines = lines
		s.render(c, http.StatusOK, "assess_review", p)
		return
	}
	out, err := s.IssueCredential(c.Request.Context(), a, in)
	if err != nil {
		if schema.ErrorCode(err) == schema.EINVALID {
			p.Error = s.errorText(c, p, err)
			s.render(c, http.StatusBadRequest, "assess", p)
			return
		}
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/credentials/"+strings.TrimPrefix(out.Record.ID, "urn:uuid:")+"?ok=issued")
}

// Credentials.

func (s *Server) credentialPage(c *gin.Context) {
	r, err := s.Credential(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "credential_title")
	v := &credentialView{Credential: r, IssuerName: r.Structure, JSON: s.toCredentialJSON(r)}
	p.View = v
	if st, err := s.Structures.FindStructure(c.Request.Context(), r.Structure); err == nil {
		v.IssuerName = st.Name
	}
	if fw, err := s.Frameworks.Get(r.Framework); err == nil {
		v.Framework = fw
		var lines []reviewLine
		for _, res := range r.Results {
			line := reviewLine{Code: res.Competency, Level: res.Level, Label: res.Level}
			comp, _, cerr := fw.Competency(res.Competency)
			if cerr == nil {
				line.Title = comp.Title.In(p.Lang)
			}
			if lv, _, err := fw.Level(res.Level); err == nil {
				line.LevelTitle, line.Description, line.DescLang = lv.Title.In(p.Lang), lv.Description(p.Lang), descLang(lv, p.Lang)
				if cerr == nil {
					l := levelLine(comp, lv, p.Lang)
					l.Code = res.Competency // as issued
					line = l
				}
			}
			lines = append(lines, labelled(line, fw, p.Lang))
		}
		v.Lines = lines
	}
	if r.JWT != "" {
		res := s.Verifier.Verify(c.Request.Context(), []byte(r.JWT))
		v.Check = res
		if res.Credential != nil {
			b, _ := indentJSON(res.Credential)
			v.Signed = string(b)
		}
	}
	if r.LearnerID != "" {
		if l, err := s.Learners.FindLearner(c.Request.Context(), r.LearnerID); err == nil {
			v.Learner = l
		}
	}
	s.render(c, http.StatusOK, "credential", p)
}

// credentialDownload serves the signed credential: .jwt is the compact JWS,
// .json the VC 2.0 EnvelopedVerifiableCredential holding it.
func (s *Server) credentialDownload(c *gin.Context) {
	r, err := s.Credential(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	if r.JWT == "" {
		s.renderPageError(c, errErased)
		return
	}
	s.writeCredentialFile(c, r)
}

// credentialDataIntegrity sends the Data Integrity form of a credential
// (vc.json) as a download.
func (s *Server) credentialDataIntegrity(c *gin.Context) {
	r, err := s.Credential(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	b, err := s.DataIntegrity(r)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	writeDataIntegrity(c, r, b)
}

// writeDataIntegrity sends the Data Integrity form b of the credential r,
// named carnet-UUID.vc.json when saved.
func writeDataIntegrity(c *gin.Context, r *schema.CredentialRecord, b []byte) {
	name := "carnet-" + strings.TrimPrefix(r.ID, "urn:uuid:") + ".vc.json"
	c.Header("Content-Disposition", `inline; filename="`+name+`"`)
	c.Data(http.StatusOK, mediaTypeDI, b)
}

// writeCredentialFile sends a credential's .jwt or, for any other path,
// its .json (an EnvelopedVerifiableCredential) as a download.
func (s *Server) writeCredentialFile(c *gin.Context, r *schema.CredentialRecord) {
	name := "carnet-" + strings.TrimPrefix(r.ID, "urn:uuid:")
	if strings.HasSuffix(c.Request.URL.Path, ".jwt") {
		c.Header("Content-Disposition", `attachment; filename="`+name+`.jwt"`)
		c.Data(http.StatusOK, "application/vc+jwt", []byte(r.JWT))
		return
	}
	env := map[string]any{
		"@context": []string{"https://www.w3.org/ns/credentials/v2"},
		"id":       "data:application/vc+jwt," + r.JWT,
		"type":     "EnvelopedVerifiableCredential",
	}
	b, _ := indentJSON(env)
	c.Header("Content-Disposition", `attachment; filename="`+name+`.json"`)
	c.Data(http.StatusOK, "application/json", b)
}

// cardPDF renders the printable card of a credential, in its structure's
// card language (?lang=fr|en|fr+en|en+fr overrides): the credit-card sheet, or the one-page
// A4 attestation with ?layout=a4. A revoked or suspended credential is
// never printed: a clean card would read as valid to anyone shown it on
// paper (409, the error page for a browser).
func (s *Server) cardPDF(c *gin.Context) {
	r, err := s.Credential(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := printable(r); err != nil {
		s.renderError(c, err)
		return
	}
	s.writeCardPDF(c, r)
}

// writeCardPDF sends the card of a printable credential (see cardPDF).
func (s *Server) writeCardPDF(c *gin.Context, r *schema.CredentialRecord) {
	st, err := s.Structures.FindStructure(c.Request.Context(), r.Structure)
	if err != nil {
		s.renderError(c, err)
		return
	}
	// The structure's card language (the learner's, French by default);
	// ?lang= overrides it: "fr", "en" (English, then French), or two
	// languages "fr+en", "en+fr".
	l, err := cardLangQuery(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	// Without the catalogue, the card is still printed, without next steps.
	cat, err := s.Catalogue(c.Request.Context())
	if err != nil && s.Log != nil {
		s.Log.Warn("resource catalogue, card printed without next steps", "credential", r.ID, "err", err)
	}
	cd, err := card.FromRecord(r, st, s.Frameworks, cat, s.BaseURL, l)
	if err != nil {
		s.renderError(c, err)
		return
	}
	cd.Layout = c.DefaultQuery("layout", card.LayoutCard)
	cd.Logo = s.cardLogo(c, r.Structure)
	if cd.Layout == card.LayoutA4 {
		// The two nearest places per competency; printed without them
		// when the places cannot be read. No one is signed in on the
		// learner's carnet link: the places are looked up from the
		// structure's coordinates, which need no actor.
		var a *app.Actor
		if v, ok := c.Get("actor"); ok {
			a, _ = v.(*app.Actor)
		}
		if err := s.CertificatePlaces(c.Request.Context(), a, st, r.Framework, cd); err != nil && s.Log != nil {
			s.Log.Warn("places, certificate printed without them", "credential", r.ID, "err", err)
		}
	}
	pdf, err := card.RenderBytes(cd)
	if err != nil {
		s.renderError(c, err)
		return
	}
	name := "carte-"
	if cd.Layout == card.LayoutA4 {
		name = "attestation-"
	}
	c.Header("Content-Disposition", `inline; filename="`+name+r.ShortCode+`.pdf"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// printable refuses to print a revoked or suspended credential's card or
// A4 certificate (ECONFLICT). Erased credentials fall through to the
// card's own "erased" answer (ENOTFOUND), which holds whatever the status.
func printable(r *schema.CredentialRecord) error {
	if r.CardToken == "" {
		return nil
	}
	switch r.Status() {
	case schema.StatusRevoked:
		return schema.Errorf(schema.ECONFLICT,
			"this credential is revoked: its card and A4 certificate can no longer be printed",
			"cette attestation est révoquée : sa carte et son attestation A4 ne peuvent plus être imprimées")
	case schema.StatusSuspended:
		return schema.Errorf(schema.ECONFLICT,
			"this credential is suspended: its card and A4 certificate cannot be printed until it is reinstated",
			"cette attestation est suspendue : sa carte et son attestation A4 ne peuvent pas être imprimées tant qu'elle n'est pas rétablie")
	}
	return nil
}

func (s *Server) credentialStatus(c *gin.Context) {
	action := map[string]string{"revoke": schema.AuditRevoke, "suspend": schema.AuditSuspend, "unsuspend": schema.AuditUnsuspend}[c.PostForm("action")]
	if action == "" {
		s.renderPageError(c, schema.Errorf(schema.EINVALID, "unknown action", "action inconnue"))
		return
	}
	if action == schema.AuditRevoke && c.PostForm("confirm") != "on" {
		s.renderPageError(c, schema.Errorf(schema.EINVALID, "tick the box to confirm the revocation", "cochez la case pour confirmer la révocation"))
		return
	}
	r, err := s.ChangeStatus(c.Request.Context(), actorOf(c), c.Param("id"), action, c.PostForm("reason"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	ok := map[string]string{schema.AuditRevoke: "revoked", schema.AuditSuspend: "suspended", schema.AuditUnsuspend: "unsuspended"}[action]
	c.Redirect(http.StatusSeeOther, "/credentials/"+strings.TrimPrefix(r.ID, "urn:uuid:")+"?ok="+ok)
}

// Structures and people.

func (s *Server) structuresPage(c *gin.Context) {
	a := actorOf(c)
	list, err := s.VisibleStructures(c.Request.Context(), a)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "structures_title")
	p.View = &structuresView{Structures: list, NetworkAdmin: a.User.NetworkAdmin}
	s.render(c, http.StatusOK, "structures", p)
}

func structureForm(c *gin.Context) app.StructureInput {
	return app.StructureInput{Slug: c.PostForm("slug"), Name: c.PostForm("name"), URL: c.PostForm("url"),
		Email: c.PostForm("email"), ImageURL: c.PostForm("image_url"), Address: c.PostForm("address"), CardLang: c.PostForm("card_lang")}
}

func (s *Server) structureCreate(c *gin.Context) {
	a := actorOf(c)
	in := structureForm(c)
	st, err := s.CreateStructure(c.Request.Context(), a, in)
	if err != nil {
		if code := schema.ErrorCode(err); code != schema.EINVALID && code != schema.ECONFLICT {
			s.renderPageError(c, err)
			return
		}
		p := s.view(c, "structures_title")
		p.Error = s.errorText(c, p, err)
		sts, _ := s.VisibleStructures(c.Request.Context(), a)
		p.View = &structuresView{Structures: sts, NetworkAdmin: a.User.NetworkAdmin, Input: in}
		s.render(c, http.StatusBadRequest, "structures", p)
		return
	}
	c.Redirect(http.StatusSeeOther, "/structures/"+st.Slug+"?ok=created")
}

func (s *Server) structurePage(c *gin.Context) {
	s.renderStructure(c, http.StatusOK, nil, "")
}

func (s *Server) renderStructure(c *gin.Context, status int, formErr error, inviteURL string) {
	s.renderStructureReset(c, status, formErr, inviteURL, "", nil)
}

// renderStructureReset shows a structure's page, with a password reset
// link just made for a member (shown once, to be handed over).
func (s *Server) renderStructureReset(c *gin.Context, status int, formErr error, inviteURL, resetURL string, resetFor *schema.User) {
	a := actorOf(c)
	st, err := s.StructureFor(c.Request.Context(), a, c.Param("slug"), schema.RoleMediator)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "structure_title")
	p.Title = st.Name
	if formErr != nil {
		p.Error = s.errorText(c, p, formErr)
	}
	v := &structureView{Structure: st, DID: s.DID(st.Slug), InviteURL: inviteURL, CanAdmin: a.Can(st.ID, schema.RoleAdmin),
		Frameworks: s.StructureFrameworks(st), CardLangs: s.cardLangOptions(p.Lang, st.CardLang)}
	p.View = v
	if resetFor != nil {
		v.ResetURL, v.ResetFor = resetURL, resetFor.Email
	}
	if v.CanAdmin {
		if v.Keys, err = s.keysView(c, p, st); err != nil {
			s.renderPageError(c, err)
			return
		}
		users, err := s.Users.ListUsers(c.Request.Context(), st.ID)
		if err != nil {
			s.renderPageError(c, err)
			return
		}
		for _, u := range users {
			v.Members = append(v.Members, structureMember{u.ID, u.Email, u.Name, tr(p.Lang, "role_"+string(u.RoleIn(st.ID))), u.ID != a.User.ID && app.CanReset(a, u)})
		}
		invites, err := s.PendingInvites(c.Request.Context(), a, st.Slug)
		if err != nil && schema.ErrorCode(err) != schema.EUNAVAILABLE {
			s.renderPageError(c, err)
			return
		}
		for _, l := range invites {
			v.Invites = append(v.Invites, pendingInvite{l.Email, tr(p.Lang, "role_"+string(l.Role)), l.ExpiresAt})
		}
	}
	s.render(c, status, "structure", p)
}

// structureError answers a structure form that failed: the page again
// with the message when the input was wrong, the error page otherwise.
func (s *Server) structureError(c *gin.Context, err error) {
	if schema.ErrorCode(err) == schema.EINVALID {
		s.renderStructure(c, http.StatusBadRequest, err, "")
		return
	}
	s.renderPageError(c, err)
}

func (s *Server) structureUpdate(c *gin.Context) {
	st, err := s.UpdateStructure(c.Request.Context(), actorOf(c), c.Param("slug"), structureForm(c))
	if err != nil {
		s.structureError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/structures/"+st.Slug+"?ok=saved")
}

// structureFrameworks saves the structure's order of frameworks (fields
// "framework", in order; the first is the default one).
func (s *Server) structureFrameworks(c *gin.Context) {
	st, err := s.SetFrameworks(c.Request.Context(), actorOf(c), c.Param("slug"), c.PostFormArray("framework"))
	if err != nil {
		s.structureError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/structures/"+st.Slug+"?ok=saved")
}

func (s *Server) structureInvite(c *gin.Context) {
	link, err := s.Invite(c.Request.Context(), actorOf(c), c.Param("slug"), c.PostForm("email"), schema.Role(c.PostForm("role")))
	if err != nil {
		s.structureError(c, err)
		return
	}
	s.renderStructure(c, http.StatusOK, nil, link)
}

// inviteResend makes a new link for a pending invitation (the old one no
// longer works) and shows it once.
func (s *Server) inviteResend(c *gin.Context) {
	link, err := s.ResendInvite(c.Request.Context(), actorOf(c), c.Param("slug"), c.PostForm("email"))
	if err != nil {
		s.structureError(c, err)
		return
	}
	s.renderStructure(c, http.StatusOK, nil, link)
}

// inviteCancel cancels a pending invitation.
func (s *Server) inviteCancel(c *gin.Context) {
	if err := s.CancelInvite(c.Request.Context(), actorOf(c), c.Param("slug"), c.PostForm("email")); err != nil {
		s.structureError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/structures/"+c.Param("slug")+"?ok=invite_cancelled#invitations")
}

var errPasswordsDiffer = schema.Errorf(schema.EINVALID, "the two passwords differ", "les deux mots de passe sont différents")

// memberReset makes a password reset link for a member; the page shows it
// once to the administrator, who hands it over.
func (s *Server) memberReset(c *gin.Context) {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	link, u, err := s.ResetLink(c.Request.Context(), actorOf(c), c.Param("slug"), id)
	if err != nil {
		s.structureError(c, err)
		return
	}
	s.renderStructureReset(c, http.StatusOK, nil, "", link, u)
}

// Account: password and API tokens.

// passwordChange changes the signed-in person's password; their other
// sessions end.
func (s *Server) passwordChange(c *gin.Context) {
	if c.PostForm("password") != c.PostForm("password2") {
		s.renderAccount(c, http.StatusBadRequest, "", errPasswordsDiffer)
		return
	}
	u, err := s.ChangePassword(c.Request.Context(), actorOf(c), c.PostForm("current"), c.PostForm("password"))
	if err != nil {
		if code := schema.ErrorCode(err); code == schema.EINVALID || code == ERATELIMITED {
			s.renderAccount(c, statusOf(code), "", err)
			return
		}
		s.renderPageError(c, err)
		return
	}
	s.trustDevice(c, u)
	c.Redirect(http.StatusSeeOther, "/account?ok=password_changed")
}

func (s *Server) accountPage(c *gin.Context) { s.renderAccount(c, http.StatusOK, "", nil) }

func (s *Server) renderAccount(c *gin.Context, status int, newToken string, formErr error) {
	a := actorOf(c)
	tokens, err := s.Users.ListAPITokens(c.Request.Context(), a.User.ID)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "account_title")
	if formErr != nil {
		p.Error = s.errorText(c, p, formErr)
	}
	p.View = &accountView{Tokens: tokens, NewToken: newToken}
	s.render(c, status, "account", p)
}

func (s *Server) tokenCreate(c *gin.Context) {
	secret, _, err := s.CreateToken(c.Request.Context(), actorOf(c), c.PostForm("name"))
	if err != nil {
		if schema.ErrorCode(err) == schema.EINVALID {
			s.renderAccount(c, http.StatusBadRequest, "", err)
			return
		}
		s.renderPageError(c, err)
		return
	}
	s.renderAccount(c, http.StatusOK, secret, nil)
}

func (s *Server) tokenDelete(c *gin.Context) {
	a := actorOf(c)
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if err := s.DeleteToken(c.Request.Context(), a, id); err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?ok=token_deleted")
}

func (s *Server) auditPage(c *gin.Context) {
	list, err := s.AuditLog(c.Request.Context(), actorOf(c), 500)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "audit_title")
	p.View = &auditView{Lines: s.auditLines(c.Request.Context(), p.Lang, list)}
	s.render(c, http.StatusOK, "audit", p)
}

// Public pages: the card landing page (the verification portal is in
// verify.go).

func (s *Server) cardPage(c *gin.Context) {
	p := s.view(c, "card_title")
	s.render(c, http.StatusOK, "card", p)
}

// sortedLevels returns a credential's levels in framework order, for pages.
func sortedLevels(levels map[string]string) []string {
	keys := make([]string, 0, len(levels))
	for k := range levels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// indentJSON formats a document for reading, without HTML escaping (the
// template escapes it).
func indentJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	return buf.Bytes(), err
}

func asTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case *time.Time:
		if t != nil {
			return *t
		}
	}
	return time.Time{}
}
