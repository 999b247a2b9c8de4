package app

import (
	"context"
	"strconv"
	"strings"

	"carnet/schema"
)

// Invite creates a one-time invitation link into a structure.
func (s *App) Invite(ctx context.Context, a *Actor, slug, email string, role schema.Role) (string, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return "", err
	}
	if email, err = schema.CleanEmail(email); err != nil {
		return "", err
	}
	if role == "" {
		role = schema.RoleMediator
	}
	if !schema.ValidRole(role) {
		return "", schema.Errorf(schema.EINVALID, "unknown role %q (admin or mediator)", "rôle inconnu %q (admin ou mediator)", role)
	}
	secret, hash, err := NewSecret("")
	if err != nil {
		return "", err
	}
	l := &schema.Link{Hash: hash, Purpose: schema.LinkInvite, Email: email, StructureID: st.ID, Role: role,
		CreatedBy: a.User.ID, ExpiresAt: s.now().Add(InviteLifetime)}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Users.CreateLink(ctx, l); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, schema.AuditInvite, email, string(role), "")
	})
	if err != nil {
		return "", err
	}
	return s.inviteURL(secret), nil
}

// inviteURL is the link of an invitation's secret.
func (s *App) inviteURL(secret string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/invite/" + secret
}

// ErrExistingAccount refuses to set, through an invitation, the password
// of an account that exists: its owner accepts while signed in.
var ErrExistingAccount = schema.Errorf(schema.ECONFLICT,
	"this invitation is for an existing account: sign in to accept it",
	"cette invitation est pour un compte existant : connectez-vous pour l'accepter")

var ErrLinkGone = schema.Errorf(schema.ENOTFOUND, "this link is unknown, already used or expired: ask whoever sent it for a new one", "ce lien est inconnu, déjà utilisé ou expiré : demandez-en un nouveau à la personne qui vous l'a envoyé")

