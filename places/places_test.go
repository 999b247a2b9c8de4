package places

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"carnet/schema"
)

func f(v float64) *float64 { return &v }

// valid returns a complete, valid place.
func valid() *Place {
	return &Place{
		ID: "bib-reims", Pivot: "21510454700019", Nom: "Médiathèque Jean Falala",
		Adresse: "2 RUE DES FUSELIERS", CodePostal: "51100", CodeInsee: "51454", Commune: "Reims",
		Latitude: f(49.2535), Longitude: f(4.0336), Telephone: "+33326353680",
		Courriels: []string{"mediatheques@reims.fr"}, SiteWeb: []string{"https://www.bm-reims.fr/"},
		Horaires: "Tu-Fr 10:00-19:00; Sa 10:00-18:00; PH off", DateMaj: "2026-11-30",
		Services:                      []string{"Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"},
		FraisACharge:                  []string{"Gratuit"},
		ModalitesAcces:                []string{"Se présenter", "Téléphoner"},
		ModalitesAccompagnement:       []string{"Dans un atelier collectif", "Accompagnement individuel"},
		DispositifProgrammesNationaux: []string{"Conseillers numériques"},
		PriseEnChargeSpecifique:       []string{"Langues étrangères (autres)"},
		FicheAccesLibre:               "https://acceslibre.beta.gouv.fr/app/51-reims/a/bibliotheque-mediatheque/erp/mediatheque-jean-falala/",
	}
}

