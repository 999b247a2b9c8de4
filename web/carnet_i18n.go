package web

// carnetMessages are the texts of the learner's own carnet (issue 16):
// "Mon carnet", its share links, the private link a mediator makes and
// its slip. They join messages at start-up.
var carnetMessages = map[string][2]string{
	"carnet_title":                  {"Mon carnet", "My carnet"},
	"carnet_hello":                  {"Carnet de %s", "%s's carnet"},
	"carnet_intro":                  {"Ce carnet est à vous. Gardez ce lien pour vous : il ouvre vos attestations sans mot de passe.", "This carnet is yours. Keep this link to yourself: it opens your credentials without a password."},
	"carnet_privacy":                {"Pas de compte, pas de traceur : cette page ne dépose aucun cookie de suivi et ne charge rien d'un autre site.", "No account, no tracking: this page sets no tracking cookie and loads nothing from another site."},
	"carnet_credentials":            {"Mes attestations", "My credentials"},
	"carnet_no_credentials":         {"Pas encore d'attestation.", "No credential yet."},
	"carnet_levels":                 {"Ce que je sais faire, et la suite", "What I can do, and what comes next"},
	"carnet_now":                    {"Aujourd'hui", "Today"},
	"carnet_official":               {"Énoncé officiel", "Official statement"},
	"carnet_next":                   {"Prochaine étape", "Next step"},
	"carnet_download_jwt":           {"Télécharger (.jwt)", "Download (.jwt)"},
	"carnet_download_json":          {"Télécharger (.json)", "Download (.json)"},
	"share_di":                      {"L'attestation signée pour un vérificateur (VerifierPlus, portefeuille) (.vc.json)", "The signed credential for a verifier (VerifierPlus, wallet) (.vc.json)"},
	"carnet_download_di":            {"Pour un portefeuille (.vc.json)", "For a wallet (.vc.json)"},
	"carnet_reprint":                {"Réimprimer la carte", "Reprint the card"},
	"carnet_not_printable":          {"Carte non imprimable tant que l'attestation n'est pas valide.", "The card cannot be printed while the credential is not valid."},
	"carnet_share_title":            {"Partager une attestation", "Share a credential"},
	"carnet_share_hint":             {"Le lien montre cette seule attestation, vérifiée au moment où on l'ouvre, et rien d'autre de vous. Vous pouvez le retirer à tout moment.", "The link shows this one credential, checked when it is opened, and nothing else about you. You can withdraw it at any time."},
	"carnet_share_which":            {"Attestation à partager", "Credential to share"},
	"carnet_share_days":             {"Durée du lien", "How long the link lasts"},
	"carnet_days_7":                 {"7 jours", "7 days"},
	"carnet_days_30":                {"30 jours", "30 days"},
	"carnet_days_365":               {"1 an", "1 year"},
	"carnet_share_button":           {"Créer le lien de partage", "Make the share link"},
	"carnet_share_made":             {"Lien de partage créé. Copiez-le maintenant : il ne sera plus affiché.", "Share link made. Copy it now: it will not be shown again."},
	"carnet_share_new":              {"Votre lien de partage", "Your share link"},
	"carnet_shares":                 {"Mes liens de partage", "My share links"},
	"carnet_share_until":            {"valable jusqu'au %s", "valid until %s"},
	"carnet_share_expired":          {"expiré", "expired"},
	"carnet_share_gone":             {"retiré", "withdrawn"},
	"carnet_share_withdraw":         {"Retirer ce lien", "Withdraw this link"},
	"carnet_share_withdrawn":        {"Lien de partage retiré : il ne montre plus rien.", "Share link withdrawn: it no longer shows anything."},
	"carnet_erasure_title":          {"Effacer mes données", "Erase my data"},
	"carnet_erasure_explain":        {"Votre demande est envoyée à %s, qui efface vos données (nom, contact, notes, attestations). Ce lien cessera alors de marcher.", "Your request goes to %s, who erases your data (name, contact, notes, credentials). This link will then stop working."},
	"carnet_erasure_confirm":        {"Je demande l'effacement de mes données", "I ask for my data to be erased"},
	"carnet_erasure_button":         {"Envoyer la demande", "Send the request"},
	"carnet_erasure_confirm_needed": {"Cochez la case pour confirmer la demande.", "Tick the box to confirm the request."},
	"carnet_erasure_sent":           {"Demande d'effacement envoyée à votre structure.", "Erasure request sent to your structure."},
	"share_title":                   {"Attestation partagée", "Shared credential"},
	"share_valid":                   {"Attestation valide", "Valid credential"},
	"share_invalid":                 {"Cette attestation ne se vérifie pas", "This credential does not verify"},
	"share_checked_now":             {"Vérifiée à l'instant : signature, émetteur, dates et révocation.", "Checked just now: signature, issuer, dates and revocation."},
	"share_issued_by":               {"Délivrée par %s le %s", "Issued by %s on %s"},
	"share_holder":                  {"Titulaire", "Holder"},
	"share_expires":                 {"Ce lien de partage expire le %s.", "This share link expires on %s."},
	"carnet_link_title":             {"Lien personnel « Mon carnet »", "“My carnet” private link"},
	"carnet_link_section":           {"Espace personnel « Mon carnet »", "“My carnet” personal space"},
	"carnet_link_explain":           {"Un lien secret ouvre à la personne son carnet : ses attestations, ses niveaux, ses prochaines étapes. Il s'imprime sur une fiche à part, jamais sur la carte qu'elle montre.", "A secret link opens the learner's carnet: their credentials, levels and next steps. It is printed on a separate slip, never on the card they show."},
	"carnet_link_none":              {"Pas encore de lien personnel.", "No private link yet."},
	"carnet_link_since":             {"Lien personnel créé le %s.", "Private link made on %s."},
	"carnet_link_make":              {"Créer le lien personnel", "Make the private link"},
	"carnet_link_remake":            {"Créer un nouveau lien (l'ancien ne marchera plus)", "Make a new link (the old one will stop working)"},
	"carnet_link_revoke":            {"Retirer le lien personnel", "Withdraw the private link"},
	"carnet_link_once":              {"Ce lien n'est affiché qu'une fois : imprimez la fiche ou donnez-le maintenant. Pour en avoir un autre, créez un nouveau lien.", "This link is shown only once: print the slip or hand it over now. To get another, make a new link."},
	"carnet_slip_text":              {"Scannez ce code ou tapez l'adresse pour voir vos attestations et vos prochaines étapes. Gardez cette fiche pour vous : ne la montrez pas avec votre carte.", "Scan this code or type the address to see your credentials and next steps. Keep this slip to yourself: do not show it with your card."},
	"carnet_slip_print":             {"Pour imprimer la fiche, utilisez la commande Imprimer du navigateur (Ctrl+P) : seule la fiche s'imprime.", "To print the slip, use the browser's Print command (Ctrl+P): only the slip is printed."},
	"carnet_back":                   {"Retour à la fiche de la personne", "Back to the learner's record"},
	"notice_carnet_revoked":         {"Lien personnel retiré : il n'ouvre plus rien.", "Private link withdrawn: it no longer opens anything."},
	"erasure_requests_title":        {"Demandes d'effacement", "Erasure requests"},
	"erasure_requests_hint":         {"Ces personnes ont demandé, depuis leur carnet, l'effacement de leurs données : ouvrez leur fiche pour les effacer.", "These learners asked, from their carnet, for their data to be erased: open their record to erase it."},
	"erasure_requested_on":          {"demandée le %s", "requested on %s"},
	"audit_carnet_link_created":     {"A créé un lien personnel « Mon carnet » (l'ancien ne marche plus)", "Made a “My carnet” private link (the old one no longer works)"},
	"audit_carnet_link_revoked":     {"A retiré un lien personnel « Mon carnet »", "Withdrew a “My carnet” private link"},
	"audit_carnet_share_created":    {"Une personne a partagé une attestation depuis son carnet", "A learner shared a credential from their carnet"},
	"audit_carnet_share_withdrawn":  {"Une personne a retiré un lien de partage", "A learner withdrew a share link"},
	"audit_erasure_requested":       {"Une personne a demandé l'effacement de ses données depuis son carnet", "A learner asked from their carnet for their data to be erased"},
}

func init() {
	for k, v := range carnetMessages {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
