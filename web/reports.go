package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"carnet/app"
	"carnet/report"
	"carnet/report/pdf"
	"carnet/schema"
	"carnet/verifier"

	"github.com/gin-gonic/gin"
)

// The bilan: the page /bilan and GET /api/v1/reports, with their CSV and
// PDF exports. The figures and their definitions are package report's;
// this file reads the request, decides which structures the actor may
// count, and renders.

// reportScope returns the structures a bilan of a covers: the one named by
// slug, or every one they administer (nil: the whole instance, for a
// network administrator). Mediators see no bilan.
func (s *Server) reportScope(ctx context.Context, a *app.Actor, slug string) ([]int64, *schema.Structure, error) {
	if s.Reports == nil {
		return nil, nil, schema.Errorf(schema.ENOTFOUND, "this instance has no bilan", "cette instance n'a pas de bilan")
	}
	if slug == "" {
		if a.User.NetworkAdmin {
			return nil, nil, nil
		}
		ids := []int64{}
		for _, m := range a.User.Memberships {
			if m.Role == schema.RoleAdmin {
				ids = append(ids, m.StructureID)
			}
		}
		if len(ids) == 0 {
			return nil, nil, errReportForbidden
		}
		return ids, nil, nil
	}
	st, err := s.Structures.FindStructure(ctx, slug)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, nil, app.ErrNoAccess
	} else if err != nil {
		return nil, nil, err
	}
	switch {
	case a.User.NetworkAdmin, a.User.RoleIn(st.ID) == schema.RoleAdmin:
		return []int64{st.ID}, st, nil
	case a.User.RoleIn(st.ID) != "":
		return nil, nil, errReportForbidden
	}
	return nil, nil, app.ErrNoAccess
}

var errReportForbidden = schema.Errorf(schema.EFORBIDDEN, "the bilan is for structure and network administrators",
	"le bilan est réservé aux administrateurs des structures et du réseau")

// reportRequest is a bilan as asked: GET parameters from, to (YYYY-MM-DD,
// both included), structure (slug), framework (id), format (json, csv,
// pdf; html for the page), sep (";" for the CSV).
type reportRequest struct {
	From, To, Structure, Framework, Format, Sep string
}

func readReportRequest(c *gin.Context) reportRequest {
	return reportRequest{From: c.Query("from"), To: c.Query("to"), Structure: c.Query("structure"),
		Framework: c.Query("framework"), Format: c.Query("format"), Sep: c.Query("sep")}
}

// buildReport checks a request against the actor's rights and counts it.
func (s *Server) buildReport(ctx context.Context, a *app.Actor, in reportRequest, lang string) (*report.Report, *schema.Structure, error) {
	ids, st, err := s.reportScope(ctx, a, in.Structure)
	if err != nil {
		return nil, nil, err
	}
	from, to, err := report.Period(in.From, in.To, s.now())
	if err != nil {
		return nil, nil, err
	}
	if in.Framework != "" {
		if _, err := s.Frameworks.Get(in.Framework); err != nil {
			return nil, nil, err
		}
	}
	cat, err := s.Catalogue(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.flushVerifications(ctx, true)
	o := report.Options{Frameworks: s.Frameworks, Catalogue: cat, Lang: lang, Threshold: s.ReportThreshold}
	if st != nil {
		o.Structure = st.Slug
	}
	r, err := report.Build(ctx, s.Reports, report.Query{StructureIDs: ids, Framework: in.Framework, From: from, To: to}, o)
	return r, st, err
}

// apiReports answers GET /api/v1/reports: JSON, or the CSV or PDF export.
func (s *Server) apiReports(c *gin.Context) {
	in := readReportRequest(c)
	lang := c.DefaultQuery("lang", "fr")
	if lang != "en" {
		lang = "fr"
	}
	r, st, err := s.buildReport(c.Request.Context(), actorOf(c), in, lang)
	if err != nil {
		s.renderError(c, err)
		return
	}
	switch in.Format {
	case "", "json":
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusOK, r)
	case "csv", "pdf":
		s.exportReport(c, r, st, in, lang)
	default:
		s.renderError(c, schema.Errorf(schema.EINVALID, "format is json, csv or pdf", "le format est json, csv ou pdf"))
	}
}

