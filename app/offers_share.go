package app

import (
	"context"
	"errors"

	"carnet/outbound"
	"carnet/places"
	"carnet/schema"
)

// The offers partner Carnets trusted here publish at /offres.json, fetched
// with their places (sharePlaces, the same outbound client, schedule and
// button): kept at the partner's places, replaced at each fetch, every
// field checked; a framework, competency or level unknown here is kept
// but never matched.

// Limits of a fetch of a partner's offers.
const (
	// MaxPartnerOffersSize bounds the size of a partner's /offres.json.
	MaxPartnerOffersSize = 8 << 20
	// MaxPartnerOffers bounds how many offers of a partner are kept.
	MaxPartnerOffers = 20000
)

// SharedOffers is the outcome of a fetch of a partner's offers.
type SharedOffers struct {
	URL      string           `json:"url"`
	Imported int              `json:"imported"`
	Rejected int              `json:"rejected"` // malformed, invalid, repeated, or at a place the partner does not share
	Removed  int              `json:"removed"`  // offers it no longer publishes
	Rejects  []places.Problem `json:"rejects,omitempty"`
	Error    string           `json:"error,omitempty"` // the offers were not read: the last ones stay
	// NotPublished: the partner answered 404, it publishes no offers (a
	// Carnet from before /offres.json): not an error, nothing changed.
	NotPublished bool   `json:"not_published,omitempty"`
	ErrorFR      string `json:"error_fr,omitempty"`
}

func (r *SharedOffers) reject(n int, id string, err error) {
	r.Rejected++
	if len(r.Rejects) < places.MaxProblems {
		r.Rejects = append(r.Rejects, places.Problem{Item: n, ID: id, Reason: schema.ErrorMessage(err), ReasonFR: schema.ErrorMessageFR(err)})
	}
}

// shareOffers fetches base's /offres.json and replaces the offers of that
// partner with the valid ones at its places (fetched just before). When the
// answer cannot be read as a whole (the partner down, too large, not a
// JSON array, broken off), nothing changes: the last offers stay, and the
// error is said in the outcome's Error and returned. A partner that
// publishes no offers (404) is no error: NotPublished, nothing changed.
func (s *App) shareOffers(ctx context.Context, base string) (*SharedOffers, error) {
	ps, err := s.PlaceStore()
	if err != nil {
		return nil, err
	}
	res := &SharedOffers{URL: base + "/offres.json"}
	fail := func(err error) (*SharedOffers, error) {
		res.Imported, res.Rejected, res.Rejects = 0, 0, nil
		res.Error, res.ErrorFR = schema.ErrorMessage(err), schema.ErrorMessageFR(err)
		return res, err
	}
	body, err := s.Outbound.Get(ctx, res.URL, "application/json", MaxPartnerOffersSize)
	if outbound.NotFound(err) {
		res.NotPublished = true
		return res, nil
	}
	if err != nil {
		return fail(err)
	}
	defer body.Close()
	source := PartnerSource(base)
	var list []*places.SharedOffer
	item := map[string]int{} // an offer's position in the answer, by id
	err = places.ReadPublishedOffers(body, func(n int, po *places.PublishedOffer) {
		o, err := po.Shared(s.Frameworks, source)
		switch {
		case err != nil:
			res.reject(n, po.ID, err)
		case item[o.ID] > 0:
			res.reject(n, o.ID, schema.Errorf(schema.EINVALID, "the offer id %q is repeated", "l'identifiant d'offre %q est répété", o.ID))
		case len(list) >= MaxPartnerOffers:
			res.reject(n, o.ID, schema.Errorf(schema.EINVALID, "more than %d offers: left out", "plus de %d offres : écartée", MaxPartnerOffers))
		default:
			item[o.ID] = n
			list = append(list, o)
		}
	}, func(n int, err error) { res.reject(n, "", err) })
	switch {
	case errors.Is(err, outbound.ErrTooLarge):
		return fail(schema.Errorf(schema.EINVALID, "the partner's offers exceed %d MB: none was changed", "les offres du partenaire dépassent %d Mo : aucune n'a été modifiée", MaxPartnerOffersSize>>20))
	case err != nil && schema.ErrorCode(err) == schema.EINVALID:
		return fail(err)
	case err != nil:
		return fail(outbound.Explain(err))
	}
	removed, orphans, err := ps.ReplaceSharedOffers(ctx, source, list)
	if err != nil {
		return fail(err)
	}
	res.Imported, res.Removed = len(list)-len(orphans), removed
	for _, id := range orphans {
		res.reject(item[id], id, schema.Errorf(schema.EINVALID, "its place_id is not one of the places the partner shares", "son place_id n'est pas un des lieux que partage le partenaire"))
	}
	return res, nil
}
