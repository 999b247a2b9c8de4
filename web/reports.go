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
	p.D["In"] = in
	p.D["Structures"] = admin
	p.D["Network"] = a.User.NetworkAdmin
	p.D["Frameworks"] = s.frameworkList()
	p.D["Presets"] = presets(s.now(), in)
	if r != nil {
		p.D["R"] = r
		p.D["Below"] = r.Threshold - 1
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
		p.D["Competences"] = comps
		p.D["Progress"] = template.HTML(report.ProgressSVG(r.Competences, p.Lang))
		p.D["Monthly"] = template.HTML(report.MonthlySVG(r.Monthly, p.Lang))
		p.D["Workshops"] = template.HTML(report.WorkshopsSVG(r, p.Lang)) // #nosec: built with escaped text
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
		p.D["CSV"] = template.URL(here + "&format=csv")
		p.D["CSVSemi"] = template.URL(here + "&format=csv&sep=%3B")
		p.D["PDF"] = template.URL(here + "&format=pdf")
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

// reportMessages are the texts of the bilan's page.
var reportMessages = map[string][2]string{
	"nav_bilan":            {"Bilan", "Report"},
	"bilan_title":          {"Bilan", "Report"},
	"bilan_intro":          {"Les chiffres de l'accompagnement pour une période : à présenter aux partenaires et aux financeurs. Ce sont des totaux, sans aucun nom.", "The figures of the support given over a period, for partners and funders. They are totals, with no names."},
	"bilan_from":           {"Du", "From"},
	"bilan_to":             {"Au (inclus)", "To (included)"},
	"bilan_structure":      {"Structure", "Structure"},
	"bilan_all_mine":       {"Toutes mes structures", "All my structures"},
	"bilan_network":        {"Tout le réseau", "The whole network"},
	"bilan_framework":      {"Référentiel", "Framework"},
	"bilan_all_fw":         {"Tous les référentiels", "All frameworks"},
	"bilan_show":           {"Afficher", "Show"},
	"bilan_month":          {"Ce mois-ci", "This month"},
	"bilan_quarter":        {"Ce trimestre", "This quarter"},
	"bilan_year":           {"Cette année", "This year"},
	"bilan_last_year":      {"L'année dernière", "Last year"},
	"bilan_period":         {"Période du %s au %s", "Period from %s to %s"},
	"bilan_exports":        {"Exporter", "Export"},
	"bilan_csv":            {"CSV (virgules)", "CSV (commas)"},
	"bilan_csv_semi":       {"CSV (points-virgules, pour Excel en français)", "CSV (semicolons, for Excel in French)"},
	"bilan_pdf":            {"PDF imprimable", "Printable PDF"},
	"bilan_key":            {"Chiffres clés", "Key figures"},
	"bilan_figure":         {"Indicateur", "Figure"},
	"bilan_this":           {"Cette période", "This period"},
	"bilan_previous":       {"Période précédente (%s – %s)", "Previous period (%s – %s)"},
	"bilan_people":         {"Personnes accompagnées", "People accompanied"},
	"bilan_new":            {"dont nouvelles", "of whom new"},
	"bilan_returning":      {"dont déjà venues", "of whom returning"},
	"bilan_assessments":    {"Évaluations (attestations délivrées)", "Assessments (credentials issued)"},
	"bilan_revoked":        {"Attestations révoquées", "Credentials revoked"},
	"bilan_suspended":      {"Attestations suspendues", "Credentials suspended"},
	"bilan_workshops":      {"Ateliers et participants", "Workshops and participants"},
	"bilan_w_held":         {"Ateliers tenus", "Workshops held"},
	"bilan_w_participants": {"Participant·es aux ateliers", "Workshop participants"},
	"bilan_w_credentials":  {"Attestations délivrées en atelier", "Credentials issued in workshops"},
	"bilan_w_by_structure": {"Ateliers par structure", "Workshops by structure"},
	"bilan_w_by_partner":   {"Ateliers par partenaire", "Workshops by partner"},
	"bilan_w_partner":      {"Partenaire", "Partner"},
	"bilan_w_none":         {"Aucun atelier délivré pendant cette période.", "No workshop issued in this period."},
	"bilan_m8":             {"Ateliers : un atelier est tenu pendant la période quand la première de ses attestations y est délivrée (un atelier pas encore délivré ne compte pas) ; ses attestations sont celles de sa dernière délivrance, quel que soit leur statut depuis ; participant·es : les personnes différentes qui ont reçu ces attestations, une fois chacune même si elles ont suivi plusieurs ateliers. Les ateliers sont des séances, pas des personnes : leur nombre s'affiche toujours. Par partenaire : tel que saisi dans l'atelier, sans tenir compte des majuscules ni des accents.", "Workshops: a workshop is held in the period when the first of its credentials is issued in it (a workshop not issued yet does not count); its credentials are those of its latest issuance, whatever their status since; participants: the distinct people who received those credentials, once each even when they attended several workshops. Workshops are sessions, not people: their number is always shown. By partner: as typed in the workshop, letter case and accents aside."},
	"bilan_months":         {"Mois par mois", "Month by month"},
	"bilan_month_col":      {"Mois", "Month"},
	"bilan_m_people":       {"Personnes", "People"},
	"bilan_m_issued":       {"Attestations", "Credentials"},
	"bilan_competences":    {"Par compétence", "By competency"},
	"bilan_assessed":       {"Personnes évaluées", "People assessed"},
	"bilan_level":          {"Niveau", "Level"},
	"bilan_people_col":     {"Personnes", "People"},
	"bilan_progress":       {"Progression", "Progression"},
	"bilan_comp":           {"Compétence", "Competency"},
	"bilan_twice":          {"Évaluées au moins deux fois", "Assessed at least twice"},
	"bilan_up":             {"Ont progressé", "Moved up"},
	"bilan_by":             {"De combien de niveaux", "By how many levels"},
	"bilan_median":         {"Durée médiane (jours)", "Median time (days)"},
	"bilan_continuity":     {"Continuité entre structures", "Continuity across structures"},
	"bilan_attached":       {"Attestations d'autres structures rattachées", "Credentials from other structures attached"},
	"bilan_partner":        {"Émetteur", "Issuer"},
	"bilan_multi":          {"Personnes dont le parcours passe par plusieurs structures", "People whose path spans several structures"},
	"bilan_verif":          {"Vérifications de nos attestations sur cette instance", "Verifications of our credentials on this instance"},
	"bilan_day":            {"Jour", "Day"},
	"bilan_count":          {"Nombre", "Count"},
	"bilan_next":           {"Ressources suggérées comme prochaine étape", "Resources suggested as next steps"},
	"bilan_resource":       {"Ressource", "Resource"},
	"bilan_times":          {"Suggestions", "Suggestions"},
	"bilan_none":           {"Aucune donnée pour cette période.", "No data for this period."},
	"bilan_table":          {"Les mêmes chiffres en tableau", "The same figures as a table"},
	"bilan_method":         {"Méthode", "Method"},
	"bilan_m1":             {"Personnes accompagnées : celles qui ont reçu au moins une attestation (une évaluation) pendant la période, quel que soit son statut depuis. Nouvelles : leur toute première attestation de ces structures (dans ce référentiel, s'il est choisi) est de la période ; les autres sont déjà venues.", "People accompanied: those who received at least one credential (one assessment) in the period, whatever its status since. New: their very first credential from these structures (in this framework, when one is chosen) is in the period; the others are returning."},
	"bilan_m2":             {"Révoquées, suspendues : attestations dont la révocation, ou la suspension toujours en cours, date de la période, quelle que soit leur date de délivrance.", "Revoked, suspended: credentials whose revocation, or current suspension, dates from the period, whenever they were issued."},
	"bilan_m3":             {"Par compétence : chaque personne évaluée pendant la période compte une fois, au niveau de sa dernière attestation de la période. Les attestations révoquées ne comptent ni dans les niveaux ni dans la progression.", "By competency: each person assessed in the period counts once, at the level of their latest credential of the period. Revoked credentials count neither in the levels nor in the progression."},
	"bilan_m4":             {"Progression : parmi les personnes évaluées pendant la période, celles évaluées au moins deux fois sur la compétence jusqu'à la fin de la période (périodes précédentes comprises) ; ont progressé : leur dernier niveau est au-dessus du premier ; la durée est le nombre de jours entre ces deux évaluations (médiane).", "Progression: among the people assessed in the period, those assessed at least twice on the competency up to the period's end (earlier periods included); moved up: their latest level is above their first; the time is the number of days between those two assessments (median)."},
	"bilan_m5":             {"Continuité : attestations d'autres émetteurs (partenaires, autres structures) rattachées pendant la période ; personnes accompagnées dont au moins une attestation d'une autre structure est rattachée. Vérifications : sur cette instance, des attestations et cartes de ces structures, par jour (ce sont des vérifications, pas des personnes ; elles ne dépendent pas du référentiel).", "Continuity: credentials from other issuers (partners, other structures) attached in the period; people accompanied with at least one credential from another structure attached. Verifications: on this instance, of these structures' credentials and cards, by day (verifications, not people; they do not depend on the framework)."},
	"bilan_m6":             {"Prochaines étapes : pour chaque personne et compétence, les ressources du catalogue pour le niveau suivant le sien. Période précédente : la période de même durée juste avant (le mois, trimestre ou année précédent).", "Next steps: for each person and competency, the catalogue's resources for the level after theirs. Previous period: the period of the same length just before (the previous month, quarter or year)."},
	"bilan_m7":             {"Confidentialité : tout nombre entre 1 et %d est affiché « < %d », ici comme dans les exports, pour que personne ne soit reconnaissable.", "Privacy: every count from 1 to %d is shown \"< %d\", here as in the exports, so that no one can be recognised."},
}

func init() {
	for k, v := range reportMessages {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
