package web

// dayMessages are the texts of a mediator's day (issue 12): the
// assessment in one page, printing, invitations, consent, the first
// start. They join messages at start-up.
var dayMessages = map[string][2]string{
	"new_assessment":           {"Nouvelle évaluation", "New assessment"},
	"assess_other_framework":   {"Évaluer avec un autre référentiel", "Assess with another framework"},
	"assess_what_levels_mean":  {"Ce que veut dire chaque niveau", "What each level means"},
	"assess_summary":           {"Résumé", "Summary"},
	"assess_summary_none":      {"Aucune compétence évaluée pour l'instant.", "No competency assessed yet."},
	"assess_summary_some":      {"Compétences évaluées : %d", "Competencies assessed: %d"},
	"optional":                 {"facultatif", "optional"},
	"address":                  {"Adresse postale", "Postal address"},
	"quick_name":               {"Nouvelle personne : son prénom ou le nom qu'elle veut voir sur sa carte", "New learner: their first name or the name they want on their card"},
	"quick_start":              {"Commencer l'évaluation", "Start the assessment"},
	"quick_hint":               {"Seul ce nom est enregistré.", "Only this name is kept."},
	"quick_full_form":          {"Ajouter un contact ou des notes (avec l'accord de la personne)", "Add a contact or notes (with the learner's consent)"},
	"default_framework":        {"Référentiel par défaut", "Default framework"},
	"frameworks_title":         {"Référentiels", "Frameworks"},
	"frameworks_intro":         {"L'évaluation s'ouvre sur le premier référentiel ; les autres sont proposés dans cet ordre.", "The assessment opens on the first framework; the others are offered in this order."},
	"framework_rank":           {"Position %d", "Position %d"},
	"print_card":               {"Imprimer la carte", "Print the card"},
	"print_a4":                 {"Imprimer l'attestation A4", "Print the A4 certificate"},
	"print_hint":               {"La carte tient dans un portefeuille ; l'attestation A4 accompagne une candidature.", "The card fits in a wallet; the A4 certificate goes with a job application."},
	"tech_details":             {"Détails techniques", "Technical details"},
	"framework_id":             {"Identifiant du référentiel", "Framework id"},
	"framework_unknown":        {"Référentiel inconnu sur cette instance", "Framework unknown on this instance"},
	"consent_none":             {"sans accord pour conserver d'autres données que le nom", "no consent to keep anything but the name"},
	"print":                    {"Imprimer", "Print"},
	"print_card_short":         {"Imprimer la carte", "Print the card"},
	"audit_someone":            {"une personne", "a learner"},
	"audit_erased_person":      {"une personne dont les données sont effacées", "a learner whose data was erased"},
	"audit_ref":                {"réf.", "ref."},
	"audit_of":                 {"de", "of"},
	"audit_the_logo":           {"le logo", "logo"},
	"audit_the_frameworks":     {"les référentiels", "frameworks"},
	"audit_the_profile":        {"le profil", "profile"},
	"audit_login_link":         {"S'est connecté·e avec un lien à usage unique", "Signed in with a one-time link"},
	"audit_what":               {"Ce qui s'est passé", "What happened"},
	"audit_by_api":             {"(par l'API)", "(through the API)"},
	"invites_pending":          {"Invitations en attente", "Pending invitations"},
	"invites_none":             {"Aucune invitation en attente.", "No pending invitation."},
	"invites_hint":             {"Un lien d'invitation n'est montré qu'une fois. Perdu ? « Nouveau lien » en crée un autre et l'ancien ne marche plus.", "An invitation link is shown only once. Lost? “New link” makes another and the old one stops working."},
	"invite_expires":           {"Valable jusqu'au", "Valid until"},
	"invite_resend":            {"Nouveau lien", "New link"},
	"invite_cancel":            {"Annuler l'invitation", "Cancel the invitation"},
	"invite_copy_hint":         {"Copiez ce lien et envoyez-le à la personne : il ne sera plus affiché.", "Copy this link and send it to the person: it will not be shown again."},
	"notice_invite_cancelled":  {"Invitation annulée : son lien ne marche plus.", "Invitation cancelled: its link no longer works."},
	"notice_setup_done":        {"C'est prêt : votre structure est enregistrée.", "Ready: your structure is saved."},
	"notice_consent_withdrawn": {"Accord retiré : le contact et les notes de cette personne ont été effacés. Son nom reste, car ses attestations le portent.", "Consent withdrawn: this learner's contact and notes were erased. Their name stays, as their credentials carry it."},
	"consent_hint":             {"Sans accord, seul le nom est enregistré : le contact et les notes sont refusés. Retirer l'accord efface le contact et les notes.", "Without consent, only the name is kept: contact and notes are refused. Withdrawing consent erases the contact and notes."},
	"setup_title":              {"Votre structure", "Your structure"},
	"setup_intro":              {"Avant la première carte : le nom, l'adresse et le logo de votre structure, imprimés sur chaque carte et chaque attestation.", "Before the first card: your structure's name, address and logo, printed on every card and certificate."},
	"setup_name":               {"Nom de la structure", "Name of the structure"},
	"setup_name_hint":          {"Tel que les personnes et les partenaires le connaissent, par exemple « Médiathèque Jean-Macé ».", "As learners and partners know it, for example “Jean Macé Library”."},
	"setup_public_url":         {"Adresse publique de Carnet", "Carnet's public address"},
	"setup_public_url_hint":    {"Les QR codes des cartes pointent vers cette adresse. Elle se règle au démarrage du serveur (--base-url ou BASE_URL).", "The cards' QR codes point to this address. It is set when the server starts (--base-url or BASE_URL)."},
	"setup_save":               {"Enregistrer", "Save"},
	"setup_logo_save":          {"Envoyer le logo", "Upload the logo"},
	"setup_pending":            {"Votre structure s'appelle encore « Structure principale » : ce nom serait imprimé sur les cartes.", "Your structure is still called “Structure principale”: this name would be printed on the cards."},
	"setup_go":                 {"Indiquer son vrai nom", "Give its real name"},
}

func init() {
	for k, v := range dayMessages {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
