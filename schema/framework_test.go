package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carnet/schema"
)

func TestBuiltinFrameworks(t *testing.T) {
	fws := schema.NewFrameworks()
	for _, tc := range []struct {
		id           string
		competencies int
		levels       []string
	}{
		{"digcomp-2.2", 21, []string{"1", "2", "3", "4", "5", "6", "7", "8"}},
		{"crcn-2019", 16, []string{"1", "2", "3", "4", "5", "6", "7", "8"}},
		{"cefr-fr", 10, []string{"A1", "A2", "B1", "B2", "C1", "C2"}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			f, err := fws.Get(tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.CompetencyCount(); got != tc.competencies {
				t.Errorf("competencies = %d, want %d", got, tc.competencies)
			}
			for rank, id := range tc.levels {
				l, r, err := f.Level(id)
				if err != nil || r != rank || l.ID != id {
					t.Errorf("Level(%s) = %v, %d, %v; want rank %d", id, l, r, err, rank)
				}
				if l.Title.In("fr") == "" || l.Title.In("en") == "" {
					t.Errorf("level %s lacks a title", id)
				}
				if f.LevelGroup(l.Group) == nil {
					t.Errorf("level %s: unknown group %q", id, l.Group)
				}
			}
			for _, a := range f.Areas {
				for _, c := range a.Competences {
					if c.Title["fr"] == "" || c.Title["en"] == "" {
						t.Errorf("competency %s lacks a French or English title", c.Code)
					}
				}
			}
			if f.License.ID == "" {
				t.Error("no licence")
			}
		})
	}
}

func TestFrameworkLookupErrors(t *testing.T) {
	fws := schema.NewFrameworks()
	dig, _ := fws.Get("digcomp-2.2")
	cefr, _ := fws.Get("cefr-fr")
	_, _, err := dig.Competency("9.9")
	assertError(t, err, schema.EINVALID, "competency 9.9 is not in digcomp-2.2")
	_, _, err = cefr.Level("B3")
	assertError(t, err, schema.EINVALID, "level B3 does not exist in cefr-fr (levels: A1, A2, B1, B2, C1, C2)")
	_, _, err = dig.Level("9")
	assertError(t, err, schema.EINVALID, "level 9 does not exist in digcomp-2.2 (levels: 1, 2, 3, 4, 5, 6, 7, 8)")
	_, err = fws.Get("digcomp-9")
	if schema.ErrorCode(err) != schema.EINVALID {
		t.Errorf("unknown framework: code %q", schema.ErrorCode(err))
	}
	if fr := schema.ErrorMessageFR(err); fr == "" || fr == schema.ErrorMessage(err) {
		t.Errorf("no French message: %q", fr)
	}
}

func assertError(t *testing.T, err error, code, msg string) {
	t.Helper()
	if schema.ErrorCode(err) != code || schema.ErrorMessage(err) != msg {
		t.Errorf("err = %q (%s), want %q (%s)", schema.ErrorMessage(err), schema.ErrorCode(err), msg, code)
	}
}

const networkFramework = `{
  "formatVersion": "1", "id": "pass-numerique-59", "uri": "https://reseau.example.org/referentiel",
  "title": {"fr": "Pass numérique du Nord", "en": "Nord digital pass"},
  "license": {"id": "etalab-2.0"},
  "levelGroups": [{"id": "g", "title": {"fr": "Tous"}, "levels": ["A", "B", "C"]}],
  "levels": [{"id": "A", "title": {"fr": "Découverte"}, "group": "g"},
             {"id": "B", "title": {"fr": "Pratique"}, "group": "g"},
             {"id": "C", "title": {"fr": "Autonomie"}, "group": "g"}],
  "areas": [{"code": "D", "title": {"fr": "Démarches"}, "competences": [
     {"code": "D1", "title": {"fr": "Créer son compte France Travail"}},
     {"code": "D2", "title": {"fr": "Déclarer ses revenus en ligne"}}]}]
}`

func TestLoadNetworkFramework(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pass.json"), []byte(networkFramework), 0o644); err != nil {
		t.Fatal(err)
	}
	fws := schema.NewFrameworks()
	if err := fws.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	f, err := fws.Get("pass-numerique-59")
	if err != nil {
		t.Fatal(err)
	}
	if c, a, err := f.Competency("D2"); err != nil || a.Code != "D" || c.Title.In("en") != "Déclarer ses revenus en ligne" {
		t.Errorf("D2 = %v %v %v (English falls back to French)", c, a, err)
	}
	if _, r, _ := f.Level("C"); r != 2 {
		t.Errorf("rank of C = %d", r)
	}
	// The built-ins are still there and not altered.
	if _, err := fws.Get("digcomp-2.2"); err != nil {
		t.Error(err)
	}
	if _, err := schema.NewFrameworks().Get("pass-numerique-59"); err == nil {
		t.Error("a loaded framework leaked into another set")
	}
}

