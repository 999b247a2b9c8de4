package places

import (
	"strings"
	"testing"
)

// FuzzValidateHours: the opening-hours parser never panics, and what it
// accepts has no character outside the syntax.
func FuzzValidateHours(f *testing.F) {
	for _, s := range []string{"24/7", "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "Su[-1] 10:00+", "week 01-26/2 Mo 09:00-12:00",
		"Jan 01-Mar 15 off", `Mo "x" || Tu 10:00-26:00`, "2025-2026 Dec 25 off", "Mo[1,3-4] 09:00-10:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateHours(s) == nil {
			outside := strings.IndexFunc(s, func(r rune) bool {
				return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(" \t;,-[]+/:|\"", r))
			})
			if outside >= 0 && !strings.Contains(s, `"`) {
				t.Errorf("%q accepted with %q", s, s[outside:])
			}
		}
	})
}

// FuzzRead: the import never panics on any input, and every place it hands
// on is valid.
func FuzzRead(f *testing.F) {
	head := strings.Join(Columns, ",")
	f.Add(head + "\na,21510454700019,N,Reims,51100,,1 rue X,,49,4,,,,,,,,,,,2026-01-01,,,,,,,,,,,\n")
	f.Add(`[{"id":"a","pivot":"W123456789","nom":"N","commune":"Reims","code_postal":"51100","adresse":"1 rue X","date_maj":"2026-01-01"}]`)
	f.Add("[1, {}, null, \"x\"]")
	f.Add(head + "\n\"a,\"\"b\n")
	f.Fuzz(func(t *testing.T, s string) {
		Read(strings.NewReader(s), func(p *Place) error {
			if err := p.Validate(); err != nil {
				t.Errorf("handed on an invalid place: %v", err)
			}
			return nil
		})
	})
}