// AcceptLink uses a one-time link that sets a password: the first
// administrator's login link (while they have none), an administrator's
// reset link, or an invitation of a new e-mail address (the account is
// created). An invitation of an existing account is refused here, without
// using the link: it is answered by AnswerInvite, signed in. It returns the
// user to sign in.
func (s *App) AcceptLink(ctx context.Context, secret, name, password, ip string) (*schema.User, error) {
	if err := schema.CheckPassword(password); err != nil {
		return nil, err
	}
	name, err := schema.CleanLabel(name, 120, "the name", "le nom")
	if err != nil {
		return nil, err
	}
	l, err := s.Users.FindLink(ctx, HashSecret(secret), s.now())
	if err != nil {
		return nil, err
	}
	switch l.Purpose {
	case schema.LinkLogin:
		// A first sign-in link left over once a password is chosen must
		// not choose another one.
		if u, err := s.Users.FindUser(ctx, l.UserID); err != nil {
			return nil, err
		} else if u.PasswordHash != "" {
			return nil, ErrLinkGone
		}
	case schema.LinkInvite:
		if _, err := s.Users.FindUserByEmail(ctx, l.Email); err == nil {
			return nil, ErrExistingAccount
		} else if schema.ErrorCode(err) != schema.ENOTFOUND {
			return nil, err
		}
	case schema.LinkReset:
		// Rights may have changed since the link was made: its maker must
		// still be allowed to reset this account.
		u, err := s.Users.FindUser(ctx, l.UserID)
		if err != nil {
			return nil, err
		}
		by, err := s.Users.FindUser(ctx, l.CreatedBy)
		if schema.ErrorCode(err) == schema.ENOTFOUND || err == nil && !CanReset(&Actor{User: by}, u) {
			return nil, ErrLinkGone
		} else if err != nil {
			return nil, err
		}
	default:
		return nil, ErrLinkGone
	}
	hashed, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	// The link is used, the account changed and the audit entry written
	// in one transaction: all of it, or nothing.
	var u *schema.User
	err = s.InTx(ctx, func(ctx context.Context) error {
		if l, err = s.Users.ConsumeLink(ctx, HashSecret(secret), s.now()); err != nil {
			return err
		}
		switch l.Purpose {
		case schema.LinkLogin, schema.LinkReset:
			if u, err = s.Users.FindUser(ctx, l.UserID); err != nil {
				return err
			}
			if l.Purpose == schema.LinkLogin && u.PasswordHash != "" {
				return ErrLinkGone // chosen in between through another link
			}
			// A reset ends every session and API token of the account: it is
			// how an administrator gives an account back to its owner.
			if err := s.Users.ChangePassword(ctx, u.ID, hashed, "", l.Purpose == schema.LinkReset); err != nil {
				return err
			}
			if l.Purpose == schema.LinkLogin {
				return s.Record(ctx, &Actor{User: u}, 0, schema.AuditPasswordSet, u.Email, "", ip)
			}
			detail := ""
			if by, err := s.Users.FindUser(ctx, l.CreatedBy); err == nil {
				detail = by.Label() // who made the link
			}
			return s.Record(ctx, &Actor{User: u}, l.StructureID, schema.AuditPasswordReset, u.Email, detail, ip)
		case schema.LinkInvite:
			// The store refuses an address taken in between (unique e-mail).
			u = &schema.User{Email: l.Email, Name: name, PasswordHash: hashed,
				Memberships: []schema.Membership{{StructureID: l.StructureID, Role: l.Role}}}
			if err := s.Users.CreateUser(ctx, u); schema.ErrorCode(err) == schema.ECONFLICT {
				return ErrExistingAccount
			} else if err != nil {
				return err
			}
			return s.Record(ctx, &Actor{User: u}, l.StructureID, schema.AuditInviteAccepted, u.Email, string(l.Role), ip)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Users.FindUser(ctx, u.ID)
}

// InviteFor returns a valid invitation and the existing account it is for
// (nil when its address has no account yet).
func (s *App) InviteFor(ctx context.Context, secret string) (*schema.Link, *schema.User, error) {
	l, err := s.Users.FindLink(ctx, HashSecret(secret), s.now())
	if err != nil {
		return nil, nil, err
	}
	if l.Purpose != schema.LinkInvite {
		return nil, nil, ErrLinkGone
	}
	u, err := s.Users.FindUserByEmail(ctx, l.Email)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return l, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	return l, u, nil
}

var errOtherAccount = schema.Errorf(schema.EFORBIDDEN,
	"this invitation is for another account: sign out, then sign in with the invited address",
	"cette invitation est pour un autre compte : déconnectez-vous, puis connectez-vous avec l'adresse invitée")

// AnswerInvite lets the invited person, signed in as the invited existing
// account, accept (join the structure with the role) or decline an
// invitation; either way the link is used.
func (s *App) AnswerInvite(ctx context.Context, a *Actor, secret string, accept bool) (*schema.Link, error) {
	if a == nil || a.Session == "" {
		return nil, ErrSignIn
	}
	l, u, err := s.InviteFor(ctx, secret)
	if err != nil {
		return nil, err
	}
	if u == nil || u.ID != a.User.ID {
		return nil, errOtherAccount
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if l, err = s.Users.ConsumeLink(ctx, HashSecret(secret), s.now()); err != nil {
			return err
		}
		if !accept {
			return s.Record(ctx, a, l.StructureID, schema.AuditInviteDeclined, u.Email, string(l.Role), "")
		}
		if err := s.Users.SetMembership(ctx, u.ID, l.StructureID, l.Role); err != nil {
			return err
		}
		return s.Record(ctx, a, l.StructureID, schema.AuditInviteAccepted, u.Email, string(l.Role), "")
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// ChangePassword changes the actor's own password: the current one is
// asked (and its guesses limited), and every other session of the account
// ends. API tokens are kept: integrations run on them, and the account
// page lists them for revocation.
func (s *App) ChangePassword(ctx context.Context, a *Actor, current, password string) (*schema.User, error) {
	if a.Session == "" {
		return nil, ErrSignIn
	}
	key, now := "pw:"+strconv.FormatInt(a.User.ID, 10), s.now()
	if d := s.throttle.Wait(key, limitPasswordCheck, now); d > 0 {
		return nil, errTooManyFailures(d)
	}
	if a.User.PasswordHash == "" || len(current) > schema.MaxPasswordLength || !CheckPasswordHash(a.User.PasswordHash, current) {
		s.throttle.Fail(key, limitPasswordCheck, now)
		return nil, schema.Errorf(schema.EINVALID, "the current password is wrong", "le mot de passe actuel est incorrect")
	}
	s.throttle.Reset(key)
	if err := schema.CheckPassword(password); err != nil {
		return nil, err
	}
	hashed, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Users.ChangePassword(ctx, a.User.ID, hashed, a.Session, false); err != nil {
			return err
		}
		return s.Record(ctx, a, 0, schema.AuditPasswordChange, a.User.Email, "", "")
	})
	if err != nil {
		return nil, err
	}
	return s.Users.FindUser(ctx, a.User.ID)
}

// CanReset reports whether an administrator may reset a user's password:
// a network administrator anyone's; a structure administrator only that of
// someone who has no right beyond theirs (not a network administrator, and
// a member only of structures they administer), or a reset would be a way
// into the other person's rights.
func CanReset(a *Actor, u *schema.User) bool {
	if a.User.NetworkAdmin {
		return true
	}
	if u.NetworkAdmin || len(u.Memberships) == 0 {
		return false
	}
	for _, m := range u.Memberships {
		if a.User.RoleIn(m.StructureID) != schema.RoleAdmin {
			return false
		}
	}
	return true
}

// ResetLink makes a one-time link that sets the password of a member of a
// structure, to be handed to them by the administrator who makes it.
func (s *App) ResetLink(ctx context.Context, a *Actor, slug string, userID int64) (string, *schema.User, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return "", nil, err
	}
	u, err := s.Users.FindUser(ctx, userID)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return "", nil, ErrNoAccess
	} else if err != nil {
		return "", nil, err
	}
	member := false
	for _, m := range u.Memberships {
		member = member || m.StructureID == st.ID
	}
	if !member {
		return "", nil, ErrNoAccess
	}
	if u.ID == a.User.ID {
		return "", nil, schema.Errorf(schema.EINVALID, "change your own password on your account page", "changez votre propre mot de passe sur la page de votre compte")
	}
	if !CanReset(a, u) {
		return "", nil, schema.Errorf(schema.EFORBIDDEN,
			"this person has rights beyond yours (network administration or another structure): ask a network administrator",
			"cette personne a des droits au-delà des vôtres (administration du réseau ou autre structure) : demandez à un administrateur du réseau")
	}
	secret, hash, err := NewSecret("")
	if err != nil {
		return "", nil, err
	}
	l := &schema.Link{Hash: hash, Purpose: schema.LinkReset, UserID: u.ID, StructureID: st.ID,
		CreatedBy: a.User.ID, ExpiresAt: s.now().Add(ResetLinkLifetime)}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Users.CreateLink(ctx, l); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, schema.AuditResetLink, u.Email, "", "")
	})
	if err != nil {
		return "", nil, err
	}
	return strings.TrimRight(s.BaseURL, "/") + "/login/link/" + secret, u, nil
}

