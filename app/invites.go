package app

import (
	"context"
	"time"

	"carnet/schema"
)

// InviteStore keeps pending invitations (sqlite.UserStore does).
type InviteStore interface {
	ListInvites(ctx context.Context, structureID int64, now time.Time) ([]*schema.Link, error)
	DeleteInvites(ctx context.Context, structureID int64, email string) (int, error)
}

// Audit actions of pending invitations.
const (
	AuditInviteResent    = "invite_resent"
	AuditInviteCancelled = "invite_cancelled"
)

var errNoInviteStore = schema.Errorf(schema.EUNAVAILABLE, "Invitations cannot be listed on this storage", "Les invitations ne peuvent pas être listées avec ce stockage")

var errNoInvite = schema.Errorf(schema.ENOTFOUND, "No pending invitation for this address: invite the person again", "Aucune invitation en attente pour cette adresse : invitez de nouveau la personne")

func (s *App) invites() (InviteStore, error) {
	is, ok := s.Users.(InviteStore)
	if !ok {
		return nil, errNoInviteStore
	}
	return is, nil
}

// PendingInvites lists a structure's pending invitations, for its
// administrators.
func (s *App) PendingInvites(ctx context.Context, a *Actor, slug string) ([]*schema.Link, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return nil, err
	}
	is, err := s.invites()
	if err != nil {
		return nil, err
	}
	return is.ListInvites(ctx, st.ID, s.now())
}

// pendingInvite returns the newest pending invitation of email into st.
func (s *App) pendingInvite(ctx context.Context, is InviteStore, st *schema.Structure, email string) (*schema.Link, error) {
	list, err := is.ListInvites(ctx, st.ID, s.now())
	if err != nil {
		return nil, err
	}
	for _, l := range list {
		if l.Email == email {
			return l, nil
		}
	}
	return nil, errNoInvite
}

// CancelInvite cancels the pending invitations of email into a structure:
// their links no longer work.
func (s *App) CancelInvite(ctx context.Context, a *Actor, slug, email string) error {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return err
	}
	is, err := s.invites()
	if err != nil {
		return err
	}
	if email, err = schema.CleanEmail(email); err != nil {
		return err
	}
	if _, err := s.pendingInvite(ctx, is, st, email); err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := is.DeleteInvites(ctx, st.ID, email); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, AuditInviteCancelled, email, "", "")
	})
}

// ResendInvite makes a new invitation link for a pending invitation, with
// its role; the old links are cancelled. It returns the new link.
func (s *App) ResendInvite(ctx context.Context, a *Actor, slug, email string) (string, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return "", err
	}
	is, err := s.invites()
	if err != nil {
		return "", err
	}
	if email, err = schema.CleanEmail(email); err != nil {
		return "", err
	}
	old, err := s.pendingInvite(ctx, is, st, email)
	if err != nil {
		return "", err
	}
	secret, hash, err := NewSecret("")
	if err != nil {
		return "", err
	}
	l := &schema.Link{Hash: hash, Purpose: schema.LinkInvite, Email: email, StructureID: st.ID, Role: old.Role,
		CreatedBy: a.User.ID, ExpiresAt: s.now().Add(InviteLifetime)}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if _, err := is.DeleteInvites(ctx, st.ID, email); err != nil {
			return err
		}
		if err := s.Users.CreateLink(ctx, l); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, AuditInviteResent, email, string(old.Role), "")
	})
	if err != nil {
		return "", err
	}
	return s.inviteURL(secret), nil
}
