package card

import "carnet/i18n"

// labels are the fixed texts of a card in one language. A card prints its
// first language, and its second one if it has one (Card.Lang).
type labels struct {
	title        string // of the card layout
	attestation  string // of the a4 layout
	issuedBy     string // card
	issuedOn     string // card
	issuedTo     string // attestation
	attIssuedOn  string // attestation (feminine in French)
	framework    string
	competencies string
	competency   string // the header of the a4 list's columns
	level        string
	validUntil   string
	code         string // the short code's label
	verifyAt     string // the verification address's label
	credentialID string
	scanFront    string // under the QR code of the card
	howToCard    string // on the back of the card: one line on how to verify
	verifyTitle  string // attestation
	howToA4      string // attestation
	fold         string
	printNote    string
	missing      string // under a name with characters the fonts lack
	missingShort string // the same, short, on a full card (missing is then under the strip)
	more         string // %d competencies that did not fit
	guideTitle   string
	nextTitle    string // attestation: the next steps block
	nextLevel    string
	nextResource string
	guide        func(code, issuer, domain, url string) []string
}

// strings returns the fixed texts (not the guide, which takes arguments).
func (l *labels) strings() []string {
	return []string{l.title, l.attestation, l.issuedBy, l.issuedOn, l.issuedTo, l.attIssuedOn,
		l.framework, l.competencies, l.competency, l.level, l.validUntil, l.code, l.verifyAt, l.credentialID,
		l.scanFront, l.howToCard, l.verifyTitle, l.howToA4, l.fold, l.printNote, l.missing, l.missingShort, l.more, l.guideTitle,
		l.nextTitle, l.nextLevel, l.nextResource}
}

// texts are the card's labels in each language it prints, from the
// catalogue (package i18n, domain Card).
var texts = map[string]*labels{"fr": labelsIn("fr"), "en": labelsIn("en")}

// labelsIn builds the labels of lang from the catalogue.
func labelsIn(lang string) *labels {
	l := func(key string, args ...any) string { return i18n.Text(i18n.Card, lang, key, args...) }
	return &labels{
		title:        l("title"),
		attestation:  l("attestation"),
		issuedBy:     l("issued_by"),
		issuedOn:     l("issued_on"),
		issuedTo:     l("issued_to"),
		attIssuedOn:  l("att_issued_on"),
		framework:    l("framework"),
		competencies: l("competencies"),
		competency:   l("competency"),
		level:        l("level"),
		validUntil:   l("valid_until"),
		code:         l("code"),
		verifyAt:     l("verify_at"),
		credentialID: l("credential_id"),
		scanFront:    l("scan_front"),
		howToCard:    l("how_to_card"),
		verifyTitle:  l("verify_title"),
		howToA4:      l("how_to_a4"),
		fold:         l("fold"),
		printNote:    l("print_note"),
		missing:      l("missing"),
		missingShort: l("missing_short"),
		more:         l("more"),
		guideTitle:   l("guide_title"),
		nextTitle:    l("next_title"),
		nextLevel:    l("next_level"),
		nextResource: l("next_resource"),
		guide: func(code, issuer, domain, url string) []string {
			return []string{l("guide_1"), l("guide_2"), l("guide_3", code, url), l("guide_4", issuer, domain), l("guide_5")}
		},
	}
}
