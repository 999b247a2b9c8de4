package report

import (
	"fmt"
	"html"
	"strings"
)

// The charts are SVG drawn on the server: black strokes, white and black
// fills and dashes (they print in black and white), a title for screen
// readers, and the same figures in a table beside them on the page.
// A hidden count ("< 5") has no bar: its label says "< 5".

const (
	chartW = 640
	chartH = 220
	left   = 44
	bottom = 36
	top    = 16
)

func esc(s string) string { return html.EscapeString(s) }

func maxOf(vals []int) int {
	m := 1
	for _, v := range vals {
		m = max(m, v)
	}
	return m
}

// LevelsSVG draws the level distribution of a competency as bars.
func LevelsSVG(c Competence, lang string) string {
	title := fmt.Sprintf(T(lang, "chart_levels"), c.Code)
	var vals []int
	for _, l := range c.LevelOrder {
		vals = append(vals, c.Levels[l].N)
	}
	m := maxOf(vals)
	var b strings.Builder
	n := max(len(c.LevelOrder), 1)
	slot := float64(chartW-left-10) / float64(n)
	open(&b, title, "480") // one per competency: small
	axes(&b, m)
	for i, l := range c.LevelOrder {
		x := float64(left) + slot*float64(i) + slot*0.15
		w := slot * 0.7
		cnt := c.Levels[l]
		h := float64(chartH-bottom-top) * float64(cnt.N) / float64(m)
		y := float64(chartH-bottom) - h
		if !cnt.Small && cnt.N > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#fff" stroke="#000" stroke-width="1.5"/>`, x, y, w, h)
			fmt.Fprintf(&b, `<path d="M%.1f %.1fh%.1f" stroke="#000" stroke-width="3"/>`, x, y, w)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="12">%s</text>`, x+w/2, y-4, esc(cnt.String()))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="12">%s</text>`, x+w/2, chartH-bottom+16, esc(l))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12">%s</text>`, chartW/2, chartH-4, esc(T(lang, "level")))
	b.WriteString(`</svg>`)
	return b.String()
}

// ProgressSVG draws, per competency, the learners assessed at least twice
// (a white bar) and those who moved up (a black bar inside it).
func ProgressSVG(comps []Competence, lang string) string {
	var vals []int
	for _, c := range comps {
		vals = append(vals, c.AssessedTwice.N)
	}
	m := maxOf(vals)
	var b strings.Builder
	n := max(len(comps), 1)
	slot := float64(chartW-left-10) / float64(n)
	open(&b, T(lang, "chart_progress"), "100%")
	axes(&b, m)
	for i, c := range comps {
		x := float64(left) + slot*float64(i) + slot*0.1
		w := slot * 0.8
		hy := func(cnt Count) (float64, float64) {
			h := float64(chartH-bottom-top) * float64(cnt.N) / float64(m)
			return float64(chartH-bottom) - h, h
		}
		y2, h2 := hy(c.AssessedTwice)
		if !c.AssessedTwice.Small && c.AssessedTwice.N > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#fff" stroke="#000" stroke-width="1.5"/>`, x, y2, w, h2)
		}
		y1, h1 := hy(c.Progressed)
		if !c.Progressed.Small && c.Progressed.N > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#000"/>`, x+w*0.25, y1, w*0.5, h1)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11">%s / %s</text>`, x+w/2, min(y1, y2)-4,
			esc(c.Progressed.String()), esc(c.AssessedTwice.String()))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="11">%s</text>`, x+w/2, chartH-bottom+16, esc(c.Code))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// MonthlySVG draws credentials (solid line, squares) and people (dashed
// line, circles) month by month; a hidden count breaks the line.
func MonthlySVG(months []Month, lang string) string {
	var vals []int
	for _, mo := range months {
		vals = append(vals, mo.Issued.N, mo.People.N)
	}
	m := maxOf(vals)
	var b strings.Builder
	n := max(len(months), 1)
	slot := float64(chartW-left-10) / float64(n)
	open(&b, T(lang, "chart_monthly"), "100%")
	axes(&b, m)
	line := func(get func(Month) Count, dash string, marker func(x, y float64) string) {
		var path strings.Builder
		pen := false
		for i, mo := range months {
			cnt := get(mo)
			x := float64(left) + slot*float64(i) + slot/2
			if cnt.Small {
				pen = false
				continue
			}
			y := float64(chartH-bottom) - float64(chartH-bottom-top)*float64(cnt.N)/float64(m)
			if pen {
				fmt.Fprintf(&path, "L%.1f %.1f", x, y)
			} else {
				fmt.Fprintf(&path, "M%.1f %.1f", x, y)
			}
			pen = true
			b.WriteString(marker(x, y))
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="#000" stroke-width="2"%s/>`, path.String(), dash)
	}
	line(func(mo Month) Count { return mo.Issued }, "", func(x, y float64) string {
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="6" height="6" fill="#000"/>`, x-3, y-3)
	})
	line(func(mo Month) Count { return mo.People }, ` stroke-dasharray="6 4"`, func(x, y float64) string {
		return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="3.5" fill="#fff" stroke="#000"/>`, x, y)
	})
	for i, mo := range months {
		if n > 12 && i%3 != 0 {
			continue
		}
		x := float64(left) + slot*float64(i) + slot/2
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="10">%s</text>`, x, chartH-bottom+16, esc(mo.Month))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// open starts a chart; width is its width on the page ("100%", "480").
func open(b *strings.Builder, title, width string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%s" role="img" font-family="sans-serif"><title>%s</title>`,
		chartW, chartH, width, esc(title))
}

