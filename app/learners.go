package app

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"carnet/issuer"
	"carnet/schema"
)

// StructureFor returns the structure an actor acts in: the one named by
// slug, or their only (first) one.
func (s *App) StructureFor(ctx context.Context, a *Actor, slug string, role schema.Role) (*schema.Structure, error) {
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
				return nil, ErrNoAccess
			}
			slug = list[0].Slug
		default:
			return nil, ErrForbidden
		}
	}
	st, err := s.Structures.FindStructure(ctx, slug)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, ErrNoAccess
	} else if err != nil {
		return nil, err
	}
	if a.User.RoleIn(st.ID) == "" {
		return nil, ErrNoAccess
	}
	if !a.Can(st.ID, role) {
		return nil, ErrForbidden
	}
	return st, nil
}

// LearnerInput is what a mediator types about a learner.
type LearnerInput struct {
	Structure string `json:"structure"`
	Name      string `json:"name"`
	Contact   string `json:"contact"`
	Notes     string `json:"notes"`
	Consent   bool   `json:"consent"`
}

func (in *LearnerInput) clean() error {
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

// ErrNoConsent refuses a contact or notes for a learner who did not agree
// to a record: only the display name, which issuing needs, is kept.
var ErrNoConsent = schema.Errorf(schema.EINVALID,
	"Without the learner's consent, only their name is kept: tick the consent box, or leave the contact and notes empty",
	"Sans l'accord de la personne, seul son nom est enregistré : cochez la case d'accord, ou laissez le contact et les notes vides")

// AuditContactErased: a learner withdrew their consent, their contact and
// notes were erased.
const AuditContactErased = "learner_contact_erased"

func (s *App) CreateLearner(ctx context.Context, a *Actor, in LearnerInput) (*schema.Learner, error) {
	l, err := s.newLearner(ctx, a, in)
	if err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Learners.CreateLearner(ctx, l); err != nil {
			return err
		}
		return s.Record(ctx, a, l.StructureID, schema.AuditLearnerCreated, l.ID, "", "")
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// newLearner checks a new learner's form and returns the learner to
// create, not stored yet.
func (s *App) newLearner(ctx context.Context, a *Actor, in LearnerInput) (*schema.Learner, error) {
	st, err := s.StructureFor(ctx, a, in.Structure, schema.RoleMediator)
	if err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	if !in.Consent && (in.Contact != "" || in.Notes != "") {
		return nil, ErrNoConsent
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

// Learner returns a learner the actor may see.
func (s *App) Learner(ctx context.Context, a *Actor, id string) (*schema.Learner, error) {
	l, err := s.Learners.FindLearner(ctx, strings.TrimPrefix(strings.TrimSpace(id), "urn:uuid:"))
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, ErrNoAccess
	} else if err != nil {
		return nil, err
	}
	if !a.Can(l.StructureID, schema.RoleMediator) {
		return nil, ErrNoAccess
	}
	return l, nil
}

func (s *App) UpdateLearner(ctx context.Context, a *Actor, id string, in LearnerInput) (*schema.Learner, error) {
	l, err := s.Learner(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if l.Erased() {
		return nil, schema.Errorf(schema.ECONFLICT, "this learner's data was erased: create a new record to assess them again", "les données de cette personne ont été effacées : créez une nouvelle fiche pour l'évaluer de nouveau")
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	// Consent withdrawn: the contact and notes are erased, whatever the
	// form still held. Without consent, none may be added.
	withdrawn := !in.Consent && !l.ConsentAt.IsZero()
	if withdrawn {
		in.Contact, in.Notes = "", ""
	} else if !in.Consent && (in.Contact != "" || in.Notes != "") {
		return nil, ErrNoConsent
	}
	l.Name, l.Contact, l.Notes = in.Name, in.Contact, in.Notes
	if in.Consent && l.ConsentAt.IsZero() {
		l.ConsentAt = s.now().UTC().Truncate(time.Second)
	} else if !in.Consent {
		l.ConsentAt = time.Time{}
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Learners.UpdateLearner(ctx, l); err != nil {
			return err
		}
		if withdrawn {
			return s.Record(ctx, a, l.StructureID, AuditContactErased, l.ID, "", "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

func (s *App) SearchLearners(ctx context.Context, a *Actor, q string, limit int) ([]*schema.Learner, error) {
	return s.Learners.SearchLearners(ctx, a.StructureIDs(), strings.TrimSpace(q), limit)
}

func (s *App) EraseLearner(ctx context.Context, a *Actor, id string) (*schema.Learner, error) {
	l, err := s.Learner(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if l.Erased() {
		return nil, schema.Errorf(schema.ECONFLICT, "this learner's data was already erased", "les données de cette personne ont déjà été effacées")
	}
	now := s.now().UTC()
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Learners.EraseLearner(ctx, l.ID, now); err != nil {
			return err
		}
		return s.Record(ctx, a, l.StructureID, schema.AuditLearnerErased, l.ID, "", "")
	})
	if err != nil {
		return nil, err
	}
	return s.Learners.FindLearner(ctx, l.ID)
}
