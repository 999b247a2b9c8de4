package web

import (
	"net/http"
	"strings"

	"carnet/app"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// The catalogue of self-training resources: everyone signed in reads it,
// network administrators edit it. It suggests what to work on next, on a
// learner's page and on the A4 attestation.

// minCoverRows is how many coverage rows the form offers at least.
const minCoverRows = 3

// resourceForm is the resource form as typed, kept when it is refused.
type resourceForm struct {
	ID, NameFR, NameEN, URL, Provider, Languages string
	Free                                         bool
	Rows                                         []coverRow
	Edit                                         bool // an existing resource: the id is fixed
}

type coverRow struct {
	N                                 int // its number in the form, from 1
	Framework, Competencies, From, To string
}

func (r coverRow) blank() bool {
	return strings.TrimSpace(r.Framework+r.Competencies+r.From+r.To) == ""
}

// withRows pads the form's coverage rows with blank ones: at least
// minCoverRows, and one blank row to add a coverage.
func (f resourceForm) withRows() resourceForm {
	n := 0
	for _, r := range f.Rows {
		if !r.blank() {
			n++
		}
	}
	rows := append([]coverRow{}, f.Rows...)
	for len(rows) < max(minCoverRows, n+1) {
		rows = append(rows, coverRow{})
	}
	for i := range rows {
		rows[i].N = i + 1
	}
	f.Rows = rows
	return f
}

func formOf(r *schema.Resource) resourceForm {
	f := resourceForm{ID: r.ID, NameFR: r.Name["fr"], NameEN: r.Name["en"], URL: r.URL, Provider: r.Provider,
		Languages: strings.Join(r.Languages, ", "), Free: r.Free, Edit: true}
	for _, cv := range r.Covers {
		f.Rows = append(f.Rows, coverRow{Framework: cv.Framework, Competencies: strings.Join(cv.Competencies, ", "), From: cv.From, To: cv.To})
	}
	return f.withRows()
}

// readResourceForm reads the posted form. Coverage rows come as repeated
// fields framework, competencies, from and to, in the form's order.
func readResourceForm(c *gin.Context) resourceForm {
	f := resourceForm{ID: c.PostForm("id"), NameFR: c.PostForm("name_fr"), NameEN: c.PostForm("name_en"), URL: c.PostForm("url"),
		Provider: c.PostForm("provider"), Languages: c.PostForm("languages"), Free: c.PostForm("free") == "on"}
	fws, comps, froms, tos := c.PostFormArray("framework"), c.PostFormArray("competencies"), c.PostFormArray("from"), c.PostFormArray("to")
	n := max(len(fws), len(comps), len(froms), len(tos))
	at := func(list []string, i int) string {
		if i < len(list) {
			return list[i]
		}
		return ""
	}
	for i := range min(n, schema.MaxResourceCovers+minCoverRows) {
		f.Rows = append(f.Rows, coverRow{Framework: at(fws, i), Competencies: at(comps, i), From: at(froms, i), To: at(tos, i)})
	}
	return f
}

// splitList cuts a typed list at commas, semicolons and spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

// resource makes the resource of a form; the store checks it.
func (f resourceForm) resource() *schema.Resource {
	r := &schema.Resource{ID: strings.TrimSpace(f.ID), Name: schema.Text{"fr": strings.TrimSpace(f.NameFR)}, URL: strings.TrimSpace(f.URL),
		Provider: strings.TrimSpace(f.Provider), Free: f.Free, Languages: []string{}, Covers: []schema.Coverage{}}
	if en := strings.TrimSpace(f.NameEN); en != "" {
		r.Name["en"] = en
	}
	for _, l := range splitList(f.Languages) {
		r.Languages = append(r.Languages, strings.ToLower(l))
	}
	for _, row := range f.Rows {
		if row.blank() {
			continue
		}
		cv := schema.Coverage{Framework: strings.TrimSpace(row.Framework), Competencies: splitList(row.Competencies),
			From: strings.TrimSpace(row.From), To: strings.TrimSpace(row.To)}
		if cv.Competencies == nil {
			cv.Competencies = []string{}
		}
		r.Covers = append(r.Covers, cv)
	}
	return r
}

// resourceView is a resource as the list shows it.
type resourceView struct {
	ID, Name, URL, Link, Provider, Languages string
	Free                                     bool
	Covers                                   []coverView
}

// coverView is one coverage as the list shows it.
type coverView struct {
	Framework    string // its title
	Competencies string // "1.1, 2.1"
	Levels       string // "niveaux 1 à 2"
}

func (s *Server) resourceViews(list []*schema.Resource, lang string) []resourceView {
	out := make([]resourceView, 0, len(list))
	for _, r := range list {
		v := resourceView{ID: r.ID, Name: r.Name.In(lang), URL: r.URL, Link: r.ShortLink(), Provider: r.Provider,
			Languages: strings.Join(r.Languages, ", "), Free: r.Free}
		for _, cv := range r.Covers {
			title := cv.Framework
			if fw, err := s.Frameworks.Get(cv.Framework); err == nil {
				title = fw.Title.In(lang)
			}
			levels := tr(lang, "catalogue_levels_from") + " " + cv.From + " " + tr(lang, "catalogue_levels_to") + " " + cv.To
			if cv.From == cv.To {
				levels = tr(lang, "catalogue_level") + " " + cv.From
			}
			v.Covers = append(v.Covers, coverView{Framework: title, Competencies: strings.Join(cv.Competencies, ", "), Levels: levels})
		}
		out = append(out, v)
	}
	return out
}

// colon is ": " as written in lang: with a space before in French.
func colon(lang string) string {
	if lang == "en" {
		return ": "
	}
	return "\u00a0: "
}

// Pages.

func (s *Server) resourcesPage(c *gin.Context) {
	a := actorOf(c)
	cat, err := s.Catalogue(c.Request.Context())
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	list := make([]*schema.Resource, 0, len(cat.Resources))
	for i := range cat.Resources {
		list = append(list, &cat.Resources[i])
	}
	p := s.view(c, "catalogue_title")
	switch ok := c.Query("ok"); ok {
	case schema.AuditResourceAdd, schema.AuditResourceEdit, schema.AuditResourceDelete:
		p.Notice = tr(p.Lang, "notice_"+ok)
	}
	p.View = &resourcesView{Resources: s.resourceViews(list, p.Lang), CanEdit: a.User.NetworkAdmin && s.Resources != nil}
	s.render(c, http.StatusOK, "resources", p)
}

func (s *Server) renderResourceForm(c *gin.Context, status int, f resourceForm, err error) {
	p := s.view(c, "catalogue_form_new_title")
	if f.Edit {
		p = s.view(c, "catalogue_form_edit_title")
	}
	if err != nil {
		p.Error = s.errorText(c, p, err)
	}
	// Per framework, its levels: what the from and to fields take.
	var hints []string
	for _, fw := range s.frameworkList() {
		ids := make([]string, len(fw.Levels))
		for i, l := range fw.Levels {
			ids[i] = l.ID
		}
		hints = append(hints, fw.Title.In(p.Lang)+colon(p.Lang)+strings.Join(ids, ", "))
	}
	p.View = &resourceEditView{Form: f.withRows(), Frameworks: s.frameworkList(), Hints: hints}
	s.render(c, status, "resource_edit", p)
}

func (s *Server) resourceNewPage(c *gin.Context) {
	if err := app.ResourceAdmin(actorOf(c)); err != nil {
		s.renderPageError(c, err)
		return
	}
	s.renderResourceForm(c, http.StatusOK, resourceForm{}, nil)
}

func (s *Server) resourceEditPage(c *gin.Context) {
	if err := app.ResourceAdmin(actorOf(c)); err != nil {
		s.renderPageError(c, err)
		return
	}
	if s.Resources == nil {
		s.renderPageError(c, app.ErrNoResourceStore)
		return
	}
	r, err := s.Resources.FindResource(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	s.renderResourceForm(c, http.StatusOK, formOf(r), nil)
}

// resourceSave answers POST /resources (create) and POST /resources/:id
// (update): back to the list, or the form again with the error and what
// was typed.
func (s *Server) resourceSave(c *gin.Context) {
	a := actorOf(c)
	if err := app.ResourceAdmin(a); err != nil {
		s.renderPageError(c, err)
		return
	}
	f := readResourceForm(c)
	id := c.Param("id")
	ok := schema.AuditResourceAdd
	if id != "" {
		// The id of an existing resource is the one in its address.
		if s.Resources != nil {
			if _, err := s.Resources.FindResource(c.Request.Context(), id); err != nil {
				s.renderPageError(c, err)
				return
			}
		}
		f.ID, f.Edit, ok = id, true, schema.AuditResourceEdit
	}
	if _, err := s.SaveResource(c.Request.Context(), a, id, f.resource()); err != nil {
		if code := schema.ErrorCode(err); code != schema.EINVALID && code != schema.ECONFLICT {
			s.renderPageError(c, err)
			return
		}
		s.renderResourceForm(c, statusOf(schema.ErrorCode(err)), f, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/resources?ok="+ok)
}

func (s *Server) resourceDelete(c *gin.Context) {
	a := actorOf(c)
	if err := app.ResourceAdmin(a); err != nil {
		s.renderPageError(c, err)
		return
	}
	if c.PostForm("confirm") != "on" {
		s.renderPageError(c, schema.Errorf(schema.EINVALID, "tick the box to confirm the deletion", "cochez la case pour confirmer la suppression"))
		return
	}
	if err := s.DeleteResource(c.Request.Context(), a, c.Param("id")); err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/resources?ok="+schema.AuditResourceDelete)
}
