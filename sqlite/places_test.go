package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"carnet/places"
	"carnet/schema"
	"carnet/sqlite"
)

// openPlaces opens a fresh database and a second, raw connection to it
// for the checks that read the tables themselves.
func openPlaces(t testing.TB) (*sqlite.DB, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "carnet.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return db, raw
}

func fp(v float64) *float64 { return &v }

func place(id string, lat, lon float64, services ...string) *places.Place {
	return &places.Place{ID: id, Pivot: "21510454700019", Nom: "Lieu " + id, Adresse: "1 rue du Test",
		CodePostal: "51100", Commune: "Reims", Latitude: fp(lat), Longitude: fp(lon), DateMaj: "2026-11-30", Services: services}
}

// importPlaces writes the places as the standard's CSV and imports it.
func importPlaces(t testing.TB, s *sqlite.PlaceStore, list []*places.Place) *places.Report {
	t.Helper()
	var buf bytes.Buffer
	if err := places.WriteCSV(&buf, list); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Import(context.Background(), &buf, "test.csv")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestPlacesNearest ranks known places around Paris by known distances,
// filters by service, marks the network's structure and widens the box.
func TestPlacesNearest(t *testing.T) {
	db, raw := openPlaces(t)
	ctx := context.Background()
	s := sqlite.NewPlaceStore(db)
	const admin, num = "Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"
	rep := importPlaces(t, s, []*places.Place{
		place("notre-dame", 48.8530, 2.3499, admin),        // 0.434 km from the Hôtel de Ville
		place("gare-du-nord", 48.8809, 2.3553, admin, num), // 2.712 km
		place("versailles", 48.8049, 2.1204, num),          // 17.915 km
		place("reims", 49.2535, 4.0341, admin),             // 130.260 km
		place("lyon", 45.7640, 4.8357, num),                // 391.499 km
		place("marseille", 43.2965, 5.3698, admin),         // 660.479 km
		place("noumea", -22.2758, 166.4580, admin),         // the other side of the world
	})
	if rep.Imported != 7 || rep.Rejected != 0 {
		t.Fatalf("import: %+v", rep)
	}
	if err := sqlite.NewStructureStore(db).CreateStructure(ctx, &schema.Structure{Slug: "bib-paris", Name: "Bibliothèque"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutStructurePlace(ctx, "bib-paris", place("carnet-bib-paris", 48.8600, 2.3400, num)); err != nil {
		t.Fatal(err)
	}
	hdv := [2]float64{48.8566, 2.3522} // Hôtel de Ville, Paris
	ids := func(list []places.Near) string {
		var out []string
		for _, n := range list {
			out = append(out, n.Place.ID)
		}
		return strings.Join(out, " ")
	}
	got, err := s.Nearest(ctx, hdv[0], hdv[1], 0, 4, "")
	if err != nil {
		t.Fatal(err)
	}
	if ids(got) != "notre-dame carnet-bib-paris gare-du-nord versailles" {
		t.Errorf("nearest 4: %s", ids(got))
	}
	for _, n := range got {
		want := places.Distance(hdv[0], hdv[1], *n.Place.Latitude, *n.Place.Longitude)
		if n.Km != want {
			t.Errorf("%s: %v km, want %v", n.Place.ID, n.Km, want)
		}
	}
	// (expected distances computed apart, with Python's math module)
	if math.Abs(got[0].Km-0.434) > 0.001 || math.Abs(got[1].Km-0.969) > 0.001 || math.Abs(got[3].Km-17.915) > 0.001 {
		t.Errorf("distances %v %v", got[0].Km, got[3].Km)
	}
	if !got[1].Network || got[1].Structure != "bib-paris" || got[0].Network {
		t.Errorf("network marks: %+v %+v", got[0], got[1])
	}
	got, _ = s.Nearest(ctx, hdv[0], hdv[1], 0, 3, admin)
	if ids(got) != "notre-dame gare-du-nord reims" {
		t.Errorf("nearest with service: %s", ids(got))
	}
	got, _ = s.Nearest(ctx, hdv[0], hdv[1], 200, 10, "")
	if ids(got) != "notre-dame carnet-bib-paris gare-du-nord versailles reims" {
		t.Errorf("within 200 km: %s", ids(got))
	}
	got, _ = s.Nearest(ctx, -22.3, 166.4, 0, 1, "")
	if ids(got) != "noumea" {
		t.Errorf("Nouméa: %s", ids(got))
	}
	got, _ = s.Nearest(ctx, -21, 179.9, 0, 1, "") // the box crosses the antimeridian
	if ids(got) != "noumea" {
		t.Errorf("across the antimeridian: %s", ids(got))
	}
	if _, err := s.Nearest(ctx, 91, 0, 0, 1, ""); schema.ErrorCode(err) != schema.EINVALID {
		t.Errorf("latitude 91: %v", err)
	}

	// The query uses the index on the coordinates.
	var plan strings.Builder
	rows, err := raw.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT data FROM places WHERE latitude BETWEEN 1 AND 2 AND longitude BETWEEN 1 AND 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, b, c int
		var d string
		rows.Scan(&a, &b, &c, &d)
		plan.WriteString(d)
	}
	rows.Close()
	if !strings.Contains(plan.String(), "USING INDEX places_lat_lon") && !strings.Contains(plan.String(), "USING INDEX places_lon") {
		t.Errorf("query plan %q uses no index", plan.String())
	}
}

// TestPlacesImportUpdates: a new import replaces places by the standard's
// id without duplicates, and never overwrites a structure's place.
func TestPlacesImportUpdates(t *testing.T) {
	db, raw := openPlaces(t)
	ctx := context.Background()
	s := sqlite.NewPlaceStore(db)
	if err := sqlite.NewStructureStore(db).CreateStructure(ctx, &schema.Structure{Slug: "mine", Name: "Mine"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutStructurePlace(ctx, "mine", place("mine", 49, 4)); err != nil {
		t.Fatal(err)
	}
	importPlaces(t, s, []*places.Place{place("a", 48, 2), place("b", 48.1, 2)})
	moved := place("a", 47, 1)
	moved.Nom = "Lieu a, déménagé"
	rep := importPlaces(t, s, []*places.Place{moved, place("mine", 10, 10)})
	if rep.Imported != 1 || rep.Rejected != 1 || rep.Rejects[0].ID != "mine" {
		t.Errorf("second import: %+v", rep)
	}
	var n int
	raw.QueryRow(`SELECT COUNT(*) FROM places`).Scan(&n)
	if n != 3 {
		t.Errorf("%d places, want 3", n)
	}
	got, _ := s.Nearest(ctx, 47, 1, 1, 5, "")
	if len(got) != 1 || got[0].Place.Nom != "Lieu a, déménagé" {
		t.Errorf("moved place: %+v", got)
	}
	mine, err := s.StructurePlace(ctx, "mine")
	if err != nil || mine == nil || *mine.Latitude != 49 {
		t.Errorf("the structure's place was touched: %+v %v", mine, err)
	}
	// A structure cannot take an imported place's id.
	if err := s.PutStructurePlace(ctx, "mine", place("b", 49, 4)); schema.ErrorCode(err) != schema.ECONFLICT {
		t.Errorf("taking an imported id: %v", err)
	}
	if list, _ := s.NetworkPlaces(ctx); len(list) != 1 || list[0].ID != "mine" {
		t.Errorf("network places %+v", list)
	}
	if p, err := s.StructurePlace(ctx, "nobody"); p != nil || err != nil {
		t.Errorf("no place: %v %v", p, err)
	}
}

// synthetic returns n places spread over metropolitan France.
func synthetic(n int) []*places.Place {
	r := rand.New(rand.NewSource(1))
	list := make([]*places.Place, n)
	for i := range list {
		p := place(fmt.Sprintf("lieu-%06d", i), 42.5+r.Float64()*8.5, -4.5+r.Float64()*12.5, places.Services[i%len(places.Services)])
		p.Horaires = "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00"
		p.Courriels = []string{fmt.Sprintf("contact%d@example.fr", i)}
		p.Telephone = "+33326353680"
		p.PresentationResume = "Ateliers numériques, permanences et accompagnement individuel."
		list[i] = p
	}
	return list
}

// BenchmarkPlacesImport50k imports a 50,000-row CSV of the standard (the
// issue's target: ≤ 30 s; figures in BENCHMARKS.md).
func BenchmarkPlacesImport50k(b *testing.B) {
	var buf bytes.Buffer
	if err := places.WriteCSV(&buf, synthetic(50000)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for i := 0; i < b.N; i++ {
		db, _ := openPlaces(b)
		rep, err := sqlite.NewPlaceStore(db).Import(context.Background(), bytes.NewReader(buf.Bytes()), "bench.csv")
		if err != nil || rep.Imported != 50000 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
}

// BenchmarkPlacesNearest20k: the 10 nearest of 20,000 places (target:
// ≤ 50 ms).
func BenchmarkPlacesNearest20k(b *testing.B) {
	db, _ := openPlaces(b)
	s := sqlite.NewPlaceStore(db)
	importPlaces(b, s, synthetic(20000))
	r := rand.New(rand.NewSource(2))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := s.Nearest(context.Background(), 43+r.Float64()*7, -1+r.Float64()*8, 0, 10, "")
		if err != nil || len(got) != 10 {
			b.Fatalf("%d %v", len(got), err)
		}
	}
}

// BenchmarkOutsidePlaces50k: what /lieux reads of 50,000 imported places
// (the national dataset and more): the first 200 by name, unfiltered
// for a postcode prefix that all match, and for one that none matches
// (the worst case: every row read); figures in BENCHMARKS.md.
func BenchmarkOutsidePlaces50k(b *testing.B) {
	db, _ := openPlaces(b)
	s := sqlite.NewPlaceStore(db)
	importPlaces(b, s, synthetic(50000))
	for _, q := range []string{"", "51", "75", "zzz"} { // "75", "zzz": no place matches
		b.Run("q="+q, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				got, _, err := s.OutsidePlaces(context.Background(), q, "", 200)
				if err != nil || (len(got) == 0) != (q == "75" || q == "zzz") {
					b.Fatalf("%d %v", len(got), err)
				}
			}
		})
	}
}

// TestOutsidePlaces: the places outside the network that /lieux lists,
// filtered by postcode prefix, by commune (any case, accents included),
// by service, at most limit with "more" said, sorted by name; the
// network's own place is never among them.
func TestOutsidePlaces(t *testing.T) {
	ctx := context.Background()
	db, _ := openPlaces(t)
	s := sqlite.NewPlaceStore(db)
	st := &schema.Structure{Slug: "mine", Name: "Mine"}
	if err := sqlite.NewStructureStore(db).CreateStructure(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := s.PutStructurePlace(ctx, "mine", place("mine", 49, 4, places.Services[0])); err != nil {
		t.Fatal(err)
	}
	evry := place("c", 48.63, 2.44, places.Services[1])
	evry.Commune, evry.CodePostal = "Évry-Courcouronnes", "91000"
	importPlaces(t, s, []*places.Place{place("b", 49.1, 4.1, places.Services[0]), evry, place("a", 49.2, 4.2, places.Services[1])})
	names := func(q, service string, limit int) (string, bool) {
		t.Helper()
		l, more, err := s.OutsidePlaces(ctx, q, service, limit)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, o := range l {
			if o.Source != "test.csv" {
				t.Errorf("%s: source %q", o.Place.ID, o.Source)
			}
			n = append(n, o.Place.ID)
		}
		return strings.Join(n, ","), more
	}
	for _, c := range []struct {
		q, service string
		limit      int
		want       string
		more       bool
	}{
		{"", "", 10, "a,b,c", false},
		{"", "", 2, "b,c", true}, // the first two imported, by name
		{"51", "", 10, "a,b", false},
		{"9", "", 10, "c", false},
		{"75", "", 10, "", false},
		{"REIMS", "", 10, "a,b", false},
		{"évry", "", 10, "c", false},
		{"ÉVRY", "", 10, "c", false},
		{"courcou", "", 10, "c", false},
		{"%", "", 10, "", false},
		{"", places.Services[1], 10, "a,c", false},
		{"reims", places.Services[1], 10, "a", false},
	} {
		if got, more := names(c.q, c.service, c.limit); got != c.want || more != c.more {
			t.Errorf("q %q service %q limit %d: %q more %v, want %q %v", c.q, c.service, c.limit, got, more, c.want, c.more)
		}
	}
}
