package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// WriteCSV writes a report as CSV in UTF-8 with a byte order mark (French
// spreadsheet software then reads the accents right), one figure a line:
// section, framework, competency, indicator, value. sep is ',' or ';'.
// Indicator columns hold a stable code and its label, so that a script
// can read it whatever the language.
func WriteCSV(w io.Writer, r *Report, lang string, sep rune) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = sep
	cw.UseCRLF = true
	row := func(section, fw, comp, code, label string, v any) {
		cw.Write([]string{escape(section), escape(fw), escape(comp), escape(code), escape(label), escape(fmt.Sprint(v))})
	}
	cw.Write([]string{T(lang, "section"), T(lang, "framework"), T(lang, "competence"), "code", T(lang, "indicator"), T(lang, "value")})
	key := T(lang, "key")
	row(key, r.Framework, "", "from", T(lang, "period"), r.From)
	row(key, r.Framework, "", "to", T(lang, "period"), r.To)
	row(key, r.Framework, "", "people", T(lang, "people"), r.People)
	row(key, r.Framework, "", "new", T(lang, "new"), r.New)
	row(key, r.Framework, "", "returning", T(lang, "returning"), r.Returning)
	row(key, r.Framework, "", "assessments", T(lang, "assessments"), r.Assessments)
	row(key, r.Framework, "", "issued", T(lang, "issued"), r.Credentials.Issued)
	row(key, r.Framework, "", "revoked", T(lang, "revoked"), r.Credentials.Revoked)
	row(key, r.Framework, "", "suspended", T(lang, "suspended"), r.Credentials.Suspended)
	row(key, r.Framework, "", "workshops", T(lang, "workshops"), r.Workshops.Sessions)
	row(key, r.Framework, "", "workshop_participants", T(lang, "w_participants"), r.Workshops.Participants)
	row(key, r.Framework, "", "workshop_credentials", T(lang, "w_credentials"), r.Workshops.Credentials)
	prev := T(lang, "previous")
	row(prev, r.Framework, "", "people", T(lang, "people"), r.Previous.People)
	row(prev, r.Framework, "", "new", T(lang, "new"), r.Previous.New)
	row(prev, r.Framework, "", "issued", T(lang, "issued"), r.Previous.Issued)
	row(prev, r.Framework, "", "revoked", T(lang, "revoked"), r.Previous.Revoked)
	row(prev, r.Framework, "", "suspended", T(lang, "suspended"), r.Previous.Suspended)
	row(prev, r.Framework, "", "attached", T(lang, "attached"), r.Previous.Attached)
	row(prev, r.Framework, "", "workshops", T(lang, "workshops"), r.Previous.Workshops.Sessions)
	row(prev, r.Framework, "", "workshop_participants", T(lang, "w_participants"), r.Previous.Workshops.Participants)
	row(prev, r.Framework, "", "workshop_credentials", T(lang, "w_credentials"), r.Previous.Workshops.Credentials)
	ws := T(lang, "w_section")
	for _, x := range []struct {
		code   string
		shares []WorkshopShare
	}{{"structure", r.Workshops.ByStructure}, {"partner", r.Workshops.ByPartner}} {
		for _, w := range x.shares {
			who := w.Name
			if w.Structure != "" {
				who += " (" + w.Structure + ")"
			}
			label := who + " – "
			row(ws, r.Framework, "", x.code+"_workshops", label+T(lang, "workshops"), w.Sessions)
			row(ws, r.Framework, "", x.code+"_workshop_participants", label+T(lang, "w_participants"), w.Participants)
			row(ws, r.Framework, "", x.code+"_workshop_credentials", label+T(lang, "w_credentials"), w.Credentials)
		}
	}
	comps := T(lang, "competences")
	for _, c := range r.Competences {
		row(comps, c.Framework, c.Code, "assessed", T(lang, "assessed"), c.Assessed)
		for _, l := range c.LevelOrder {
			row(comps, c.Framework, c.Code, "level_"+l, T(lang, "level")+" "+l, c.Levels[l])
		}
		row(comps, c.Framework, c.Code, "assessed_twice", T(lang, "assessed_twice"), c.AssessedTwice)
		row(comps, c.Framework, c.Code, "progressed", T(lang, "progressed"), c.Progressed)
		for _, by := range sortedKeys(c.ProgressedBy) {
			row(comps, c.Framework, c.Code, "progressed_by_"+by, strings.Replace(T(lang, "progressed_by"), "%s", by, 1), c.ProgressedBy[by])
		}
		if c.MedianDays != nil {
			row(comps, c.Framework, c.Code, "median_days", T(lang, "median_days"), *c.MedianDays)
		}
	}
	cont := T(lang, "continuity")
	row(cont, r.Framework, "", "attached", T(lang, "attached"), r.Continuity.Attached)
	for _, p := range r.Continuity.ByPartner {
		row(cont, r.Framework, "", "attached_from", T(lang, "partner")+" "+p.Name+" ("+p.Issuer+")", p.N)
	}
	row(cont, r.Framework, "", "multi_structure", T(lang, "multi_structure"), r.Continuity.MultiStructure)
	row(cont, "", "", "verifications", T(lang, "verifications"), r.Verifications.Total)
	for _, d := range r.Verifications.ByDay {
		row(cont, "", "", "verifications_"+d.Day, T(lang, "verifications")+" "+d.Day, d.N)
	}
	next := T(lang, "next_steps")
	for _, res := range r.Resources {
		row(next, "", "", "resource_"+res.ID, res.Name+" ("+res.URL+")", res.N)
	}
	months := T(lang, "months")
	for _, m := range r.Monthly {
		row(months, r.Framework, "", "people_"+m.Month, T(lang, "month_people")+" "+m.Month, m.People)
		row(months, r.Framework, "", "issued_"+m.Month, T(lang, "month_issued")+" "+m.Month, m.Issued)
	}
	cw.Flush()
	return cw.Error()
}

// escape makes a cell safe to open in a spreadsheet: one that starts with
// = + - @ (or a tab or carriage return) would be a formula there — a
// partner's name as a mediator typed it, an issuer's name as a partner
// signed it — and gets a leading apostrophe so that it is shown as text
// (as app/batch.Escape does for the batches' CSV).
func escape(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func sortedKeys(m map[string]Count) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// "1" < "2" < … < "10": by length first.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && (len(keys[j]) < len(keys[j-1]) || len(keys[j]) == len(keys[j-1]) && keys[j] < keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
