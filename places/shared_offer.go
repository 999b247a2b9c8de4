package places

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"carnet/schema"
)

// The network's offers as open data (/offres.json, /offres.csv), and the
// offers a partner Carnet publishes there, kept here with its places for
// orientation.

// PublishedOffer is an offer as the open data publishes it: the offer's
// fields and PlaceID, the standard id of its structure's place (the id of
// /lieux.json), to join them. It holds nothing about learners.
type PublishedOffer struct {
	ID           string   `json:"id"`
	PlaceID      string   `json:"place_id"` // the "id" of the place in /lieux.json
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

// Publish returns the offer as the open data publishes it, at the place
// placeID.
func (o *Offer) Publish(placeID string) PublishedOffer {
	nonNil := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	return PublishedOffer{ID: o.ID, PlaceID: placeID, Title: o.Title, Kind: o.Kind, Framework: o.Framework,
		Competencies: nonNil(o.Competencies), From: o.From, To: o.To, Schedule: o.Schedule, Price: o.Price,
		PriceDetail: o.PriceDetail, Languages: nonNil(o.Languages), Services: nonNil(o.Services)}
}

// OfferColumns is the header of /offres.csv (lists joined by "|").
var OfferColumns = []string{"id", "place_id", "title", "kind", "framework", "competencies", "from", "to",
	"schedule", "price", "price_detail", "languages", "services"}

// WriteOffersJSON writes the offers as a JSON array.
func WriteOffersJSON(w io.Writer, list []PublishedOffer) error {
	if list == nil {
		list = []PublishedOffer{}
	}
	return json.NewEncoder(w).Encode(list)
}

// WriteOffersCSV writes the offers as CSV, OfferColumns first.
func WriteOffersCSV(w io.Writer, list []PublishedOffer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(OfferColumns); err != nil {
		return err
	}
	for _, o := range list {
		if err := cw.Write([]string{o.ID, o.PlaceID, o.Title, o.Kind, o.Framework, join(o.Competencies), o.From, o.To,
			o.Schedule, o.Price, o.PriceDetail, join(o.Languages), join(o.Services)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SharedOffer is an offer a partner Carnet publishes, kept here at one of
// the places it shares (PlaceID, of the same Source).
type SharedOffer struct {
	Offer          // Structure is empty; FromRank and ToRank are -1 when not matched here
	PlaceID string // the standard id of the partner's place
	Source  string // PartnerSourcePrefix and the partner's base URL
	Place   *Place // the place, when read back with it
}

// Matched says whether orientation can match the offer here: its
// framework and levels are known here.
func (o *SharedOffer) Matched() bool { return o.FromRank >= 0 && o.ToRank >= 0 }

// Limits on a partner's offer.
const (
	MaxSharedOfferID      = 100
	MaxSharedCompetencies = 100
	MaxSharedCode         = 50 // a framework id, a competency code, a level id
	MaxSharedLanguages    = 20
)

// Shared checks an offer a partner publishes (every field: the partner is
// another instance, its data is input) and returns it as a SharedOffer of
// source. A framework, a competency or a level unknown here is kept but
// never matched: the offer's ranks are -1 when its framework or levels are
// unknown, and an unknown competency code matches no learner's.
func (po *PublishedOffer) Shared(fws *schema.Frameworks, source string) (*SharedOffer, error) {
	o := &SharedOffer{Source: source, Offer: Offer{Kind: po.Kind, Price: po.Price, FromRank: -1, ToRank: -1}}
	var err error
	required := func(v string, max int, en, fr string) (string, error) {
		v, err := schema.CleanLabel(v, max, en, fr)
		if err == nil && v == "" {
			err = &schema.Error{Code: schema.EINVALID, Message: en + " is required", MessageFR: fr + " : obligatoire"}
		}
		if err == nil && strings.Contains(v, Sep) {
			err = &schema.Error{Code: schema.EINVALID, Message: en + " holds the separator |", MessageFR: fr + " contient le séparateur |"}
		}
		return v, err
	}
	if o.ID, err = required(po.ID, MaxSharedOfferID, "id", "id"); err != nil {
		return nil, err
	}
	if o.PlaceID, err = required(po.PlaceID, 500, "place_id", "place_id"); err != nil {
		return nil, err
	}
	if o.Title, err = required(po.Title, MaxOfferTitle, "the title", "le titre"); err != nil {
		return nil, err
	}
	if o.Kind != KindWorkshop && o.Kind != KindIndividual {
		return nil, schema.Errorf(schema.EINVALID, "kind must be %q (workshop) or %q (individual support)",
			"kind doit valoir %q (atelier collectif) ou %q (accompagnement individuel)", KindWorkshop, KindIndividual)
	}
	if o.Framework, err = required(po.Framework, MaxSharedCode, "framework", "framework"); err != nil {
		return nil, err
	}
	if len(po.Competencies) == 0 || len(po.Competencies) > MaxSharedCompetencies {
		return nil, schema.Errorf(schema.EINVALID, "give 1 to %d competencies", "indiquez de 1 à %d compétences", MaxSharedCompetencies)
	}
	if o.From, err = required(po.From, MaxSharedCode, "from", "from"); err != nil {
		return nil, err
	}
	if o.To, err = required(po.To, MaxSharedCode, "to", "to"); err != nil {
		return nil, err
	}
	fw, _ := fws.Get(o.Framework) // unknown here: kept, never matched
	for _, code := range po.Competencies {
		c, err := required(code, MaxSharedCode, "competency", "compétence")
		if err != nil {
			return nil, err
		}
		if fw != nil {
			if cp, _, err := fw.Competency(c); err == nil {
				c = cp.Code
			}
		}
		if slices.Contains(o.Competencies, c) {
			return nil, schema.Errorf(schema.EINVALID, "competency %s is repeated", "la compétence %s est répétée", c)
		}
		o.Competencies = append(o.Competencies, c)
	}
	if fw != nil {
		_, from, err1 := fw.Level(o.From)
		_, to, err2 := fw.Level(o.To)
		if err1 == nil && err2 == nil {
			if from > to {
				return nil, schema.Errorf(schema.EINVALID, "the levels go from %s to %s: the first must not be above the second",
					"les niveaux vont de %s à %s : le premier ne doit pas dépasser le second", o.From, o.To)
			}
			o.FromRank, o.ToRank = from, to
		}
	}
	if o.Schedule, err = schema.CleanLabel(po.Schedule, MaxOfferSchedule, "the schedule", "les horaires"); err != nil {
		return nil, err
	}
	if o.PriceDetail, err = schema.CleanLabel(po.PriceDetail, MaxOfferDetail, "the price details", "le détail du prix"); err != nil {
		return nil, err
	}
	if len(po.Languages) > MaxSharedLanguages || len(po.Services) > len(Services) {
		return nil, schema.Errorf(schema.EINVALID, "too many languages or services", "trop de langues ou de services")
	}
	o.Languages, o.Services = slices.Clone(po.Languages), slices.Clone(po.Services)
	if err := o.checkTerms(); err != nil {
		return nil, err
	}
	return o, nil
}

// checkTerms checks the offer's price, languages and services against the
// standard's lists and ISO 639-1 (no language: French).
func (o *Offer) checkTerms() error {
	if !slices.Contains(FraisACharge, o.Price) {
		return schema.Errorf(schema.EINVALID, "price must be one of the standard's access conditions (%s)",
			"price doit être une des conditions d'accès du standard (%s)", strings.Join(FraisACharge, " | "))
	}
	if len(o.Languages) == 0 {
		o.Languages = []string{"fr"}
	}
	for _, l := range o.Languages {
		if len(l) != 2 || l[0] < 'a' || l[0] > 'z' || l[1] < 'a' || l[1] > 'z' {
			return schema.Errorf(schema.EINVALID, "%q is not an ISO 639-1 language code (fr, en, ar…)", "%q n'est pas un code de langue ISO 639-1 (fr, en, ar…)", l)
		}
	}
	if o.Services == nil {
		o.Services = []string{}
	}
	for _, s := range o.Services {
		if !slices.Contains(Services, s) {
			return invalid("services", "%q is not in the standard's list", "%q n'est pas dans la liste du standard", s)
		}
	}
	return nil
}

// ReadPublishedOffers reads a JSON array of offers (/offres.json) one at a
// time: each well-formed member is given to fn with its position (from
// 1); a member that is not an offer object is reported to bad and
// skipped. An answer that is not a JSON array, or that breaks off, is an
// error.
func ReadPublishedOffers(r io.Reader, fn func(n int, o *PublishedOffer), bad func(n int, err error)) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err, "the offers are not JSON", "les offres ne sont pas du JSON")
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return schema.Errorf(schema.EINVALID, "the offers are not a JSON array", "les offres ne sont pas un tableau JSON")
	}
	for n := 1; dec.More(); n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonError(err, "offer %d", "offre %d", n)
		}
		var o PublishedOffer
		if err := json.Unmarshal(raw, &o); err != nil {
			bad(n, schema.Errorf(schema.EINVALID, "not an offer: %v", "pas une offre : %v", err))
			continue
		}
		fn(n, &o)
	}
	if _, err := dec.Token(); err != nil {
		return jsonError(err, "the offers' array is not closed", "le tableau des offres n'est pas fermé")
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return schema.Errorf(schema.EINVALID, "the offers' array is followed by other data", "le tableau des offres est suivi d'autres données")
		}
		return jsonError(err, "after the offers' array", "après le tableau des offres")
	}
	return nil
}

// jsonError words a JSON error of the offers; an error of the reader (a
// size limit, the network) is returned as it is.
func jsonError(err error, en, fr string, args ...any) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &syn) && !errors.As(err, &typ) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	return schema.Errorf(schema.EINVALID, en+": %v", fr+" : %v", append(args, err)...)
}
