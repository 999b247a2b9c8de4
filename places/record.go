package places

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// Columns are the standard's fields, in its order: the CSV header and the
// members of the JSON form.
var Columns = []string{
	"id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse",
	"latitude", "longitude", "typologie", "telephone", "courriels", "site_web", "horaires",
	"presentation_resume", "presentation_detail", "source", "itinerance", "structure_parente",
	"date_maj", "services", "publics_specifiquement_adresses", "prise_en_charge_specifique",
	"frais_a_charge", "dispositif_programmes_nationaux", "formations_labels",
	"autres_formations_labels", "modalites_acces", "modalites_accompagnement",
	"fiche_acces_libre", "prise_rdv",
}

// Sep joins the values of a multi-valued field in the flat form.
const Sep = "|"

// Record is a place in the standard's flat form, the one of its CSV and
// JSON files: every list joined by "|", coordinates as numbers.
type Record struct {
	ID                            string   `json:"id"`
	Pivot                         string   `json:"pivot"`
	Nom                           string   `json:"nom"`
	Commune                       string   `json:"commune"`
	CodePostal                    string   `json:"code_postal"`
	CodeInsee                     string   `json:"code_insee,omitempty"`
	Adresse                       string   `json:"adresse"`
	ComplementAdresse             string   `json:"complement_adresse,omitempty"`
	Latitude                      *float64 `json:"latitude,omitempty"`
	Longitude                     *float64 `json:"longitude,omitempty"`
	Typologie                     string   `json:"typologie,omitempty"`
	Telephone                     string   `json:"telephone,omitempty"`
	Courriels                     string   `json:"courriels,omitempty"`
	SiteWeb                       string   `json:"site_web,omitempty"`
	Horaires                      string   `json:"horaires,omitempty"`
	PresentationResume            string   `json:"presentation_resume,omitempty"`
	PresentationDetail            string   `json:"presentation_detail,omitempty"`
	Source                        string   `json:"source,omitempty"`
	Itinerance                    string   `json:"itinerance,omitempty"`
	StructureParente              string   `json:"structure_parente,omitempty"`
	DateMaj                       string   `json:"date_maj"`
	Services                      string   `json:"services,omitempty"`
	PublicsSpecifiquementAdresses string   `json:"publics_specifiquement_adresses,omitempty"`
	PriseEnChargeSpecifique       string   `json:"prise_en_charge_specifique,omitempty"`
	FraisACharge                  string   `json:"frais_a_charge,omitempty"`
	DispositifProgrammesNationaux string   `json:"dispositif_programmes_nationaux,omitempty"`
	FormationsLabels              string   `json:"formations_labels,omitempty"`
	AutresFormationsLabels        string   `json:"autres_formations_labels,omitempty"`
	ModalitesAcces                string   `json:"modalites_acces,omitempty"`
	ModalitesAccompagnement       string   `json:"modalites_accompagnement,omitempty"`
	FicheAccesLibre               string   `json:"fiche_acces_libre,omitempty"`
	PriseRdv                      string   `json:"prise_rdv,omitempty"`
}

func join(l []string) string { return strings.Join(l, Sep) }

