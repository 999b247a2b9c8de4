package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
)

// The operations below are shared by the pages and the JSON API, so that
// authorisation and the audit log are decided in one place. Each one checks
// what the actor may do, acts, and records what it did.

var errNoAccess = schema.Errorf(schema.ENOTFOUND, "not found, or not in your structures", "introuvable, ou hors de vos structures")

var errForbidden = schema.Errorf(schema.EFORBIDDEN, "your role does not allow this", "votre rôle ne permet pas cette action")

// record appends an audit event as part of an action: called inside
// inTx, it commits with the action, and its failure fails the action (the
// error is returned, nothing is committed).
func (s *Server) record(ctx context.Context, a *actor, structureID int64, action, object, detail, ip string) error {
	e := &schema.AuditEvent{At: s.now().UTC(), StructureID: structureID, Action: action, Object: object, Detail: detail, IP: ip}
	if a != nil {
		e.ActorID, e.Actor = a.User.ID, a.User.Label()
		if e.IP == "" {
			e.IP = a.IP
		}
		if a.Token != 0 {
			e.Detail = strings.TrimSpace(e.Detail + " (API)")
		}
	}
	if err := s.Audit.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("web: audit %s %s: %w", action, object, err)
	}
	return nil
}

// audit appends an event that goes with no stored change of its own
// (sign-in attempts, sign-outs); a failure is logged.
func (s *Server) audit(ctx context.Context, a *actor, structureID int64, action, object, detail, ip string) {
	if err := s.record(ctx, a, structureID, action, object, detail, ip); err != nil && s.Log != nil {
		s.Log.Error("audit log", "action", action, "object", object, "err", err)
	}
}

// inTx runs an action and the audit entry it records in one transaction
// of the stores (Server.Tx): both commit, or neither.
func (s *Server) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.Tx == nil {
		return fn(ctx)
	}
	return s.Tx.InTx(ctx, fn)
}

// structureFor returns the structure an actor acts in: the one named by
// slug, or their only (first) one.
func (s *Server) structureFor(ctx context.Context, a *actor, slug string, role schema.Role) (*schema.Structure, error) {
	if slug == "" {
		switch {
		case len(a.User.Memberships) > 0:
			slug = a.User.Memberships[0].Structure
		case a.User.NetworkAdmin:
			list, err := s.Structures.ListStructures(ctx)
			if err != nil {
				return nil, err
			}
			if len(list) == 0 {
				return nil, errNoAccess
			}
			slug = list[0].Slug
		default:
			return nil, errForbidden
		}
	}
	st, err := s.Structures.FindStructure(ctx, slug)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, errNoAccess
	} else if err != nil {
		return nil, err
	}
	if a.User.RoleIn(st.ID) == "" {
		return nil, errNoAccess
	}
	if !a.can(st.ID, role) {
		return nil, errForbidden
	}
	return st, nil
}

// learnerInput is what a mediator types about a learner.
type learnerInput struct {
	Structure string `json:"structure"`
	Name      string `json:"name"`
	Contact   string `json:"contact"`
	Notes     string `json:"notes"`
	Consent   bool   `json:"consent"`
}

func (in *learnerInput) clean() error {
	var err error
	if in.Name, err = schema.CleanName(in.Name); err != nil {
		return err
	}
	if in.Contact, err = schema.CleanText(in.Contact, schema.MaxContactLength, "the contact", "le contact"); err != nil {
		return err
	}
	if in.Notes, err = schema.CleanText(in.Notes, schema.MaxNotesLength, "the notes", "les notes"); err != nil {
		return err
	}
	return nil
}

func (s *Server) createLearner(ctx context.Context, a *actor, in learnerInput) (*schema.Learner, error) {
	l, err := s.newLearner(ctx, a, in)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Learners.CreateLearner(ctx, l); err != nil {
			return err
		}
		return s.record(ctx, a, l.StructureID, schema.AuditLearnerCreated, l.ID, "", "")
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// newLearner checks a new learner's form and returns the learner to
// create, not stored yet.
func (s *Server) newLearner(ctx context.Context, a *actor, in learnerInput) (*schema.Learner, error) {
	st, err := s.structureFor(ctx, a, in.Structure, schema.RoleMediator)
	if err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	id, err := issuer.RandomUUID(rand.Reader)
	if err != nil {
		return nil, err
	}
	l := &schema.Learner{ID: strings.TrimPrefix(id, "urn:uuid:"), StructureID: st.ID, Structure: st.Slug,
		Name: in.Name, Contact: in.Contact, Notes: in.Notes, CreatedBy: a.User.ID}
	if in.Consent {
		l.ConsentAt = s.now().UTC().Truncate(time.Second)
	}
	return l, nil
}

// learner returns a learner the actor may see.
func (s *Server) learner(ctx context.Context, a *actor, id string) (*schema.Learner, error) {
	l, err := s.Learners.FindLearner(ctx, strings.TrimPrefix(strings.TrimSpace(id), "urn:uuid:"))
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, errNoAccess
	} else if err != nil {
		return nil, err
	}
	if !a.can(l.StructureID, schema.RoleMediator) {
		return nil, errNoAccess
	}
	return l, nil
}

