package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"carnet/app"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// Lifetimes of the secrets handed to people.
const (
	SessionLifetime   = 12 * time.Hour
	LoginLinkLifetime = app.LoginLinkLifetime
	InviteLifetime    = app.InviteLifetime
)

// Cookie names.
const (
	sessionCookie = "carnet_session"
	preCookie     = "carnet_pre" // anonymous CSRF binding for the sign-in forms
	langCookie    = "carnet_lang"
)

// HashPassword is app.HashPassword.
func HashPassword(password string) (string, error) { return app.HashPassword(password) }

// CheckPasswordHash is app.CheckPasswordHash.
func CheckPasswordHash(hash, password string) bool { return app.CheckPasswordHash(hash, password) }

// NewSecret is app.NewSecret.
func NewSecret(prefix string) (secret, hash string, err error) { return app.NewSecret(prefix) }

// HashSecret is app.HashSecret.
func HashSecret(secret string) string { return app.HashSecret(secret) }

// identify finds the actor of a request from its bearer token or session
// cookie; nil with no error when there is neither.
func (s *Server) identify(c *gin.Context) (*app.Actor, error) {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(strings.TrimSpace(tok), app.TokenPrefix) {
			return nil, schema.Errorf(schema.EUNAUTHORIZED, "the Authorization header must be \"Bearer carnet_…\"", "l'en-tête Authorization doit être « Bearer carnet_… »")
		}
		t, err := s.Users.FindAPIToken(c.Request.Context(), HashSecret(strings.TrimSpace(tok)))
		if err != nil {
			return nil, err
		}
		u, err := s.Users.FindUser(c.Request.Context(), t.UserID)
		if err != nil {
			return nil, err
		}
		return &app.Actor{User: u, Token: t.ID, IP: c.ClientIP()}, nil
	}
	cookie, err := c.Cookie(sessionCookie)
	if err != nil || cookie == "" {
		return nil, nil
	}
	hash := HashSecret(cookie)
	now := s.now()
	se, err := s.Users.FindSession(c.Request.Context(), hash, now)
	if err != nil {
		return nil, err
	}
	// Sliding expiry, written at most once per half-hour.
	if se.ExpiresAt.Sub(now) < SessionLifetime-30*time.Minute {
		if err := s.Users.ExtendSession(c.Request.Context(), hash, now.Add(SessionLifetime)); err != nil {
			return nil, err
		}
	}
	u, err := s.Users.FindUser(c.Request.Context(), se.UserID)
	if err != nil {
		return nil, err
	}
	return &app.Actor{User: u, Session: hash, IP: c.ClientIP()}, nil
}

// startSession signs a user in: a new session and its cookie.
func (s *Server) startSession(c *gin.Context, u *schema.User) error {
	secret, hash, err := NewSecret("")
	if err != nil {
		return err
	}
	now := s.now()
	if err := s.Users.CreateSession(c.Request.Context(), &schema.Session{Hash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}); err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, secret, 0)
	s.setCookie(c, preCookie, "", -1)
	return nil
}

func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: strings.HasPrefix(s.BaseURL, "https://"), SameSite: http.SameSiteLaxMode,
	})
}

// csrfToken returns the CSRF token of a page: an HMAC of the session (or,
// before sign-in, of a random pre-session cookie it sets).
func (s *Server) csrfToken(c *gin.Context, a *app.Actor) string {
	if a != nil && a.Session != "" {
		return s.mac("csrf:s:" + a.Session)
	}
	pre, err := c.Cookie(preCookie)
	if err != nil || len(pre) < 20 {
		pre, _, _ = NewSecret("")
		s.setCookie(c, preCookie, pre, 0)
		c.Request.AddCookie(&http.Cookie{Name: preCookie, Value: pre})
	}
	return s.mac("csrf:p:" + pre)
}

func (s *Server) mac(msg string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var errCSRF = schema.Errorf(schema.EFORBIDDEN,
	"the form has expired or did not come from this site; reload the page and try again",
	"le formulaire a expiré ou ne vient pas de ce site ; rechargez la page et recommencez")

// checkCSRF checks a form post: the token must match the session (or the
// pre-session cookie), and the Origin, when sent, must be this site.
func (s *Server) checkCSRF(c *gin.Context, a *app.Actor) error {
	if o := c.GetHeader("Origin"); o != "" && o != "null" && !s.sameOrigin(c, o) {
		return errCSRF
	}
	got := c.PostForm("csrf_token")
	var want string
	if a != nil && a.Session != "" {
		want = s.mac("csrf:s:" + a.Session)
	} else if pre, err := c.Cookie(preCookie); err == nil && pre != "" {
		want = s.mac("csrf:p:" + pre)
	}
	if want == "" || !hmac.Equal([]byte(got), []byte(want)) {
		return errCSRF
	}
	return nil
}

func (s *Server) sameOrigin(c *gin.Context, origin string) bool {
	o, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if b, err := url.Parse(s.BaseURL); err == nil && strings.EqualFold(o.Host, b.Host) {
		return true
	}
	return strings.EqualFold(o.Host, c.Request.Host)
}

// deviceCookie marks a browser that signed in to an account (OWASP's
// "device cookie"): it is no proof of identity, only an exemption from the
// lockout that strangers' failures put on the account.
const (
	deviceCookie   = "carnet_device"
	DeviceLifetime = 180 * 24 * time.Hour
)

// trustDevice gives the browser a new device cookie for a user who just
// proved their password (or used a one-time link).
func (s *Server) trustDevice(c *gin.Context, u *schema.User) {
	nonce, _, err := NewSecret("")
	if err != nil {
		return
	}
	nonce = nonce[:22]
	s.setCookie(c, deviceCookie, nonce+"."+s.deviceMAC(nonce, u), int(DeviceLifetime/time.Second))
}

// deviceMAC binds a device cookie to its account and to the account's
// current password: a new password voids the devices of the old one.
func (s *Server) deviceMAC(nonce string, u *schema.User) string {
	return s.mac("device:" + nonce + ":" + strconv.FormatInt(u.ID, 10) + ":" + u.PasswordHash)
}

// deviceID returns the id of a device cookie valid for u, "" otherwise.
func (s *Server) deviceID(cookie string, u *schema.User) string {
	nonce, sig, ok := strings.Cut(cookie, ".")
	if !ok || u == nil || nonce == "" || !hmac.Equal([]byte(sig), []byte(s.deviceMAC(nonce, u))) {
		return ""
	}
	return nonce
}

// ERATELIMITED is the code of an error asking the client to slow down.
const ERATELIMITED = app.ERATELIMITED

// ParseTrustedProxies reads a comma-separated list of proxy addresses (IPs
// or CIDRs, v4 or v6) for Server.TrustedProxies; "" is none.
func ParseTrustedProxies(list string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, schema.Errorf(schema.EINVALID, "%q is neither an IP address nor a CIDR block", "%q n'est ni une adresse IP ni un bloc CIDR", p)
		}
		out = append(out, p)
	}
	return out, nil
}
