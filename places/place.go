// Package places is the network's places on the national standard, the
// schéma de données des lieux de médiation numérique (LaMednum / ANCT,
// version 1.0.1): the place and its validation with the standard's
// constraints and French labels, its flat form (JSON and CSV, lists joined
// by "|"), the streamed import of the national dataset, opening hours in
// OpenStreetMap syntax and the distance ranking. Its SQL lives in sqlite,
// its HTTP in web. Standard library and schema only.
package places

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"carnet/schema"
)

// Place is one lieu de médiation numérique. Lists are the standard's
// multi-valued fields ("|"-joined in its flat form).
type Place struct {
	ID                            string
	Pivot                         string
	Nom                           string
	Adresse                       string
	ComplementAdresse             string
	CodePostal                    string
	CodeInsee                     string
	Commune                       string
	Latitude, Longitude           *float64
	Typologies                    []string
	Telephone                     string
	Courriels                     []string
	SiteWeb                       []string
	Horaires                      string
	PresentationResume            string
	PresentationDetail            string
	Source                        string
	StructureParente              string
	DateMaj                       string // YYYY-MM-DD
	Services                      []string
	PublicsSpecifiquementAdresses []string
	PriseEnChargeSpecifique       []string
	FraisACharge                  []string
	Itinerance                    []string
	DispositifProgrammesNationaux []string
	FormationsLabels              []string
	AutresFormationsLabels        []string
	ModalitesAcces                []string
	ModalitesAccompagnement       []string
	FicheAccesLibre               string
	PriseRdv                      string
}

// HasCoordinates says whether the place has both coordinates.
func (p *Place) HasCoordinates() bool { return p.Latitude != nil && p.Longitude != nil }

// The standard's French titles of its fields, for messages.
var labels = map[string]string{
	"id": "Identifiant unique local du lieu", "pivot": "SIRET ou RNA ou RIDET", "nom": "Nom",
	"commune": "Commune", "code_postal": "Code postal", "code_insee": "Code INSEE", "adresse": "Adresse",
	"complement_adresse": "Complément d'adresse", "latitude": "Latitude", "longitude": "Longitude",
	"typologie": "Typologie", "telephone": "Numéro de téléphone", "courriels": "Courriel(s)",
	"site_web": "Site web", "horaires": "Horaires", "presentation_resume": "Présentation résumé",
	"presentation_detail": "Présentation détaillée", "source": "Structure collectant la donnée",
	"itinerance": "Itinérance", "structure_parente": "Structure parente", "date_maj": "Date de mise à jour",
	"services": "Services", "publics_specifiquement_adresses": "Publics spécifiquement adressés",
	"prise_en_charge_specifique": "Prise en charge spécifique", "frais_a_charge": "Frais à charge",
	"dispositif_programmes_nationaux": "Dispositifs et programmes nationaux",
	"formations_labels":               "Formations et labels", "autres_formations_labels": "Autres formations et labels",
	"modalites_acces": "Modalités d'accès", "modalites_accompagnement": "Modalités d'accompagnement",
	"fiche_acces_libre": "Fiche Accès libre", "prise_rdv": "Prise de rdv",
}

// Label returns the standard's French title of a field.
func Label(field string) string {
	if l, ok := labels[field]; ok {
		return l
	}
	return field
}

func invalid(field, en, fr string, args ...any) error {
	e := schema.Errorf(schema.EINVALID, en, fr, args...)
	e.Message = fmt.Sprintf("%s (%s): %s", Label(field), field, e.Message)
	e.MessageFR = fmt.Sprintf("%s (%s) : %s", Label(field), field, e.MessageFR)
	return e
}

