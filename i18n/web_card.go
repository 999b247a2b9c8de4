package i18n

// webCard: the card's language setting and the level labels (issue 11).
var webCard = map[string][2]string{
	"card_lang":      {"Langue des cartes", "Card language"},
	"card_lang_hint": {"La langue de la personne qui reçoit la carte. Une deuxième langue s'imprime en plus petit, après le français.", "The language of the person who receives the card. A second language prints smaller, after French."},
	"card_lang_fr":   {"Français", "French"},
	"card_lang_en":   {"anglais", "English"},
	"card_lang_two":  {"Français, puis %s en plus petit", "French, then %s, smaller"},
}
