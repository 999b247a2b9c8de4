package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carnet/places"
	"carnet/sqlite"
)

// TestPlacesImport: `carnet places import` reads the standard's CSV and
// JSON, prints the count and the rows left out with their lines, and a
// second import updates by id without duplicates.
func TestPlacesImport(t *testing.T) {
	data, work := t.TempDir(), t.TempDir()
	head := strings.Join(places.Columns, ",")
	row := func(id, nom, cp string) string {
		r := make([]string, len(places.Columns))
		for i, c := range places.Columns {
			r[i] = map[string]string{"id": id, "pivot": "21510454700019", "nom": nom, "commune": "Reims", "code_postal": cp,
				"adresse": "1 rue du Test", "latitude": "49.25", "longitude": "4.03", "date_maj": "2026-11-30",
				"services": "Aide aux démarches administratives|Accès internet et matériel informatique"}[c]
		}
		return strings.Join(r, ",")
	}
	csvFile := filepath.Join(work, "lieux.csv")
	os.WriteFile(csvFile, []byte(strings.Join([]string{head, row("a", "Lieu A", "51100"), row("b", "Lieu B", "511"), "x,y", row("c", "Lieu C", "51100")}, "\n")+"\n"), 0o600)
	code, out, errs := carnet(t, "", "places", "import", "--data", data, csvFile)
	if code != exitInvalid || !strings.Contains(out, "2 lieux importés / 2 places imported") || !strings.Contains(out, "2 lignes écartées / 2 rows left out") ||
		!strings.Contains(out, "ligne 3 / line 3 [b]") || !strings.Contains(out, "ligne 4 / line 4") || !strings.Contains(out, "Code postal (code_postal)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// The same places again, as JSON, one renamed: updated, not duplicated.
	js := `[{"id":"a","pivot":"21510454700019","nom":"Lieu A renommé","commune":"Reims","code_postal":"51100","adresse":"1 rue du Test","date_maj":"2026-12-01","latitude":49.25,"longitude":4.03}]`
	code, out, errs = carnet(t, js, "places", "import", "--data", data, "--json", "-")
	var rep places.Report
	if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil || rep.Imported != 1 || rep.Rejected != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	in, err := openInstance(t.Context(), data, "", "", nil, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	got, err := sqlite.NewPlaceStore(in.db).Nearest(t.Context(), 49.25, 4.03, 1, 10, "")
	if err != nil || len(got) != 2 || got[0].Place.ID != "a" || got[0].Place.Nom != "Lieu A renommé" || got[1].Place.ID != "c" || got[0].Network {
		t.Errorf("stored places %+v %v", got, err)
	}
	if code, _, errs := carnet(t, "", "places", "import", "--data", data, filepath.Join(work, "missing.csv")); code != exitError || !strings.Contains(errs, "missing.csv") {
		t.Errorf("missing file: %d %s", code, errs)
	}
	if code, _, errs := carnet(t, "name,city\nx,y\n", "places", "import", "--data", data, "-"); code != exitError || !strings.Contains(errs, "standard") {
		t.Errorf("foreign file: %d %s", code, errs)
	}
	if code, out, _ := carnet(t, "", "places", "--help"); code != exitOK || !strings.Contains(out, "Usage") || !strings.Contains(out, "Imports a file") {
		t.Errorf("help: %d %s", code, out)
	}
}
