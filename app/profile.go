package app

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"carnet/issuer"
	"carnet/schema"
)

// ProfileText is what a learner copies to their LinkedIn profile and CV
// for one credential (issue 16): LinkedIn's documented add-to-profile
// address (a plain link: no LinkedIn script, nothing sent until the learner
// follows it) and one line for a CV. Both carry a share link, never the
// private link.
type ProfileText struct {
	Name     string // the certification's name
	LinkedIn string // https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&…
	CV       string // "Compétences DigComp 2.2 — niveau 4, attesté par …, 2026, vérifiable : URL"
}

// LinkedInAddURL is LinkedIn's add-to-profile address.
const LinkedInAddURL = "https://www.linkedin.com/profile/add"

// ShareProfile returns the LinkedIn link and the CV line of one of the
// learner's credentials, shared at shareURL (a share link the learner made
// for it). lang "en" writes them in English, else in French.
func (s *App) ShareProfile(ctx context.Context, l *schema.Learner, credentialID, shareURL, lang string) (*ProfileText, error) {
	c, err := s.CarnetCredential(ctx, l, credentialID)
	if err != nil {
		return nil, err
	}
	fw, err := s.Frameworks.Get(c.Framework)
	if err != nil {
		return nil, err
	}
	org := c.Structure
	if st, err := s.Structures.FindStructure(ctx, c.Structure); err == nil {
		org = st.Name
	}
	return profileText(fw, c, org, shareURL, lang), nil
}

func profileText(fw *schema.Framework, c *schema.CredentialRecord, org, shareURL, lang string) *ProfileText {
	t := profileTexts["fr"]
	if lang == "en" {
		lang, t = "en", profileTexts["en"]
	} else {
		lang = "fr"
	}
	lo, hi := "", ""
	rlo, rhi := 1<<30, -1
	for _, r := range c.Results {
		_, rank, err := fw.Level(r.Level)
		if err != nil {
			continue
		}
		if rank < rlo {
			rlo, lo = rank, r.Level
		}
		if rank > rhi {
			rhi, hi = rank, r.Level
		}
	}
	levels := ""
	switch {
	case rhi < 0:
	case lo == hi:
		levels = fmt.Sprintf(t.level, lo)
	default:
		levels = fmt.Sprintf(t.levels, lo, hi)
	}
	name := fmt.Sprintf(t.name, issuer.ShortTitle(fw, lang))
	if levels != "" {
		name += " — " + levels
	}
	q := url.Values{}
	q.Set("startTask", "CERTIFICATION_NAME")
	q.Set("name", name)
	q.Set("organizationName", org)
	q.Set("issueYear", strconv.Itoa(c.IssuedAt.Year()))
	q.Set("issueMonth", strconv.Itoa(int(c.IssuedAt.Month())))
	if !c.ValidUntil.IsZero() {
		q.Set("expirationYear", strconv.Itoa(c.ValidUntil.Year()))
		q.Set("expirationMonth", strconv.Itoa(int(c.ValidUntil.Month())))
	}
	q.Set("certUrl", shareURL)
	if c.ShortCode != "" {
		q.Set("certId", c.ShortCode)
	}
	return &ProfileText{
		Name:     name,
		LinkedIn: LinkedInAddURL + "?" + q.Encode(),
		CV:       fmt.Sprintf(t.cv, name, org, c.IssuedAt.Year(), shareURL),
	}
}

type profileWords struct{ name, level, levels, cv string }

var profileTexts = map[string]profileWords{
	"fr": {name: "Compétences %s", level: "niveau %s", levels: "niveaux %s à %s", cv: "%s, attesté par %s, %d, vérifiable : %s"},
	"en": {name: "%s competences", level: "level %s", levels: "levels %s to %s", cv: "%s, certified by %s, %d, verifiable: %s"},
}