func (s *Server) updateLearner(ctx context.Context, a *actor, id string, in learnerInput) (*schema.Learner, error) {
	l, err := s.learner(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if l.Erased() {
		return nil, schema.Errorf(schema.ECONFLICT, "this learner's data was erased", "les données de cette personne ont été effacées")
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	l.Name, l.Contact, l.Notes = in.Name, in.Contact, in.Notes
	if in.Consent && l.ConsentAt.IsZero() {
		l.ConsentAt = s.now().UTC().Truncate(time.Second)
	} else if !in.Consent {
		l.ConsentAt = time.Time{}
	}
	if err := s.Learners.UpdateLearner(ctx, l); err != nil {
		return nil, err
	}
	return l, nil
}

func (s *Server) searchLearners(ctx context.Context, a *actor, q string, limit int) ([]*schema.Learner, error) {
	return s.Learners.SearchLearners(ctx, a.structureIDs(), strings.TrimSpace(q), limit)
}

func (s *Server) eraseLearner(ctx context.Context, a *actor, id string) (*schema.Learner, error) {
	l, err := s.learner(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if l.Erased() {
		return nil, schema.Errorf(schema.ECONFLICT, "this learner's data was already erased", "les données de cette personne ont déjà été effacées")
	}
	now := s.now().UTC()
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Learners.EraseLearner(ctx, l.ID, now); err != nil {
			return err
		}
		return s.record(ctx, a, l.StructureID, schema.AuditLearnerErased, l.ID, "", "")
	})
	if err != nil {
		return nil, err
	}
	return s.Learners.FindLearner(ctx, l.ID)
}

// assessmentInput is an assessment as a mediator enters it.
type assessmentInput struct {
	LearnerID   string         `json:"learner_id"`
	Framework   string         `json:"framework"`
	Levels      map[string]any `json:"levels"`
	Evidence    string         `json:"evidence"`
	EvidenceURL string         `json:"evidence_url"`
	Method      string         `json:"method"`
	ValidUntil  string         `json:"valid_until"` // YYYY-MM-DD, optional
	Lang        string         `json:"lang"`
}

// Limits of an assessment's free text.
const (
	maxEvidenceLength = 4000
	maxMethodLength   = 300
)

func (s *Server) assessment(l *schema.Learner, a *actor, in assessmentInput) (schema.Assessment, error) {
	out := schema.Assessment{LearnerName: l.Name, LearnerID: l.ID, SubjectID: l.SubjectID(), Framework: in.Framework,
		Mediator: a.User.Label(), MediatorID: a.User.ID}
	fw, err := s.Frameworks.Get(in.Framework)
	if err != nil {
		return out, err
	}
	if len(in.Levels) == 0 {
		return out, schema.Errorf(schema.EINVALID, "choose a level for at least one competency", "choisissez un niveau pour au moins une compétence")
	}
	for code, v := range in.Levels {
		var level string
		switch v := v.(type) {
		case string:
			level = strings.TrimSpace(v)
		case float64:
			if v != float64(int(v)) {
				return out, schema.Errorf(schema.EINVALID, "level of %s: %v is not a level", "niveau de %s : %v n'est pas un niveau", code, v)
			}
			level = itoa(int(v))
		default:
			return out, schema.Errorf(schema.EINVALID, "level of %s must be a number or a string", "le niveau de %s doit être un nombre ou un texte", code)
		}
		if level == "" {
			continue // not assessed
		}
		if _, _, err := fw.Competency(code); err != nil {
			return out, err
		}
		if _, _, err := fw.Level(level); err != nil {
			return out, err
		}
		out.Results = append(out.Results, schema.LevelResult{Competency: code, Level: level})
	}
	if len(out.Results) == 0 {
		return out, schema.Errorf(schema.EINVALID, "choose a level for at least one competency", "choisissez un niveau pour au moins une compétence")
	}
	evidence, err := schema.CleanText(in.Evidence, maxEvidenceLength, "the evidence", "la preuve")
	if err != nil {
		return out, err
	}
	link := strings.TrimSpace(in.EvidenceURL)
	if link != "" && !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		return out, schema.Errorf(schema.EINVALID, "the evidence link must start with https://", "le lien de preuve doit commencer par https://")
	}
	if evidence != "" || link != "" {
		out.Evidence = append(out.Evidence, schema.EvidenceItem{Narrative: evidence, URL: link})
	}
	if out.Method, err = schema.CleanText(in.Method, maxMethodLength, "the assessment method", "la méthode d'évaluation"); err != nil {
		return out, err
	}
	if v := strings.TrimSpace(in.ValidUntil); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return out, schema.Errorf(schema.EINVALID, "the expiry date must be YYYY-MM-DD", "la date d'expiration doit être AAAA-MM-JJ")
		}
		if !t.After(s.now()) {
			return out, schema.Errorf(schema.EINVALID, "the expiry date must be in the future", "la date d'expiration doit être dans le futur")
		}
		out.ValidUntil = t.UTC()
	}
	return out, nil
}

