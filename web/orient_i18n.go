package web

// The texts of the orientation on the learner's page (orient.go), added
// to messages (i18n.go).
func init() {
	for k, v := range map[string][2]string{
		"orient_title":           {"Où continuer", "Where to continue"},
		"orient_hint":            {"Pour chaque prochain niveau : les offres du réseau et des Carnet partenaires qui le travaillent, puis d'autres lieux dont les services correspondent, du plus proche au plus loin.", "For each next level: the offers of the network and of partner Carnets that work on it, then other places whose services match, nearest first."},
		"orient_postcode":        {"Code postal de la personne (facultatif)", "The learner's postcode (optional)"},
		"orient_from_structure":  {"Sans code postal, les distances partent du lieu de la structure de la personne.", "Without a postcode, distances are from the place of the learner's structure."},
		"orient_from_postcode":   {"Distances depuis le code postal %s.", "Distances from the postcode %s."},
		"orient_search":          {"Chercher autour", "Search around"},
		"orient_step":            {"%s — niveau %s", "%s — level %s"},
		"orient_network":         {"structure du réseau", "network structure"},
		"orient_partner":         {"lieu hors réseau, partagé par le Carnet partenaire « %s », pour orientation seulement", "place outside the network, shared by the partner Carnet “%s”, for orientation only"},
		"orient_partner_offer":   {"offre hors réseau, partagée par le Carnet partenaire « %s », pour orientation seulement", "offer outside the network, shared by the partner Carnet “%s”, for orientation only"},
		"orient_not_network":     {"lieu hors réseau (cartographie nationale), pour orientation seulement", "place outside the network (national map), for orientation only"},
		"orient_offer":           {"offre", "offer"},
		"orient_hours":           {"Horaires :", "Hours:"},
		"orient_phone":           {"Téléphone :", "Phone:"},
		"orient_email":           {"Courriel :", "E-mail:"},
		"orient_none":            {"Aucune offre ni aucun lieu trouvé à moins de 50 km.", "No offer or place found within 50 km."},
		"orient_refer":           {"Orienter ici", "Refer here"},
		"orient_other":           {"Orienter vers un autre lieu", "Refer to another place"},
		"orient_target":          {"Orienté vers", "Referred to"},
		"orient_date":            {"Date", "Date"},
		"orient_record":          {"Enregistrer l'orientation", "Record the referral"},
		"referrals_title":        {"Orientations", "Referrals"},
		"referrals_caption":      {"Orientations enregistrées, les plus récentes d'abord", "Recorded referrals, newest first"},
		"referral_line":          {"orienté vers %s", "referred to %s"},
		"audit_learner_referred": {"personne orientée", "learner referred"},
		"notice_referred":        {"Orientation enregistrée.", "Referral recorded."},
	} {
		messages[k] = v
	}
}
