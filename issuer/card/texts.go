package card

import "fmt"

// labels are the fixed texts of a card in one language. Every card prints
// both languages, its Lang first: a partner who reads no French still sees
// what each line is.
type labels struct {
	title        string // of the card
	issuedBy     string
	framework    string
	competencies string
	issuedOn     string
	validUntil   string
	code         string // under the short code
	scan         string
	cut          string
	missing      string // under a name with characters the fonts lack
	more         string // %d competencies that did not fit
	guideTitle   string
	guide        func(code, issuer, domain string) []string
}

var texts = map[string]*labels{
	"fr": {
		title:        "Carnet de compétences",
		issuedBy:     "Délivré par",
		framework:    "Référentiel",
		competencies: "Compétences et niveaux",
		issuedOn:     "Délivré le",
		validUntil:   "Valable jusqu’au",
		code:         "Code de vérification",
		scan:         "Scannez avec l’appareil photo d’un téléphone",
		cut:          "Découper ici",
		missing:      "Certains caractères du nom ne s’impriment pas : le nom complet est dans le QR code",
		more:         "et %d autres compétences, dans le QR code",
		guideTitle:   "Comment utiliser ce carnet",
		guide: func(code, issuer, domain string) []string {
			return []string{
				"Découpez la carte en suivant le pointillé ; pliez-la en deux pour la ranger.",
				"Pour vérifier ce carnet, scannez le QR code avec l’appareil photo d’un téléphone : la page qui s’ouvre dit s’il est authentique, qui l’a délivré et quels niveaux il atteste. Le téléphone n’a besoin d’aucune application.",
				fmt.Sprintf("Sans téléphone, saisissez le code %s sur la page « Vérifier » de %s.", code, domain),
				fmt.Sprintf("Vérifiez que la page affiche bien la structure et l’adresse imprimées sur la carte : %s, %s.", issuer, domain),
				"Ce carnet vous appartient : montrez-le à qui vous voulez.",
			}
		},
	},
	"en": {
		title:        "Skills card",
		issuedBy:     "Issued by",
		framework:    "Framework",
		competencies: "Competencies and levels",
		issuedOn:     "Issued on",
		validUntil:   "Valid until",
		code:         "Verification code",
		scan:         "Scan with a phone camera",
		cut:          "Cut here",
		missing:      "Some characters of the name cannot be printed: the full name is in the QR code",
		more:         "and %d more competencies, in the QR code",
		guideTitle:   "How to use this card",
		guide: func(code, issuer, domain string) []string {
			return []string{
				"Cut the card out along the dashed line; fold it in two to keep it.",
				"To check this card, scan the QR code with a phone camera: the page that opens says whether it is genuine, who issued it and which levels it attests. The phone needs no app.",
				fmt.Sprintf("Without a phone, type the code %s on the “Verify” page of %s.", code, domain),
				fmt.Sprintf("Check that the page shows the structure and the address printed on the card: %s, %s.", issuer, domain),
				"This card is yours: show it to whomever you choose.",
			}
		},
	},
}