func (s *Server) issueCredential(ctx context.Context, a *actor, in assessmentInput) (*issuer.Issued, error) {
	if strings.TrimSpace(in.LearnerID) == "" {
		return nil, schema.Errorf(schema.EINVALID, "learner_id is required", "learner_id est obligatoire")
	}
	if in.Lang != "" && in.Lang != "fr" && in.Lang != "en" {
		return nil, schema.Errorf(schema.EINVALID, "unknown language %q: fr or en", "langue %q inconnue : fr ou en", in.Lang)
	}
	l, err := s.learner(ctx, a, in.LearnerID)
	if err != nil {
		return nil, err
	}
	if l.Erased() {
		return nil, schema.Errorf(schema.ECONFLICT, "this learner's data was erased", "les données de cette personne ont été effacées")
	}
	st, err := s.Structures.FindStructure(ctx, l.Structure)
	if err != nil {
		return nil, err
	}
	as, err := s.assessment(l, a, in)
	if err != nil {
		return nil, err
	}
	svc := *s.Issuer
	if in.Lang == "en" {
		svc.Lang = "en"
	}
	// The credential and its audit entry commit together, or neither.
	var out *issuer.Issued
	start := time.Now()
	err = s.inTx(ctx, func(ctx context.Context) error {
		if out, err = svc.Issue(ctx, st, as); err != nil {
			return err
		}
		return s.record(ctx, a, st.ID, schema.AuditIssue, out.Record.ID, as.Framework, "")
	})
	s.metrics.issued(time.Since(start), err)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// credential returns a credential the actor may see.
func (s *Server) credential(ctx context.Context, a *actor, id string) (*schema.CredentialRecord, error) {
	id = strings.TrimSpace(id)
	if !strings.HasPrefix(id, "urn:uuid:") {
		id = "urn:uuid:" + id
	}
	c, err := s.Credentials.FindCredential(ctx, id)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, errNoAccess
	} else if err != nil {
		return nil, err
	}
	if !a.can(c.StructureID, schema.RoleMediator) {
		return nil, errNoAccess
	}
	return c, nil
}

func (s *Server) listCredentials(ctx context.Context, a *actor, learnerID string, limit int) ([]*schema.CredentialRecord, error) {
	if learnerID != "" {
		l, err := s.learner(ctx, a, learnerID)
		if err != nil {
			return nil, err
		}
		learnerID = l.ID
	}
	return s.Credentials.ListCredentials(ctx, schema.CredentialFilter{StructureIDs: a.structureIDs(), LearnerID: learnerID, Limit: limit})
}

// Maximum length of a revocation or suspension reason.
const maxReasonLength = 500

func (s *Server) changeStatus(ctx context.Context, a *actor, id, action, reason string) (*schema.CredentialRecord, error) {
	c, err := s.credential(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if reason, err = schema.CleanText(reason, maxReasonLength, "the reason", "le motif"); err != nil {
		return nil, err
	}
	if reason == "" && action != schema.AuditUnsuspend {
		return nil, schema.Errorf(schema.EINVALID, "give a reason", "indiquez un motif")
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		if c, err = s.Credentials.SetCredentialStatus(ctx, c.ID, schema.StatusChange{Action: action, Reason: reason, At: s.now().UTC().Truncate(time.Second)}); err != nil {
			return err
		}
		return s.record(ctx, a, c.StructureID, action, c.ID, reason, "")
	})
	if err != nil {
		return nil, err
	}
	s.forgetStatus(c)
	return c, nil
}

