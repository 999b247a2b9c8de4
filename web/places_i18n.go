package web

import "carnet/places"

// The texts of the places pages, added to messages (i18n.go).
func init() {
	for k, v := range map[string][2]string{
		"lieux_title":                   {"Lieux du réseau", "The network's places"},
		"lieux_intro":                   {"Où continuer : les lieux de médiation numérique du réseau, leurs horaires, leurs services et leurs offres par compétence et par niveau.", "Where to continue: the network's digital-inclusion places, their hours, services and offers by competency and level."},
		"lieux_open_data":               {"Données ouvertes au standard national des lieux de médiation numérique :", "Open data in the national standard of digital-inclusion places:"},
		"lieux_filter":                  {"Filtrer les lieux", "Filter the places"},
		"lieux_q":                       {"Commune ou code postal", "Commune or postcode"},
		"lieux_service":                 {"Service", "Service"},
		"lieux_any":                     {"Tous", "Any"},
		"lieux_next_level":              {"Une offre pour un prochain niveau", "An offer for a next level"},
		"lieux_framework":               {"Référentiel", "Framework"},
		"lieux_competency":              {"Compétence", "Competency"},
		"lieux_competency_hint":         {"code, par exemple 2.1", "code, for example 2.1"},
		"lieux_level":                   {"Niveau visé", "Level to reach"},
		"lieux_search":                  {"Chercher", "Search"},
		"lieux_count":                   {"%d lieu(x)", "%d place(s)"},
		"lieux_hours":                   {"Horaires :", "Opening hours:"},
		"lieux_contact":                 {"Contact :", "Contact:"},
		"lieux_services":                {"Services :", "Services:"},
		"lieux_fees":                    {"Accès :", "Access:"},
		"lieux_accessibility":           {"Accessibilité (acceslibre)", "Accessibility (acceslibre)"},
		"lieux_offers":                  {"Offres", "Offers"},
		"lieux_levels":                  {"niveaux", "levels"},
		"lieux_none":                    {"Aucun lieu ne correspond.", "No place matches."},
		"lieux_kind_atelier":            {"atelier collectif", "group workshop"},
		"lieux_kind_individuel":         {"accompagnement individuel", "individual support"},
		"lieu_edit_title":               {"Le lieu de « %s »", "The place of “%s”"},
		"lieu_edit_intro":               {"Décrivez le lieu avec le standard national des lieux de médiation numérique (version 1.0.1) : ses champs et ses listes de valeurs, avec leurs libellés officiels. Les champs marqués * sont obligatoires.", "Describe the place with the national standard of digital-inclusion places (version 1.0.1): its fields and lists of values, with their official French labels. Fields marked * are required."},
		"lieu_edit_published":           {"Publié en données ouvertes :", "Published as open data:"},
		"lieu_edit_save":                {"Enregistrer le lieu", "Save the place"},
		"lieu_edit_link":                {"Décrire le lieu (standard national)", "Describe the place (national standard)"},
		"lieu_hint_horaires":            {"Syntaxe OpenStreetMap, par exemple : Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00; PH off", "OpenStreetMap syntax, for example: Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00; PH off"},
		"lieu_hint_list":                {"une valeur par ligne", "one value per line"},
		"lieu_hint_coords":              {"WGS84, par exemple 49.2535 (adresse.data.gouv.fr)", "WGS84, for example 49.2535 (adresse.data.gouv.fr)"},
		"lieu_hint_pivot":               {"SIRET (14 chiffres) ou numéro RNA (W…)", "SIRET (14 digits) or RNA number (W…)"},
		"audit_" + places.AuditImported: {"lieux importés (importés / écartés)", "places imported (imported / left out)"},
	} {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
