package i18n

// webKeys: the keys section of the structure page.
var webKeys = map[string][2]string{
	"keys_title": {"Clés de signature", "Signing keys"},
	"keys_intro": {"Les attestations et les cartes de la structure sont signées avec sa clé actuelle. Les clés précédentes restent publiées : tout ce qu'elles ont signé reste valide.",
		"The structure's credentials and cards are signed with its current key. The previous keys stay published: everything they signed stays valid."},
	"keys_current": {"clé actuelle", "current key"},
	"keys_created": {"créée le", "created on"},
	"keys_rotate_explain": {"Une nouvelle clé sert à toutes les signatures à partir de maintenant, ici et dans la vérification, sans redémarrage. Faites-le si la clé a pu être copiée, ou périodiquement. Les partenaires reçoivent la nouvelle clé à leur prochaine mise à jour.",
		"A new key signs everything from now on, here and in verification, without a restart. Do it if the key may have been copied, or periodically. Partners get the new key at their next refresh."},
	"keys_rotate_confirm": {"Je confirme : créer une nouvelle clé de signature", "I confirm: create a new signing key"},
	"keys_rotate_button":  {"Créer une nouvelle clé", "Create a new key"},
	"notice_keys_rotated": {"Nouvelle clé de signature en service : les attestations sont désormais signées avec elle.", "New signing key in service: credentials are now signed with it."},
	"audit_keys_rotated":  {"nouvelle clé de signature", "new signing key"},
}
