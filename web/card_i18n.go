package web

import (
	"strings"

	"github.com/gin-gonic/gin"

	"carnet/i18n"
	"carnet/issuer/card"
	"carnet/schema"
)

// cardLangOption is one choice of the card language setting.
type cardLangOption struct {
	Value, Label string
	Selected     bool
}

// cardLangOptions are the card languages a structure may choose (see
// card.LangOptions), named in the page's language, cur selected.
func (s *Server) cardLangOptions(lang, cur string) []cardLangOption {
	if cur == "" {
		cur = "fr"
	}
	var out []cardLangOption
	for _, o := range card.LangOptions(s.Frameworks) {
		label := tr(lang, "card_lang_fr")
		if _, second, ok := strings.Cut(o, "+"); ok {
			name := second
			if _, known := i18n.Lookup(i18n.Web, lang, "card_lang_"+second); known {
				name = tr(lang, "card_lang_"+second)
			}
			label = strings.Replace(tr(lang, "card_lang_two"), "%s", name, 1)
		}
		out = append(out, cardLangOption{Value: o, Label: label, Selected: o == cur})
	}
	return out
}

// cardLangQuery reads ?lang= of a card or sheets PDF: a card language
// (card.Langs: "fr", "en", "fr+en" or fr%2Ben, "en+fr") overriding the structure's;
// "" when absent.
func cardLangQuery(c *gin.Context) (string, error) {
	q, ok := c.GetQuery("lang")
	if !ok {
		return "", nil
	}
	q = strings.ReplaceAll(q, " ", "+") // "+" unescaped in a query is a space
	if a, b := card.Langs(q); q != a && q != a+"+"+b && !(q == "en" && a == "en") {
		return "", schema.Errorf(schema.EINVALID, "unknown card language %q: fr, en, fr+en or en+fr", "langue de carte %q inconnue : fr, en, fr+en ou en+fr", q)
	}
	return q, nil
}
