// Package pdf prints a bilan (report.Report) as an A4 PDF: a cover, the key
// figures, the charts and the tables. It is, beside issuer/card, the one
// package that imports the PDF library: the bilan has no QR code and no
// learner's name, so it uses the PDF's standard Helvetica in the Windows-1252
// encoding (every letter of French and English) instead of the card's
// embedded font subsets, and stays a few kilobytes.
package pdf

import (
	"fmt"
	"io"
	"strings"
	"time"

	"carnet/report"

	"codeberg.org/go-pdf/fpdf"
)

// Cover is what the cover page says beside the report.
type Cover struct {
	Lang      string // "fr" or "en"
	Instance  string // the network's name or address
	Scope     string // the structure's name, or "" for the whole network
	Framework string // the framework's title, or "" for all
	Generated time.Time
	Titles    map[string]string // "framework code" -> the competency's title
}

// Render writes the PDF of r.
func Render(w io.Writer, r *report.Report, cv Cover) error {
	l := cv.Lang
	T := func(key string) string { return report.T(l, key) }
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(T("title")+" "+r.From+" – "+r.To, true)
	pdf.SetCreator("Carnet", true)
	pdf.SetAutoPageBreak(true, 15)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, tr(fmt.Sprintf("%s %s – %s · %d", T("title"), r.From, r.To, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	text := func(size float64, style, s string) {
		pdf.SetFont("Helvetica", style, size)
		pdf.MultiCell(0, size*0.5, tr(s), "", "L", false)
	}

	// Cover.
	pdf.AddPage()
	pdf.Ln(40)
	text(28, "B", T("title"))
	pdf.Ln(4)
	scope := cv.Scope
	if scope == "" {
		scope = T("instance")
	}
	text(16, "", scope)
	if cv.Instance != "" {
		text(11, "", cv.Instance)
	}
	pdf.Ln(6)
	text(13, "", T("period")+" : "+r.From+" – "+r.To)
	fw := cv.Framework
	if fw == "" {
		fw = T("all_frameworks")
	}
	text(13, "", fw)
	pdf.Ln(10)
	text(10, "", fmt.Sprintf(T("small"), r.Threshold, r.Threshold))
	text(10, "", cv.Generated.UTC().Format("2006-01-02 15:04 UTC"))

	// Key figures.
	pdf.AddPage()
	text(18, "B", T("pdf_key"))
	pdf.Ln(3)
	table(pdf, tr, []string{"", r.From + " – " + r.To, T("previous")}, [][]string{
		{T("people"), r.People.String(), r.Previous.People.String()},
		{T("new"), r.New.String(), r.Previous.New.String()},
		{T("returning"), r.Returning.String(), ""},
		{T("assessments"), r.Assessments.String(), r.Previous.Issued.String()},
		{T("issued"), r.Credentials.Issued.String(), r.Previous.Issued.String()},
		{T("revoked"), r.Credentials.Revoked.String(), r.Previous.Revoked.String()},
		{T("suspended"), r.Credentials.Suspended.String(), r.Previous.Suspended.String()},
		{T("attached"), r.Continuity.Attached.String(), r.Previous.Attached.String()},
		{T("multi_structure"), r.Continuity.MultiStructure.String(), r.Previous.MultiStructure.String()},
		{T("verifications"), fmt.Sprint(r.Verifications.Total), ""},
		{T("workshops"), r.Workshops.Sessions.String(), r.Previous.Workshops.Sessions.String()},
		{T("w_participants"), r.Workshops.Participants.String(), r.Previous.Workshops.Participants.String()},
		{T("w_credentials"), r.Workshops.Credentials.String(), r.Previous.Workshops.Credentials.String()},
	}, []float64{100, 45, 45})

	// Months.
	pdf.Ln(6)
	text(14, "B", T("pdf_monthly"))
	pdf.Ln(2)
	var issued, people []report.Count
	var labels []string
	for _, m := range r.Monthly {
		issued, people, labels = append(issued, m.Issued), append(people, m.People), append(labels, m.Month[5:])
	}
	bars(pdf, tr, labels, issued, people)

	// Competencies.
	if len(r.Competences) > 0 {
		pdf.AddPage()
		text(18, "B", T("pdf_competences"))
		for _, c := range r.Competences {
			if pdf.GetY() > 200 {
				pdf.AddPage()
			}
			pdf.Ln(4)
			title := c.Framework + " " + c.Code
			if t := cv.Titles[c.Framework+" "+c.Code]; t != "" {
				title = c.Code + " " + t + " (" + c.Framework + ")"
			}
			text(13, "B", title)
			text(9, "", T("pdf_levels"))
			var counts []report.Count
			for _, lv := range c.LevelOrder {
				counts = append(counts, c.Levels[lv])
			}
			bars(pdf, tr, c.LevelOrder, counts, nil)
			rows := [][]string{{T("assessed"), c.Assessed.String()}, {T("assessed_twice"), c.AssessedTwice.String()}, {T("progressed"), c.Progressed.String()}}
			if c.MedianDays != nil {
				rows = append(rows, []string{T("median_days"), fmt.Sprint(*c.MedianDays)})
			}
			table(pdf, tr, nil, rows, []float64{100, 45})
		}
	}

	// Workshops, by structure and by partner.
	pdf.AddPage()
	text(18, "B", T("pdf_workshops"))
	pdf.Ln(3)
	for _, x := range []struct {
		head   string
		shares []report.WorkshopShare
	}{{T("w_structure"), r.Workshops.ByStructure}, {T("partner"), r.Workshops.ByPartner}} {
		if len(x.shares) == 0 {
			continue
		}
		rows := [][]string{}
		for _, w := range x.shares {
			rows = append(rows, []string{w.Name, w.Sessions.String(), w.Participants.String(), w.Credentials.String()})
		}
		table(pdf, tr, []string{x.head, T("pdf_w_held"), T("pdf_w_participants"), T("pdf_w_credentials")}, rows, []float64{85, 30, 30, 30})
		pdf.Ln(4)
	}
	if len(r.Workshops.ByStructure) == 0 {
		text(11, "", T("none"))
	}

	// Continuity and next steps.
	pdf.Ln(6)
	text(18, "B", T("pdf_continuity"))
	pdf.Ln(3)
	rows := [][]string{}
	for _, p := range r.Continuity.ByPartner {
		rows = append(rows, []string{p.Name, p.N.String()})
	}
	if len(rows) > 0 {
		table(pdf, tr, []string{T("partner"), T("attached")}, rows, []float64{120, 45})
	}
	text(11, "", T("multi_structure")+" : "+r.Continuity.MultiStructure.String())
	text(11, "", T("verifications")+" : "+fmt.Sprint(r.Verifications.Total))
	if len(r.Resources) > 0 {
		pdf.Ln(6)
		text(18, "B", T("pdf_next"))
		pdf.Ln(3)
		rows = nil
		for _, res := range r.Resources {
			rows = append(rows, []string{res.Name, res.N.String()})
		}
		table(pdf, tr, []string{T("resource"), ""}, rows, []float64{120, 45})
	}
	return pdf.Output(w)
}

// table prints rows under an optional head, black on white.
func table(pdf *fpdf.Fpdf, tr func(string) string, head []string, rows [][]string, widths []float64) {
	if head != nil {
		pdf.SetFont("Helvetica", "B", 10)
		for i, h := range head {
			pdf.CellFormat(widths[i], 7, tr(h), "B", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.SetFont("Helvetica", "", 10)
	for _, row := range rows {
		for i, v := range row {
			align := "R"
			if i == 0 {
				align = "L"
			}
			pdf.CellFormat(widths[i], 6, tr(v), "B", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
}

// bars draws bars for a (white, black outline) and b (black), with their
// values written above; a hidden count has no bar, only its "< 5".
func bars(pdf *fpdf.Fpdf, tr func(string) string, labels []string, a, b []report.Count) {
	const h, w = 40.0, 170.0
	x0, y0 := 20.0, pdf.GetY()+h+6
	m := 1
	for _, c := range append(append([]report.Count{}, a...), b...) {
		m = max(m, c.N)
	}
	slot := w / float64(max(len(labels), 1))
	pdf.SetDrawColor(0, 0, 0)
	pdf.Line(x0, y0, x0+w, y0)
	pdf.SetFont("Helvetica", "", 7)
	draw := func(c report.Count, x, bw float64, fill bool) {
		bh := h * float64(c.N) / float64(m)
		if !c.Small && c.N > 0 {
			style := "D"
			if fill {
				pdf.SetFillColor(0, 0, 0)
				style = "FD"
			}
			pdf.Rect(x, y0-bh, bw, bh, style)
		}
		pdf.Text(x, y0-bh-1, tr(c.String()))
	}
	for i, lbl := range labels {
		x := x0 + slot*float64(i)
		bw := slot * 0.35
		if b == nil {
			bw = slot * 0.6
		}
		draw(a[i], x+slot*0.1, bw, false)
		if b != nil {
			draw(b[i], x+slot*0.5, bw, true)
		}
		pdf.Text(x+slot*0.1, y0+4, tr(strings.TrimSpace(lbl)))
	}
	pdf.SetY(y0 + 8)
}
