// Package issuer turns an assessment into a signed Open Badges 3.0
// credential (compact JWS, ES256), a card token for the QR code and its QR
// text. It knows nothing of HTTP, SQL, PDF or QR images.
package issuer

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"carnet/i18n"
	"carnet/schema"
)

// Limits on what a mediator can put in a credential.
const (
	MaxEvidence       = 20
	MaxEvidenceText   = 4000 // characters of a narrative
	MaxEvidenceName   = 200
	MaxMethodLength   = 500
	MaxMediatorLength = 120
)

// BuildInput is everything a credential is made of.
type BuildInput struct {
	ID         string // urn:uuid of the credential
	Issuer     schema.Profile
	Framework  *schema.Framework
	Assessment schema.Assessment // LearnerName already cleaned, SubjectID set
	Status     *schema.CredentialStatus
	Lang       string // "fr" (default) or "en": language of names and descriptions
}

// Build returns the OpenBadgeCredential of DESIGN.md for one assessment.
// It checks every competency and level against the framework; results come
// out in framework order, so the same input gives the same JSON.
func Build(in BuildInput) (*schema.Credential, error) {
	fw, a := in.Framework, in.Assessment
	lang := in.Lang
	if lang != "en" {
		lang = "fr"
	}
	t := textsIn(lang)
	if len(a.Results) == 0 {
		return nil, schema.Errorf(schema.EINVALID, "an assessment needs at least one competency with a level",
			"une évaluation demande au moins une compétence avec un niveau")
	}
	results, err := orderResults(fw, a.Results)
	if err != nil {
		return nil, err
	}
	if a.AssessedAt.IsZero() {
		return nil, schema.Errorf(schema.EINVALID, "the assessment date is missing", "la date d'évaluation manque")
	}
	validFrom := a.AssessedAt.UTC().Truncate(time.Second)
	if !a.ValidUntil.IsZero() && !a.ValidUntil.After(validFrom) {
		return nil, schema.Errorf(schema.EINVALID, "the expiry date must come after the assessment date",
			"la date d'expiration doit suivre la date d'évaluation")
	}
	evidence, err := buildEvidence(a, t)
	if err != nil {
		return nil, err
	}

	fwTitle := fw.Title.In(lang)
	codes := make([]string, len(results))
	for i, r := range results {
		codes[i] = r.Competency
	}
	ach := schema.Achievement{
		ID:              NameUUID("achievement", fw.ID, strings.Join(codes, ",")),
		Type:            schema.Types{"Achievement"},
		AchievementType: "Assessment",
		Name:            fmt.Sprintf(t.achName, shortTitle(fw, lang), strings.Join(codes, ", ")),
		Description:     fmt.Sprintf(t.achDescription, len(results), fwTitle),
		Criteria:        &schema.Criteria{Narrative: fmt.Sprintf(t.criteria, fwTitle)},
		Alignment: []schema.Alignment{{
			Type: schema.Types{"Alignment"}, TargetName: fwTitle, TargetURL: fw.URI,
			TargetFramework: fwTitle, TargetCode: fw.ID, TargetType: schema.AlignFramework,
		}},
		InLanguage: lang,
	}
	subject := schema.AchievementSubject{
		ID:   a.SubjectID,
		Type: schema.Types{"AchievementSubject"},
		Identifier: []schema.IdentityObject{{
			Type: "IdentityObject", IdentityType: "name", Hashed: false, IdentityHash: a.LearnerName,
		}},
	}
	for _, r := range results {
		comp, _, _ := fw.Competency(r.Competency)
		rd := schema.ResultDescription{
			ID:         NameUUID("result", fw.ID, comp.Code),
			Type:       schema.Types{"ResultDescription"},
			Name:       comp.Code + " " + comp.Title.In(lang),
			ResultType: "RubricCriterionLevel",
			Alignment: []schema.Alignment{{
				Type: schema.Types{"Alignment"}, TargetName: comp.Title.In(lang), TargetURL: competencyURL(fw, comp),
				TargetFramework: fwTitle, TargetCode: comp.Code, TargetType: schema.AlignCompetency,
			}},
		}
		for _, m := range comp.ExactMatch {
			if strings.HasPrefix(m.URI, "http://data.europa.eu/esco/") {
				rd.Alignment = append(rd.Alignment, schema.Alignment{
					Type: schema.Types{"Alignment"}, TargetName: comp.Title.In(lang), TargetURL: m.URI,
					TargetFramework: "ESCO", TargetType: "ext:ESCOSkill",
				})
			}
		}
		var achieved string
		for _, l := range fw.Levels {
			id := NameUUID("level", fw.ID, comp.Code, l.ID)
			rd.RubricCriterionLevel = append(rd.RubricCriterionLevel, schema.RubricCriterionLevel{
				ID: id, Type: schema.Types{"RubricCriterionLevel"}, Name: levelName(&l, lang), Level: l.ID,
				Description: comp.Statement(&l, lang),
			})
			if l.ID == r.Level {
				achieved = id
			}
		}
		ach.ResultDescription = append(ach.ResultDescription, rd)
		subject.Result = append(subject.Result, schema.Result{
			Type: schema.Types{"Result"}, ResultDescription: rd.ID, AchievedLevel: achieved,
		})
	}
	subject.Achievement = ach

	issuer := in.Issuer
	issuer.Type = schema.Types{"Profile"}
	c := &schema.Credential{
		Context:           []string{schema.ContextVC2, schema.ContextOB3, schema.ContextOBExt},
		ID:                in.ID,
		Type:              schema.Types{schema.TypeVC, schema.TypeOBCredential},
		Name:              ach.Name,
		Description:       ach.Description,
		Issuer:            issuer,
		ValidFrom:         schema.FormatTime(validFrom),
		AwardedDate:       schema.FormatTime(validFrom),
		CredentialSubject: subject,
		Evidence:          evidence,
		CredentialStatus:  in.Status,
		CredentialSchema:  []schema.CredentialSchema{{ID: schema.OBSchemaURL, Type: schema.OBSchemaType}},
	}
	if !a.ValidUntil.IsZero() {
		c.ValidUntil = schema.FormatTime(a.ValidUntil)
	}
	return c, nil
}

