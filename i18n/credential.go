package i18n

// credentialTexts: the texts signed into a credential (package issuer).
// A change here changes what new credentials say, never issued ones.
var credentialTexts = map[string][2]string{
	"ach_name":        {"Compétences %s : %s", "%s competences: %s"},
	"ach_description": {"Niveaux atteints dans %d compétence(s) du référentiel %s, évalués par un médiateur ou une médiatrice.", "Levels reached in %d competence(s) of the %s framework, assessed by a mediator."},
	"criteria":        {"Évaluation par un médiateur ou une médiatrice, compétence par compétence, selon les niveaux du référentiel %s.", "Assessment by a mediator, competence by competence, against the levels of the %s framework."},
	"assessment":      {"Évaluation", "Assessment"},
	"method":          {"Méthode : ", "Method: "},
	"assessed_by":     {"Évalué par : ", "Assessed by: "},
	"evidence":        {"Preuve", "Evidence"},
}
