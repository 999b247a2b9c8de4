package app

import (
	"context"
	"strings"
	"time"

	"carnet/schema"
)

// ERATELIMITED is the code of an error asking the client to slow down.
const ERATELIMITED = "rate_limited"

// loginKey is a throttled key with its limit.
type loginKey struct {
	key string
	l   Limit
}

// Login checks an e-mail and password, with throttling; the error never
// tells whether the account exists. device returns the id of the browser's
// device cookie when it proves an earlier sign-in to the account found
// ("" otherwise, and for a nil account): then only that browser's own
// failures count, so that strangers' guesses never lock the owner out.
func (s *App) Login(ctx context.Context, email, password, ip string, device func(*schema.User) string) (*schema.User, error) {
	now := s.now()
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.Users.FindUserByEmail(ctx, email)
	if err != nil && schema.ErrorCode(err) != schema.ENOTFOUND {
		return nil, err
	}
	var keys []loginKey
	if id := device(u); id != "" {
		keys = []loginKey{{"d:" + id, limitDevice}}
	} else {
		keys = []loginKey{{"ea:" + email + "|" + ip, limitAccountAddress}, {"e:" + email, limitAccount}, {"i:" + ip, limitAddress}}
	}
	for _, k := range keys {
		if d := s.throttle.Wait(k.key, k.l, now); d > 0 {
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
			s.throttle.Fail(k.key, k.l, now)
		}
		s.AuditOnly(ctx, nil, 0, schema.AuditLoginFailed, email, "", ip)
		return nil, schema.Errorf(schema.EUNAUTHORIZED, "wrong e-mail address or password", "adresse électronique ou mot de passe incorrect")
	}
	s.throttle.Reset(keys[0].key)
	return u, nil
}

func errTooManyFailures(d time.Duration) error {
	min := int(d/time.Minute) + 1
	return schema.Errorf(ERATELIMITED, "too many failed attempts; try again in %d minutes", "trop de tentatives échouées ; réessayez dans %d minutes", min)
}
