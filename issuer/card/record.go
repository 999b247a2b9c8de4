package card

import (
	"net/url"
	"strings"

	"carnet/issuer"
	"carnet/schema"
)

// FromRecord builds the card of a stored credential in card language lang
// (see Langs; empty: the structure's, st.CardLang, French by default):
// titles from the framework in its first language, the issuing structure's name, the host of the
// instance (where the QR code leads and the short code is checked) as the
// domain a partner must see, and baseURL + "/verify" as the address where
// the short code is typed. Levels follow the framework's order, each with
// its place on the framework's scale. Next holds, per competency, the
// next level and the first resource the catalogue suggests for it (those
// in lang first; none without a catalogue), or that the competency is at
// the framework's top level; Places are left for the caller to set. The
// method, evidence and mediator are those the credential records. The layout is the default (card); the logo is left for the
// caller to set.
func FromRecord(rec *schema.CredentialRecord, st *schema.Structure, fws *schema.Frameworks, cat *schema.Catalogue, baseURL, lang string) (*Card, error) {
	if rec.CardToken == "" {
		return nil, schema.Errorf(schema.ENOTFOUND, "the learner's data was erased: the card can no longer be printed",
			"les données de la personne ont été effacées : la carte ne peut plus être imprimée")
	}
	if strings.TrimSpace(lang) == "" {
		lang = st.CardLang
	}
	first, second := Langs(lang)
	if second != "" {
		lang = first + "+" + second
	} else {
		lang = first
	}
	c := &Card{Lang: lang, IssuerName: st.Name, LearnerName: rec.LearnerName, FrameworkTitle: rec.Framework,
		IssuedAt: rec.IssuedAt, ValidUntil: rec.ValidUntil, QRText: issuer.QRText(baseURL, rec.CardToken),
		ShortCode: rec.ShortCode, VerifyURL: strings.TrimRight(baseURL, "/") + "/verify", CredentialID: rec.ID}
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		c.IssuerDomain = u.Host
	} else {
		c.IssuerDomain = strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://")
	}
	fw, err := fws.Get(rec.Framework)
	if err != nil {
		// A framework no longer loaded: codes and levels without titles.
		for _, l := range rec.Results {
			c.Levels = append(c.Levels, Level{Code: l.Competency, Level: l.Level})
		}
		return c, nil
	}
	c.FrameworkTitle = fw.Title.In(first)
	// Results are keyed by the competency's current code, so that a
	// credential issued under a former code (an alias kept by a later
	// version of the framework) still prints its levels; the card keeps
	// the code the credential was issued with.
	level, issued := map[string]string{}, map[string]string{}
	for _, l := range rec.Results {
		code := l.Competency
		if comp, _, err := fw.Competency(code); err == nil {
			code = comp.Code
		}
		level[code], issued[code] = l.Level, l.Competency
	}
	for _, area := range fw.Areas {
		for _, comp := range area.Competences {
			id, ok := level[comp.Code]
			if !ok {
				continue
			}
			l := Level{Code: issued[comp.Code], Title: comp.Title.In(first), Level: id}
			if lv, rank, err := fw.Level(id); err == nil {
				l.LevelTitle = lv.Title.In(first)
				l.Rank, l.Scale = rank+1, len(fw.Levels)
				label := fw.LevelLabel(id, first)
				l.Label, l.Short = label.Full, label.Short
			}
			c.Levels = append(c.Levels, l)
		}
	}
	c.Next = nextSteps(fw, rec.Results, cat, first)
	c.assessment(rec.JWT)
	return c, nil
}

// assessment sets the method, the evidence and the mediator the credential
// records; a credential that cannot be read leaves them empty (the
// attestation then says a mediator assessed the levels).
func (c *Card) assessment(jws string) {
	got, err := issuer.RecordedAssessment(jws)
	if err != nil {
		return
	}
	c.Method, c.Mediator = got.Method, got.Mediator
	for _, e := range got.Evidence {
		var parts []string
		for _, s := range []string{e.Name, e.Narrative, e.URL} {
			if s = strings.Join(strings.Fields(s), " "); s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 0 {
			c.Evidence = append(c.Evidence, strings.Join(parts, " — "))
		}
	}
}

// nextSteps returns, in the framework's order, one step per competency of
// results: its next level and the first resource the catalogue (if any)
// suggests for it, or that it is at the framework's highest level.
func nextSteps(fw *schema.Framework, results []schema.LevelResult, cat *schema.Catalogue, lang string) []NextStep {
	var current []schema.CurrentLevel
	for _, l := range results {
		if _, rank, err := fw.Level(l.Level); err == nil {
			current = append(current, schema.CurrentLevel{Competency: l.Competency, Level: l.Level, Rank: rank})
		}
	}
	var out []NextStep
	for _, step := range schema.NextSteps(fw, current, true) {
		if step.Next == nil {
			out = append(out, NextStep{Code: step.Competency.Code, Top: true})
			continue
		}
		ns := NextStep{Code: step.Competency.Code, Level: step.Next.ID, LevelTitle: step.Next.Title.In(lang),
			Label: fw.LevelLabel(step.Next.ID, lang).Full}
		if cat != nil {
			if res := cat.SuggestIn(fw, step.Competency.Code, step.Next.ID, lang); len(res) > 0 {
				ns.Resource, ns.Link = res[0].Name.In(lang), res[0].ShortLink()
			}
		}
		out = append(out, ns)
	}
	return out
}

// LangOptions returns the card languages a structure may choose, French
// first: "fr", then "fr+L" for each language L that the card's own texts
// are written in and that a framework of fws titles itself, its levels
// and its competencies in (schema.Framework.TitleLangs).
func LangOptions(fws *schema.Frameworks) []string {
	have := map[string]bool{}
	for _, id := range fws.IDs() {
		if fw, err := fws.Get(id); err == nil {
			for _, l := range fw.TitleLangs() {
				have[l] = true
			}
		}
	}
	out := []string{"fr"}
	for _, l := range LabelLangs() {
		if l != "fr" && have[l] {
			out = append(out, "fr+"+l)
		}
	}
	return out
}
