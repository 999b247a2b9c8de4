package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"carnet/schema"
)

// The learner's own carnet (issue 16). A mediator of the learner's
// structure makes (or re-makes, or revokes) a private link; its holder
// reads the learner's credentials and path, downloads and reprints them,
// shares one for a while, and asks for erasure. The link makes its holder
// no one: every operation below takes the learner the link opened, never
// an Actor with rights.

// Audit actions of the carnet.
const (
	AuditCarnetLink        = "carnet_link_created" // a new private link (the previous one stops working)
	AuditCarnetLinkRevoked = "carnet_link_revoked"
	AuditShareCreated      = "carnet_share_created"   // by the learner, from their carnet
	AuditShareWithdrawn    = "carnet_share_withdrawn" // by the learner
	AuditErasureRequested  = "erasure_requested"      // by the learner
)

// CarnetPath starts a private link's path; SharePath a share link's.
const (
	CarnetPath = "/carnet/"
	SharePath  = "/partage/"
)

// ShareLifetimes are the lifetimes a learner may give a share link, in
// days: a week, a month, a year.
var ShareLifetimes = []int{7, 30, 365}

// ErrShareGone answers a share link that expired or was withdrawn: it says
// no more than that (410 on the web).
var ErrShareGone = schema.Errorf(schema.ENOTFOUND, "this link is no longer valid", "ce lien n'est plus valable")

// ErrCarnetUnknown answers an unknown or revoked private link.
var ErrCarnetUnknown = schema.Errorf(schema.ENOTFOUND,
	"this link does not open any carnet: it may have been replaced or revoked; ask the structure that gave it to you for a new one",
	"ce lien n'ouvre aucun carnet : il a peut-être été remplacé ou retiré ; demandez-en un nouveau à la structure qui vous l'a donné")

func (s *App) carnets() (schema.CarnetStore, error) {
	if cs, ok := s.Learners.(schema.CarnetStore); ok {
		return cs, nil
	}
	return nil, schema.Errorf(schema.EUNAVAILABLE, "private links need the SQLite storage", "les liens personnels demandent le stockage SQLite")
}

// NewCarnetLink makes a learner's private link and returns its address;
// the previous link stops working. Mediators of the learner's structure.
func (s *App) NewCarnetLink(ctx context.Context, a *Actor, learnerID string) (string, error) {
	cs, err := s.carnets()
	if err != nil {
		return "", err
	}
	l, err := s.Learner(ctx, a, learnerID)
	if err != nil {
		return "", err
	}
	if l.Erased() {
		return "", schema.Errorf(schema.ECONFLICT, "this learner's data was erased", "les données de cette personne ont été effacées")
	}
	secret, hash, err := NewSecret("")
	if err != nil {
		return "", err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := cs.SetCarnetLink(ctx, l.ID, hash, s.now().UTC()); err != nil {
			return err
		}
		return s.Record(ctx, a, l.StructureID, AuditCarnetLink, l.ID, "", "")
	})
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s.BaseURL, "/") + CarnetPath + secret, nil
}

// RevokeCarnetLink revokes a learner's private link.
func (s *App) RevokeCarnetLink(ctx context.Context, a *Actor, learnerID string) error {
	cs, err := s.carnets()
	if err != nil {
		return err
	}
	l, err := s.Learner(ctx, a, learnerID)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := cs.DeleteCarnetLink(ctx, l.ID); err != nil {
			return err
		}
		return s.Record(ctx, a, l.StructureID, AuditCarnetLinkRevoked, l.ID, "", "")
	})
}

// CarnetLinkSince tells a mediator whether a learner has a private link,
// and since when.
func (s *App) CarnetLinkSince(ctx context.Context, a *Actor, learnerID string) (time.Time, bool, error) {
	cs, err := s.carnets()
	if err != nil {
		return time.Time{}, false, err
	}
	l, err := s.Learner(ctx, a, learnerID)
	if err != nil {
		return time.Time{}, false, err
	}
	return cs.HasCarnetLink(ctx, l.ID)
}

// CarnetLearner returns the learner a private link opens; ErrCarnetUnknown
// when it opens none (unknown, replaced, revoked, or the learner erased).
func (s *App) CarnetLearner(ctx context.Context, secret string) (*schema.Learner, error) {
	cs, err := s.carnets()
	if err != nil {
		return nil, err
	}
	if secret == "" || len(secret) > 100 {
		return nil, ErrCarnetUnknown
	}
	id, err := cs.FindCarnetLink(ctx, HashSecret(secret))
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, ErrCarnetUnknown
	} else if err != nil {
		return nil, err
	}
	l, err := s.Learners.FindLearner(ctx, id)
	if schema.ErrorCode(err) == schema.ENOTFOUND || err == nil && l.Erased() {
		return nil, ErrCarnetUnknown
	} else if err != nil {
		return nil, err
	}
	return l, nil
}

// CarnetReader is the actor through which a carnet's pages read the
// learner's own credentials: it lists their structure (so that the path
// shows what was issued there) and holds no role, so that it may do
// nothing (Can is false everywhere). It is never stored nor audited.
func CarnetReader(l *schema.Learner) *Actor {
	return &Actor{User: &schema.User{Name: "carnet", Memberships: []schema.Membership{{StructureID: l.StructureID, Structure: l.Structure}}}}
}

