package report

import "carnet/i18n"

// T returns a label of the exports in lang ("fr" or "en"), from the
// catalogue (package i18n, domain Report); the key itself when unknown.
func T(lang, key string) string { return i18n.Text(i18n.Report, lang, key) }
