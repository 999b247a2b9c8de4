package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"carnet/app"
	"carnet/places"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// The places administration page (/lieux/admin), for network
// administrators: the map's tile layer, the import of a file of the
// national standard (the same operation as `carnet places import` and
// POST /api/v1/places/import), and the places that partner Carnets share.

// problemView is a refused or warned row of an import, in the page's
// language.
type problemView struct{ Where, ID, Reason string }

// lieuxAdminView is what the page shows.
type lieuxAdminView struct {
	Tiles    places.Tiles
	Partners []partnerView
	Report   *places.Report
	File     string
	Rejects  []problemView
	Warnings []problemView
	Shared   *app.SharedPlaces
	// OfferRejects are the partner's offers left out, in the page's language.
	OfferRejects []problemView
	OfferError   string // why the partner's offers were not read, in the page's language
}

// partnerView is a trusted partner Carnet, whose places can be fetched.
type partnerView struct {
	ID         int64
	Name, Base string
}

func (s *Server) renderLieuxAdmin(c *gin.Context, status int, v *lieuxAdminView, formErr error) {
	ctx, a := c.Request.Context(), actorOf(c)
	if err := app.NetworkAdmin(a); err != nil {
		s.renderPageError(c, schema.Errorf(schema.EFORBIDDEN, "only network administrators manage the places", "seuls les administrateurs du réseau gèrent les lieux"))
		return
	}
	if v == nil {
		v = &lieuxAdminView{}
	}
	if v.Tiles.URL == "" {
		t, err := s.MapTiles(ctx)
		if err != nil {
			s.renderPageError(c, err)
			return
		}
		v.Tiles = t
	}
	list, err := s.ListTrust(ctx, a)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	for _, ts := range list {
		if base, ok := app.PartnerBase(ts.Source); ok {
			v.Partners = append(v.Partners, partnerView{ID: ts.ID, Name: ts.Name, Base: base})
		}
	}
	p := s.view(c, "lieux_admin_title")
	if formErr != nil {
		p.Error = s.errorText(c, p, formErr)
	}
	if ok := c.Query("ok"); ok == "tiles_saved" {
		p.Notice = tr(p.Lang, "lieux_admin_tiles_saved")
	}
	if v.Report != nil {
		conv := func(l []places.Problem) []problemView {
			out := []problemView{}
			for _, pr := range l {
				en, fr := pr.Where()
				pv := problemView{Where: fr, ID: pr.ID, Reason: pr.ReasonFR}
				if p.Lang == "en" {
					pv.Where, pv.Reason = en, pr.Reason
				}
				out = append(out, pv)
			}
			return out
		}
		v.Rejects, v.Warnings = conv(v.Report.Rejects), conv(v.Report.Warnings)
	}
	if v.Shared != nil && v.Shared.Offers != nil {
		v.OfferError = v.Shared.Offers.ErrorFR
		if p.Lang == "en" {
			v.OfferError = v.Shared.Offers.Error
		}
		for _, pr := range v.Shared.Offers.Rejects {
			en, fr := pr.Where()
			pv := problemView{Where: fr, ID: pr.ID, Reason: pr.ReasonFR}
			if p.Lang == "en" {
				pv.Where, pv.Reason = en, pr.Reason
			}
			v.OfferRejects = append(v.OfferRejects, pv)
		}
	}
	p.View = &lieuxAdminPage{Admin: v, Default: places.DefaultTiles()}
	s.render(c, status, "lieux_admin", p)
}

// lieuxAdminPage serves GET /lieux/admin.
func (s *Server) lieuxAdminPage(c *gin.Context) { s.renderLieuxAdmin(c, http.StatusOK, nil, nil) }

// lieuxTilesPost saves the map's tile layer.
func (s *Server) lieuxTilesPost(c *gin.Context) {
	t := places.Tiles{URL: c.PostForm("tile_url"), Attribution: c.PostForm("tile_attribution")}
	if c.PostForm("reset") != "" {
		t = places.Tiles{}
	}
	if _, err := s.SetMapTiles(c.Request.Context(), actorOf(c), t); err != nil {
		if schema.ErrorCode(err) != schema.EINVALID {
			s.renderPageError(c, err)
			return
		}
		s.renderLieuxAdmin(c, http.StatusBadRequest, &lieuxAdminView{Tiles: t}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/lieux/admin?ok=tiles_saved")
}

// lieuxUploadKey holds the file part of the import form (readLieuxForm).
const lieuxUploadKey = "lieux_upload"

// lieuxUpload is the file part of the import form, still to be read.
type lieuxUpload struct {
	part *multipart.Part
	name string
}

// readLieuxForm reads the small fields of the import form that come
// before its file (the CSRF token first, as the page orders them), for
// the CSRF check, and leaves the file part to lieuxImportPost, which
// streams it into the import: the national dataset is tens of MB, never
// held in memory. A token sent after the file is not seen: refused.
func (s *Server) readLieuxForm(c *gin.Context) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return // not multipart: no token, the CSRF check refuses it
	}
	values := url.Values{}
	for n := 0; n < 20; n++ {
		part, err := mr.NextPart()
		if err != nil {
			break
		}
		if part.FormName() == "file" {
			c.Set(lieuxUploadKey, &lieuxUpload{part: part, name: part.FileName()})
			break
		}
		b, _ := io.ReadAll(io.LimitReader(part, 4<<10))
		values.Add(part.FormName(), string(b))
	}
	c.Request.PostForm = values
	c.Request.Form = values
	c.Request.MultipartForm = &multipart.Form{Value: values, File: map[string][]*multipart.FileHeader{}}
}

// lieuxImportPost imports the uploaded file and shows the report: the
// count imported and the rows left out, with their lines.
func (s *Server) lieuxImportPost(c *gin.Context) {
	a := actorOf(c)
	if err := app.NetworkAdmin(a); err != nil {
		s.renderPageError(c, schema.Errorf(schema.EFORBIDDEN, "only network administrators import places", "seuls les administrateurs du réseau importent des lieux"))
		return
	}
	v, _ := c.Get(lieuxUploadKey)
	up, _ := v.(*lieuxUpload)
	if up == nil {
		s.renderLieuxAdmin(c, http.StatusBadRequest, nil, schema.Errorf(schema.EINVALID, "choose a file of the standard (CSV or JSON)", "choisissez un fichier du standard (CSV ou JSON)"))
		return
	}
	source := strings.TrimSpace(up.name)
	if source == "" {
		source = "page"
	}
	rep, err := s.ImportPlaces(c.Request.Context(), a, up.part, source)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = schema.Errorf(schema.EINVALID, "the file is larger than %d MB", "le fichier dépasse %d Mo", MaxPlacesImport>>20)
	}
	if err != nil && schema.ErrorCode(err) == schema.EINTERNAL {
		s.renderPageError(c, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadRequest
	}
	s.renderLieuxAdmin(c, status, &lieuxAdminView{Report: rep, File: source}, err)
}

// lieuxSharePost fetches the places a trusted partner Carnet shares.
func (s *Server) lieuxSharePost(c *gin.Context) {
	res, err := s.FetchPartnerPlaces(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil && (res == nil || schema.ErrorCode(err) == schema.EINTERNAL) {
		if code := schema.ErrorCode(err); code == schema.EINVALID {
			s.renderLieuxAdmin(c, http.StatusBadRequest, nil, err)
			return
		}
		s.renderPageError(c, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadGateway
	}
	s.renderLieuxAdmin(c, status, &lieuxAdminView{Shared: res}, err)
}
