package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"carnet/places"
	"carnet/schema"
)

// The network's places on the national standard of lieux de médiation
// numérique (package places): a structure's place, its offers, the import
// of places outside the network, and the orientation of a learner towards
// the offers and places that serve a next level.

// ErrNoPlaces answers on an instance that keeps no places.
var ErrNoPlaces = schema.Errorf(schema.EUNAVAILABLE, "this instance keeps no places", "cette instance ne gère pas de lieux")

// PlaceStore returns the instance's places, or ErrNoPlaces.
func (s *App) PlaceStore() (places.Store, error) {
	if s.Places == nil {
		return nil, ErrNoPlaces
	}
	return s.Places, nil
}

// withPlace runs update (the structure's own update) and, when the patch
// has members of the standard, stores the structure's place in the same
// transaction: the place (the stored one, or a new one, with the patch
// applied) is checked against the standard before anything is written.
// Its id is the structure's did:web, its name the structure's (name, after
// the update), its date_maj today; it must name at least one service.
func (s *App) withPlace(ctx context.Context, slug, name string, pt *places.Patch, update func(ctx context.Context) error) error {
	if pt.Empty() {
		return update(ctx)
	}
	ps, err := s.PlaceStore()
	if err != nil {
		return err
	}
	p, err := ps.StructurePlace(ctx, slug)
	if err != nil {
		return err
	}
	if p == nil {
		p = &places.Place{ID: s.DID(slug)}
	}
	pt.Apply(p)
	p.Nom, p.DateMaj = name, s.now().UTC().Format(time.DateOnly)
	if err := p.Validate(); err != nil {
		return err
	}
	if len(p.Services) == 0 {
		// The standard lets services out, but the reference implementation
		// then reads the place as one that receives no public.
		return schema.Errorf(schema.EINVALID, "Services (services): give at least one of the standard's services",
			"Services (services) : indiquez au moins un des services du standard")
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := update(ctx); err != nil {
			return err
		}
		return ps.PutStructurePlace(ctx, slug, p)
	})
}

// UpdateStructureAndPlace updates a structure's profile (UpdateStructure)
// and, when pt has members of the standard, its place, in one
// transaction (PATCH /api/v1/structures/{slug}). in.Name names the place.
func (s *App) UpdateStructureAndPlace(ctx context.Context, a *Actor, slug string, in StructureInput, pt *places.Patch) (*schema.Structure, error) {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return nil, err
	}
	err = s.withPlace(ctx, st.Slug, strings.TrimSpace(in.Name), pt, func(ctx context.Context) (err error) {
		st, err = s.UpdateStructure(ctx, a, st.Slug, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// SaveStructurePlace stores a structure's place with the patch applied
// (the place form: its administrators), checked against the standard
// before anything is written, and audited.
func (s *App) SaveStructurePlace(ctx context.Context, a *Actor, slug string, pt *places.Patch) error {
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return err
	}
	return s.withPlace(ctx, st.Slug, st.Name, pt, func(ctx context.Context) error {
		return s.Record(ctx, a, st.ID, schema.AuditStructureEdit, st.Slug, "lieu / place", "")
	})
}

// OfferInput is a new offer (POST /api/v1/structures/{slug}/offers).
type OfferInput struct {
	Title        string   `json:"title"`
	Kind         string   `json:"kind"`
	Framework    string   `json:"framework"`
	Competencies []string `json:"competencies"`
	From         string   `json:"from"`
	To           string   `json:"to"`
	Schedule     string   `json:"schedule"`
	Price        string   `json:"price"`
	PriceDetail  string   `json:"price_detail"`
	Languages    []string `json:"languages"`
	Services     []string `json:"services"`
}

// Offers lists a structure's offers; the network's offers are shared for
// orientation, so any signed-in user may read them.
func (s *App) Offers(ctx context.Context, slug string) ([]*places.Offer, error) {
	ps, err := s.PlaceStore()
	if err != nil {
		return nil, err
	}
	if _, err := s.Structures.FindStructure(ctx, slug); err != nil {
		return nil, err
	}
	return ps.ListOffers(ctx, slug)
}

// CreateOffer adds an offer to a structure (its administrators).
func (s *App) CreateOffer(ctx context.Context, a *Actor, slug string, in OfferInput) (*places.Offer, error) {
	ps, err := s.PlaceStore()
	if err != nil {
		return nil, err
	}
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return nil, err
	}
	o := &places.Offer{ID: places.NewOfferID(), Structure: st.Slug, Title: in.Title, Kind: in.Kind, Framework: in.Framework,
		Competencies: in.Competencies, From: in.From, To: in.To, Schedule: in.Schedule, Price: in.Price,
		PriceDetail: in.PriceDetail, Languages: in.Languages, Services: in.Services}
	if err := o.Validate(s.Frameworks); err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := ps.CreateOffer(ctx, o); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, schema.AuditStructureEdit, st.Slug, "offre créée / offer created: "+o.ID+" "+o.Title, "")
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// DeleteOffer removes an offer of a structure (its administrators).
func (s *App) DeleteOffer(ctx context.Context, a *Actor, slug, id string) error {
	ps, err := s.PlaceStore()
	if err != nil {
		return err
	}
	st, err := s.StructureFor(ctx, a, slug, schema.RoleAdmin)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := ps.DeleteOffer(ctx, st.Slug, id); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, schema.AuditStructureEdit, st.Slug, "offre supprimée / offer deleted: "+id, "")
	})
}