func TestParseFrameworkRejects(t *testing.T) {
	for _, tc := range []struct{ name, json string }{
		{"not json", `{`},
		{"wrong format version", `{"formatVersion":"2","id":"x","levels":[{"id":"1"}],"areas":[{"code":"a","competences":[{"code":"a1"}]}]}`},
		{"bad id", `{"formatVersion":"1","id":"X Y","levels":[{"id":"1"}],"areas":[{"code":"a","competences":[{"code":"a1"}]}]}`},
		{"no levels", `{"formatVersion":"1","id":"x","levels":[],"areas":[{"code":"a","competences":[{"code":"a1"}]}]}`},
		{"duplicate level", `{"formatVersion":"1","id":"x","levels":[{"id":"1"},{"id":"1"}],"areas":[{"code":"a","competences":[{"code":"a1"}]}]}`},
		{"level with =", `{"formatVersion":"1","id":"x","levels":[{"id":"1=2"}],"areas":[{"code":"a","competences":[{"code":"a1"}]}]}`},
		{"no competencies", `{"formatVersion":"1","id":"x","levels":[{"id":"1"}],"areas":[]}`},
		{"duplicate competency", `{"formatVersion":"1","id":"x","levels":[{"id":"1"}],"areas":[{"code":"a","competences":[{"code":"a1"},{"code":"a1"}]}]}`},
		{"group names unknown level", `{"formatVersion":"1","id":"x","levelGroups":[{"id":"g","levels":["9"]}],"levels":[{"id":"1"}],"areas":[{"code":"a","competences":[{"code":"a1"}]}]}`},
		{"statement of unknown level", `{"formatVersion":"1","id":"x","levels":[{"id":"1"}],"areas":[{"code":"a","competences":[{"code":"a1","levels":[{"id":"2"}]}]}]}`},
		{"statements out of order", `{"formatVersion":"1","id":"x","levels":[{"id":"1"},{"id":"2"}],"areas":[{"code":"a","competences":[{"code":"a1","levels":[{"id":"2"},{"id":"1"}]}]}]}`},
		{"statement twice", `{"formatVersion":"1","id":"x","levels":[{"id":"1"},{"id":"2"}],"areas":[{"code":"a","competences":[{"code":"a1","levels":[{"id":"1"},{"id":"1"}]}]}]}`},
		{"alias is a code", `{"formatVersion":"1","id":"x","levels":[{"id":"1"}],"areas":[{"code":"a","competences":[{"code":"a1","aliases":["a2"]},{"code":"a2"}]}]}`},
		{"alias twice", `{"formatVersion":"1","id":"x","levels":[{"id":"1"}],"areas":[{"code":"a","competences":[{"code":"a1","aliases":["old"]},{"code":"a2","aliases":["old"]}]}]}`},
		{"alias with =", `{"formatVersion":"1","id":"x","levels":[{"id":"1"}],"areas":[{"code":"a","competences":[{"code":"a1","aliases":["o=1"]}]}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := schema.ParseFramework([]byte(tc.json)); schema.ErrorCode(err) != schema.EINVALID {
				t.Errorf("err = %v, want code invalid", err)
			}
		})
	}
}

// TestBuiltinStatements checks that every competency of every built-in
// framework says, for each of the framework's levels and in its order, what
// the level means: a statement in French and in English and a plain line in
// French; that each framework says where its texts come from; and that
// former codes find their competency without counting twice.
func TestBuiltinStatements(t *testing.T) {
	fws := schema.NewFrameworks()
	for _, id := range fws.IDs() {
		f, _ := fws.Get(id)
		t.Run(id, func(t *testing.T) {
			if len(f.Source) == 0 || len(f.Notes) == 0 {
				t.Errorf("no sources (%d) or notes (%d)", len(f.Source), len(f.Notes))
			}
			for _, a := range f.Areas {
				for _, c := range a.Competences {
					if len(c.Levels) != len(f.Levels) {
						t.Errorf("%s: %d level statements, want %d", c.Code, len(c.Levels), len(f.Levels))
						continue
					}
					for i, cl := range c.Levels {
						if cl.ID != f.Levels[i].ID {
							t.Errorf("%s: statement %d is for level %s, want %s", c.Code, i, cl.ID, f.Levels[i].ID)
						}
						if cl.Statement["fr"] == "" || cl.Statement["en"] == "" || cl.Plain["fr"] == "" {
							t.Errorf("%s level %s: statement fr %q, en %q, plain fr %q", c.Code, cl.ID, cl.Statement["fr"], cl.Statement["en"], cl.Plain["fr"])
						}
						if len([]rune(cl.Plain["fr"])) > 100 {
							t.Errorf("%s level %s: the plain line is %d characters, keep it short: %q", c.Code, cl.ID, len([]rune(cl.Plain["fr"])), cl.Plain["fr"])
						}
						if lv, _, _ := f.Level(cl.ID); c.Statement(lv, "en") != cl.Statement["en"] {
							t.Errorf("%s level %s: Statement does not return the statement", c.Code, cl.ID)
						}
					}
					for _, al := range c.Aliases {
						if got, _, err := f.Competency(al); err != nil || got.Code != c.Code {
							t.Errorf("former code %s finds %v, %v; want %s", al, got, err, c.Code)
						}
						if f.CanonicalCode(al) != c.Code {
							t.Errorf("CanonicalCode(%s) = %s, want %s", al, f.CanonicalCode(al), c.Code)
						}
					}
				}
			}
		})
	}
	cefr, _ := fws.Get("cefr-fr")
	want := map[string]string{"CO": "REC.L", "CE": "REC.R", "PO": "PROD.S", "PE": "PROD.W", "IO": "INT.S", "IE": "INT.W", "IL": "INT.O"}
	for code, old := range want {
		c, _, err := cefr.Competency(code)
		if err != nil || len(c.Aliases) != 1 || c.Aliases[0] != old {
			t.Errorf("CEFR %s: %v, aliases %v; want the former code %s", code, err, c, old)
		}
	}
	if n := cefr.CompetencyCount(); n != 10 {
		t.Errorf("CEFR counts %d competencies, want 10 (former codes are not competencies)", n)
	}
	co, _, _ := cefr.Competency("CO")
	a1, _, _ := cefr.Level("A1")
	if s := co.Statement(a1, "fr"); !strings.HasPrefix(s, "Je peux comprendre des mots familiers") {
		t.Errorf("CO A1 in French is %q, want the self-assessment grid", s)
	}
}