// axes draws the baseline and the scale (0 and the maximum).
func axes(b *strings.Builder, m int) {
	fmt.Fprintf(b, `<path d="M%d %dH%d M%d %dV%d" stroke="#000" stroke-width="1"/>`, left, chartH-bottom, chartW-6, left, chartH-bottom, top)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" font-size="11">0</text>`, left-4, chartH-bottom+4)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" font-size="11">%d</text>`, left-4, top+4, m)
	fmt.Fprintf(b, `<path d="M%d %dH%d" stroke="#000" stroke-width="0.5" stroke-dasharray="2 3"/>`, left, top, chartW-6)
}

// WorkshopsSVG draws the workshops held, their participants and their
// credentials: the previous period (a white bar) beside this one (black).
func WorkshopsSVG(r *Report, lang string) string {
	groups := []struct {
		label      string
		prev, this Count
	}{
		{T(lang, "pdf_w_held"), r.Previous.Workshops.Sessions, r.Workshops.Sessions},
		{T(lang, "pdf_w_participants"), r.Previous.Workshops.Participants, r.Workshops.Participants},
		{T(lang, "pdf_w_credentials"), r.Previous.Workshops.Credentials, r.Workshops.Credentials},
	}
	var vals []int
	for _, g := range groups {
		vals = append(vals, g.prev.N, g.this.N)
	}
	m := maxOf(vals)
	var b strings.Builder
	slot := float64(chartW-left-10) / float64(len(groups))
	open(&b, T(lang, "chart_workshops"), "100%")
	axes(&b, m)
	for i, g := range groups {
		for j, cnt := range []Count{g.prev, g.this} {
			w := slot * 0.3
			x := float64(left) + slot*float64(i) + slot*0.15 + float64(j)*w*1.2
			h := float64(chartH-bottom-top) * float64(cnt.N) / float64(m)
			y := float64(chartH-bottom) - h
			if !cnt.Small && cnt.N > 0 {
				fill := "#fff"
				if j == 1 {
					fill = "#000"
				}
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#000" stroke-width="1.5"/>`, x, y, w, h, fill)
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="12">%s</text>`, x+w/2, y-4, esc(cnt.String()))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="12">%s</text>`, float64(left)+slot*float64(i)+slot/2, chartH-bottom+16, esc(g.label))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
