package card

import (
	"strconv"
	"strings"

	"carnet/i18n"
)

// a4Labels are the fixed texts of the attestation's assessment, signature
// and next steps blocks in one language (the attestation's other labels
// are in texts.go).
type a4Labels struct {
	assessTitle   string // the assessment block's heading
	method        string
	defaultMethod string // when the credential records no method
	evidence      string // observed tasks and evidence
	assessedBy    string
	doneAt        string // the signature area: place…
	on            string // …and date
	signature     string
	stamp         string
	places        string // the next steps' column of places' keys
	nearest       string // the heading of the places' legend
	seePlaces     string // no resource, some places
	topLevel      string // the level cell of a competency at the highest level
	topNote       string
	askNote       string // nothing suggested, no place known
	continued     string // the heading of the next page
	listGoesOn    string // under the list that continues on the next page
	nextOverleaf  string // under the list when the next steps are on the next page
	page          string // "page %d"
	phone         string
	km            func(float64) string
}

func (l *a4Labels) strings() []string {
	return []string{l.assessTitle, l.method, l.defaultMethod, l.evidence, l.assessedBy, l.doneAt, l.on,
		l.signature, l.stamp, l.places, l.nearest, l.seePlaces, l.topLevel, l.topNote, l.askNote, l.continued, l.listGoesOn, l.nextOverleaf, l.page, l.phone,
		"0123456789,.km%/()"}
}

// a4Texts are the attestation's labels in each language, from the
// catalogue (package i18n, domain Card, keys a4_…).
var a4Texts = map[string]*a4Labels{"fr": a4LabelsIn("fr"), "en": a4LabelsIn("en")}

// a4LabelsIn builds the labels of lang from the catalogue; km, a number
// format, stays here.
func a4LabelsIn(lang string) *a4Labels {
	l := func(key string) string { return i18n.Text(i18n.Card, lang, "a4_"+key) }
	km := func(d float64) string { return kmText(d) + " km" }
	if lang == "fr" {
		km = func(d float64) string { return strings.Replace(kmText(d), ".", ",", 1) + " km" }
	}
	return &a4Labels{
		assessTitle:   l("assess_title"),
		method:        l("method"),
		defaultMethod: l("default_method"),
		evidence:      l("evidence"),
		assessedBy:    l("assessed_by"),
		doneAt:        l("done_at"),
		on:            l("on"),
		signature:     l("signature"),
		stamp:         l("stamp"),
		places:        l("places"),
		nearest:       l("nearest"),
		seePlaces:     l("see_places"),
		topLevel:      l("top_level"),
		topNote:       l("top_note"),
		askNote:       l("ask_note"),
		continued:     l("continued"),
		listGoesOn:    l("list_goes_on"),
		nextOverleaf:  l("next_overleaf"),
		page:          l("page"),
		phone:         l("phone"),
		km:            km,
	}
}

// kmText is a distance to one decimal under 10 km, else whole.
func kmText(d float64) string {
	if d < 10 {
		return strconv.FormatFloat(d, 'f', 1, 64)
	}
	return strconv.FormatFloat(d, 'f', 0, 64)
}

// placeText is a place as printed in one line: name, commune, distance,
// phone and hours, those known.
func placeText(p Place, lang string) string {
	l := a4Texts["fr"]
	if lang == "en" {
		l = a4Texts["en"]
	}
	parts := []string{strings.TrimSpace(p.Name)}
	if c := strings.TrimSpace(p.Commune); c != "" {
		parts[0] += ", " + c
	}
	if p.DistanceKm >= 0 {
		parts = append(parts, l.km(p.DistanceKm))
	}
	if ph := strings.TrimSpace(p.Phone); ph != "" {
		parts = append(parts, l.phone+" "+ph)
	}
	if h := strings.TrimSpace(p.Hours); h != "" {
		parts = append(parts, h)
	}
	return strings.Join(parts, " · ")
}
