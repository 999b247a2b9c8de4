package web

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"carnet/app"
	"carnet/places"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// The network's places on the national standard of lieux de médiation
// numérique (package places): the open-data export, and the standard's
// fields of PATCH /api/v1/structures/{slug}.

// lieuxJSON serves GET /lieux.json: the network's structures that have
// described their place, in the standard's JSON form (an array of flat
// records), for the national cartography and the departmental hubs.
func (s *Server) lieuxJSON(c *gin.Context) {
	s.serveLieux(c, "application/json; charset=utf-8", places.WriteJSON)
}

// lieuxCSV serves GET /lieux.csv: the same in the standard's CSV.
func (s *Server) lieuxCSV(c *gin.Context) {
	c.Header("Content-Disposition", `inline; filename="lieux.csv"`)
	s.serveLieux(c, "text/csv; charset=utf-8", places.WriteCSV)
}

func (s *Server) serveLieux(c *gin.Context, contentType string, write func(w io.Writer, list []*places.Place) error) {
	serveOpenData(s, c, contentType, func(st places.Store) ([]*places.Place, error) { return st.NetworkPlaces(c.Request.Context()) }, write)
}

// serveOpenData sends the open data that read gives (nothing on an
// instance without places) as write encodes it: revalidated at each use,
// readable from any site.
func serveOpenData[T any](s *Server, c *gin.Context, contentType string, read func(places.Store) ([]T, error), write func(io.Writer, []T) error) {
	var list []T
	if s.Places != nil {
		var err error
		if list, err = read(s.Places); err != nil {
			s.renderError(c, err)
			return
		}
	}
	var buf bytes.Buffer
	if err := write(&buf, list); err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Header("Access-Control-Allow-Origin", "*") // open data: any site may read it
	c.Data(http.StatusOK, contentType, buf.Bytes())
}

// offresJSON serves GET /offres.json: the offers of the network's
// structures that have described their place, each with its place's
// standard id (the "id" of /lieux.json) to join them: the open data that
// partner Carnets read for orientation. Public information only.
func (s *Server) offresJSON(c *gin.Context) {
	s.serveOffres(c, "application/json; charset=utf-8", places.WriteOffersJSON)
}

// offresCSV serves GET /offres.csv: the same as CSV (lists joined by "|").
func (s *Server) offresCSV(c *gin.Context) {
	c.Header("Content-Disposition", `inline; filename="offres.csv"`)
	s.serveOffres(c, "text/csv; charset=utf-8", places.WriteOffersCSV)
}

func (s *Server) serveOffres(c *gin.Context, contentType string, write func(w io.Writer, list []places.PublishedOffer) error) {
	serveOpenData(s, c, contentType, func(st places.Store) ([]places.PublishedOffer, error) { return st.NetworkOffers(c.Request.Context()) }, write)
}

// offerInput is the body of POST /api/v1/structures/{slug}/offers.
type offerInput = app.OfferInput

// orientationJSON is the answer of GET /api/v1/orientation.
type orientationJSON = app.Orientation

func (s *Server) placeStore() (places.Store, error) { return s.PlaceStore() }

// apiOffers lists a structure's offers; the network's offers are shared
// for orientation, so any signed-in user may read them.
func (s *Server) apiOffers(c *gin.Context) {
	list, err := s.Offers(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"offers": list})
}

// apiOfferCreate adds an offer to a structure (its administrators).
func (s *Server) apiOfferCreate(c *gin.Context) {
	var in offerInput
	if err := bindJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	o, err := s.CreateOffer(c.Request.Context(), actorOf(c), c.Param("slug"), in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, o)
}