// orderResults checks each result against the framework, refuses a
// competency given twice and sorts results in framework order.
func orderResults(fw *schema.Framework, in []schema.LevelResult) ([]schema.LevelResult, error) {
	pos := make(map[string]int, fw.CompetencyCount())
	i := 0
	for _, a := range fw.Areas {
		for _, c := range a.Competences {
			pos[c.Code] = i
			i++
		}
	}
	seen := make(map[string]bool, len(in))
	out := make([]schema.LevelResult, 0, len(in))
	for _, r := range in {
		comp, _, err := fw.Competency(r.Competency)
		if err != nil {
			return nil, err
		}
		r.Competency = comp.Code // a former code (alias) is issued under the current one
		if _, _, err := fw.Level(r.Level); err != nil {
			return nil, err
		}
		if seen[r.Competency] {
			return nil, schema.Errorf(schema.EINVALID, "competency %s is given twice", "la compétence %s est donnée deux fois", r.Competency)
		}
		seen[r.Competency] = true
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return pos[out[i].Competency] < pos[out[j].Competency] })
	return out, nil
}

func buildEvidence(a schema.Assessment, t text) ([]schema.Evidence, error) {
	if len(a.Evidence) > MaxEvidence {
		return nil, schema.Errorf(schema.EINVALID, "at most %d pieces of evidence", "au plus %d éléments de preuve", MaxEvidence)
	}
	if err := cleanText("method", "méthode", &a.Method, MaxMethodLength); err != nil {
		return nil, err
	}
	if err := cleanText("mediator", "médiateur", &a.Mediator, MaxMediatorLength); err != nil {
		return nil, err
	}
	var out []schema.Evidence
	if a.Method != "" || a.Mediator != "" {
		var parts []string
		if a.Method != "" {
			parts = append(parts, t.method+a.Method)
		}
		if a.Mediator != "" {
			parts = append(parts, t.assessedBy+a.Mediator)
		}
		out = append(out, schema.Evidence{Type: schema.Types{"Evidence"}, Name: t.assessment, Narrative: strings.Join(parts, "\n"), Genre: "Assessment"})
	}
	for _, e := range a.Evidence {
		if err := cleanText("evidence name", "nom de la preuve", &e.Name, MaxEvidenceName); err != nil {
			return nil, err
		}
		if err := cleanText("evidence", "preuve", &e.Narrative, MaxEvidenceText); err != nil {
			return nil, err
		}
		if e.URL != "" {
			u, err := url.Parse(e.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(e.URL) > 2000 {
				return nil, schema.Errorf(schema.EINVALID, "evidence link %q is not an http(s) URL", "le lien de preuve %q n'est pas une URL http(s)", e.URL)
			}
		}
		if e.Name == "" && e.Narrative == "" && e.URL == "" {
			continue
		}
		name := e.Name
		if name == "" {
			name = t.evidence
		}
		if e.URL != "" {
			u, _ := url.Parse(e.URL)
			e.URL = u.String() // percent-encodes a non-ASCII path: a URI, not an IRI
		}
		out = append(out, schema.Evidence{ID: e.URL, Type: schema.Types{"Evidence"}, Name: name, Narrative: e.Narrative})
	}
	return out, nil
}

// cleanText puts a free text of the assessment in its clean form
// (schema.CleanText: valid UTF-8 in NFC, trimmed, without control or
// bidirectional control characters) or refuses it.
func cleanText(en, fr string, s *string, max int) error {
	var err error
	*s, err = schema.CleanText(*s, max, "the "+en, "le champ "+fr)
	return err
}

// competencyURL is the alignment target of a competency: its own URI when
// the framework gives one, else the framework URI with the code as fragment.
func competencyURL(fw *schema.Framework, c *schema.Competency) string {
	if c.URI != "" {
		return c.URI
	}
	return fw.URI + "#" + url.PathEscape(c.Code)
}

// shortTitle is the short name of a framework for credential names: the
// acronym in parentheses ("CRCN", "CECRL"), else the title up to its colon
// ("DigComp 2.2"), else the id.
func shortTitle(fw *schema.Framework, lang string) string {
	t := fw.Title.In(lang)
	if m := acronymRE.FindStringSubmatch(t); m != nil {
		return m[1]
	}
	if i := strings.Index(t, ":"); i > 0 && i <= 40 {
		return strings.TrimSpace(t[:i])
	}
	if utf8.RuneCountInString(t) <= 40 {
		return t
	}
	return fw.ID
}

var acronymRE = regexp.MustCompile(`\(([A-Z][A-Z0-9.\- ]{1,11})\)`)

func levelName(l *schema.Level, lang string) string {
	title := l.Title.In(lang)
	if strings.Contains(title, l.ID) {
		return title
	}
	return l.ID + " – " + title
}

type text struct {
	achName, achDescription, criteria        string
	assessment, method, assessedBy, evidence string
}

// textsIn returns the credential's texts in lang, from the catalogue.
func textsIn(lang string) text {
	l := func(key string) string { return i18n.Text(i18n.Credential, lang, key) }
	return text{
		achName: l("ach_name"), achDescription: l("ach_description"), criteria: l("criteria"),
		assessment: l("assessment"), method: l("method"), assessedBy: l("assessed_by"), evidence: l("evidence"),
	}
}

// ShortTitle is the short name of a framework Carnet writes in credential
// names ("DigComp 2.2", "CRCN", "CECRL").
func ShortTitle(fw *schema.Framework, lang string) string { return shortTitle(fw, lang) }
