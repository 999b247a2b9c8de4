package app

import (
	"context"
	"strconv"

	"carnet/issuer/card"
	"carnet/schema"
)

// CertificatePlacesN is how many places the A4 certificate prints per
// competency.
const CertificatePlacesN = 2

// CertificatePlaces sets, on each next step of cd (the A4 certificate of
// a credential of framework fw issued by structure st), the nearest places
// to continue it: NearestMatches, measured from st's place. Without a
// places directory, or when st's place has no coordinates, the steps keep
// none and the error is nil: the certificate prints without them. The
// actor may be nil (the learner's carnet link): the places are looked up
// from st's coordinates, which need no rights.
func (s *App) CertificatePlaces(ctx context.Context, a *Actor, st *schema.Structure, fw string, cd *card.Card) error {
	return s.certificatePlaces(ctx, a, st, fw, cd, map[string][]card.Place{})
}

// certificatePlaces is CertificatePlaces with a cache of the places by
// competency and level, for the certificates of one structure's batch.
func (s *App) certificatePlaces(ctx context.Context, a *Actor, st *schema.Structure, fw string, cd *card.Card, cache map[string][]card.Place) error {
	if len(cd.Next) == 0 || s.Places == nil {
		return nil
	}
	p, err := s.Places.StructurePlace(ctx, st.Slug)
	if err != nil {
		return err
	}
	if p == nil || !p.HasCoordinates() {
		return nil
	}
	lat, lon := strconv.FormatFloat(*p.Latitude, 'f', -1, 64), strconv.FormatFloat(*p.Longitude, 'f', -1, 64)
	for i := range cd.Next {
		step := &cd.Next[i]
		if step.Top || step.Level == "" {
			continue // no next level to continue to
		}
		key := step.Code + "\x00" + step.Level
		if got, ok := cache[key]; ok {
			step.Places = got
			continue
		}
		ms, err := s.NearestMatches(ctx, a, OrientationQuery{Framework: fw, Competency: step.Code, Level: step.Level, Lat: lat, Lon: lon}, CertificatePlacesN)
		if schema.ErrorCode(err) == schema.EINVALID || schema.ErrorCode(err) == schema.ENOTFOUND {
			continue // a competency or level the directory cannot match: no places
		} else if err != nil {
			return err
		}
		var out []card.Place
		for _, m := range ms {
			cp := card.Place{Name: m.Name(), DistanceKm: -1}
			if m.Place != nil {
				cp.Commune, cp.Phone, cp.Hours = m.Place.Commune, m.Place.Telephone, m.Place.Horaires
			}
			if m.DistanceKm != nil {
				cp.DistanceKm = *m.DistanceKm
			}
			out = append(out, cp)
		}
		cache[key] = out
		step.Places = out
	}
	return nil
}