// ImportPlaces reads a file of the standard (CSV or JSON) into the places
// kept for orientation, marked as outside the network, updated by id (a
// network administrator, the page, the API or the command line). A
// partial report comes with the error of an import stopped midway.
func (s *App) ImportPlaces(ctx context.Context, a *Actor, r io.Reader, source string) (*places.Report, error) {
	if !a.User.NetworkAdmin {
		return nil, schema.Errorf(schema.EFORBIDDEN, "only network administrators import places", "seuls les administrateurs du réseau importent des lieux")
	}
	ps, err := s.PlaceStore()
	if err != nil {
		return nil, err
	}
	if source == "" {
		source = "api"
	}
	if source, err = schema.CleanLabel(source, 200, "the source", "la source"); err != nil {
		return nil, err
	}
	rep, err := ps.Import(ctx, r, source)
	if err != nil {
		return rep, err
	}
	if err := s.Record(ctx, a, 0, places.AuditImported, source, fmt.Sprintf("%d / %d", rep.Imported, rep.Rejected), ""); err != nil {
		return rep, err
	}
	return rep, nil
}

// Orientation is where to continue a competency's next level: the
// offers that serve it (the network's, and those partner Carnets share),
// nearest first, then the nearest places (the network's, imported ones
// and partners') whose services match.
type Orientation struct {
	Origin  Origin          `json:"origin"`
	Service string          `json:"service"`
	Offers  []OrientedOffer `json:"offers"`
	Places  []OrientedPlace `json:"places"`
}

// Origin is the point an orientation measures from.
type Origin struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	From      string  `json:"from"` // "coordinates", "postcode" or "structure"
}

// OrientedOffer is an offer of the network, with its structure's place,
// or an offer a partner Carnet shares, with the partner's place.
type OrientedOffer struct {
	Offer      *places.Offer  `json:"offer"`
	Place      *places.Record `json:"place"`             // the structure's place; null when not described
	DistanceKm *float64       `json:"distance_km"`       // null without coordinates
	Partner    string         `json:"partner,omitempty"` // the partner Carnet that shares the offer (its name in the trust registry), when one does
}

// OrientedPlace is a place whose services match.
type OrientedPlace struct {
	Place      places.Record `json:"place"`
	DistanceKm float64       `json:"distance_km"`
	Network    bool          `json:"network"`           // a Carnet structure of this network; else an imported place, for orientation only
	Structure  string        `json:"structure"`         // its slug when network
	Partner    string        `json:"partner,omitempty"` // the partner Carnet that shares it (its name in the trust registry), when one does
}

