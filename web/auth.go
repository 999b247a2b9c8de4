package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"carnet/schema"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/argon2"
)

// Lifetimes of the secrets handed to people.
const (
	SessionLifetime   = 12 * time.Hour
	LoginLinkLifetime = 72 * time.Hour
	InviteLifetime    = 7 * 24 * time.Hour
)

// Cookie names.
const (
	sessionCookie = "carnet_session"
	preCookie     = "carnet_pre" // anonymous CSRF binding for the sign-in forms
	langCookie    = "carnet_lang"
)

// argon2id parameters: the OWASP recommendation of 2024 (19 MiB, 2 passes,
// one lane), about 30 ms on the reference VM.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPasswordHash reports whether password matches a HashPassword hash.
func CheckPasswordHash(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 256*1024 || t > 10 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when an e-mail is unknown, so that the time
// of a failed sign-in does not tell whether an account exists.
var dummyHash, _ = HashPassword("carnet-dummy-password")

// NewSecret returns a random secret for a link, session or token, and the
// hash under which it is stored.
func NewSecret(prefix string) (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret is the stored form of a secret: its SHA-256 in hex. Secrets
// carry 256 random bits, so a fast hash is enough.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// API token prefix: makes leaked tokens easy to recognise and grep for.
const tokenPrefix = "carnet_"

// actor is who makes a request: a signed-in user, through a session cookie
// or an API token.
type actor struct {
	User    *schema.User
	Session string // hash of the session, "" for API tokens
	Token   int64  // API token id
	IP      string
}

// structureIDs lists the structures the actor may act in; nil means all (a
// network administrator).
func (a *actor) structureIDs() []int64 {
	if a.User.NetworkAdmin {
		return nil
	}
	ids := []int64{}
	for _, m := range a.User.Memberships {
		ids = append(ids, m.StructureID)
	}
	return ids
}

// can reports whether the actor may act in a structure with at least role.
func (a *actor) can(structureID int64, role schema.Role) bool {
	got := a.User.RoleIn(structureID)
	switch role {
	case schema.RoleMediator:
		return got == schema.RoleMediator || got == schema.RoleAdmin
	case schema.RoleAdmin:
		return got == schema.RoleAdmin
	}
	return false
}

func (a *actor) isAdmin() bool {
	if a.User.NetworkAdmin {
		return true
	}
	for _, m := range a.User.Memberships {
		if m.Role == schema.RoleAdmin {
			return true
		}
	}
	return false
}

var errSignIn = schema.Errorf(schema.EUNAUTHORIZED, "please sign in", "veuillez vous connecter")

// identify finds the actor of a request from its bearer token or session
// cookie; nil with no error when there is neither.
func (s *Server) identify(c *gin.Context) (*actor, error) {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(strings.TrimSpace(tok), tokenPrefix) {
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
		return &actor{User: u, Token: t.ID, IP: c.ClientIP()}, nil
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
	return &actor{User: u, Session: hash, IP: c.ClientIP()}, nil
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
func (s *Server) csrfToken(c *gin.Context, a *actor) string {
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
func (s *Server) checkCSRF(c *gin.Context, a *actor) error {
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

// loginKey is a throttled key with its limit.
type loginKey struct {
	key string
	l   limit
}

// login checks an e-mail and password, with throttling; the error never
// tells whether the account exists. device is the browser's device cookie:
// when it proves an earlier sign-in to this account, only that browser's
// own failures count, so that strangers' guesses never lock the owner out.
// It returns the user and whether the device cookie was recognised.
func (s *Server) login(ctx context.Context, email, password, ip, device string) (*schema.User, error) {
	now := s.now()
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.Users.FindUserByEmail(ctx, email)
	if err != nil && schema.ErrorCode(err) != schema.ENOTFOUND {
		return nil, err
	}
	var keys []loginKey
	if id := s.deviceID(device, u); id != "" {
		keys = []loginKey{{"d:" + id, limitDevice}}
	} else {
		keys = []loginKey{{"ea:" + email + "|" + ip, limitAccountAddress}, {"e:" + email, limitAccount}, {"i:" + ip, limitAddress}}
	}
	for _, k := range keys {
		if d := s.throttle.wait(k.key, k.l, now); d > 0 {
			return nil, errTooManyFailures(d)
		}
	}
	ok := false
	if u != nil && u.PasswordHash != "" && len(password) <= schema.MaxPasswordLength {
		ok = CheckPasswordHash(u.PasswordHash, password)
	} else {
		CheckPasswordHash(dummyHash, password)
	}
	if !ok {
		for _, k := range keys {
			s.throttle.fail(k.key, k.l, now)
		}
		s.audit(ctx, nil, 0, schema.AuditLoginFailed, email, "", ip)
		return nil, schema.Errorf(schema.EUNAUTHORIZED, "wrong e-mail address or password", "adresse électronique ou mot de passe incorrect")
	}
	s.throttle.reset(keys[0].key)
	return u, nil
}

func errTooManyFailures(d time.Duration) error {
	min := int(d/time.Minute) + 1
	return schema.Errorf(ERATELIMITED, "too many failed attempts; try again in %d minutes", "trop de tentatives échouées ; réessayez dans %d minutes", min)
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
const ERATELIMITED = "rate_limited"

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