// structureInput is a structure's issuer profile.
type structureInput struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	URL      string `json:"url"`
	Email    string `json:"email"`
	ImageURL string `json:"image_url"`
}

func (in *structureInput) clean() error {
	var err error
	if in.Name, err = schema.CleanLabel(in.Name, 200, "the name", "le nom"); err != nil {
		return err
	}
	if in.Name == "" {
		return schema.Errorf(schema.EINVALID, "a structure needs a name", "une structure doit avoir un nom")
	}
	for _, u := range []*string{&in.URL, &in.ImageURL} {
		*u = strings.TrimSpace(*u)
		if *u != "" && !strings.HasPrefix(*u, "https://") && !strings.HasPrefix(*u, "http://") || len(*u) > 500 {
			return schema.Errorf(schema.EINVALID, "web addresses must start with https://", "les adresses web doivent commencer par https://")
		}
	}
	if in.Email = strings.TrimSpace(in.Email); in.Email != "" {
		if in.Email, err = schema.CleanEmail(in.Email); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) createStructure(ctx context.Context, a *actor, in structureInput) (*schema.Structure, error) {
	if !a.User.NetworkAdmin {
		return nil, errForbidden
	}
	in.Slug = strings.TrimSpace(in.Slug)
	if err := schema.ValidateSlug(in.Slug); err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	st := &schema.Structure{Slug: in.Slug, Name: in.Name, URL: in.URL, Email: in.Email, ImageURL: in.ImageURL}
	err := s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Structures.CreateStructure(ctx, st); err != nil {
			return err
		}
		if err := s.record(ctx, a, st.ID, schema.AuditStructure, st.Slug, st.Name, ""); err != nil {
			return err
		}
		// Keys are made now, so the did.json of the structure answers at
		// once and the instance's own verifier trusts it (below, once
		// committed). A key file already there (left by an earlier data
		// dir) is kept, never replaced.
		if _, err := s.Keys.Create(st.Slug); err != nil && schema.ErrorCode(err) != schema.ECONFLICT {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.trustStructure(st); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Server) updateStructure(ctx context.Context, a *actor, slug string, in structureInput) (*schema.Structure, error) {
	st, err := s.structureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	st.Name, st.URL, st.Email, st.ImageURL = in.Name, in.URL, in.Email, in.ImageURL
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Structures.UpdateStructure(ctx, st); err != nil {
			return err
		}
		return s.record(ctx, a, st.ID, schema.AuditStructureEdit, st.Slug, st.Name, "")
	})
	if err != nil {
		return nil, err
	}
	if err := s.trustStructure(st); err != nil {
		return nil, err
	}
	return st, nil
}

// visibleStructures lists the structures the actor belongs to (all of them
// for a network administrator).
func (s *Server) visibleStructures(ctx context.Context, a *actor) ([]*schema.Structure, error) {
	list, err := s.Structures.ListStructures(ctx)
	if err != nil {
		return nil, err
	}
	out := []*schema.Structure{}
	for _, st := range list {
		if a.User.RoleIn(st.ID) != "" {
			out = append(out, st)
		}
	}
	return out, nil
}

// invite creates a one-time invitation link into a structure.
func (s *Server) invite(ctx context.Context, a *actor, slug, email string, role schema.Role) (string, error) {
	st, err := s.structureFor(ctx, a, slug, schema.RoleAdmin)
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
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Users.CreateLink(ctx, l); err != nil {
			return err
		}
		return s.record(ctx, a, st.ID, schema.AuditInvite, email, string(role), "")
	})
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s.BaseURL, "/") + "/invite/" + secret, nil
}

// errExistingAccount refuses to set, through an invitation, the password
// of an account that exists: its owner accepts while signed in.
var errExistingAccount = schema.Errorf(schema.ECONFLICT,
	"this invitation is for an existing account: sign in to accept it",
	"cette invitation est pour un compte existant : connectez-vous pour l'accepter")

var errLinkGone = schema.Errorf(schema.ENOTFOUND, "this link is unknown, already used or expired", "ce lien est inconnu, déjà utilisé ou expiré")

