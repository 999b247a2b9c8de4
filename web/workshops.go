package web

import (
	"net/http"
	"strconv"
	"strings"

	"carnet/app"
	"carnet/issuer/card"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// Workshops (ateliers): a mediator creates one (title, dates, structure,
// framework, the competencies it works on, a partner), adds participants
// (learners found by name, or new ones typed one per line), fills one
// grid participants × competencies (a select per cell: Tab to move, a
// digit to choose a level), reviews, issues all at once through the
// batch operation (app.IssueWorkshop), and prints the group's cards and
// certificates.

// workshopCol is a competency column of the grid.
type workshopCol struct {
	Code string
	Comp schema.Competency
}

// workshopRow is a participant's row of the grid.
type workshopRow struct {
	Index     int
	LearnerID string
	Name      string
	Skip      bool
	Cells     []workshopCell
	Result    *schema.BatchRow
}

type workshopCell struct {
	Code, Value string
}

func (s *Server) workshopsPage(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	p := s.view(c, "workshops_title")
	list, err := s.ListWorkshops(ctx, a)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	sts, err := s.VisibleStructures(ctx, a)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	fwID := c.DefaultQuery("framework", "digcomp-2.2")
	fw, err := s.Frameworks.Get(fwID)
	if err != nil {
		fw, _ = s.Frameworks.Get(s.Frameworks.IDs()[0])
	}
	p.View = &workshopsView{Workshops: list, Structures: sts, Framework: fw, FrameworkIDs: s.Frameworks.IDs()}
	s.render(c, http.StatusOK, "workshops", p)
}

func (s *Server) workshopCreate(c *gin.Context) {
	c.Request.ParseForm()
	in := app.WorkshopInput{Structure: c.PostForm("structure"), Title: c.PostForm("title"), Dates: c.PostForm("dates"),
		Partner: c.PostForm("partner"), Framework: c.PostForm("framework"), Competencies: c.PostFormArray("competency")}
	w, err := s.CreateWorkshop(c.Request.Context(), actorOf(c), in)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/workshops/"+w.ID)
}

// fillWorkshop fills a page with a workshop, its grid and its last
// batch (a *workshopView), and returns that view.
func (s *Server) fillWorkshop(c *gin.Context, p *page, w *schema.Workshop) (*workshopView, error) {
	ctx, a := c.Request.Context(), actorOf(c)
	fw, err := s.Frameworks.Get(w.Framework)
	if err != nil {
		return nil, err
	}
	b, rows, err := s.WorkshopBatch(ctx, a, w)
	if err != nil {
		return nil, err
	}
	results := map[int]*schema.BatchRow{}
	for _, r := range rows {
		if r.Done {
			results[r.Row] = r
		}
	}
	var cols []workshopCol
	for _, code := range w.Competencies {
		if comp, _, err := fw.Competency(code); err == nil {
			cols = append(cols, workshopCol{Code: code, Comp: *comp})
		}
	}
	var grid []workshopRow
	for i, pt := range w.Participants {
		r := workshopRow{Index: i, LearnerID: pt.LearnerID, Name: pt.Name, Skip: pt.Skip, Result: results[i+1]}
		for _, col := range cols {
			r.Cells = append(r.Cells, workshopCell{Code: col.Code, Value: pt.Levels[col.Code]})
		}
		grid = append(grid, r)
	}
	st := &schema.Structure{}
	if sts, err := s.VisibleStructures(ctx, a); err == nil {
		for _, x := range sts {
			if x.ID == w.StructureID {
				st = x
			}
		}
	}
	v := &workshopView{Workshop: w, Framework: fw, Cols: cols, Grid: grid, Batch: b, Structure: st}
	p.View = v
	p.Refresh = b != nil && b.Status == schema.BatchRunning
	return v, nil
}

func (s *Server) workshopPage(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	w, err := s.Workshop(ctx, a, c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "workshops_title")
	p.Title = w.Title
	v, err := s.fillWorkshop(c, p, w)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	if q := strings.TrimSpace(c.Query("q")); q != "" {
		found, err := s.SearchLearners(ctx, a, q, 20)
		if err != nil {
			s.renderPageError(c, err)
			return
		}
		in := map[string]bool{}
		for _, pt := range w.Participants {
			in[pt.LearnerID] = true
		}
		var list []*schema.Learner
		for _, l := range found {
			if l.StructureID == w.StructureID && !in[l.ID] && !l.Erased() {
				list = append(list, l)
			}
		}
		v.Found, v.Query = list, q
	}
	s.render(c, http.StatusOK, "workshop", p)
}

// workshopForm reads the grid form: each participant's row, those
// removed left out, the learners found and added, the new names typed.
func workshopForm(c *gin.Context, w *schema.Workshop) []schema.WorkshopParticipant {
	n, _ := strconv.Atoi(c.PostForm("n"))
	if n < 0 || n > app.MaxWorkshopParticipants {
		n = 0
	}
	var out []schema.WorkshopParticipant
	for i := 0; i < n; i++ {
		pre := "p" + strconv.Itoa(i) + "_"
		if c.PostForm(pre+"remove") == "on" {
			continue
		}
		pt := schema.WorkshopParticipant{LearnerID: c.PostForm(pre + "id"), Name: c.PostForm(pre + "name"),
			Skip: c.PostForm(pre+"skip") == "on", Levels: map[string]string{}}
		for _, code := range w.Competencies {
			if v := c.PostForm(pre + "l_" + code); v != "" {
				pt.Levels[code] = v
			}
		}
		out = append(out, pt)
	}
	for _, id := range c.PostFormArray("add_learner") {
		out = append(out, schema.WorkshopParticipant{LearnerID: id})
	}
	for _, line := range strings.Split(c.PostForm("new_names"), "\n") {
		if name := strings.TrimSpace(line); name != "" {
			out = append(out, schema.WorkshopParticipant{Name: name})
		}
	}
	return out
}

func (s *Server) workshopSave(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	w, err := s.Workshop(ctx, a, c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	if _, err := s.SaveWorkshopGrid(ctx, a, w.ID, workshopForm(c, w)); err != nil {
		if schema.ErrorCode(err) != schema.EINVALID {
			s.renderPageError(c, err)
			return
		}
		p := s.view(c, "workshops_title")
		p.Title, p.Error = w.Title, s.errorText(c, p, err)
		if _, err := s.fillWorkshop(c, p, w); err != nil {
			s.renderPageError(c, err)
			return
		}
		s.render(c, http.StatusBadRequest, "workshop", p)
		return
	}
	if c.PostForm("action") == "review" {
		c.Redirect(http.StatusSeeOther, "/workshops/"+w.ID+"/review")
		return
	}
	c.Redirect(http.StatusSeeOther, "/workshops/"+w.ID+"?ok=saved")
}

func (s *Server) workshopReview(c *gin.Context) {
	w, err := s.Workshop(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "workshop_review_title")
	if _, err := s.fillWorkshop(c, p, w); err != nil {
		s.renderPageError(c, err)
		return
	}
	s.render(c, http.StatusOK, "workshop_review", p)
}

func (s *Server) workshopIssue(c *gin.Context) {
	l := lang(c)
	b, w, err := s.IssueWorkshop(c.Request.Context(), actorOf(c), c.Param("id"), l)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	if b.Status == schema.BatchRunning {
		s.StartBatch(b.ID)
	}
	// No "#issued": without JavaScript the page reloads itself while the
	// batch runs (a meta refresh in <noscript>; with it, progress.js
	// updates a live region), and Chromium takes a refresh of a URL with a
	// fragment for a move within the page, so the progress never moved.
	// The section is at the top of the page.
	c.Redirect(http.StatusSeeOther, "/workshops/"+w.ID)
}

// workshopSheets serves a workshop's cards or A4 certificates in one PDF.
func (s *Server) workshopSheets(layout string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, a := c.Request.Context(), actorOf(c)
		w, err := s.Workshop(ctx, a, c.Param("id"))
		if err != nil {
			s.renderPageError(c, err)
			return
		}
		if w.BatchID == "" {
			s.renderPageError(c, schema.Errorf(schema.ECONFLICT, "this workshop was not issued yet", "cet atelier n'a pas encore été délivré"))
			return
		}
		name := "cartes-atelier.pdf"
		if layout == card.LayoutA4 {
			name = "attestations-atelier.pdf"
		}
		pw := &pdfWriter{c: c, name: name}
		if err := s.BatchSheets(ctx, a, w.BatchID, layout, "", pw); err != nil {
			pw.fail(s, err, s.renderPageError, "workshop", w.ID)
		}
	}
}

func (s *Server) workshopCards(c *gin.Context)        { s.workshopSheets(card.LayoutCard)(c) }
func (s *Server) workshopCertificates(c *gin.Context) { s.workshopSheets(card.LayoutA4)(c) }