// Split cuts a multi-valued field of the flat form into its values,
// trimmed, without empty ones or repeats.
func Split(s string) []string {
	var out []string
	for _, v := range strings.Split(s, Sep) {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == v
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// Record returns p in the standard's flat form.
func (p *Place) Record() Record {
	return Record{
		ID: p.ID, Pivot: p.Pivot, Nom: p.Nom, Commune: p.Commune, CodePostal: p.CodePostal,
		CodeInsee: p.CodeInsee, Adresse: p.Adresse, ComplementAdresse: p.ComplementAdresse,
		Latitude: p.Latitude, Longitude: p.Longitude, Typologie: join(p.Typologies),
		Telephone: p.Telephone, Courriels: join(p.Courriels), SiteWeb: join(p.SiteWeb),
		Horaires: p.Horaires, PresentationResume: p.PresentationResume,
		PresentationDetail: p.PresentationDetail, Source: p.Source, Itinerance: join(p.Itinerance),
		StructureParente: p.StructureParente, DateMaj: p.DateMaj, Services: join(p.Services),
		PublicsSpecifiquementAdresses: join(p.PublicsSpecifiquementAdresses),
		PriseEnChargeSpecifique:       join(p.PriseEnChargeSpecifique),
		FraisACharge:                  join(p.FraisACharge),
		DispositifProgrammesNationaux: join(p.DispositifProgrammesNationaux),
		FormationsLabels:              join(p.FormationsLabels),
		AutresFormationsLabels:        join(p.AutresFormationsLabels),
		ModalitesAcces:                join(p.ModalitesAcces),
		ModalitesAccompagnement:       join(p.ModalitesAccompagnement),
		FicheAccesLibre:               p.FicheAccesLibre, PriseRdv: p.PriseRdv,
	}
}

// Place returns the place r describes, lists split and phone and pivot
// normalised (nothing is checked: see Place.Validate).
func (r *Record) Place() *Place {
	return &Place{
		ID: strings.TrimSpace(r.ID), Pivot: NormalizePivot(r.Pivot), Nom: strings.TrimSpace(r.Nom),
		Commune: strings.TrimSpace(r.Commune), CodePostal: strings.TrimSpace(r.CodePostal),
		CodeInsee: strings.TrimSpace(r.CodeInsee), Adresse: strings.TrimSpace(r.Adresse),
		ComplementAdresse: strings.TrimSpace(r.ComplementAdresse),
		Latitude:          r.Latitude, Longitude: r.Longitude, Typologies: Split(r.Typologie),
		Telephone: NormalizePhone(r.Telephone), Courriels: Split(r.Courriels), SiteWeb: Split(r.SiteWeb),
		Horaires: strings.TrimSpace(r.Horaires), PresentationResume: strings.TrimSpace(r.PresentationResume),
		PresentationDetail: strings.TrimSpace(r.PresentationDetail), Source: strings.TrimSpace(r.Source),
		Itinerance: Split(r.Itinerance), StructureParente: strings.TrimSpace(r.StructureParente),
		DateMaj: normDate(r.DateMaj), Services: Split(r.Services),
		PublicsSpecifiquementAdresses: Split(r.PublicsSpecifiquementAdresses),
		PriseEnChargeSpecifique:       Split(r.PriseEnChargeSpecifique),
		FraisACharge:                  Split(r.FraisACharge),
		DispositifProgrammesNationaux: Split(r.DispositifProgrammesNationaux),
		FormationsLabels:              Split(r.FormationsLabels),
		AutresFormationsLabels:        Split(r.AutresFormationsLabels),
		ModalitesAcces:                Split(r.ModalitesAcces),
		ModalitesAccompagnement:       Split(r.ModalitesAccompagnement),
		FicheAccesLibre:               strings.TrimSpace(r.FicheAccesLibre), PriseRdv: strings.TrimSpace(r.PriseRdv),
	}
}

// normDate keeps the date of an ISO 8601 date-time (the national export
// sometimes carries one).
func normDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[10] == 'T' {
		return s[:10]
	}
	return s
}

// fields returns r's values in the order of Columns.
func (r *Record) fields() []string {
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return formatFloat(*p)
	}
	return []string{
		r.ID, r.Pivot, r.Nom, r.Commune, r.CodePostal, r.CodeInsee, r.Adresse, r.ComplementAdresse,
		f(r.Latitude), f(r.Longitude), r.Typologie, r.Telephone, r.Courriels, r.SiteWeb, r.Horaires,
		r.PresentationResume, r.PresentationDetail, r.Source, r.Itinerance, r.StructureParente,
		r.DateMaj, r.Services, r.PublicsSpecifiquementAdresses, r.PriseEnChargeSpecifique,
		r.FraisACharge, r.DispositifProgrammesNationaux, r.FormationsLabels,
		r.AutresFormationsLabels, r.ModalitesAcces, r.ModalitesAccompagnement,
		r.FicheAccesLibre, r.PriseRdv,
	}
}

// set sets the field named col (a member of Columns) from its text; a
// coordinate that is not a number is an error.
func (r *Record) set(col, v string) error {
	switch col {
	case "latitude", "longitude":
		v = strings.TrimSpace(strings.Replace(v, ",", ".", 1))
		if v == "" {
			return nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return invalid(col, "%q is not a number", "%q n'est pas un nombre", v)
		}
		if col == "latitude" {
			r.Latitude = &f
		} else {
			r.Longitude = &f
		}
		return nil
	}
	if p := r.field(col); p != nil {
		*p = v
	}
	return nil
}

func (r *Record) field(col string) *string {
	switch col {
	case "id":
		return &r.ID
	case "pivot":
		return &r.Pivot
	case "nom":
		return &r.Nom
	case "commune":
		return &r.Commune
	case "code_postal":
		return &r.CodePostal
	case "code_insee":
		return &r.CodeInsee
	case "adresse":
		return &r.Adresse
	case "complement_adresse":
		return &r.ComplementAdresse
	case "typologie":
		return &r.Typologie
	case "telephone":
		return &r.Telephone
	case "courriels":
		return &r.Courriels
	case "site_web":
		return &r.SiteWeb
	case "horaires":
		return &r.Horaires
	case "presentation_resume":
		return &r.PresentationResume
	case "presentation_detail":
		return &r.PresentationDetail
	case "source":
		return &r.Source
	case "itinerance":
		return &r.Itinerance
	case "structure_parente":
		return &r.StructureParente
	case "date_maj":
		return &r.DateMaj
	case "services":
		return &r.Services
	case "publics_specifiquement_adresses":
		return &r.PublicsSpecifiquementAdresses
	case "prise_en_charge_specifique":
		return &r.PriseEnChargeSpecifique
	case "frais_a_charge":
		return &r.FraisACharge
	case "dispositif_programmes_nationaux":
		return &r.DispositifProgrammesNationaux
	case "formations_labels":
		return &r.FormationsLabels
	case "autres_formations_labels":
		return &r.AutresFormationsLabels
	case "modalites_acces":
		return &r.ModalitesAcces
	case "modalites_accompagnement":
		return &r.ModalitesAccompagnement
	case "fiche_acces_libre":
		return &r.FicheAccesLibre
	case "prise_rdv":
		return &r.PriseRdv
	}
	return nil
}

// WriteJSON writes the places as the standard's JSON form: an array of
// flat records.
func WriteJSON(w io.Writer, list []*Place) error {
	recs := make([]Record, 0, len(list))
	for _, p := range list {
		recs = append(recs, p.Record())
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(recs)
}

// WriteCSV writes the places as the standard's CSV: a header of Columns,
// one row per place, comma-separated, UTF-8.
func WriteCSV(w io.Writer, list []*Place) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, p := range list {
		r := p.Record()
		if err := cw.Write(r.fields()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
