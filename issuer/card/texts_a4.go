package card

import (
	"strconv"
	"strings"
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

var a4Texts = map[string]*a4Labels{
	"fr": {
		assessTitle:   "Évaluation",
		method:        "Méthode",
		defaultMethod: "Évaluation par un·e médiateur·rice, compétence par compétence, selon les niveaux du référentiel",
		evidence:      "Tâches observées et preuves",
		assessedBy:    "Évalué par",
		doneAt:        "Fait à",
		on:            "le",
		signature:     "Signature du médiateur ou de la médiatrice",
		stamp:         "Cachet de la structure",
		places:        "Lieux",
		nearest:       "Lieux les plus proches de la structure",
		seePlaces:     "Un atelier ou un accompagnement dans un lieu proche :",
		topLevel:      "Plus haut niveau atteint",
		topNote:       "Continuer à pratiquer, et aider d’autres personnes à progresser.",
		askNote:       "Demandez à votre médiateur·rice un atelier ou une ressource pour ce niveau.",
		continued:     "Suite de l’attestation de compétences",
		listGoesOn:    "La liste continue page suivante",
		nextOverleaf:  "Les prochains niveaux, des ressources et des lieux proches pour continuer : page suivante",
		page:          "page %d",
		phone:         "tél.",
		km:            func(d float64) string { return strings.Replace(kmText(d), ".", ",", 1) + " km" },
	},
	"en": {
		assessTitle:   "Assessment",
		method:        "Method",
		defaultMethod: "Assessed by a mediator, competence by competence, against the framework’s levels",
		evidence:      "Observed tasks and evidence",
		assessedBy:    "Assessed by",
		doneAt:        "Done at",
		on:            "on",
		signature:     "Mediator’s signature",
		stamp:         "Stamp of the structure",
		places:        "Places",
		nearest:       "Nearest places to the structure",
		seePlaces:     "A workshop or support at a place nearby:",
		topLevel:      "Top level reached",
		topNote:       "Keep practising, and help others progress.",
		askNote:       "Ask your mediator for a workshop or a resource for this level.",
		continued:     "Skills certificate, continued",
		listGoesOn:    "The list continues on the next page",
		nextOverleaf:  "The next levels, resources and places nearby to continue: on the next page",
		page:          "page %d",
		phone:         "tel.",
		km:            func(d float64) string { return kmText(d) + " km" },
	},
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