// CreateToken creates an API token for the actor; the secret is shown once.
func (s *App) CreateToken(ctx context.Context, a *Actor, name string) (string, *schema.APIToken, error) {
	var secret string
	var t *schema.APIToken
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if secret, t, err = CreateAPIToken(ctx, s.Users, a.User, name, nil); err != nil {
			return err
		}
		return s.Record(ctx, a, 0, schema.AuditTokenCreated, itoa(int(t.ID)), t.Name, "")
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// DeleteToken deletes one of the actor's API tokens.
func (s *App) DeleteToken(ctx context.Context, a *Actor, id int64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Users.DeleteAPIToken(ctx, a.User.ID, id); err != nil {
			return err
		}
		return s.Record(ctx, a, 0, schema.AuditTokenRevoked, strconv.FormatInt(id, 10), "", "")
	})
}

// CreateAPIToken creates an API token for a user and returns its secret;
// `carnet token create` uses it too. The name is cleaned (schema.CleanLabel)
// or refused. done, when set, is called after.
func CreateAPIToken(ctx context.Context, users schema.UserStore, u *schema.User, name string, done func(*schema.APIToken)) (string, *schema.APIToken, error) {
	name, err := schema.CleanLabel(name, 100, "the token name", "le nom du jeton")
	if err != nil {
		return "", nil, err
	}
	secret, hash, err := NewSecret(TokenPrefix)
	if err != nil {
		return "", nil, err
	}
	t := &schema.APIToken{Hash: hash, UserID: u.ID, Name: name}
	if err := users.CreateAPIToken(ctx, t); err != nil {
		return "", nil, err
	}
	if done != nil {
		done(t)
	}
	return secret, t, nil
}

func (s *App) AuditLog(ctx context.Context, a *Actor, limit int) ([]*schema.AuditEvent, error) {
	if !a.IsAdmin() {
		return nil, ErrForbidden
	}
	var ids []int64
	if !a.User.NetworkAdmin {
		ids = []int64{}
		for _, m := range a.User.Memberships {
			if m.Role == schema.RoleAdmin {
				ids = append(ids, m.StructureID)
			}
		}
	}
	return s.Audit.ListAudit(ctx, schema.AuditFilter{StructureIDs: ids, Limit: limit})
}
