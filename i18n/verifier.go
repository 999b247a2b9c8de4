package i18n

// verifierTexts: the verifier's sentences other than its reasons (package
// verifier): a signature from an issuer not trusted here, a status that
// could not be checked, a status last confirmed some time ago.
var verifierTexts = map[string][2]string{
	"untrusted_signature": {"Signature correcte, mais l'émetteur n'est pas reconnu ici.", "Signature correct, but the issuer is not trusted here."},
	"status_unchecked":    {"Le statut de révocation n'a pas pu être vérifié : l'attestation a pu être révoquée depuis.", "The revocation status could not be checked: the credential may have been revoked since."},
	// date, time (UTC) and age (age_*) of the last confirmed status
	"status_stale": {"Statut au %s à %s UTC (il y a %s) : le serveur de l'émetteur n'a pas pu être joint à l'instant.",
		"Status as of %s %s UTC (%s ago): the issuer's server could not be reached just now."},
	"age_under_minute": {"moins d'une minute", "less than a minute"},
}

// verifierPlurals: the verifier's texts that depend on a count, by the
// language's plural rules (CLDR: French "one" is 0 and 1), key:
// {French {one, other}, English {one, other}}; printed by Plural.
var verifierPlurals = map[string][2][2]string{
	"age_minutes": {{"%d minute", "%d minutes"}, {"%d minute", "%d minutes"}},
	"age_hours":   {{"%d heure", "%d heures"}, {"%d hour", "%d hours"}},
	"age_days":    {{"%d jour", "%d jours"}, {"%d day", "%d days"}},
}
