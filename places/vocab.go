package places

// The vocabularies of the schéma de données des lieux de médiation
// numérique, version 1.0.1 (LaMednum / ANCT, schema.data.gouv.fr), exactly
// as the reference implementation @gouvfr-anct/lieux-de-mediation-numerique
// 2.3.0 checks them. A value outside its list makes the place invalid.

// Services is the list of the standard's services.
var Services = []string{
	"Acquisition de matériel informatique à prix solidaire",
	"Aide aux démarches administratives",
	"Maîtrise des outils numériques du quotidien",
	"Insertion professionnelle via le numérique",
	"Utilisation sécurisée du numérique",
	"Parentalité et éducation avec le numérique",
	"Loisirs et créations numériques",
	"Compréhension du monde numérique",
	"Accès internet et matériel informatique",
}

// PublicsSpecifiquementAdresses are the publics a place may address
// specifically (publics_specifiquement_adresses).
var PublicsSpecifiquementAdresses = []string{"Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes"}

// PrisesEnChargeSpecifiques are the specific needs a place supports
// (prise_en_charge_specifique).
var PrisesEnChargeSpecifiques = []string{
	"Surdité", "Handicaps moteurs", "Handicaps mentaux", "Illettrisme",
	"Langues étrangères (anglais)", "Langues étrangères (autres)", "Déficience visuelle",
}

// FraisACharge are the access conditions (frais_a_charge).
var FraisACharge = []string{"Gratuit", "Gratuit sous condition", "Payant"}

// Itinerances says whether a place is mobile (itinerance).
var Itinerances = []string{"Itinérant", "Fixe"}

// ModalitesAcces are the ways in (modalites_acces).
var ModalitesAcces = []string{
	"Se présenter", "Téléphoner", "Contacter par mail",
	"Envoyer un mail avec une fiche de prescription", "Prendre un RDV en ligne",
	"Ce lieu n'accueille pas de public",
}

// NoPublic is the access mode of a place that receives no public; the
// reference implementation gives it to every place without services.
const NoPublic = "Ce lieu n'accueille pas de public"

// ModalitesAccompagnement are the support modes (modalites_accompagnement).
var ModalitesAccompagnement = []string{"En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance"}

// DispositifProgrammesNationaux are the national programmes
// (dispositif_programmes_nationaux).
var DispositifProgrammesNationaux = []string{
	"Aidants Connect", "Bibliothèques numérique de référence", "Certification PIX",
	"Conseillers numériques", "Emmaüs Connect", "France Services",
	"Grande école du numérique", "La Croix Rouge", "Point d'accès numérique CAF",
	"Promeneurs du net", "Relais numérique (Emmaüs Connect)",
}

// FormationsLabels are the trainings and labels (formations_labels).
var FormationsLabels = []string{
	"Formé à « Mon Espace Santé »", "Formé à « DUPLEX » (illettrisme)",
	"Arnia/MedNum BFC (Bourgogne-Franche-Comté)", "Collectif ressources et acteurs réemploi (Normandie)",
	"Étapes numériques (La Poste)", "Fabriques de Territoire", "Les Éclaireurs du numérique (Drôme)",
	"Mes Papiers (Métropole de Lyon)", "ORDI 3.0", "SUD LABS (PACA)",
}

// Typologies are the structure types of data.inclusion (typologie).
var Typologies = []string{
	"ACI", "ACIPHC", "AFPA", "AI", "ASE", "ASSO", "ASSO_CHOMEUR", "Autre", "AVIP", "BIB",
	"CAARUD", "CADA", "CAF", "CAP_EMPLOI", "CAVA", "CC", "CCAS", "CCONS", "CD", "CDAS",
	"CFP", "CHRS", "CHU", "CIAS", "CIDFF", "CITMET", "CMP", "CMS", "CPAM", "CPH", "CS",
	"CSAPA", "CSC", "DEETS", "DEPT", "DIPLP", "E2C", "EA", "EATT", "EI", "EITI", "ENM",
	"EPCI", "EPI", "EPIDE", "EPN", "ES", "ESAT", "ESS", "ETTI", "EVS", "FABLAB", "FABRIQUE",
	"FAIS", "FT", "GEIQ", "HUDA", "LA_POSTE", "MDE", "MDH", "MDEF", "MDPH", "MDS", "MJC",
	"ML", "MQ", "MSA", "MSAP", "MUNI", "OACAS", "ODC", "OF", "OIL", "OPCS", "PAD", "PENSION",
	"PI", "PIJ_BIJ", "PIMMS", "PJJ", "PLIE", "PREF", "PREVENTION", "REG", "RELAIS_LECTURE",
	"RESSOURCERIE", "RFS", "RS_FJT", "SCP", "SPIP", "TIERS_LIEUX", "UDAF",
}

// Version is the version of the standard this package implements.
const Version = "1.0.1"