// exportReport writes the CSV or PDF of a bilan as a download.
func (s *Server) exportReport(c *gin.Context, r *report.Report, st *schema.Structure, in reportRequest, lang string) {
	name := "bilan-" + r.From + "-" + r.To
	if st != nil {
		name += "-" + st.Slug
	}
	var buf bytes.Buffer
	var ctype string
	if in.Format == "csv" {
		sep := ','
		if in.Sep == ";" || in.Sep == "semicolon" {
			sep = ';'
		}
		if err := report.WriteCSV(&buf, r, lang, sep); err != nil {
			s.renderError(c, err)
			return
		}
		ctype, name = "text/csv; charset=utf-8", name+".csv"
	} else {
		cv := pdf.Cover{Lang: lang, Instance: s.BaseURL, Generated: s.now(), Titles: map[string]string{}}
		for _, cp := range r.Competences {
			if fw, err := s.Frameworks.Get(cp.Framework); err == nil {
				if k, _, err := fw.Competency(cp.Code); err == nil {
					cv.Titles[cp.Framework+" "+cp.Code] = k.Title.In(lang)
				}
			}
		}
		if st != nil {
			cv.Scope = st.Name
		}
		if r.Framework != "" {
			if fw, err := s.Frameworks.Get(r.Framework); err == nil {
				cv.Framework = fw.Title.In(lang)
			}
		}
		if err := pdf.Render(&buf, r, cv); err != nil {
			s.renderError(c, err)
			return
		}
		ctype, name = "application/pdf", name+".pdf"
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, ctype, buf.Bytes())
}

// bilanCompetence is a competency of the page: its bilan, title and chart.
type bilanCompetence struct {
	report.Competence
	Title string
	Chart template.HTML
}

func (s *Server) bilanPage(c *gin.Context) {
	a := actorOf(c)
	in := readReportRequest(c)
	p := s.view(c, "bilan_title")
	r, st, err := s.buildReport(c.Request.Context(), a, in, p.Lang)
	if err != nil {
		if schema.ErrorCode(err) == schema.EINVALID {
			// A mistyped date: the form again, with the error.
			p.Error = s.errorText(c, p, err)
		} else {
			s.renderPageError(c, err)
			return
		}
	}
	if r != nil && (in.Format == "csv" || in.Format == "pdf") {
		s.exportReport(c, r, st, in, p.Lang)
		return
	}
	structures, err := s.VisibleStructures(c.Request.Context(), a)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	var admin []*schema.Structure
	for _, x := range structures {
		if a.User.NetworkAdmin || a.User.RoleIn(x.ID) == schema.RoleAdmin {
			admin = append(admin, x)
		}
	}
	v := &bilanView{Input: in, Structures: admin, Network: a.User.NetworkAdmin, Frameworks: s.frameworkList(),
		Presets: presets(s.now(), in)}
	p.View = v
	if r != nil {
		v.Report = r
		v.Below = r.Threshold - 1
		var comps []bilanCompetence
		for _, cp := range r.Competences {
			title := cp.Code
			if fw, err := s.Frameworks.Get(cp.Framework); err == nil {
				if k, _, err := fw.Competency(cp.Code); err == nil {
					title = cp.Code + " " + k.Title.In(p.Lang)
				}
			}
			comps = append(comps, bilanCompetence{Competence: cp, Title: title, Chart: template.HTML(report.LevelsSVG(cp, p.Lang))}) // #nosec: built with escaped text
		}
		v.Competences = comps
		v.Progress = template.HTML(report.ProgressSVG(r.Competences, p.Lang))
		v.Monthly = template.HTML(report.MonthlySVG(r.Monthly, p.Lang))
		v.Workshops = template.HTML(report.WorkshopsSVG(r, p.Lang)) // #nosec: built with escaped text
		q := url.Values{"from": {r.From}, "to": {r.To}}
		if in.Structure != "" {
			q.Set("structure", in.Structure)
		}
		if in.Framework != "" {
			q.Set("framework", in.Framework)
		}
		// Whole URLs, typed as such: html/template would escape a query
		// string inserted after "?" as one value.
		here := "/bilan?" + q.Encode()
		v.CSV = template.URL(here + "&format=csv")
		v.CSVSemi = template.URL(here + "&format=csv&sep=%3B")
		v.PDF = template.URL(here + "&format=pdf")
	}
	s.render(c, http.StatusOK, "bilan", p)
}