// OrientationQuery asks where to continue: a competency's next level, from
// a point (Lat and Lon, or a Postcode: the centre of the places known
// there, or by default the place of the actor's structure — Structure, or
// the actor's first), for a service of the standard (default: the one
// the competency belongs to).
type OrientationQuery struct {
	Framework, Competency, Level string
	Lat, Lon, Postcode, Service  string
	Structure                    string
}

// MaxOrientationKm bounds the places search of an orientation.
const MaxOrientationKm = 50

// MaxOrientationSharedOffers is how many of the partners' offers an
// orientation lists: the nearest.
const MaxOrientationSharedOffers = 10

// MaxOrientationPlaces is how many places an orientation lists.
const MaxOrientationPlaces = 10

// Orient answers an orientation query (any signed-in member: the
// network's offers and places are shared for orientation).
func (s *App) Orient(ctx context.Context, a *Actor, q OrientationQuery) (*Orientation, error) {
	ps, err := s.PlaceStore()
	if err != nil {
		return nil, err
	}
	fw, err := s.Frameworks.Get(q.Framework)
	if err != nil {
		return nil, err
	}
	comp, _, err := fw.Competency(q.Competency)
	if err != nil {
		return nil, err
	}
	_, rank, err := fw.Level(q.Level)
	if err != nil {
		return nil, err
	}
	service := q.Service
	if service == "" {
		service = places.ServiceFor(fw.ID, comp.Code)
	} else if !slices.Contains(places.Services, service) {
		return nil, schema.Errorf(schema.EINVALID, "%q is not a service of the standard", "%q n'est pas un service du standard", service)
	}
	out := &Orientation{Service: service, Offers: []OrientedOffer{}, Places: []OrientedPlace{}}
	switch {
	case q.Lat != "" || q.Lon != "":
		la, err1 := strconv.ParseFloat(q.Lat, 64)
		lo, err2 := strconv.ParseFloat(q.Lon, 64)
		if err1 != nil || err2 != nil || la < -90 || la > 90 || lo < -180 || lo > 180 {
			return nil, schema.Errorf(schema.EINVALID, "lat and lon must be WGS84 coordinates", "lat et lon doivent être des coordonnées WGS84")
		}
		out.Origin = Origin{la, lo, "coordinates"}
	case q.Postcode != "":
		la, lo, ok, err := ps.PostcodeCentre(ctx, q.Postcode)
		if err != nil {
			return nil, err
		} else if !ok {
			return nil, schema.Errorf(schema.EINVALID, "no known place has the postcode %q: give coordinates", "aucun lieu connu n'a le code postal %q : donnez des coordonnées", q.Postcode)
		}
		out.Origin = Origin{la, lo, "postcode"}
	default:
		st, err := s.StructureFor(ctx, a, q.Structure, schema.RoleMediator)
		if err != nil {
			return nil, err
		}
		p, err := ps.StructurePlace(ctx, st.Slug)
		if err != nil {
			return nil, err
		} else if p == nil || !p.HasCoordinates() {
			return nil, schema.Errorf(schema.EINVALID, "your structure's place has no coordinates: give a postcode or coordinates",
				"le lieu de votre structure n'a pas de coordonnées : donnez un code postal ou des coordonnées")
		}
		out.Origin = Origin{*p.Latitude, *p.Longitude, "structure"}
	}
	offers, err := ps.OffersServing(ctx, fw.ID, comp.Code, rank)
	if err != nil {
		return nil, err
	}
	for _, o := range offers {
		item := OrientedOffer{Offer: o}
		p, err := ps.StructurePlace(ctx, o.Structure)
		if err != nil {
			return nil, err
		}
		if p != nil {
			if st, err := s.Structures.FindStructure(ctx, o.Structure); err == nil {
				p.Nom = st.Name
			}
			r := p.Record()
			item.Place = &r
			if p.HasCoordinates() {
				d := places.Distance(out.Origin.Latitude, out.Origin.Longitude, *p.Latitude, *p.Longitude)
				item.DistanceKm = &d
			}
		}
		out.Offers = append(out.Offers, item)
	}
	// The nearest offers partner Carnets share, with their places: ranked
	// with the network's by distance.
	shared, err := ps.SharedOffersServing(ctx, fw.ID, comp.Code, rank, out.Origin.Latitude, out.Origin.Longitude, MaxOrientationSharedOffers)
	if err != nil {
		return nil, err
	}
	var names map[string]string
	if len(shared) > 0 {
		if names, err = s.PartnerNames(ctx); err != nil {
			return nil, err
		}
	}
	for _, so := range shared {
		item := OrientedOffer{Offer: &so.Offer, Partner: PartnerLabel(names, so.Source)}
		r := so.Place.Record()
		item.Place = &r
		if so.Place.HasCoordinates() {
			d := places.Distance(out.Origin.Latitude, out.Origin.Longitude, *so.Place.Latitude, *so.Place.Longitude)
			item.DistanceKm = &d
		}
		out.Offers = append(out.Offers, item)
	}
	sort.SliceStable(out.Offers, func(i, j int) bool {
		a, b := out.Offers[i].DistanceKm, out.Offers[j].DistanceKm
		return a != nil && (b == nil || *a < *b)
	})
	if service != "" {
		near, err := ps.Nearest(ctx, out.Origin.Latitude, out.Origin.Longitude, MaxOrientationKm, MaxOrientationPlaces, service)
		if err != nil {
			return nil, err
		}
		for _, n := range near {
			if !n.Network && strings.HasPrefix(n.Source, places.PartnerSourcePrefix) && names == nil {
				if names, err = s.PartnerNames(ctx); err != nil {
					return nil, err
				}
			}
			if n.Network {
				if st, err := s.Structures.FindStructure(ctx, n.Structure); err == nil {
					n.Place.Nom = st.Name
				}
			}
			out.Places = append(out.Places, OrientedPlace{Place: n.Place.Record(), DistanceKm: n.Km, Network: n.Network, Structure: n.Structure,
				Partner: PartnerLabel(names, n.Source)})
		}
	}
	return out, nil
}

