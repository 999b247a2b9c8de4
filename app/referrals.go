package app

import (
	"context"
	"strings"
	"time"

	"carnet/places"
	"carnet/schema"
)

// ReferralInput is a referral as a mediator records it: where the learner
// is sent (an offer of the network, a place, or a name typed), for which
// next level, and when ("" : today).
type ReferralInput struct {
	Target     string `json:"target"`
	OfferID    string `json:"offer_id"`
	PlaceID    string `json:"place_id"`
	Framework  string `json:"framework"`
	Competency string `json:"competency"`
	Level      string `json:"level"`
	Date       string `json:"date"` // YYYY-MM-DD
}

// ReferLearner records that the learner was sent somewhere to continue
// ("orienté vers …"): a mediator of the learner's structure; audited. An
// offer named by OfferID must be one of the network's, and gives the
// target its title and structure when Target is empty.
func (s *App) ReferLearner(ctx context.Context, a *Actor, learnerID string, in ReferralInput) (*places.Referral, error) {
	ps, err := s.PlaceStore()
	if err != nil {
		return nil, err
	}
	l, err := s.Learner(ctx, a, learnerID)
	if err != nil {
		return nil, err
	}
	if l.Erased() {
		return nil, schema.Errorf(schema.ECONFLICT, "this learner's data was erased", "les données de cette personne ont été effacées")
	}
	r := &places.Referral{LearnerID: l.ID, StructureID: l.StructureID, Structure: l.Structure, CreatedAt: s.now().UTC(), CreatedBy: a.User.ID}
	if in.Framework != "" || in.Competency != "" || in.Level != "" {
		fw, err := s.Frameworks.Get(in.Framework)
		if err != nil {
			return nil, err
		}
		comp, _, err := fw.Competency(in.Competency)
		if err != nil {
			return nil, err
		}
		lv, _, err := fw.Level(in.Level)
		if err != nil {
			return nil, err
		}
		r.Framework, r.Competency, r.Level = fw.ID, comp.Code, lv.ID
	}
	target := in.Target
	if in.OfferID = strings.TrimSpace(in.OfferID); in.OfferID != "" {
		offers, err := ps.ListOffers(ctx, "")
		if err != nil {
			return nil, err
		}
		var found *places.Offer
		for _, o := range offers {
			if o.ID == in.OfferID {
				found = o
			}
		}
		if found == nil {
			return nil, schema.Errorf(schema.EINVALID, "no offer %q in the network", "aucune offre %q dans le réseau", in.OfferID)
		}
		r.OfferID = found.ID
		if strings.TrimSpace(target) == "" {
			target = found.Title
			if st, err := s.Structures.FindStructure(ctx, found.Structure); err == nil {
				target += " — " + st.Name
			}
		}
	}
	if strings.TrimSpace(in.PlaceID) != "" {
		if r.PlaceID, err = schema.CleanLabel(in.PlaceID, 500, "the place id", "l'identifiant du lieu"); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(target) == "" {
		return nil, schema.Errorf(schema.EINVALID, "say where the learner is sent", "indiquez vers où la personne est orientée")
	}
	if r.Target, err = schema.CleanLabel(target, places.MaxReferralTarget, "where to", "le lieu d'orientation"); err != nil {
		return nil, err
	}
	today := s.now().UTC().Format(time.DateOnly)
	r.On = strings.TrimSpace(in.Date)
	if r.On == "" {
		r.On = today
	}
	d, err := time.Parse(time.DateOnly, r.On)
	if err != nil || d.Year() < 2000 || r.On > s.now().UTC().AddDate(0, 0, 1).Format(time.DateOnly) {
		return nil, schema.Errorf(schema.EINVALID, "the date must be a day (YYYY-MM-DD), not in the future", "la date doit être un jour (AAAA-MM-JJ), pas dans le futur")
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := ps.CreateReferral(ctx, r); err != nil {
			return err
		}
		return s.Record(ctx, a, l.StructureID, places.AuditReferred, l.ID, "orienté vers / referred to: "+r.Target+" ("+r.On+")", "")
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// LearnerReferrals lists a learner's referrals, newest first (a mediator
// of the learner's structure).
func (s *App) LearnerReferrals(ctx context.Context, a *Actor, learnerID string) ([]*places.Referral, error) {
	ps, err := s.PlaceStore()
	if err != nil {
		return nil, err
	}
	l, err := s.Learner(ctx, a, learnerID)
	if err != nil {
		return nil, err
	}
	return ps.ListReferrals(ctx, l.ID)
}

// ReferralCounts counts the referrals per structure and month, dated
// from..to (YYYY-MM-DD, "" open), of the structures the actor belongs to
// (all of them for a network administrator): for the reports.
func (s *App) ReferralCounts(ctx context.Context, a *Actor, from, to string) ([]places.ReferralCount, error) {
	ps, err := s.PlaceStore()
	if err != nil {
		return nil, err
	}
	return ps.CountReferrals(ctx, from, to, a.StructureIDs())
}