// preset is a ready-made period of the form.
type preset struct {
	Key string
	URL template.URL
}

// presets are links to this month, this quarter, this year and last year,
// keeping the structure and framework.
func presets(now time.Time, in reportRequest) []preset {
	now = now.UTC()
	y, m := now.Year(), now.Month()
	month := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	quarter := time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	link := func(from, to time.Time) template.URL {
		q := url.Values{"from": {from.Format(time.DateOnly)}, "to": {to.AddDate(0, 0, -1).Format(time.DateOnly)}}
		if in.Structure != "" {
			q.Set("structure", in.Structure)
		}
		if in.Framework != "" {
			q.Set("framework", in.Framework)
		}
		return template.URL("/bilan?" + q.Encode())
	}
	return []preset{
		{"bilan_month", link(month, month.AddDate(0, 1, 0))},
		{"bilan_quarter", link(quarter, quarter.AddDate(0, 3, 0))},
		{"bilan_year", link(year, year.AddDate(1, 0, 0))},
		{"bilan_last_year", link(year.AddDate(-1, 0, 0), year)},
	}
}

// Verifications of this instance's credentials are counted in memory and
// stored at most once a minute (and before each bilan), so that a
// verification writes nothing: BENCHMARKS.md has the measure. Counts not
// yet stored when the process stops are lost (a minute at most).

// verifyTally holds the verifications not yet stored: structure slug ->
// day -> how many.
type verifyTally struct {
	mu     sync.Mutex
	counts map[string]map[string]int
	since  time.Time // the first count not yet stored
}

// flushEvery is how often the tally is stored, at most.
const flushEvery = time.Minute

// countVerification counts a verification of a credential or card this
// instance issued (its signature checked, whatever the verdict).
func (s *Server) countVerification(ctx context.Context, res *verifier.Result) {
	if s.Reports == nil || res == nil || res.Issuer == nil || !res.SignatureVerified {
		return
	}
	prefix := strings.TrimSuffix(s.DID("x"), "x")
	slug, ok := strings.CutPrefix(res.Issuer.ID, prefix)
	if !ok || prefix == "" || strings.Contains(slug, ":") {
		return
	}
	now := s.now().UTC()
	t := &s.verifications
	t.mu.Lock()
	if t.counts == nil {
		t.counts, t.since = map[string]map[string]int{}, now
	}
	if t.counts[slug] == nil {
		t.counts[slug] = map[string]int{}
	}
	t.counts[slug][now.Format(time.DateOnly)]++
	due := now.Sub(t.since) >= flushEvery
	t.mu.Unlock()
	if due {
		s.flushVerifications(ctx, false)
	}
}

// flushVerifications stores the tally; a failure keeps it for the next
// time. Without force, it stores only when the tally is a minute old.
func (s *Server) flushVerifications(ctx context.Context, force bool) {
	t := &s.verifications
	t.mu.Lock()
	counts := t.counts
	if counts == nil || (!force && s.now().Sub(t.since) < flushEvery) {
		t.mu.Unlock()
		return
	}
	t.counts = nil
	t.mu.Unlock()
	byID := map[int64]map[string]int{}
	for slug, days := range counts {
		st, err := s.Structures.FindStructure(ctx, slug)
		if err != nil {
			continue // a structure that is not (or no longer) here
		}
		byID[st.ID] = days
	}
	if err := s.Reports.AddVerifications(context.WithoutCancel(ctx), byID); err != nil {
		if s.Log != nil {
			s.Log.Error("storing the verification tally", "err", err)
		}
		t.mu.Lock()
		if t.counts == nil {
			t.counts, t.since = map[string]map[string]int{}, s.now()
		}
		for slug, days := range counts {
			if t.counts[slug] == nil {
				t.counts[slug] = map[string]int{}
			}
			for d, n := range days {
				t.counts[slug][d] += n
			}
		}
		t.mu.Unlock()
	}
}
