package schema_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"carnet/schema"
)

// TestCRCNStatementSources checks that every CRCN text names its source and
// that the texts Carnet wrote itself say so: a credential embeds the
// statement without the data file's notes, so a reader of the card must see
// which texts are official. It also checks that no sentence of the CC
// BY-NC-ND Réseau Canopé transcript used by data version 2 is left (an ND
// text may not be translated, an NC text may not ship in software anyone may
// deploy).
func TestCRCNStatementSources(t *testing.T) {
	data, err := os.ReadFile("frameworks/crcn.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		DataVersion      string            `json:"dataVersion"`
		StatementSources map[string]string `json:"statementSources"`
		Levels           []struct {
			ID            string      `json:"id"`
			Summary       schema.Text `json:"summary"`
			SummarySource string      `json:"summarySource"`
		} `json:"levels"`
		Areas []struct {
			Competences []struct {
				Code   string `json:"code"`
				Levels []struct {
					ID        string      `json:"id"`
					Statement schema.Text `json:"statement"`
					Plain     schema.Text `json:"plain"`
					Source    string      `json:"source"`
				} `json:"levels"`
			} `json:"competences"`
		} `json:"areas"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw.DataVersion == "1" || raw.DataVersion == "2" {
		t.Errorf("dataVersion %q: the statements changed, the data version must too", raw.DataVersion)
	}
	const carnetFR, carnetEN = "Repère Carnet (texte non officiel)", "Carnet guideline (not an official text)"
	// Sentences of the Canopé/Pix transcript (CC BY-NC-ND) that data v2 quoted.
	banned := []string{"Une personne de niveau", "A person at level", "réalise des actions élémentaires associées",
		"Elle peut aussi venir en aide à d'autres", "Autonome, elle peut élaborer une procédure"}
	check := func(where, source string, t1 schema.Text) {
		t.Helper()
		if _, ok := raw.StatementSources[source]; !ok {
			t.Errorf("%s: source %q is not one of statementSources", where, source)
		}
		carnet := source == "carnet"
		if strings.HasPrefix(t1["fr"], carnetFR) != carnet || strings.HasPrefix(t1["en"], carnetEN) != carnet {
			t.Errorf("%s (source %s): Carnet's own texts, and only they, must begin with %q / %q: %q / %q",
				where, source, carnetFR, carnetEN, t1["fr"], t1["en"])
		}
		for _, s := range []string{t1["fr"], t1["en"]} {
			for _, b := range banned {
				if strings.Contains(s, b) {
					t.Errorf("%s: still quotes the CC BY-NC-ND transcript (%q)", where, b)
				}
			}
		}
	}
	official := 0
	for _, l := range raw.Levels {
		check("level "+l.ID, l.SummarySource, l.Summary)
	}
	for _, a := range raw.Areas {
		for _, c := range a.Competences {
			for _, cl := range c.Levels {
				check(c.Code+" level "+cl.ID, cl.Source, cl.Statement)
				if cl.Source == "eduscol" {
					official++
				}
			}
		}
	}
	// Éduscol's guidelines cover levels 1 to 5 of the 16 competences, except 4.1 level 1.
	if official != 16*5-1 {
		t.Errorf("%d statements from Éduscol, want %d", official, 16*5-1)
	}
}
