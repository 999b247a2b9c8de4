package card

import "fmt"

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

var texts = map[string]*labels{
	"fr": {
		title:        "Carnet de compétences",
		attestation:  "Attestation de compétences",
		issuedBy:     "Délivré par",
		issuedOn:     "Délivré le",
		issuedTo:     "Délivrée à",
		attIssuedOn:  "Délivrée le",
		framework:    "Référentiel",
		competencies: "Compétences et niveaux",
		competency:   "Compétence",
		level:        "Niveau",
		validUntil:   "Valable jusqu’au",
		code:         "Code de vérification",
		verifyAt:     "Vérifier en ligne",
		credentialID: "Identifiant",
		scanFront:    "Scannez pour vérifier",
		howToCard:    "Pour vérifier : scannez le QR code au recto, ou saisissez ce code à cette adresse.",
		verifyTitle:  "Vérifier cette attestation",
		howToA4:      "Pour vérifier cette attestation, scannez le QR code avec l’appareil photo d’un téléphone, ou saisissez le code de vérification à l’adresse ci-dessous.",
		fold:         "pli",
		printNote:    "Imprimez à 100 % (taille réelle), sans ajuster à la page : la carte mesure 85,6 × 54 mm.",
		missing:      "Certains caractères du nom ne s’impriment pas : le nom complet est dans le QR code",
		missingShort: "□ : nom complet dans le QR code",
		more:         "et %d autres compétences, dans le QR code",
		guideTitle:   "Comment utiliser cette carte",
		nextTitle:    "Pour continuer",
		nextLevel:    "Niveau suivant",
		nextResource: "Ressource suggérée",
		guide: func(code, issuer, domain, url string) []string {
			return []string{
				"Découpez la bande en suivant les traits de coupe, aux coins. Pliez-la en deux le long du pointillé, l’impression à l’extérieur, puis collez les deux moitiés ou plastifiez la carte.",
				"Pour vérifier cette carte, scannez le QR code avec l’appareil photo d’un téléphone : la page qui s’ouvre dit si elle est authentique, qui l’a délivrée et quels niveaux elle atteste. Le téléphone n’a besoin d’aucune application.",
				fmt.Sprintf("Sans téléphone, saisissez le code %s à l’adresse %s.", code, url),
				fmt.Sprintf("Vérifiez que la page affiche bien la structure et l’adresse imprimées sur la carte : %s, %s.", issuer, domain),
				"Cette carte vous appartient : montrez-la à qui vous voulez.",
			}
		},
	},
	"en": {
		title:        "Skills card",
		attestation:  "Skills certificate",
		issuedBy:     "Issued by",
		issuedOn:     "Issued on",
		issuedTo:     "Issued to",
		attIssuedOn:  "Issued on",
		framework:    "Framework",
		competencies: "Competencies and levels",
		competency:   "Competency",
		level:        "Level",
		validUntil:   "Valid until",
		code:         "Verification code",
		verifyAt:     "Verify online",
		credentialID: "Credential id",
		scanFront:    "Scan to verify",
		howToCard:    "To verify: scan the QR code on the front, or enter this code at this address.",
		verifyTitle:  "Verify this certificate",
		howToA4:      "To verify this certificate, scan the QR code with a phone camera, or enter the verification code at the address below.",
		fold:         "fold",
		printNote:    "Print at 100% (actual size), without fitting to the page: the card measures 85.6 × 54 mm.",
		missing:      "Some characters of the name cannot be printed: the full name is in the QR code",
		missingShort: "□: full name in the QR code",
		more:         "and %d more competencies, in the QR code",
		guideTitle:   "How to use this card",
		nextTitle:    "Next steps",
		nextLevel:    "Next level",
		nextResource: "Suggested resource",
		guide: func(code, issuer, domain, url string) []string {
			return []string{
				"Cut the strip out along the crop marks at its corners. Fold it in two along the dotted line, printed side out, then glue the halves together or laminate the card.",
				"To check this card, scan the QR code with a phone camera: the page that opens says whether it is genuine, who issued it and which levels it attests. The phone needs no app.",
				fmt.Sprintf("Without a phone, enter the code %s at %s.", code, url),
				fmt.Sprintf("Check that the page shows the structure and the address printed on the card: %s, %s.", issuer, domain),
				"This card is yours: show it to whomever you choose.",
			}
		},
	},
}