// apiOfferDelete removes an offer of a structure (its administrators).
func (s *Server) apiOfferDelete(c *gin.Context) {
	if err := s.DeleteOffer(c.Request.Context(), actorOf(c), c.Param("slug"), c.Param("id")); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiOrientation answers GET /api/v1/orientation (app.Orient): for a
// competency's next level, the network's offers that serve it, nearest
// first, then the nearest places (the network's and imported ones) whose
// services match, from a point: lat and lon, or a postcode (the centre of
// the places known there), or by default the place of the caller's
// structure.
func (s *Server) apiOrientation(c *gin.Context) {
	res, err := s.Orient(c.Request.Context(), actorOf(c), app.OrientationQuery{Framework: c.Query("framework"),
		Competency: c.Query("competency"), Level: c.Query("level"), Lat: c.Query("lat"), Lon: c.Query("lon"),
		Postcode: c.Query("postcode"), Service: c.Query("service")})
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// lieuView and offerView are a place and an offer as the /lieux page shows
// them.
type (
	lieuView struct {
		*places.Place
		ServicesText, FeesText string
		TelURL                 template.URL // tel: of the checked phone number (html/template refuses the scheme otherwise)
		Offers                 []offerView
		Anchor                 string // the id of its item in the list, that the map's popups link to
		Lat, Lon               string // for the map; "" without coordinates
		Partner                string // outside places: the partner Carnet that shares it ("" for an imported file's)
	}
	offerView struct {
		Title, Kind, Framework, Competencies, Levels, Schedule, Price, Languages string
	}
)

// lieuxPage serves GET /lieux: the network's places and their offers, as a
// list that needs neither JavaScript nor map tiles, filtered by commune or
// postcode, service, and an offer for a competency's next level.
func (s *Server) lieuxPage(c *gin.Context) {
	ctx := c.Request.Context()
	p := s.view(c, "lieux_title")
	q, service := strings.TrimSpace(c.Query("q")), c.Query("service")
	fwID, comp, level := c.Query("framework"), strings.TrimSpace(c.Query("competency")), strings.TrimSpace(c.Query("level"))
	pv := &lieuxView{Query: q, Service: service, Framework: fwID, Competency: comp, Level: level, Services: places.Services}
	p.View = pv
	for _, id := range s.Frameworks.IDs() {
		if fw, err := s.Frameworks.Get(id); err == nil {
			pv.Frameworks = append(pv.Frameworks, fw)
		}
	}
	status := http.StatusOK
	var list []*places.Place
	var offers []*places.Offer
	var sts []*schema.Structure
	err := func() error {
		ps, err := s.placeStore()
		if err != nil {
			return err
		}
		if list, err = ps.NetworkPlaces(ctx); err != nil {
			return err
		}
		if offers, err = ps.ListOffers(ctx, ""); err != nil {
			return err
		}
		sts, err = s.Structures.ListStructures(ctx)
		return err
	}()
	if err != nil {
		s.renderError(c, err)
		return
	}
	// Which offers to show, and whether an offer must serve a next level.
	rank, wantOffer := 0, fwID != "" && comp != "" && level != ""
	if wantOffer {
		fw, err := s.Frameworks.Get(fwID)
		if err == nil {
			var cp *schema.Competency
			if cp, _, err = fw.Competency(comp); err == nil {
				comp = cp.Code
				_, rank, err = fw.Level(level)
			}
		}
		if err != nil {
			p.Error = s.errorText(c, p, err)
			status, wantOffer = http.StatusBadRequest, false
			list = nil
		}
	}
	slugOf := map[string]string{}
	for _, st := range sts {
		slugOf[s.DID(st.Slug)] = st.Slug
	}
	byStructure := map[string][]*places.Offer{}
	for _, o := range offers {
		if !wantOffer || o.Serves(fwID, comp, rank) {
			byStructure[o.Structure] = append(byStructure[o.Structure], o)
		}
	}
	var out []lieuView
	lq := strings.ToLower(q)
	for _, pl := range list {
		if service != "" && !slices.Contains(pl.Services, service) {
			continue
		}
		if q != "" && !strings.HasPrefix(pl.CodePostal, q) && !strings.Contains(strings.ToLower(pl.Commune), lq) {
			continue
		}
		served := byStructure[slugOf[pl.ID]]
		if wantOffer && len(served) == 0 {
			continue
		}
		v := newLieuView(pl, "lieu-"+strconv.Itoa(len(out)+1))
		for _, o := range served {
			v.Offers = append(v.Offers, newOfferView(p.Lang, o))
		}
		out = append(out, v)
	}
	pv.Places = out
	// Places outside the network (imported, or shared by a partner
	// Carnet), for orientation, with the offers partners share there; when
	// an offer is asked for, the partners' places whose offers serve it
	// (imported places publish none).
	if status == http.StatusOK {
		ps, err := s.placeStore()
		var outside []places.Outside
		var more bool
		var names map[string]string
		var shared []*places.SharedOffer
		if err == nil {
			if wantOffer {
				shared, err = ps.SharedOffersServing(ctx, fwID, comp, rank, math.NaN(), math.NaN(), MaxOutsideListed)
			} else if outside, more, err = ps.OutsidePlaces(ctx, q, service, MaxOutsideListed); err == nil {
				// The offers of the partners whose places are listed.
				read := map[string]bool{}
				for _, o := range outside {
					if strings.HasPrefix(o.Source, places.PartnerSourcePrefix) && !read[o.Source] && err == nil {
						read[o.Source] = true
						var l []*places.SharedOffer
						l, err = ps.SharedOffers(ctx, o.Source)
						shared = append(shared, l...)
					}
				}
			}
			if err == nil {
				names, err = s.PartnerNames(ctx)
			}
		}
		if err != nil {
			s.renderError(c, err)
			return
		}
		// A partner's offers, by its place (source and id).
		at := map[[2]string][]*places.Offer{}
		for _, so := range shared {
			k := [2]string{so.Source, so.PlaceID}
			if wantOffer && at[k] == nil {
				outside = append(outside, places.Outside{Place: so.Place, Source: so.Source})
			}
			at[k] = append(at[k], &so.Offer)
		}
		var ov []lieuView
		for _, o := range outside {
			if wantOffer && (service != "" && !slices.Contains(o.Place.Services, service) ||
				q != "" && !strings.HasPrefix(o.Place.CodePostal, q) && !strings.Contains(strings.ToLower(o.Place.Commune), lq)) {
				continue
			}
			if len(ov) == MaxOutsideListed {
				more = true
				break
			}
			v := newLieuView(o.Place, "hors-"+strconv.Itoa(len(ov)+1))
			v.Partner = app.PartnerLabel(names, o.Source)
			for _, of := range at[[2]string{o.Source, o.Place.ID}] {
				v.Offers = append(v.Offers, newOfferView(p.Lang, of))
			}
			ov = append(ov, v)
		}
		pv.Outside, pv.OutsideMore, pv.OutsideMax = ov, more, MaxOutsideListed
	}
	// The map: progressive enhancement of the list, its tiles from the
	// configured server, which the Content-Security-Policy names exactly.
	if tiles, err := s.MapTiles(ctx); err == nil {
		if tiles.Clean(true) != nil {
			tiles = places.DefaultTiles() // a stored value that no longer passes is not used
		}
		pv.Map, pv.OSM = &tiles, places.DefaultTileURL
		c.Header("Content-Security-Policy", contentSecurityPolicy(tiles.Origin()))
	}
	if a, ok := c.Get("actor"); ok && a.(*app.Actor).User.NetworkAdmin {
		pv.CanAdmin = true
	}
	s.render(c, status, "lieux", p)
}

// newOfferView is an offer as /lieux shows it.
func newOfferView(lang string, o *places.Offer) offerView {
	levels := o.From
	if o.To != o.From {
		levels += "–" + o.To
	}
	return offerView{Title: o.Title, Kind: tr(lang, "lieux_kind_"+o.Kind), Framework: o.Framework,
		Competencies: strings.Join(o.Competencies, ", "), Levels: levels, Schedule: o.Schedule,
		Price: strings.TrimSpace(o.Price + " " + o.PriceDetail), Languages: strings.Join(o.Languages, ", ")}
}

// MaxOutsideListed bounds the places outside the network that /lieux
// lists: narrowed by commune, postcode or service past that.
const MaxOutsideListed = 200

// newLieuView is a place as /lieux lists it, its item's id anchor.
func newLieuView(pl *places.Place, anchor string) lieuView {
	v := lieuView{Place: pl, ServicesText: strings.Join(pl.Services, ", "), FeesText: strings.Join(pl.FraisACharge, ", "), Anchor: anchor}
	if pl.Telephone != "" && pl.Telephone == places.NormalizePhone(pl.Telephone) && pl.Telephone[0] == '+' {
		v.TelURL = template.URL("tel:" + pl.Telephone) // +digits only: checked by Validate
	}
	if pl.HasCoordinates() {
		v.Lat, v.Lon = strconv.FormatFloat(*pl.Latitude, 'f', -1, 64), strconv.FormatFloat(*pl.Longitude, 'f', -1, 64)
	}
	return v
}

// MaxPlacesImport bounds the body of POST /api/v1/places/import: the
// national dataset (about 18,000 places) is a few tens of MB.
const MaxPlacesImport = 128 << 20

// apiPlacesImport answers POST /api/v1/places/import (app.ImportPlaces):
// a network administrator sends a file of the standard (CSV or JSON, as
// the body) and gets the import report. The places are stored for
// orientation, marked as outside the network, updated by id.
func (s *Server) apiPlacesImport(c *gin.Context) {
	rep, err := s.ImportPlaces(c.Request.Context(), actorOf(c), c.Request.Body, c.Query("source"))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = schema.Errorf(schema.EINVALID, "the file is larger than %d MB", "le fichier dépasse %d Mo", MaxPlacesImport>>20)
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// The fields of the place form, in the standard's order.
type (
	lieuTextField struct {
		Name, Label, Value, Hint string
		Required, Long           bool
		Max                      int
	}
	lieuOption struct {
		Value   string
		Checked bool
	}
	lieuListField struct {
		Name, Label string
		Options     []lieuOption
	}
)

// lieuForm lists the form's fields with the values of p.
func lieuForm(lang string, p *places.Place) ([]lieuTextField, []lieuListField) {
	coord := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	lines := func(l []string) string { return strings.Join(l, "\n") }
	text := func(name, value string, required, long bool, max int, hint string) lieuTextField {
		if hint != "" {
			hint = tr(lang, hint)
		}
		return lieuTextField{Name: name, Label: places.Label(name), Value: value, Required: required, Long: long, Max: max, Hint: hint}
	}
	texts := []lieuTextField{
		text("pivot", p.Pivot, true, false, 20, "lieu_hint_pivot"),
		text("adresse", p.Adresse, true, false, 200, ""),
		text("complement_adresse", p.ComplementAdresse, false, false, 200, ""),
		text("code_postal", p.CodePostal, true, false, 5, ""),
		text("code_insee", p.CodeInsee, false, false, 5, ""),
		text("commune", p.Commune, true, false, 100, ""),
		text("latitude", coord(p.Latitude), false, false, 20, "lieu_hint_coords"),
		text("longitude", coord(p.Longitude), false, false, 20, "lieu_hint_coords"),
		text("telephone", p.Telephone, false, false, 20, ""),
		text("courriels", lines(p.Courriels), false, true, 0, "lieu_hint_list"),
		text("site_web", lines(p.SiteWeb), false, true, 0, "lieu_hint_list"),
		text("horaires", p.Horaires, false, false, 300, "lieu_hint_horaires"),
		text("presentation_resume", p.PresentationResume, false, true, places.MaxResume, ""),
		text("presentation_detail", p.PresentationDetail, false, true, 0, ""),
		text("typologie", lines(p.Typologies), false, true, 0, "lieu_hint_list"),
		text("structure_parente", p.StructureParente, false, false, 200, ""),
		text("source", p.Source, false, false, 200, ""),
		text("autres_formations_labels", lines(p.AutresFormationsLabels), false, true, 0, "lieu_hint_list"),
		text("fiche_acces_libre", p.FicheAccesLibre, false, false, 500, ""),
		text("prise_rdv", p.PriseRdv, false, false, 500, ""),
	}
	list := func(name string, vocab, got []string) lieuListField {
		f := lieuListField{Name: name, Label: places.Label(name)}
		for _, v := range vocab {
			f.Options = append(f.Options, lieuOption{v, slices.Contains(got, v)})
		}
		return f
	}
	lists := []lieuListField{
		list("services", places.Services, p.Services),
		list("modalites_accompagnement", places.ModalitesAccompagnement, p.ModalitesAccompagnement),
		list("modalites_acces", places.ModalitesAcces, p.ModalitesAcces),
		list("frais_a_charge", places.FraisACharge, p.FraisACharge),
		list("publics_specifiquement_adresses", places.PublicsSpecifiquementAdresses, p.PublicsSpecifiquementAdresses),
		list("prise_en_charge_specifique", places.PrisesEnChargeSpecifiques, p.PriseEnChargeSpecifique),
		list("itinerance", places.Itinerances, p.Itinerance),
		list("dispositif_programmes_nationaux", places.DispositifProgrammesNationaux, p.DispositifProgrammesNationaux),
		list("formations_labels", places.FormationsLabels, p.FormationsLabels),
	}
	return texts, lists
}

// lieuEditPage serves GET /structures/{slug}/lieu: the place form, for the
// structure's administrators.
func (s *Server) lieuEditPage(c *gin.Context) {
	ctx := c.Request.Context()
	st, err := s.StructureFor(ctx, actorOf(c), c.Param("slug"), schema.RoleAdmin)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	ps, err := s.placeStore()
	var pl *places.Place
	if err == nil {
		pl, err = ps.StructurePlace(ctx, st.Slug)
	}
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	if pl == nil {
		pl = &places.Place{}
	}
	s.renderLieuEdit(c, http.StatusOK, st, pl, nil)
}

func (s *Server) renderLieuEdit(c *gin.Context, status int, st *schema.Structure, pl *places.Place, formErr error) {
	p := s.view(c, "lieu_edit_link")
	p.Title = st.Name
	if formErr != nil {
		p.Error = s.errorText(c, p, formErr)
	}
	v := &lieuEditView{Name: st.Name, Slug: st.Slug}
	v.Texts, v.Lists = lieuForm(p.Lang, pl)
	p.View = v
	s.render(c, status, "lieu_edit", p)
}

// lieuEditPost saves the place form: every field is sent, so the form
// replaces the description; it is checked against the standard before
// anything is written.
func (s *Server) lieuEditPost(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	st, err := s.StructureFor(ctx, a, c.Param("slug"), schema.RoleAdmin)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	str := func(name string) *string { v := c.PostForm(name); return &v }
	lines := func(name string) *places.List {
		var l places.List
		for _, v := range strings.FieldsFunc(c.PostForm(name), func(r rune) bool { return r == '\n' || r == '\r' || r == '|' }) {
			if v = strings.TrimSpace(v); v != "" {
				l = append(l, v)
			}
		}
		return &l
	}
	boxes := func(name string) *places.List { l := places.List(c.PostFormArray(name)); return &l }
	pt := places.Patch{Pivot: str("pivot"), Adresse: str("adresse"), ComplementAdresse: str("complement_adresse"),
		CodePostal: str("code_postal"), CodeInsee: str("code_insee"), Commune: str("commune"), Telephone: str("telephone"),
		Courriels: lines("courriels"), SiteWeb: lines("site_web"), Horaires: str("horaires"),
		PresentationResume: str("presentation_resume"), PresentationDetail: str("presentation_detail"),
		Typologie: lines("typologie"), StructureParente: str("structure_parente"), Source: str("source"),
		AutresFormationsLabels: lines("autres_formations_labels"), FicheAccesLibre: str("fiche_acces_libre"), PriseRdv: str("prise_rdv"),
		Services: boxes("services"), ModalitesAccompagnement: boxes("modalites_accompagnement"), ModalitesAcces: boxes("modalites_acces"),
		FraisACharge: boxes("frais_a_charge"), PublicsSpecifiquementAdresses: boxes("publics_specifiquement_adresses"),
		PriseEnChargeSpecifique: boxes("prise_en_charge_specifique"), Itinerance: boxes("itinerance"),
		DispositifProgrammesNationaux: boxes("dispositif_programmes_nationaux"), FormationsLabels: boxes("formations_labels")}
	var formErr error
	lat, lon := strings.TrimSpace(strings.Replace(c.PostForm("latitude"), ",", ".", 1)), strings.TrimSpace(strings.Replace(c.PostForm("longitude"), ",", ".", 1))
	if lat == "" && lon == "" {
		pt.ClearCoordinates = true
	} else {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		if err1 != nil || err2 != nil {
			formErr = schema.Errorf(schema.EINVALID, "Latitude, Longitude: give two numbers, or neither", "Latitude, Longitude : indiquez deux nombres, ou aucun")
		}
		pt.Latitude, pt.Longitude = &la, &lo
	}
	if formErr == nil {
		formErr = s.SaveStructurePlace(ctx, a, st.Slug, &pt)
	}
	if formErr != nil {
		shown := &places.Place{}
		if ps, err := s.placeStore(); err == nil {
			if old, err := ps.StructurePlace(ctx, st.Slug); err == nil && old != nil {
				shown = old
			}
		}
		pt.Apply(shown) // what was typed, to correct it
		s.renderLieuEdit(c, http.StatusBadRequest, st, shown, formErr)
		return
	}
	c.Redirect(http.StatusSeeOther, "/structures/"+st.Slug+"/lieu?ok=saved")
}
