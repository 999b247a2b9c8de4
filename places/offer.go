package places

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"

	"carnet/schema"
)

// Offer is what a structure of the network offers for a next step: a
// workshop or an individual service, the framework competences and the
// levels it serves. The standard says what kind of help a place gives; the
// offer says for which next level.
type Offer struct {
	ID           string   `json:"id"`
	Structure    string   `json:"structure"` // the slug of the structure that offers it
	Title        string   `json:"title"`
	Kind         string   `json:"kind"` // KindWorkshop or KindIndividual
	Framework    string   `json:"framework"`
	Competencies []string `json:"competencies"`
	From         string   `json:"from"` // lowest level served (a level id of the framework)
	To           string   `json:"to"`   // highest level served
	Schedule     string   `json:"schedule"`
	Price        string   `json:"price"` // one of the standard's frais_a_charge
	PriceDetail  string   `json:"price_detail"`
	Languages    []string `json:"languages"` // ISO 639-1
	Services     []string `json:"services"`  // the standard's services it belongs to (optional)

	// Kept by the store for queries: the ranks of From and To in the
	// framework's level order.
	FromRank int `json:"-"`
	ToRank   int `json:"-"`
}

// The kinds of offer, with the standard's support modes they match.
const (
	KindWorkshop   = "atelier"    // Dans un atelier collectif
	KindIndividual = "individuel" // Accompagnement individuel
)

// Limits on an offer's free texts.
const (
	MaxOfferTitle    = 200
	MaxOfferSchedule = 300
	MaxOfferDetail   = 300
)

// NewOfferID returns a random offer id.
func NewOfferID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "o-" + hex.EncodeToString(b)
}

// Validate checks the offer against the frameworks and the standard's
// lists, cleans its texts and sets FromRank and ToRank.
func (o *Offer) Validate(fws *schema.Frameworks) error {
	var err error
	if o.Title, err = schema.CleanLabel(o.Title, MaxOfferTitle, "the title", "le titre"); err != nil {
		return err
	} else if o.Title == "" {
		return schema.Errorf(schema.EINVALID, "the title is required", "le titre est obligatoire")
	}
	if o.Kind != KindWorkshop && o.Kind != KindIndividual {
		return schema.Errorf(schema.EINVALID, "kind must be %q (workshop) or %q (individual support)",
			"kind doit valoir %q (atelier collectif) ou %q (accompagnement individuel)", KindWorkshop, KindIndividual)
	}
	fw, err := fws.Get(o.Framework)
	if err != nil {
		return err
	}
	if len(o.Competencies) == 0 {
		return schema.Errorf(schema.EINVALID, "give at least one competency of %s", "indiquez au moins une compétence de %s", fw.ID)
	}
	seen := map[string]bool{}
	for i, code := range o.Competencies {
		c, _, err := fw.Competency(code)
		if err != nil {
			return err
		}
		if seen[c.Code] {
			return schema.Errorf(schema.EINVALID, "competency %s is repeated", "la compétence %s est répétée", code)
		}
		seen[c.Code] = true
		o.Competencies[i] = c.Code
	}
	if _, o.FromRank, err = fw.Level(o.From); err != nil {
		return err
	}
	if _, o.ToRank, err = fw.Level(o.To); err != nil {
		return err
	}
	if o.FromRank > o.ToRank {
		return schema.Errorf(schema.EINVALID, "the levels go from %s to %s: the first must not be above the second",
			"les niveaux vont de %s à %s : le premier ne doit pas dépasser le second", o.From, o.To)
	}
	if o.Schedule, err = schema.CleanLabel(o.Schedule, MaxOfferSchedule, "the schedule", "les horaires"); err != nil {
		return err
	}
	if o.PriceDetail, err = schema.CleanLabel(o.PriceDetail, MaxOfferDetail, "the price details", "le détail du prix"); err != nil {
		return err
	}
	return o.checkTerms()
}

// Serves says whether the offer serves a competency at a level rank.
func (o *Offer) Serves(framework, competency string, rank int) bool {
	return o.Framework == framework && slices.Contains(o.Competencies, competency) && o.FromRank <= rank && rank <= o.ToRank
}

// ServiceFor returns the standard's service whose places help with a
// competency of the shared digital frameworks, by its area (DigComp 2.2 and
// CRCN share the five areas): information and communication → Maîtrise des
// outils numériques du quotidien, content creation → Loisirs et créations
// numériques, safety → Utilisation sécurisée du numérique, problem
// solving / digital environment → Compréhension du monde numérique; ""
// for other frameworks (a language framework has no service of its own).
func ServiceFor(framework, competency string) string {
	if framework != "digcomp-2.2" && framework != "crcn-2019" {
		return ""
	}
	area, _, _ := strings.Cut(competency, ".")
	switch area {
	case "1", "2":
		return "Maîtrise des outils numériques du quotidien"
	case "3":
		return "Loisirs et créations numériques"
	case "4":
		return "Utilisation sécurisée du numérique"
	case "5":
		return "Compréhension du monde numérique"
	}
	return ""
}

// AuditImported is the audit action of an import of places.
const AuditImported = "places_imported"

// AuditTilesSet is the audit action of a change of the map's tile layer.
const AuditTilesSet = "places_tiles_set"

// AuditShared is the audit action of a fetch of a partner's places.
const AuditShared = "places_shared"

// PartnerSourcePrefix starts the source of the places a partner Carnet
// shares: "carnet:" and the partner's base URL.
const PartnerSourcePrefix = "carnet:"
