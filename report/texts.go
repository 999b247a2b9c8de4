package report

// texts are the labels of the exports and charts, in French and English.
var texts = map[string][2]string{
	"title":              {"Bilan", "Report"},
	"people":             {"Personnes accompagnées", "People accompanied"},
	"new":                {"dont nouvelles", "of whom new"},
	"returning":          {"dont déjà venues", "of whom returning"},
	"assessments":        {"Évaluations", "Assessments"},
	"issued":             {"Attestations délivrées", "Credentials issued"},
	"revoked":            {"Attestations révoquées", "Credentials revoked"},
	"suspended":          {"Attestations suspendues", "Credentials suspended"},
	"workshops":          {"Ateliers tenus", "Workshops held"},
	"w_participants":     {"Participant·es aux ateliers", "Workshop participants"},
	"w_credentials":      {"Attestations délivrées en atelier", "Credentials issued in workshops"},
	"w_section":          {"ateliers", "workshops"},
	"w_structure":        {"Structure", "Structure"},
	"pdf_workshops":      {"Ateliers", "Workshops"},
	"pdf_w_held":         {"Ateliers", "Workshops"},
	"pdf_w_participants": {"Participant·es", "Participants"},
	"pdf_w_credentials":  {"Attestations", "Credentials"},
	"assessed":           {"Personnes évaluées", "People assessed"},
	"level":              {"Niveau", "Level"},
	"assessed_twice":     {"Évaluées au moins deux fois", "Assessed at least twice"},
	"progressed":         {"Ont progressé", "Moved up"},
	"progressed_by":      {"Ont progressé de %s niveau(x)", "Moved up %s level(s)"},
	"median_days":        {"Durée médiane (jours)", "Median time (days)"},
	"attached":           {"Attestations de partenaires rattachées", "Partner credentials attached"},
	"partner":            {"Partenaire", "Partner"},
	"multi_structure":    {"Personnes au parcours dans plusieurs structures", "People whose path spans several structures"},
	"verifications":      {"Vérifications de nos attestations", "Verifications of our credentials"},
	"resource":           {"Ressource suggérée", "Suggested resource"},
	"month_people":       {"Personnes (mois)", "People (month)"},
	"month_issued":       {"Attestations (mois)", "Credentials (month)"},
	"previous":           {"Période précédente", "Previous period"},
	"section":            {"rubrique", "section"},
	"framework":          {"référentiel", "framework"},
	"competence":         {"compétence", "competency"},
	"indicator":          {"indicateur", "indicator"},
	"value":              {"valeur", "value"},
	"key":                {"chiffres clés", "key figures"},
	"competences":        {"compétences", "competencies"},
	"continuity":         {"continuité", "continuity"},
	"next_steps":         {"prochaines étapes", "next steps"},
	"months":             {"mois", "months"},
	"period":             {"Période", "Period"},
	"scope":              {"Périmètre", "Scope"},
	"instance":           {"Tout le réseau", "The whole network"},
	"all_frameworks":     {"Tous les référentiels", "All frameworks"},
	"small":              {"« < %d » : moins de %d personnes ou attestations, caché pour que personne ne soit reconnaissable.", "\"< %d\": fewer than %d people or credentials, hidden so that no one can be recognised."},
	"chart_levels":       {"Niveaux atteints, compétence %s", "Levels reached, competency %s"},
	"chart_progress":     {"Progression par compétence : évaluées au moins deux fois (blanc) et ayant progressé (noir)", "Progression by competency: assessed at least twice (white) and moved up (black)"},
	"chart_monthly":      {"Par mois : attestations (trait plein) et personnes (tirets)", "By month: credentials (solid line) and people (dashes)"},
	"chart_workshops":    {"Ateliers : période précédente (blanc) et cette période (noir)", "Workshops: previous period (white) and this period (black)"},
	"none":               {"Aucune donnée pour cette période.", "No data for this period."},
	"pdf_key":            {"Chiffres clés", "Key figures"},
	"pdf_competences":    {"Par compétence", "By competency"},
	"pdf_continuity":     {"Continuité entre structures", "Continuity across structures"},
	"pdf_next":           {"Ressources suggérées comme prochaine étape", "Resources suggested as next steps"},
	"pdf_monthly":        {"Par mois : attestations (blanc) et personnes (noir)", "By month: credentials (white) and people (black)"},
	"pdf_levels":         {"Personnes par niveau atteint", "People by level reached"},
}

// T returns a label of the exports in lang ("fr" or "en").
func T(lang, key string) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}