// acceptLink uses a one-time link that sets a password: the first
// administrator's login link (while they have none), an administrator's
// reset link, or an invitation of a new e-mail address (the account is
// created). An invitation of an existing account is refused here, without
// using the link: it is answered by answerInvite, signed in. It returns the
// user to sign in.
func (s *Server) acceptLink(ctx context.Context, secret, name, password, ip string) (*schema.User, error) {
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
			return nil, errLinkGone
		}
	case schema.LinkInvite:
		if _, err := s.Users.FindUserByEmail(ctx, l.Email); err == nil {
			return nil, errExistingAccount
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
		if schema.ErrorCode(err) == schema.ENOTFOUND || err == nil && !canReset(&actor{User: by}, u) {
			return nil, errLinkGone
		} else if err != nil {
			return nil, err
		}
	default:
		return nil, errLinkGone
	}
	hashed, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	// The link is used, the account changed and the audit entry written
	// in one transaction: all of it, or nothing.
	var u *schema.User
	err = s.inTx(ctx, func(ctx context.Context) error {
		if l, err = s.Users.ConsumeLink(ctx, HashSecret(secret), s.now()); err != nil {
			return err
		}
		switch l.Purpose {
		case schema.LinkLogin, schema.LinkReset:
			if u, err = s.Users.FindUser(ctx, l.UserID); err != nil {
				return err
			}
			if l.Purpose == schema.LinkLogin && u.PasswordHash != "" {
				return errLinkGone // chosen in between through another link
			}
			// A reset ends every session and API token of the account: it is
			// how an administrator gives an account back to its owner.
			if err := s.Users.ChangePassword(ctx, u.ID, hashed, "", l.Purpose == schema.LinkReset); err != nil {
				return err
			}
			if l.Purpose == schema.LinkLogin {
				return s.record(ctx, &actor{User: u}, 0, schema.AuditPasswordSet, u.Email, "", ip)
			}
			detail := ""
			if by, err := s.Users.FindUser(ctx, l.CreatedBy); err == nil {
				detail = by.Label() // who made the link
			}
			return s.record(ctx, &actor{User: u}, l.StructureID, schema.AuditPasswordReset, u.Email, detail, ip)
		case schema.LinkInvite:
			// The store refuses an address taken in between (unique e-mail).
			u = &schema.User{Email: l.Email, Name: name, PasswordHash: hashed,
				Memberships: []schema.Membership{{StructureID: l.StructureID, Role: l.Role}}}
			if err := s.Users.CreateUser(ctx, u); schema.ErrorCode(err) == schema.ECONFLICT {
				return errExistingAccount
			} else if err != nil {
				return err
			}
			return s.record(ctx, &actor{User: u}, l.StructureID, schema.AuditInviteAccepted, u.Email, string(l.Role), ip)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Users.FindUser(ctx, u.ID)
}

// inviteFor returns a valid invitation and the existing account it is for
// (nil when its address has no account yet).
func (s *Server) inviteFor(ctx context.Context, secret string) (*schema.Link, *schema.User, error) {
	l, err := s.Users.FindLink(ctx, HashSecret(secret), s.now())
	if err != nil {
		return nil, nil, err
	}
	if l.Purpose != schema.LinkInvite {
		return nil, nil, errLinkGone
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

// answerInvite lets the invited person, signed in as the invited existing
// account, accept (join the structure with the role) or decline an
// invitation; either way the link is used.
func (s *Server) answerInvite(ctx context.Context, a *actor, secret string, accept bool) (*schema.Link, error) {
	if a == nil || a.Session == "" {
		return nil, errSignIn
	}
	l, u, err := s.inviteFor(ctx, secret)
	if err != nil {
		return nil, err
	}
	if u == nil || u.ID != a.User.ID {
		return nil, errOtherAccount
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		if l, err = s.Users.ConsumeLink(ctx, HashSecret(secret), s.now()); err != nil {
			return err
		}
		if !accept {
			return s.record(ctx, a, l.StructureID, schema.AuditInviteDeclined, u.Email, string(l.Role), "")
		}
		if err := s.Users.SetMembership(ctx, u.ID, l.StructureID, l.Role); err != nil {
			return err
		}
		return s.record(ctx, a, l.StructureID, schema.AuditInviteAccepted, u.Email, string(l.Role), "")
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// changePassword changes the actor's own password: the current one is
// asked (and its guesses limited), and every other session of the account
// ends. API tokens are kept: integrations run on them, and the account
// page lists them for revocation.
func (s *Server) changePassword(ctx context.Context, a *actor, current, password string) (*schema.User, error) {
	if a.Session == "" {
		return nil, errSignIn
	}
	key, now := "pw:"+strconv.FormatInt(a.User.ID, 10), s.now()
	if d := s.throttle.wait(key, limitPasswordCheck, now); d > 0 {
		return nil, errTooManyFailures(d)
	}
	if a.User.PasswordHash == "" || len(current) > schema.MaxPasswordLength || !CheckPasswordHash(a.User.PasswordHash, current) {
		s.throttle.fail(key, limitPasswordCheck, now)
		return nil, schema.Errorf(schema.EINVALID, "the current password is wrong", "le mot de passe actuel est incorrect")
	}
	s.throttle.reset(key)
	if err := schema.CheckPassword(password); err != nil {
		return nil, err
	}
	hashed, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Users.ChangePassword(ctx, a.User.ID, hashed, a.Session, false); err != nil {
			return err
		}
		return s.record(ctx, a, 0, schema.AuditPasswordChange, a.User.Email, "", "")
	})
	if err != nil {
		return nil, err
	}
	return s.Users.FindUser(ctx, a.User.ID)
}

// ResetLinkLifetime is how long a password reset link stays valid.
const ResetLinkLifetime = 24 * time.Hour

// canReset reports whether an administrator may reset a user's password:
// a network administrator anyone's; a structure administrator only that of
// someone who has no right beyond theirs (not a network administrator, and
// a member only of structures they administer), or a reset would be a way
// into the other person's rights.
func canReset(a *actor, u *schema.User) bool {
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

// resetLink makes a one-time link that sets the password of a member of a
// structure, to be handed to them by the administrator who makes it.
func (s *Server) resetLink(ctx context.Context, a *actor, slug string, userID int64) (string, *schema.User, error) {
	st, err := s.structureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return "", nil, err
	}
	u, err := s.Users.FindUser(ctx, userID)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return "", nil, errNoAccess
	} else if err != nil {
		return "", nil, err
	}
	member := false
	for _, m := range u.Memberships {
		member = member || m.StructureID == st.ID
	}
	if !member {
		return "", nil, errNoAccess
	}
	if u.ID == a.User.ID {
		return "", nil, schema.Errorf(schema.EINVALID, "change your own password on your account page", "changez votre propre mot de passe sur la page de votre compte")
	}
	if !canReset(a, u) {
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
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Users.CreateLink(ctx, l); err != nil {
			return err
		}
		return s.record(ctx, a, st.ID, schema.AuditResetLink, u.Email, "", "")
	})
	if err != nil {
		return "", nil, err
	}
	return strings.TrimRight(s.BaseURL, "/") + "/login/link/" + secret, u, nil
}

// createToken creates an API token for the actor; the secret is shown once.
func (s *Server) createToken(ctx context.Context, a *actor, name string) (string, *schema.APIToken, error) {
	var secret string
	var t *schema.APIToken
	err := s.inTx(ctx, func(ctx context.Context) error {
		var err error
		if secret, t, err = CreateAPIToken(ctx, s.Users, a.User, name, nil); err != nil {
			return err
		}
		return s.record(ctx, a, 0, schema.AuditTokenCreated, itoa(int(t.ID)), t.Name, "")
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// deleteToken deletes one of the actor's API tokens.
func (s *Server) deleteToken(ctx context.Context, a *actor, id int64) error {
	return s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Users.DeleteAPIToken(ctx, a.User.ID, id); err != nil {
			return err
		}
		return s.record(ctx, a, 0, schema.AuditTokenRevoked, strconv.FormatInt(id, 10), "", "")
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
	secret, hash, err := NewSecret(tokenPrefix)
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

func (s *Server) auditLog(ctx context.Context, a *actor, limit int) ([]*schema.AuditEvent, error) {
	if !a.isAdmin() {
		return nil, errForbidden
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

// trustStructure adds (or refreshes) a structure of the instance in the
// trust registry of the instance's verifier.
func (s *Server) trustStructure(st *schema.Structure) error {
	if _, err := s.Keys.Ring(st.Slug); err != nil {
		return err
	}
	if s.Verifier == nil || s.Verifier.Trust == nil {
		return nil
	}
	// The registry reads the ring again at each look-up: a rotation is
	// trusted at once.
	return s.Verifier.Trust.AddLocal(s.did(st.Slug), st.Name, st.Slug, s.Keys)
}

// did returns the did:web of a structure.
func (s *Server) did(slug string) string {
	d, _ := keys.DIDWeb(s.BaseURL, slug)
	return d
}

func itoa(n int) string { return strconv.Itoa(n) }
