package schema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
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
// ids unique, https links, known frameworks, competencies and levels.
func ParseCatalogue(data []byte, fws *Frameworks) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, Errorf(EINVALID, "resource catalogue: %v", "catalogue de ressources : %v", err)
	}
	seen := map[string]bool{}
	for _, r := range c.Resources {
		bad := func(en, fr string) error {
			return &Error{Code: EINVALID, Message: fmt.Sprintf("resource %q: %s", r.ID, en), MessageFR: fmt.Sprintf("ressource %q : %s", r.ID, fr)}
		}
		if r.ID == "" || seen[r.ID] {
			return nil, bad("missing or repeated id", "identifiant absent ou répété")
		}
		seen[r.ID] = true
		if u, err := url.Parse(r.URL); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, bad("the link must be an https URL", "le lien doit être une URL https")
		}
		if r.Name.In("fr") == "" {
			return nil, bad("a name is required", "un nom est obligatoire")
		}
		for _, cv := range r.Covers {
			fw, err := fws.Get(cv.Framework)
			if err != nil {
				return nil, err
			}
			for _, code := range cv.Competencies {
				if _, _, err := fw.Competency(code); err != nil {
					return nil, err
				}
			}
			_, from, err1 := fw.Level(cv.From)
			_, to, err2 := fw.Level(cv.To)
			if err1 != nil || err2 != nil || from > to {
				return nil, bad("levels from/to are not a range of the framework", "les niveaux from/to ne forment pas un intervalle du référentiel")
			}
		}
	}
	return &c, nil
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
			if rank < from || rank > to || !contains(cv.Competencies, competency) {
				continue
			}
			out = append(out, r)
			break
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
