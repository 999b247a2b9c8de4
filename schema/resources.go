package schema

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Resource is a self-training resource a learner can use on their own:
// what it is, where, who provides it, and which competencies and levels it
// helps with.
type Resource struct {
	ID        string     `json:"id"`
	Name      Text       `json:"name"`
	URL       string     `json:"url"`
	Provider  string     `json:"provider"`
	Free      bool       `json:"free"`
	Languages []string   `json:"languages"`
	Covers    []Coverage `json:"covers"`

	// Kept by the store, not part of the resource's JSON.
	UpdatedBy string    `json:"-"` // label of the administrator who last saved it; "" for the starter set
	UpdatedAt time.Time `json:"-"`
}

// Coverage says a resource helps with competencies of a framework, from one
// level to another (both included).
type Coverage struct {
	Framework    string   `json:"framework"`
	Competencies []string `json:"competencies"`
	From         string   `json:"from"`
	To           string   `json:"to"`
}

// Catalogue is a list of resources.
type Catalogue struct {
	Note      string     `json:"note,omitempty"`
	Resources []Resource `json:"resources"`
}

//go:embed resources/starter.json
var starterCatalogue []byte

// StarterCatalogue returns the small catalogue of free public resources
// Carnet ships with.
func StarterCatalogue(fws *Frameworks) (*Catalogue, error) {
	return ParseCatalogue(starterCatalogue, fws)
}

// ParseCatalogue decodes a catalogue and checks it against the frameworks:
// ids unique, and each resource valid (see Resource.Validate).
func ParseCatalogue(data []byte, fws *Frameworks) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, Errorf(EINVALID, "resource catalogue: %v", "catalogue de ressources : %v", err)
	}
	seen := map[string]bool{}
	for i := range c.Resources {
		r := &c.Resources[i]
		if seen[r.ID] {
			return nil, Errorf(EINVALID, "resource %q: repeated id", "ressource %q : identifiant répété", r.ID)
		}
		seen[r.ID] = true
		if err := r.Validate(fws); err != nil {
			var e *Error
			if errors.As(err, &e) {
				return nil, &Error{Code: e.Code, Message: fmt.Sprintf("resource %q: %s", r.ID, e.Message),
					MessageFR: fmt.Sprintf("ressource %q : %s", r.ID, e.MessageFR)}
			}
			return nil, err
		}
	}
	return &c, nil
}

// Limits on a resource's fields.
const (
	MaxResourceID       = 60
	MaxResourceName     = 200
	MaxResourceURL      = 500
	MaxResourceProvider = 200
	MaxResourceCovers   = 20
)

// Validate checks a resource against the frameworks: the id a slug, a
// French name (the English one optional), an https link, a provider, at
// least one language as an ISO 639-1 code, and at least one coverage, each
// with a known framework, known competencies and a range of its levels. It
// puts the names and the provider in their clean form (CleanLabel).
func (r *Resource) Validate(fws *Frameworks) error {
	if !resourceID(r.ID) {
		return Errorf(EINVALID, "the id %q must be 1 to %d lowercase letters, digits or '-'",
			"l'identifiant %q doit compter 1 à %d lettres minuscules, chiffres ou '-'", r.ID, MaxResourceID)
	}
	for l := range r.Name {
		if l != "fr" && l != "en" {
			return Errorf(EINVALID, "names are in French and English only (not %q)", "les noms sont en français et en anglais seulement (pas %q)", l)
		}
		n, err := CleanLabel(r.Name[l], MaxResourceName, "the name ("+l+")", "le nom ("+l+")")
		if err != nil {
			return err
		}
		r.Name[l] = n
	}
	if r.Name["fr"] == "" {
		return Errorf(EINVALID, "a name in French is required", "un nom en français est obligatoire")
	}
	if len(r.URL) > MaxResourceURL {
		return Errorf(EINVALID, "the link is longer than %d characters", "le lien dépasse %d caractères", MaxResourceURL)
	}
	if u, err := url.Parse(r.URL); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(r.URL, " \t\n\"<>") {
		return Errorf(EINVALID, "the link must be an https address (https://…)", "le lien doit être une adresse https (https://…)")
	}
	p, err := CleanLabel(r.Provider, MaxResourceProvider, "the provider", "le fournisseur")
	if err != nil {
		return err
	} else if p == "" {
		return Errorf(EINVALID, "the provider is required", "le fournisseur est obligatoire")
	}
	r.Provider = p
	if len(r.Languages) == 0 {
		return Errorf(EINVALID, "give at least one language (ISO 639-1 code such as fr or en)",
			"indiquez au moins une langue (code ISO 639-1 comme fr ou en)")
	}
	seen := map[string]bool{}
	for _, l := range r.Languages {
		if len(l) != 2 || !strings.Contains(iso6391, " "+l+" ") {
			return Errorf(EINVALID, "%q is not an ISO 639-1 language code (fr, en, ar…)", "%q n'est pas un code de langue ISO 639-1 (fr, en, ar…)", l)
		}
		if seen[l] {
			return Errorf(EINVALID, "the language %s is repeated", "la langue %s est répétée", l)
		}
		seen[l] = true
	}
	if len(r.Covers) == 0 {
		return Errorf(EINVALID, "say what the resource covers: at least one framework, competencies and levels",
			"indiquez ce que couvre la ressource : au moins un référentiel, des compétences et des niveaux")
	}
	if len(r.Covers) > MaxResourceCovers {
		return Errorf(EINVALID, "at most %d coverage rows", "au plus %d lignes de couverture", MaxResourceCovers)
	}
	for i, cv := range r.Covers {
		if err := cv.validate(fws); err != nil {
			var e *Error
			if errors.As(err, &e) {
				return &Error{Code: e.Code, Message: fmt.Sprintf("coverage %d: %s", i+1, e.Message),
					MessageFR: fmt.Sprintf("couverture %d : %s", i+1, e.MessageFR)}
			}
			return err
		}
	}
	return nil
}