// CarnetCredential returns one of the learner's own credentials.
func (s *App) CarnetCredential(ctx context.Context, l *schema.Learner, id string) (*schema.CredentialRecord, error) {
	id = strings.TrimSpace(id)
	if !strings.HasPrefix(id, "urn:uuid:") {
		id = "urn:uuid:" + id
	}
	c, err := s.Credentials.FindCredential(ctx, id)
	if schema.ErrorCode(err) == schema.ENOTFOUND || err == nil && c.LearnerID != l.ID {
		return nil, ErrNoAccess
	} else if err != nil {
		return nil, err
	}
	return c, nil
}

// ShareCredential makes a read-only link to one of the learner's
// credentials, for days (one of ShareLifetimes), and returns its address.
func (s *App) ShareCredential(ctx context.Context, l *schema.Learner, credentialID string, days int, ip string) (string, *schema.CarnetShare, error) {
	cs, err := s.carnets()
	if err != nil {
		return "", nil, err
	}
	ok := false
	for _, d := range ShareLifetimes {
		ok = ok || d == days
	}
	if !ok {
		return "", nil, schema.Errorf(schema.EINVALID, "choose how long the link lasts: 7 days, 30 days or 1 year", "choisissez la durée du lien : 7 jours, 30 jours ou 1 an")
	}
	c, err := s.CarnetCredential(ctx, l, credentialID)
	if err != nil {
		return "", nil, err
	}
	if c.JWT == "" {
		return "", nil, schema.Errorf(schema.ECONFLICT, "this credential's data was erased", "les données de cette attestation ont été effacées")
	}
	secret, hash, err := NewSecret("")
	if err != nil {
		return "", nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	sh := &schema.CarnetShare{LearnerID: l.ID, CredentialID: c.ID, CreatedAt: now, ExpiresAt: now.AddDate(0, 0, days)}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := cs.CreateShare(ctx, sh, hash); err != nil {
			return err
		}
		return s.Record(ctx, nil, l.StructureID, AuditShareCreated, c.ID, strconv.Itoa(days)+" d", ip)
	})
	if err != nil {
		return "", nil, err
	}
	return strings.TrimRight(s.BaseURL, "/") + SharePath + secret, sh, nil
}

// CarnetShares lists the learner's share links, newest first.
func (s *App) CarnetShares(ctx context.Context, l *schema.Learner) ([]*schema.CarnetShare, error) {
	cs, err := s.carnets()
	if err != nil {
		return nil, err
	}
	return cs.ListShares(ctx, l.ID)
}

// WithdrawShare ends one of the learner's share links.
func (s *App) WithdrawShare(ctx context.Context, l *schema.Learner, id int64, ip string) error {
	cs, err := s.carnets()
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := cs.WithdrawShare(ctx, l.ID, id, s.now().UTC()); err != nil {
			return err
		}
		return s.Record(ctx, nil, l.StructureID, AuditShareWithdrawn, strconv.FormatInt(id, 10), "", ip)
	})
}

// SharedCredential returns the credential a share link opens: ErrShareGone
// when it expired or was withdrawn, or its learner was erased;
// ErrCarnetUnknown when no link has this secret.
func (s *App) SharedCredential(ctx context.Context, secret string) (*schema.CredentialRecord, *schema.CarnetShare, error) {
	cs, err := s.carnets()
	if err != nil {
		return nil, nil, err
	}
	if secret == "" || len(secret) > 100 {
		return nil, nil, ErrCarnetUnknown
	}
	sh, err := cs.FindShare(ctx, HashSecret(secret))
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, nil, ErrCarnetUnknown
	} else if err != nil {
		return nil, nil, err
	}
	if !sh.Live(s.now()) {
		return nil, nil, ErrShareGone
	}
	c, err := s.Credentials.FindCredential(ctx, sh.CredentialID)
	if schema.ErrorCode(err) == schema.ENOTFOUND || err == nil && c.JWT == "" {
		return nil, nil, ErrShareGone
	} else if err != nil {
		return nil, nil, err
	}
	return c, sh, nil
}

// RequestErasure sends the learner's request that their structure erase
// their data: it shows on the structure's mediators' home page and in the
// audit log. Asking again changes nothing.
func (s *App) RequestErasure(ctx context.Context, l *schema.Learner, ip string) error {
	cs, err := s.carnets()
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := cs.RequestErasure(ctx, l.ID, s.now().UTC()); err != nil {
			return err
		}
		return s.Record(ctx, nil, l.StructureID, AuditErasureRequested, l.ID, "", ip)
	})
}

// ErasureRequests lists the pending erasure requests of the structures the
// actor mediates in.
func (s *App) ErasureRequests(ctx context.Context, a *Actor) ([]*schema.ErasureRequest, error) {
	cs, err := s.carnets()
	if err != nil {
		return nil, err
	}
	list, err := cs.ListErasureRequests(ctx, a.StructureIDs())
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, r := range list {
		if a.Can(r.StructureID, schema.RoleMediator) {
			out = append(out, r)
		}
	}
	return out, nil
}

// IsShareGone reports whether err is ErrShareGone.
func IsShareGone(err error) bool { return errors.Is(err, ErrShareGone) }
