package web

import "carnet/i18n"

// The pages' texts live in the catalogue (package i18n, domain Web).

// tr returns the text of key in lang ("fr" or "en"); the key itself when
// missing, which the i18n tests catch.
func tr(lang, key string) string { return i18n.T(lang, key) }

// Message returns the text of a page message in lang, for tests and tools.
func Message(lang, key string) string { return i18n.T(lang, key) }
