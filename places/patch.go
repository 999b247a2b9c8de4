package places

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"

	"carnet/schema"
)

// List is a multi-valued field in a request: a JSON array of strings, or
// the flat form's "|"-joined string.
type List []string

// UnmarshalJSON accepts an array of strings or a "|"-joined string.
func (l *List) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = Split(s)
		return nil
	}
	var a []string
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	out := List{}
	for _, v := range a {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	*l = out
	return nil
}

// Patch is a partial update of a structure's place, with the standard's
// field names: members left out keep their value, an empty string or an
// empty list clears an optional one. The place's id, name and update date
// are the structure's, set by the caller.
type Patch struct {
	Pivot                         *string  `json:"pivot,omitempty"`
	Adresse                       *string  `json:"adresse,omitempty"`
	ComplementAdresse             *string  `json:"complement_adresse,omitempty"`
	CodePostal                    *string  `json:"code_postal,omitempty"`
	CodeInsee                     *string  `json:"code_insee,omitempty"`
	Commune                       *string  `json:"commune,omitempty"`
	Latitude                      *float64 `json:"latitude,omitempty"`
	Longitude                     *float64 `json:"longitude,omitempty"`
	Typologie                     *List    `json:"typologie,omitempty"`
	Telephone                     *string  `json:"telephone,omitempty"`
	Courriels                     *List    `json:"courriels,omitempty"`
	SiteWeb                       *List    `json:"site_web,omitempty"`
	Horaires                      *string  `json:"horaires,omitempty"`
	PresentationResume            *string  `json:"presentation_resume,omitempty"`
	PresentationDetail            *string  `json:"presentation_detail,omitempty"`
	Source                        *string  `json:"source,omitempty"`
	Itinerance                    *List    `json:"itinerance,omitempty"`
	StructureParente              *string  `json:"structure_parente,omitempty"`
	Services                      *List    `json:"services,omitempty"`
	PublicsSpecifiquementAdresses *List    `json:"publics_specifiquement_adresses,omitempty"`
	PriseEnChargeSpecifique       *List    `json:"prise_en_charge_specifique,omitempty"`
	FraisACharge                  *List    `json:"frais_a_charge,omitempty"`
	DispositifProgrammesNationaux *List    `json:"dispositif_programmes_nationaux,omitempty"`
	FormationsLabels              *List    `json:"formations_labels,omitempty"`
	AutresFormationsLabels        *List    `json:"autres_formations_labels,omitempty"`
	ModalitesAcces                *List    `json:"modalites_acces,omitempty"`
	ModalitesAccompagnement       *List    `json:"modalites_accompagnement,omitempty"`
	FicheAccesLibre               *string  `json:"fiche_acces_libre,omitempty"`
	PriseRdv                      *string  `json:"prise_rdv,omitempty"`

	// ClearCoordinates removes the coordinates (a form sent them empty).
	ClearCoordinates bool `json:"-"`
}

// Empty says whether the patch changes nothing.
func (pt *Patch) Empty() bool {
	b, _ := json.Marshal(pt)
	return string(b) == "{}" && !pt.ClearCoordinates
}

// Apply writes the patch's members onto p (nothing is checked: see
// Place.Validate).
func (pt *Patch) Apply(p *Place) {
	str := func(from *string, to *string) {
		if from != nil {
			*to = strings.TrimSpace(*from)
		}
	}
	list := func(from *List, to *[]string) {
		if from != nil {
			*to = append([]string(nil), (*from)...)
		}
	}
	str(pt.Pivot, &p.Pivot)
	if pt.Pivot != nil {
		p.Pivot = NormalizePivot(p.Pivot)
	}
	str(pt.Adresse, &p.Adresse)
	str(pt.ComplementAdresse, &p.ComplementAdresse)
	str(pt.CodePostal, &p.CodePostal)
	str(pt.CodeInsee, &p.CodeInsee)
	str(pt.Commune, &p.Commune)
	if pt.ClearCoordinates {
		p.Latitude, p.Longitude = nil, nil
	}
	if pt.Latitude != nil {
		v := *pt.Latitude
		p.Latitude = &v
	}
	if pt.Longitude != nil {
		v := *pt.Longitude
		p.Longitude = &v
	}
	list(pt.Typologie, &p.Typologies)
	if pt.Telephone != nil {
		p.Telephone = NormalizePhone(strings.TrimSpace(*pt.Telephone))
	}
	list(pt.Courriels, &p.Courriels)
	list(pt.SiteWeb, &p.SiteWeb)
	str(pt.Horaires, &p.Horaires)
	str(pt.PresentationResume, &p.PresentationResume)
	str(pt.PresentationDetail, &p.PresentationDetail)
	str(pt.Source, &p.Source)
	list(pt.Itinerance, &p.Itinerance)
	str(pt.StructureParente, &p.StructureParente)
	list(pt.Services, &p.Services)
	list(pt.PublicsSpecifiquementAdresses, &p.PublicsSpecifiquementAdresses)
	list(pt.PriseEnChargeSpecifique, &p.PriseEnChargeSpecifique)
	list(pt.FraisACharge, &p.FraisACharge)
	list(pt.DispositifProgrammesNationaux, &p.DispositifProgrammesNationaux)
	list(pt.FormationsLabels, &p.FormationsLabels)
	list(pt.AutresFormationsLabels, &p.AutresFormationsLabels)
	list(pt.ModalitesAcces, &p.ModalitesAcces)
	list(pt.ModalitesAccompagnement, &p.ModalitesAccompagnement)
	str(pt.FicheAccesLibre, &p.FicheAccesLibre)
	str(pt.PriseRdv, &p.PriseRdv)
}

