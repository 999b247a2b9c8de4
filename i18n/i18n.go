// Package i18n is Carnet's one message catalogue: every user-facing text
// of the pages (web), the audit page, the verifier's reasons, the bilan
// exports (report), the signed credential (issuer) and the printed card
// and certificate (issuer/card), in French and English.
//
// The texts live in one map literal per domain file (web.go, web_*.go,
// audit.go, reasons.go, report.go, credential.go, card.go, verifier.go),
// each entry key: {French, English}; a text that depends on a count has
// its two plural forms per language (verifierPlurals). They are loaded
// into a golang.org/x/text catalog.Builder, so a message.Printer
// (Printer, Plural) formats them with the language's plural rules and
// numbers; T and Text format with fmt, so the texts stay byte for byte
// what they were (a year printed with %d must not become "2 026").
//
// This package imports no other Carnet package.
package i18n

import (
	"fmt"
	"sort"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Domain is a family of messages with its own keys.
type Domain string

const (
	Web        Domain = "web"        // the pages; key as in {{t "key"}}
	Audit      Domain = "audit"      // the audit page's sentences, by action
	Reason     Domain = "reason"     // the verifier's reason codes
	Report     Domain = "report"     // the bilan exports and charts
	Credential Domain = "credential" // the texts signed into a credential
	Card       Domain = "card"       // the printed card and A4 certificate
	Verifier   Domain = "verifier"   // the verifier's other sentences and ages
)

// Domains lists every domain, for tests and tools.
var Domains = []Domain{Web, Audit, Reason, Report, Credential, Card, Verifier}

// tables maps each domain to its messages, key: {fr, en}.
var tables = map[Domain]map[string][2]string{}

// plurals maps each domain to its messages that depend on a count, key:
// {fr {one, other}, en {one, other}}.
var plurals = map[Domain]map[string][2][2]string{}

// builder holds every message, under catalogKey(domain, key).
var builder = catalog.NewBuilder(catalog.Fallback(language.French))

// sources are the map literals of each domain, in the order they are merged.
func sources() map[Domain][]map[string][2]string {
	return map[Domain][]map[string][2]string{
		Web: {webPages, webCard, webCarnet, webDay, webOrient, webPlaces, webWorkshops, webBatches,
			webImports, webResources, webKeys, webReports, webVerify},
		Audit:      {auditLines},
		Reason:     {reasonTexts},
		Report:     {reportTexts},
		Credential: {credentialTexts},
		Card:       {cardTexts},
		Verifier:   {verifierTexts},
	}
}

// pluralSources are the plural messages of each domain.
func pluralSources() map[Domain]map[string][2][2]string {
	return map[Domain]map[string][2][2]string{
		Verifier: verifierPlurals,
	}
}

func init() {
	for d, maps := range sources() {
		all := map[string][2]string{}
		for _, m := range maps {
			for k, v := range m {
				if _, dup := all[k]; dup {
					panic("i18n: message " + string(d) + "/" + k + " defined twice")
				}
				all[k] = v
				if err := builder.SetString(language.French, catalogKey(d, k), v[0]); err != nil {
					panic(err)
				}
				if err := builder.SetString(language.English, catalogKey(d, k), v[1]); err != nil {
					panic(err)
				}
			}
		}
		tables[d] = all
	}
	for d, m := range pluralSources() {
		for k, v := range m {
			if _, dup := tables[d][k]; dup {
				panic("i18n: message " + string(d) + "/" + k + " defined twice")
			}
			for i, tag := range []language.Tag{language.French, language.English} {
				msg := plural.Selectf(1, "%d", plural.One, v[i][0], plural.Other, v[i][1])
				if err := builder.Set(tag, catalogKey(d, k), msg); err != nil {
					panic(err)
				}
			}
		}
		plurals[d] = m
	}
}

// catalogKey is a message's key in the catalog: the page messages under
// their own key, the others prefixed by their domain.
func catalogKey(d Domain, key string) string {
	if d == Web {
		return key
	}
	return string(d) + ":" + key
}

// Lookup returns the text of key in domain and lang ("en" for English,
// French otherwise), unformatted, and whether it exists.
func Lookup(d Domain, lang, key string) (string, bool) {
	m, ok := tables[d][key]
	if !ok {
		return "", false
	}
	if lang == "en" {
		return m[1], true
	}
	return m[0], true
}

// Text returns the text of key in domain and lang, formatted with args
// by fmt.Sprintf when there are any; the key itself when unknown.
func Text(d Domain, lang, key string, args ...any) string {
	s, ok := Lookup(d, lang, key)
	if !ok {
		s = key
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// T returns a page message (domain Web) in lang, formatted with args when
// there are any; the key itself when unknown, which the tests catch.
func T(lang, key string, args ...any) string { return Text(Web, lang, key, args...) }

// Plural returns the message key of domain d in lang for the count n,
// chosen by the language's plural rules and printed by its Printer (so
// with the language's digit grouping: "1 000 jours", "1,000 days"); the
// key itself when unknown.
func Plural(d Domain, lang, key string, n int) string {
	if _, ok := plurals[d][key]; !ok {
		return key
	}
	return Printer(lang).Sprintf(catalogKey(d, key), n)
}

// PluralKeys returns the plural keys of a domain, sorted.
func PluralKeys(d Domain) []string {
	keys := make([]string, 0, len(plurals[d]))
	for k := range plurals[d] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PluralForms returns the {one, other} texts of a plural key in lang.
func PluralForms(d Domain, lang, key string) ([2]string, bool) {
	m, ok := plurals[d][key]
	if !ok {
		return [2]string{}, false
	}
	if lang == "en" {
		return m[1], true
	}
	return m[0], true
}

// Keys returns the keys of a domain, sorted.
func Keys(d Domain) []string {
	keys := make([]string, 0, len(tables[d]))
	for k := range tables[d] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Tag is the language tag of lang: English for "en", French otherwise.
func Tag(lang string) language.Tag {
	if lang == "en" {
		return language.English
	}
	return language.French
}

// Printer returns a message.Printer on the catalogue in lang: its
// Sprintf(CatalogKey(d, key), args...) formats numbers as the language
// writes them ("1 234,5" in French), for new messages that want it.
func Printer(lang string) *message.Printer {
	return message.NewPrinter(Tag(lang), message.Catalog(builder))
}

// CatalogKey is the key of a message for Printer.
func CatalogKey(d Domain, key string) string { return catalogKey(d, key) }