func TestValidate(t *testing.T) {
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid place refused: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(p *Place)
		field string
	}{
		{"no id", func(p *Place) { p.ID = " " }, "id"},
		{"pivot", func(p *Place) { p.Pivot = "1234" }, "pivot"},
		{"postcode", func(p *Place) { p.CodePostal = "5110" }, "code_postal"},
		{"insee", func(p *Place) { p.CodeInsee = "20004" }, "code_insee"},
		{"commune", func(p *Place) { p.Commune = "Reims <b>" }, "commune"},
		{"street", func(p *Place) { p.Adresse = "" }, "adresse"},
		{"one coordinate", func(p *Place) { p.Longitude = nil }, "latitude"},
		{"latitude", func(p *Place) { p.Latitude = f(91) }, "latitude"},
		{"phone", func(p *Place) { p.Telephone = "03 26 35 36 80" }, "telephone"},
		{"phone 8 digits", func(p *Place) { p.Telephone = "+3312345678" }, "telephone"},
		{"e-mail", func(p *Place) { p.Courriels = []string{"not-an-address"} }, "courriels"},
		{"site", func(p *Place) { p.SiteWeb = []string{"javascript:alert(1)"} }, "site_web"},
		{"hours", func(p *Place) { p.Horaires = "lundi 9h-12h" }, "horaires"},
		{"resume", func(p *Place) { p.PresentationResume = strings.Repeat("é", 281) }, "presentation_resume"},
		{"date", func(p *Place) { p.DateMaj = "2026-13-01" }, "date_maj"},
		{"service", func(p *Place) { p.Services = []string{"Cours de cuisine"} }, "services"},
		{"public", func(p *Place) { p.PublicsSpecifiquementAdresses = []string{"Adultes"} }, "publics_specifiquement_adresses"},
		{"fees", func(p *Place) { p.FraisACharge = []string{"Adhésion"} }, "frais_a_charge"},
		{"programme", func(p *Place) { p.DispositifProgrammesNationaux = []string{"France services"} }, "dispositif_programmes_nationaux"},
		{"label", func(p *Place) { p.FormationsLabels = []string{"ORDI 4.0"} }, "formations_labels"},
		{"access", func(p *Place) { p.ModalitesAcces = []string{"Écrire"} }, "modalites_acces"},
		{"support", func(p *Place) { p.ModalitesAccompagnement = []string{"Seul"} }, "modalites_accompagnement"},
		{"mobility", func(p *Place) { p.Itinerance = []string{"Mobile"} }, "itinerance"},
		{"type", func(p *Place) { p.Typologies = []string{"LIBRARY"} }, "typologie"},
		{"accessibility link", func(p *Place) { p.FicheAccesLibre = "acceslibre" }, "fiche_acces_libre"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := valid()
			tc.edit(p)
			err := p.Validate()
			if schema.ErrorCode(err) != schema.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			fr := schema.ErrorMessageFR(err)
			if !strings.Contains(err.Error(), "("+tc.field+")") || !strings.HasPrefix(fr, Label(tc.field)) {
				t.Errorf("message %q / %q does not name %s (%s)", err, fr, Label(tc.field), tc.field)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"03 26 35 36 80": "+33326353680", "03.26.35.36.80": "+33326353680", "0033 3 26 35 36 80": "+33326353680",
		"+33 (0)3 26 35 36 80": "+33326353680", "0262 12 34 56": "+262262123456", "12": "12", "": "",
	} {
		if got := NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
	if got := NormalizePivot("215 104 547 00019"); got != "21510454700019" {
		t.Errorf("NormalizePivot = %q", got)
	}
}

func TestHours(t *testing.T) {
	for _, ok := range []string{
		"24/7", "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "Mo,We,Fr 10:00-12:00 || \"sur rendez-vous\"",
		"Tu-Fr 10:00-19:00; Sa 10:00-18:00; PH off", "Jan-Jun,Sep-Dec Tu 14:00-17:00; Jul-Aug off",
		"Dec 25 off", "2025 Mo[1] 09:00-12:00", "Su[-1] 10:00+", "week 01-26 Mo 09:00-12:00",
		"Mo-Fr 08:00-12:00, Sa 09:00-11:00", "Fr 20:00-26:00", "Mo 09:00-12:00;", "off", "Mo-Sa 09:00-12:00 open \"accueil\"",
		"Mo 10:00-12:00,14:00-16:30; We 14:00-18:00; Sa 10:00-12:30",
	} {
		if err := ValidateHours(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{
		"", "lundi 9h-12h", "Mo-Fr 9-12", "Mo 12:00-09:00", "Mo 25:00-26:00", "Mo 09:60-10:00", "Mo-Fr sunrise-sunset",
		"Mo 09:00-", "Xx 09:00-12:00", "Mo-Fr 09:00-12:00 \"unclosed", "Mo[7] 09:00-10:00", "Mo 09:00-12:00 <script>",
		"; ;", "Mo-",
	} {
		if err := ValidateHours(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestDistance checks the haversine against known distances.
func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		km, tol                float64
	}{
		{"London – Paris", 51.5074, -0.1278, 48.8566, 2.3522, 343.5, 1},
		{"Paris – Marseille", 48.8566, 2.3522, 43.2965, 5.3698, 661, 3},
		{"one degree of latitude", 45, 0, 46, 0, 111.2, 0.1},
		{"same point", 47.2, -1.55, 47.2, -1.55, 0, 1e-9},
		{"antipodes", 0, 0, 0, 180, math.Pi * EarthRadiusKm, 1e-6},
	} {
		if got := Distance(tc.lat1, tc.lon1, tc.lat2, tc.lon2); math.Abs(got-tc.km) > tc.tol {
			t.Errorf("%s: %.3f km, want %.1f ± %.1f", tc.name, got, tc.km, tc.tol)
		}
	}
	// The box around a point holds every point at the radius, in every direction.
	b := BoxAround(48.85, 2.35, 10)
	for deg := 0.0; deg < 360; deg += 15 {
		lat, lon := destination(48.85, 2.35, deg, 9.999)
		if lat < b.MinLat || lat > b.MaxLat || lon < b.MinLon || lon > b.MaxLon {
			t.Errorf("bearing %v: (%v, %v) outside %+v", deg, lat, lon, b)
		}
	}
}

// destination is the point at km along a bearing (spherical formula).
func destination(lat, lon, bearing, km float64) (float64, float64) {
	r := math.Pi / 180
	d := km / EarthRadiusKm
	φ1, λ1, θ := lat*r, lon*r, bearing*r
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(d) + math.Cos(φ1)*math.Sin(d)*math.Cos(θ))
	λ2 := λ1 + math.Atan2(math.Sin(θ)*math.Sin(d)*math.Cos(φ1), math.Cos(d)-math.Sin(φ1)*math.Sin(φ2))
	return φ2 / r, λ2 / r
}

func TestRank(t *testing.T) {
	reims := &Place{ID: "reims", Latitude: f(49.2535), Longitude: f(4.0341)}
	paris := &Place{ID: "paris", Latitude: f(48.8530), Longitude: f(2.3499)}
	lyon := &Place{ID: "lyon", Latitude: f(45.7640), Longitude: f(4.8357)}
	nowhere := &Place{ID: "nowhere"}
	got := Rank([]*Place{lyon, nowhere, reims, paris}, 48.8566, 2.3522, 200, 0)
	if len(got) != 2 || got[0].Place != paris || got[1].Place != reims || got[0].Km > 1 || got[1].Km != Distance(48.8566, 2.3522, 49.2535, 4.0341) {
		t.Fatalf("Rank = %+v", got)
	}
	if got := Rank([]*Place{lyon, reims, paris}, 48.8566, 2.3522, 0, 1); len(got) != 1 || got[0].Place != paris {
		t.Errorf("limit 1: %+v", got)
	}
}

// TestExportRoundTrip writes places as JSON and CSV and reads them back.
func TestExportRoundTrip(t *testing.T) {
	p := valid()
	p.PresentationResume = "Ateliers, \"café numérique\"\net permanences"
	var js, cs bytes.Buffer
	if err := WriteJSON(&js, []*Place{p}); err != nil {
		t.Fatal(err)
	}
	var arr []map[string]any
	if err := json.Unmarshal(js.Bytes(), &arr); err != nil || len(arr) != 1 {
		t.Fatalf("JSON %s: %v", js.String(), err)
	}
	if arr[0]["services"] != "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien" || arr[0]["latitude"] != 49.2535 {
		t.Errorf("flat form: %v", arr[0])
	}
	if _, ok := arr[0]["presentation_detail"]; ok {
		t.Error("an empty optional field is written")
	}
	if err := WriteCSV(&cs, []*Place{p}); err != nil {
		t.Fatal(err)
	}
	for name, buf := range map[string]*bytes.Buffer{"json": &js, "csv": &cs} {
		var got []*Place
		rep, err := Read(bytes.NewReader(buf.Bytes()), func(q *Place) error { got = append(got, q); return nil })
		if err != nil || rep.Imported != 1 || rep.Rejected != 0 || len(got) != 1 {
			t.Fatalf("%s: %+v, %v", name, rep, err)
		}
		a, _ := json.Marshal(p.Record())
		b, _ := json.Marshal(got[0].Record())
		if !bytes.Equal(a, b) {
			t.Errorf("%s round trip:\n%s\n%s", name, a, b)
		}
	}
}

// TestImportBadRows: malformed and invalid rows are reported with their
// line, the rest is imported; bad hours and far coordinates only warn.
func TestImportBadRows(t *testing.T) {
	head := strings.Join(Columns, ",")
	row := func(id, cp, hours, lat string) string {
		r := make([]string, len(Columns))
		for i, c := range Columns {
			switch c {
			case "id":
				r[i] = id
			case "pivot":
				r[i] = "21510454700019"
			case "nom":
				r[i] = "Lieu " + id
			case "commune":
				r[i] = "Reims"
			case "code_postal":
				r[i] = cp
			case "adresse":
				r[i] = "1 rue du Test"
			case "latitude":
				r[i] = lat
			case "longitude":
				r[i] = "4.03"
			case "date_maj":
				r[i] = "2026-01-02T10:00:00.000Z"
			case "horaires":
				r[i] = hours
			case "services":
				r[i] = "Aide aux démarches administratives"
			}
		}
		return strings.Join(r, ",")
	}
	file := strings.Join([]string{
		head,
		row("a", "51100", "Mo 09:00-12:00", "49.25"), // line 2
		row("b", "5110", "", "49.25"),                // line 3: bad postcode
		"c,too,few",                                  // line 4
		row("d", "51100", "9h-12h", "49.25"),         // line 5: bad hours, kept
		`e,"unterminated,` + "\n" + `x`,              // line 6: malformed, eats to the end
	}, "\n")
	var got []string
	rep, err := Read(strings.NewReader(file), func(p *Place) error { got = append(got, p.ID+":"+p.Horaires); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "a:Mo 09:00-12:00 d:" {
		t.Errorf("imported %v", got)
	}
	if rep.Imported != 2 || rep.Rejected != 3 || rep.Warned != 1 {
		t.Errorf("report %+v", rep)
	}
	lines := []int{}
	for _, p := range rep.Rejects {
		lines = append(lines, p.Line)
	}
	if len(lines) != 3 || lines[0] != 3 || lines[1] != 4 || lines[2] != 6 {
		t.Errorf("rejected lines %v (%+v)", lines, rep.Rejects)
	}
	if !strings.Contains(rep.Rejects[0].ReasonFR, "Code postal") || rep.Warnings[0].Line != 5 {
		t.Errorf("reasons %+v %+v", rep.Rejects[0], rep.Warnings)
	}

	// Semicolon CSV, a duplicate id (the later row wins) and a place outside France.
	semi := strings.ReplaceAll(head, ",", ";") + "\n" + strings.ReplaceAll(row("a", "51100", "", "49.25"), ",", ";") + "\n" +
		strings.ReplaceAll(row("a", "51100", "", "-33.9"), ",", ";") + "\n"
	rep, err = Read(strings.NewReader(semi), func(p *Place) error { return nil })
	if err != nil || rep.Imported != 1 || rep.Duplicates != 1 || rep.Warned != 1 || rep.Warnings[0].Line != 3 {
		t.Errorf("semicolon file: %+v %v", rep, err)
	}

	// JSON: items that are not objects or invalid are reported by position.
	js := `[{"id":"j1","pivot":"W123456789","nom":"Asso","commune":"Nantes","code_postal":"44000","adresse":"3 rue X","date_maj":"2026-02-01","latitude":47.2,"longitude":-1.55,"services":["Aide aux démarches administratives"]},
	  42, {"id":"j3","nom":"Sans pivot","commune":"Nantes","code_postal":"44000","adresse":"3 rue X","date_maj":"2026-02-01"}]`
	got = nil
	rep, err = Read(strings.NewReader(js), func(p *Place) error { got = append(got, p.ID); return nil })
	if err != nil || rep.Imported != 1 || rep.Rejected != 2 || rep.Rejects[0].Item != 2 || rep.Rejects[1].Item != 3 || got[0] != "j1" {
		t.Errorf("JSON: %+v %v %v", rep, err, got)
	}

	// Not the standard at all.
	if _, err := Read(strings.NewReader("name,city\nx,y\n"), func(*Place) error { return nil }); schema.ErrorCode(err) != schema.EINVALID {
		t.Errorf("foreign CSV: %v", err)
	}
}

func TestPatch(t *testing.T) {
	var pt Patch
	if err := json.Unmarshal([]byte(`{"adresse":" 3 rue X ","services":"Aide aux démarches administratives|Loisirs et créations numériques","courriels":["a@b.fr",""],"telephone":"02 40 00 00 00","latitude":47.2}`), &pt); err != nil {
		t.Fatal(err)
	}
	if pt.Empty() {
		t.Fatal("patch empty")
	}
	p := valid()
	pt.Apply(p)
	if p.Adresse != "3 rue X" || len(p.Services) != 2 || len(p.Courriels) != 1 || p.Telephone != "+33240000000" || *p.Latitude != 47.2 || *p.Longitude != 4.0336 {
		t.Errorf("applied: %+v", p)
	}
	var empty Patch
	if !empty.Empty() {
		t.Error("empty patch not empty")
	}
}

func TestOffer(t *testing.T) {
	fws := schema.NewFrameworks()
	ok := func() *Offer {
		return &Offer{Title: " Atelier  courriel ", Kind: KindWorkshop, Framework: "digcomp-2.2", Competencies: []string{"2.1"},
			From: "2", To: "3", Price: "Gratuit"}
	}
	o := ok()
	if err := o.Validate(fws); err != nil {
		t.Fatal(err)
	}
	if o.Title != "Atelier courriel" || o.FromRank != 1 || o.ToRank != 2 || len(o.Languages) != 1 || !o.Serves("digcomp-2.2", "2.1", 2) || o.Serves("digcomp-2.2", "2.1", 3) || o.Serves("digcomp-2.2", "2.2", 2) {
		t.Errorf("%+v", o)
	}
	for name, edit := range map[string]func(*Offer){
		"no title": func(o *Offer) { o.Title = "" }, "kind": func(o *Offer) { o.Kind = "cours" },
		"framework": func(o *Offer) { o.Framework = "nope" }, "competency": func(o *Offer) { o.Competencies = []string{"9.9"} },
		"none": func(o *Offer) { o.Competencies = nil }, "repeated": func(o *Offer) { o.Competencies = []string{"2.1", "2.1"} },
		"level": func(o *Offer) { o.To = "9" }, "reversed": func(o *Offer) { o.From, o.To = "3", "2" },
		"price": func(o *Offer) { o.Price = "5 €" }, "language": func(o *Offer) { o.Languages = []string{"français"} },
		"service": func(o *Offer) { o.Services = []string{"Cuisine"} },
	} {
		o := ok()
		edit(o)
		if err := o.Validate(fws); schema.ErrorCode(err) != schema.EINVALID && schema.ErrorCode(err) != schema.ENOTFOUND {
			t.Errorf("%s: %v", name, err)
		}
	}
	if ServiceFor("digcomp-2.2", "4.2") != "Utilisation sécurisée du numérique" || ServiceFor("cefr-fr", "CO") != "" || ServiceFor("crcn-2019", "1.1") == "" {
		t.Error("ServiceFor")
	}
}

// TestImportMalformedFirstRow: a malformed first row is reported, not a
// crash (csv.Reader.FieldPos panics when asked after a parse error with no
// record read before; found by FuzzRead).
func TestImportMalformedFirstRow(t *testing.T) {
	file := strings.Join(Columns, ",") + "\n\"a,\"\"b\n"
	rep, err := Read(strings.NewReader(file), func(*Place) error { return nil })
	if err != nil || rep.Rejected != 1 || rep.Rejects[0].Line != 2 {
		t.Errorf("%+v %v", rep, err)
	}
}