func (cv *Coverage) validate(fws *Frameworks) error {
	fw, err := fws.Get(cv.Framework)
	if err != nil {
		return err
	}
	if len(cv.Competencies) == 0 {
		return Errorf(EINVALID, "give at least one competency of %s", "indiquez au moins une compétence de %s", fw.ID)
	}
	seen := map[string]bool{}
	for _, code := range cv.Competencies {
		comp, _, err := fw.Competency(code)
		if err != nil {
			return err
		}
		if seen[comp.Code] {
			return Errorf(EINVALID, "competency %s is repeated", "la compétence %s est répétée", code)
		}
		seen[comp.Code] = true
	}
	_, from, err := fw.Level(cv.From)
	if err != nil {
		return err
	}
	_, to, err := fw.Level(cv.To)
	if err != nil {
		return err
	}
	if from > to {
		return Errorf(EINVALID, "the levels go from %s to %s: the first must not be above the second",
			"les niveaux vont de %s à %s : le premier ne doit pas dépasser le second", cv.From, cv.To)
	}
	return nil
}

func resourceID(s string) bool {
	if s == "" || len(s) > MaxResourceID || s[0] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// iso6391 lists the ISO 639-1 language codes, between spaces.
const iso6391 = " aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu" +
	" fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks" +
	" ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu" +
	" rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa" +
	" wo xh yi yo za zh zu "

// ResourceStore keeps the instance's catalogue of self-training resources,
// in the order the catalogue shows them. A new instance starts with the
// starter catalogue, stored on first use; once stored, it is the
// administrators' to edit (deleting every resource leaves the catalogue
// empty).
type ResourceStore interface {
	// ListResources returns the resources in catalogue order.
	ListResources(ctx context.Context) ([]*Resource, error)
	// FindResource returns one resource; ENOTFOUND when there is none.
	FindResource(ctx context.Context, id string) (*Resource, error)
	// CreateResource validates a resource and adds it at the end of the
	// catalogue; ECONFLICT when its id is taken.
	CreateResource(ctx context.Context, r *Resource) error
	// UpdateResource validates a resource and replaces the one with its
	// id, keeping its place; ENOTFOUND when there is none.
	UpdateResource(ctx context.Context, r *Resource) error
	DeleteResource(ctx context.Context, id string) error
}

// CatalogueOf makes a catalogue of stored resources.
func CatalogueOf(list []*Resource) *Catalogue {
	c := &Catalogue{Resources: make([]Resource, 0, len(list))}
	for _, r := range list {
		c.Resources = append(c.Resources, *r)
	}
	return c
}

// Suggest returns the resources that help reach level (the next level to
// work on) in a competency of fw, in catalogue order.
func (c *Catalogue) Suggest(fw *Framework, competency, level string) []Resource {
	_, rank, err := fw.Level(level)
	if err != nil {
		return nil
	}
	var out []Resource
	for _, r := range c.Resources {
		for _, cv := range r.Covers {
			if cv.Framework != fw.ID {
				continue
			}
			_, from, _ := fw.Level(cv.From)
			_, to, _ := fw.Level(cv.To)
			if rank < from || rank > to || !coversCompetency(fw, cv.Competencies, competency) {
				continue
			}
			out = append(out, r)
			break
		}
	}
	return out
}

// coversCompetency tells whether list names competency, under its current
// code or a former one.
func coversCompetency(fw *Framework, list []string, competency string) bool {
	want := fw.CanonicalCode(competency)
	for _, x := range list {
		if fw.CanonicalCode(x) == want {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ShortLink returns the resource's link as printed, without its https://
// and a final slash: "pix.fr", "www.lesbonsclics.fr".
func (r *Resource) ShortLink() string {
	s := strings.TrimPrefix(r.URL, "https://")
	if i := strings.IndexAny(s, "/?#"); i >= 0 && s[i:] == "/" {
		s = s[:i]
	}
	return s
}

// SuggestIn is Suggest with the resources in lang first; ties keep the
// catalogue's order.
func (c *Catalogue) SuggestIn(fw *Framework, competency, level, lang string) []Resource {
	all := c.Suggest(fw, competency, level)
	var in, other []Resource
	for _, r := range all {
		if contains(r.Languages, lang) {
			in = append(in, r)
		} else {
			other = append(other, r)
		}
	}
	return append(in, other...)
}