// Store keeps places: the network's structures' (one per structure, with
// its slug) and those imported from the national dataset. The sqlite
// package implements it.
type Store interface {
	// StructurePlace returns the place of a structure, nil if it has none.
	StructurePlace(ctx context.Context, slug string) (*Place, error)
	// PutStructurePlace stores (or replaces) the place of a structure.
	PutStructurePlace(ctx context.Context, slug string, p *Place) error
	// NetworkPlaces returns the places of the network's structures, by id.
	NetworkPlaces(ctx context.Context) ([]*Place, error)
	// Import reads a file of the standard and stores its valid places as
	// imported ones, replacing those with the same id.
	Import(ctx context.Context, r io.Reader, source string) (*Report, error)
	// Nearest returns up to limit places nearest (lat, lon) within maxKm,
	// those offering service when it is not empty, each with whether it is
	// a network structure's.
	Nearest(ctx context.Context, lat, lon, maxKm float64, limit int, service string) ([]Near, error)
	// PostcodeCentre returns the mean coordinates of the places with a
	// postcode (ok false when none has coordinates).
	PostcodeCentre(ctx context.Context, postcode string) (lat, lon float64, ok bool, err error)

	// ListOffers returns the offers of a structure ("": of every
	// structure), by title.
	ListOffers(ctx context.Context, structure string) ([]*Offer, error)
	// CreateOffer stores a new offer (its Structure names the structure).
	CreateOffer(ctx context.Context, o *Offer) error
	// DeleteOffer removes an offer of a structure.
	DeleteOffer(ctx context.Context, structure, id string) error
	// OffersServing returns the offers that serve a competency of a
	// framework at a level rank.
	OffersServing(ctx context.Context, framework, competency string, rank int) ([]*Offer, error)

	// CreateReferral stores a referral (its StructureID and LearnerID
	// name the structure and the learner) and sets its ID.
	CreateReferral(ctx context.Context, r *Referral) error
	// ListReferrals returns a learner's referrals, newest first.
	ListReferrals(ctx context.Context, learnerID string) ([]*Referral, error)
	// MapTiles returns the map's tile layer (DefaultTiles when unset).
	MapTiles(ctx context.Context) (Tiles, error)
	// SetMapTiles stores the map's tile layer (checked by Tiles.Clean).
	SetMapTiles(ctx context.Context, t Tiles) error
	// OutsidePlaces returns up to limit places kept for orientation only
	// (imported or shared by a partner), the first in the order of import,
	// sorted by name:
	// those whose postcode
	// starts with q or whose commune holds it ("": any), offering service
	// ("": any); more says that others match.
	OutsidePlaces(ctx context.Context, q, service string, limit int) (list []Outside, more bool, err error)
	// ReplaceSource imports a file of the standard as Import does, then,
	// when the whole file was read, removes the imported places of the
	// same source that it no longer lists: a partner's current places.
	ReplaceSource(ctx context.Context, r io.Reader, source string) (rep *Report, removed int, err error)

	// NetworkOffers returns the offers of the structures that have
	// described their place, each with its place's standard id: the open
	// data (/offres.json), by place and id.
	NetworkOffers(ctx context.Context) ([]PublishedOffer, error)
	// ReplaceSharedOffers replaces the offers of a partner's source with
	// list, in one transaction: an offer whose place is not one of the
	// source's places is left out (its id in orphans); removed counts the
	// offers of the source that list no longer has.
	ReplaceSharedOffers(ctx context.Context, source string, list []*SharedOffer) (removed int, orphans []string, err error)
	// SharedOffersServing returns the partners' offers that serve a
	// competency of a framework at a level rank, each with its place: the
	// limit nearest (lat, lon) (0: all), those at a place without
	// coordinates last; with NaN coordinates, in the order they were
	// stored.
	SharedOffersServing(ctx context.Context, framework, competency string, rank int, lat, lon float64, limit int) ([]*SharedOffer, error)
	// SharedOffers returns the offers of a partner's source ("": of every
	// partner), each with its place, by place and id.
	SharedOffers(ctx context.Context, source string) ([]*SharedOffer, error)

	// CountReferrals counts the referrals dated from..to (YYYY-MM-DD,
	// both included; "" leaves a bound open) per structure and month, of
	// the structures structureIDs (nil: all).
	CountReferrals(ctx context.Context, from, to string, structureIDs []int64) ([]ReferralCount, error)
}

// Near is a place found by Store.Nearest.
type Near struct {
	Ranked
	Network   bool   // a Carnet structure of this network (else imported, for orientation only)
	Structure string // its slug when Network
	Source    string // where an outside place comes from (the import's source)
}

// Outside is a place kept for orientation only, with its source: the
// name of an imported file, or PartnerSource of a partner Carnet.
type Outside struct {
	Place  *Place
	Source string
}

// ErrNoPlace says that a structure has not described its place yet.
func ErrNoPlace(slug string) error {
	return schema.Errorf(schema.ENOTFOUND, "the structure %q has not described its place yet", "la structure %q n'a pas encore décrit son lieu", slug)
}