// The standard's patterns, narrowed where the reference implementation is
// stricter, so that whatever passes here passes both.
var (
	reCodePostal = regexp.MustCompile(`^\d{5}$`)
	reCodeInsee  = regexp.MustCompile(`^([013-9]\d|2[AB1-9])\d{3}$`)
	reCommune    = regexp.MustCompile(`^[A-Za-z\dÀ-ÖØ-öø-ÿœ-ŸŒ\-'’\s]+$`)
	reVoie       = regexp.MustCompile(`^[0-9A-Za-z\dÀ-ÖØ-öø-ÿœ-ŸŒ\-,()°.&:+–|;'’/\s]+$`)
	reTelephone  = regexp.MustCompile(`^\+(33|590|594|262|596|269|687|689|508|681)([1-9]\d{8}|\d{6})$`)
	reCourriel   = regexp.MustCompile("^[a-zA-Z0-9_][a-zA-Z0-9.!#$%&'*+\\\\=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])+$")
	reURL        = regexp.MustCompile(`^https?://(?:[;:&=+$,\w-]+@)?[A-Za-z0-9.-]+(?:(?:/[+~,%@/.\w_-]*)?\??[-+=&;%@.\w_]*#?[.!/\\\w]*)?$`)
	reSIRET      = regexp.MustCompile(`^\d{14}$`)
	reRNA        = regexp.MustCompile(`^W[a-zA-Z0-9]{9}$`)
	reDate       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// MaxResume is the standard's limit on presentation_resume, in characters.
const MaxResume = 280

// Validate checks p against the standard: required fields, patterns,
// vocabularies, coordinates and opening hours. The error names the field
// with the standard's French title.
func (p *Place) Validate() error {
	if strings.TrimSpace(p.ID) == "" {
		return invalid("id", "required", "obligatoire")
	}
	if !reSIRET.MatchString(p.Pivot) && !reRNA.MatchString(p.Pivot) {
		return invalid("pivot", "%q is neither a SIRET (14 digits) nor an RNA number (W and 9 letters or digits)",
			"%q n'est ni un SIRET (14 chiffres) ni un numéro RNA (W suivi de 9 lettres ou chiffres)", p.Pivot)
	}
	if strings.TrimSpace(p.Nom) == "" {
		return invalid("nom", "required", "obligatoire")
	}
	if p.Adresse == "" || !reVoie.MatchString(p.Adresse) {
		return invalid("adresse", "%q: give the street (number, type and name of the street)", "%q : indiquez la voie (numéro, type et nom de la voie)", p.Adresse)
	}
	if !reCodePostal.MatchString(p.CodePostal) {
		return invalid("code_postal", "%q is not 5 digits", "%q n'est pas fait de 5 chiffres", p.CodePostal)
	}
	if p.CodeInsee != "" && !reCodeInsee.MatchString(p.CodeInsee) {
		return invalid("code_insee", "%q is not a commune's INSEE code (5 characters, e.g. 51454 or 2A004)",
			"%q n'est pas un code INSEE de commune (5 caractères, par ex. 51454 ou 2A004)", p.CodeInsee)
	}
	if !reCommune.MatchString(p.Commune) {
		return invalid("commune", "%q: letters, digits, spaces, hyphens and apostrophes only", "%q : lettres, chiffres, espaces, tirets et apostrophes seulement", p.Commune)
	}
	if (p.Latitude == nil) != (p.Longitude == nil) {
		return invalid("latitude", "give both latitude and longitude, or neither", "indiquez la latitude et la longitude, ou aucune des deux")
	}
	if p.Latitude != nil && (math.IsNaN(*p.Latitude) || *p.Latitude < -90 || *p.Latitude > 90) {
		return invalid("latitude", "must be between -90 and 90", "doit être comprise entre -90 et 90")
	}
	if p.Longitude != nil && (math.IsNaN(*p.Longitude) || *p.Longitude < -180 || *p.Longitude > 180) {
		return invalid("longitude", "must be between -180 and 180", "doit être comprise entre -180 et 180")
	}
	if p.Telephone != "" && !reTelephone.MatchString(p.Telephone) {
		return invalid("telephone", "%q: use the international form without spaces, e.g. +33180059880", "%q : utilisez le format international sans espaces, par ex. +33180059880", p.Telephone)
	}
	for _, c := range p.Courriels {
		if !reCourriel.MatchString(c) {
			return invalid("courriels", "%q is not an e-mail address", "%q n'est pas une adresse électronique", c)
		}
	}
	for f, urls := range map[string][]string{"site_web": p.SiteWeb, "fiche_acces_libre": {p.FicheAccesLibre}, "prise_rdv": {p.PriseRdv}} {
		for _, u := range urls {
			if u != "" && (len(u) > 500 || !reURL.MatchString(u)) {
				return invalid(f, "%q is not an http(s) URL", "%q n'est pas une adresse http(s)", u)
			}
		}
	}
	if p.Horaires != "" {
		if err := ValidateHours(p.Horaires); err != nil {
			return invalid("horaires", "%s", "%s", err.Error())
		}
	}
	if utf8.RuneCountInString(p.PresentationResume) > MaxResume {
		return invalid("presentation_resume", "at most %d characters", "%d caractères au plus", MaxResume)
	}
	if !reDate.MatchString(p.DateMaj) {
		return invalid("date_maj", "%q is not a date YYYY-MM-DD", "%q n'est pas une date AAAA-MM-JJ", p.DateMaj)
	} else if _, err := time.Parse("2006-01-02", p.DateMaj); err != nil {
		return invalid("date_maj", "%q is not a date YYYY-MM-DD", "%q n'est pas une date AAAA-MM-JJ", p.DateMaj)
	}
	for _, v := range []struct {
		field string
		got   []string
		vocab []string
	}{
		{"typologie", p.Typologies, Typologies},
		{"services", p.Services, Services},
		{"publics_specifiquement_adresses", p.PublicsSpecifiquementAdresses, PublicsSpecifiquementAdresses},
		{"prise_en_charge_specifique", p.PriseEnChargeSpecifique, PrisesEnChargeSpecifiques},
		{"frais_a_charge", p.FraisACharge, FraisACharge},
		{"itinerance", p.Itinerance, Itinerances},
		{"dispositif_programmes_nationaux", p.DispositifProgrammesNationaux, DispositifProgrammesNationaux},
		{"formations_labels", p.FormationsLabels, FormationsLabels},
		{"modalites_acces", p.ModalitesAcces, ModalitesAcces},
		{"modalites_accompagnement", p.ModalitesAccompagnement, ModalitesAccompagnement},
	} {
		for _, g := range v.got {
			if !slices.Contains(v.vocab, g) {
				return invalid(v.field, "%q is not in the standard's list (%s)", "%q n'est pas dans la liste du standard (%s)", g, strings.Join(v.vocab, " | "))
			}
		}
	}
	for _, l := range p.AutresFormationsLabels {
		if strings.Contains(l, "|") {
			return invalid("autres_formations_labels", "%q holds the separator |", "%q contient le séparateur |", l)
		}
	}
	return nil
}

// InFrance says whether the coordinates fall in metropolitan France,
// Corsica or an overseas territory the standard's phone prefixes name
// (rough boxes: a warning, never a refusal).
func InFrance(lat, lon float64) bool {
	for _, b := range [][4]float64{
		{41.2, 51.2, -5.5, 9.7},      // metropolitan France and Corsica
		{15.8, 18.2, -63.2, -60.7},   // Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy
		{2.0, 6.0, -54.7, -51.5},     // Guyane
		{-21.5, -20.8, 55.1, 55.9},   // La Réunion
		{-13.1, -12.6, 44.9, 45.4},   // Mayotte
		{46.7, 47.2, -56.5, -56.1},   // Saint-Pierre-et-Miquelon
		{-23, -19, 163, 169},         // Nouvelle-Calédonie
		{-28, -7, -155, -134},        // Polynésie française
		{-14.4, -13.1, -178.3, -176}, // Wallis-et-Futuna
	} {
		if lat >= b[0] && lat <= b[1] && lon >= b[2] && lon <= b[3] {
			return true
		}
	}
	return false
}

// NormalizePhone turns common French writings of a phone number (spaces,
// dots, a national 0, 0033) into the standard's international form; what
// it cannot read is returned as given.
func NormalizePhone(s string) string {
	t := strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' || r == '\u00a0' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	t = strings.Replace(t, "+330", "+33", 1)
	if strings.HasPrefix(t, "00") {
		t = "+" + t[2:]
	} else if len(t) == 10 && t[0] == '0' {
		t = overseasPrefix(t[:4]) + t[1:]
	}
	if reTelephone.MatchString(t) {
		return t
	}
	return s
}

// overseasPrefix is the country code of a national number by its first
// four digits: the overseas departments have their own.
func overseasPrefix(p string) string {
	switch p {
	case "0262", "0263", "0269", "0639", "0692", "0693":
		return "+262"
	case "0590", "0690", "0691":
		return "+590"
	case "0594", "0694":
		return "+594"
	case "0596", "0696", "0697":
		return "+596"
	}
	return "+33"
}

// NormalizePivot removes the spaces of a SIRET.
func NormalizePivot(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
