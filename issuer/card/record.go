package card

import (
	"net/url"
	"strings"

	"carnet/issuer"
	"carnet/schema"
)

// FromRecord builds the card of a stored credential: titles from the
// framework in lang, the issuing structure's name, the host of the
// instance (where the QR code leads and the short code is checked) as the
// domain a partner must see, and baseURL + "/verify" as the address where
// the short code is typed. Levels follow the framework's order, each with
// its place on the framework's scale. The layout is the default (card);
// the logo is left for the caller to set.
func FromRecord(rec *schema.CredentialRecord, st *schema.Structure, fws *schema.Frameworks, baseURL, lang string) (*Card, error) {
	if rec.CardToken == "" {
		return nil, schema.Errorf(schema.ENOTFOUND, "the learner's data was erased: the card can no longer be printed",
			"les données de la personne ont été effacées : la carte ne peut plus être imprimée")
	}
	if lang != "en" {
		lang = "fr"
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
	c.FrameworkTitle = fw.Title.In(lang)
	level := map[string]string{}
	for _, l := range rec.Results {
		level[l.Competency] = l.Level
	}
	for _, area := range fw.Areas {
		for _, comp := range area.Competences {
			id, ok := level[comp.Code]
			if !ok {
				continue
			}
			l := Level{Code: comp.Code, Title: comp.Title.In(lang), Level: id}
			if lv, rank, err := fw.Level(id); err == nil {
				l.LevelTitle = lv.Title.In(lang)
				l.Rank, l.Scale = rank+1, len(fw.Levels)
			}
			c.Levels = append(c.Levels, l)
		}
	}
	return c, nil
}