// Match is one place to continue a competency's next level: an offer of
// the network (with its structure's place) or of a partner Carnet (with
// the partner's place), or a place whose services match.
type Match struct {
	Offer      *places.Offer  // nil for a place
	Place      *places.Record // nil for an offer of a structure that has not described its place
	DistanceKm *float64       // nil without coordinates
	Network    bool           // a Carnet structure of this network
	Partner    string         // the partner Carnet that shares the place or the offer, when one does
}

// Name is what a referral or a printout names: the offer's title and its
// place's name, or the place's name.
func (m *Match) Name() string {
	switch {
	case m.Offer != nil && m.Place != nil:
		return m.Offer.Title + " — " + m.Place.Nom
	case m.Offer != nil:
		return m.Offer.Title
	case m.Place != nil:
		return m.Place.Nom
	}
	return ""
}

// NearestMatches returns up to n places to continue a competency's next
// level (q, as for Orient): the network's offers that serve it, nearest
// first, then the nearest places whose services match and that no offer
// already names. For the printouts (the A4 certificate prints the two
// nearest per competency): q.Structure names the issuing structure, whose
// place is the origin.
func (s *App) NearestMatches(ctx context.Context, a *Actor, q OrientationQuery, n int) ([]Match, error) {
	o, err := s.Orient(ctx, a, q)
	if err != nil {
		return nil, err
	}
	return o.Matches(n), nil
}

// Matches returns up to n of the orientation's offers, then places that
// no offer already names.
func (o *Orientation) Matches(n int) []Match {
	out := []Match{}
	named := map[string]bool{}
	for _, of := range o.Offers {
		if len(out) == n {
			return out
		}
		out = append(out, Match{Offer: of.Offer, Place: of.Place, DistanceKm: of.DistanceKm, Network: of.Partner == "", Partner: of.Partner})
		if of.Place != nil {
			named[of.Place.ID] = true
		}
	}
	for i := range o.Places {
		p := &o.Places[i]
		if len(out) == n {
			break
		}
		if named[p.Place.ID] {
			continue
		}
		d := p.DistanceKm
		out = append(out, Match{Place: &p.Place, DistanceKm: &d, Network: p.Network, Partner: p.Partner})
	}
	return out
}
