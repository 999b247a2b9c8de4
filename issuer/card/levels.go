package card

import (
	"fmt"
	"slices"
)

// listStyle is how one layout sets the competency list.
type listStyle struct {
	cands       []levelCandidate
	levelTitles bool    // the level in full ("B1 – Niveau seuil"), else its id ("B1")
	header      bool    // a header row naming the columns
	box         float64 // side of a scale box, in mm per mm of font size
	line        float64 // outline of an empty box, mm
	minTitle    float64 // narrowest title cell worth reading, mm
	maxLevel    float64 // widest level cell, as a share of the row
	// fitLevel: the level cell takes, up to maxLevelFit of the row, the
	// width that makes the list shortest (a label on one line rather than
	// two beside a title on one), and never narrower than maxLevel allows.
	fitLevel    bool
	maxLevelFit float64
}

// levelCandidate is one way of setting the list: a font size, the space
// above and below each row's text, a number of columns, and how many lines
// a title may take before it is cut with "…".
type levelCandidate struct {
	size       float64
	pad        float64 // mm
	cols       int
	titleLines int
	full       bool // the level's full label ("Niveau 3 / 8 · Intermédiaire"), else its short one ("3 / 8")
	noScale    bool // no boxes: the short label says the level alone
	under      bool // the full label on its own lines under the title, not in a cell of its own
}

func candidates(cols, titleLines int, pad float64, ss ...float64) []levelCandidate {
	cs := make([]levelCandidate, len(ss))
	for i, s := range ss {
		cs[i] = levelCandidate{size: s, pad: pad, cols: cols, titleLines: titleLines}
	}
	return cs
}

// with returns cs, each with edit applied.
func with(cs []levelCandidate, edit func(*levelCandidate)) []levelCandidate {
	for i := range cs {
		edit(&cs[i])
	}
	return cs
}

// levelRow is one competency laid out: its cells' lines and its height.
type levelRow struct {
	code, title, level [][]rune
	under              [][]rune // the level's label under the title
	rtl                bool
	rank, scale        int
	h                  float64
}

// levelCells are the widths of the cells of a row.
type levelCells struct {
	code, title, scale, level float64
}

const (
	cellGap    = 1.6 // between the cells of a row, mm
	colSep     = 3.0 // between the columns of the list, mm
	boxGap     = 0.3 // between two boxes of a scale, as a share of the box
	rowInset   = 0.8 // from a row's shading to its text, mm
	headerSize = 7.0 // the header row
)

// levelPlan is a competency list laid out in a box: the candidate chosen,
// the rows, how many go in each column, and how many did not fit.
type levelPlan struct {
	cand  levelCandidate
	colW  float64
	all   []levelRow // every competency
	rows  []levelRow // those placed
	cells levelCells
	cols  []int
	more  int     // competencies left out, counted on a last line
	avail float64 // the height of the rows
	fits  bool    // all competencies are shown
	cut   bool    // some title or level is cut with "…"
}

// planLevels lays the competency list out in w × h with the first
// candidate that fits; if none does (dozens of competencies), it keeps the
// rows that fit above a line counting the others, which the QR code and
// the credential hold.
func (r *renderer) planLevels(st listStyle, w, h float64) levelPlan {
	var p levelPlan
	for _, cand := range st.cands {
		if p = r.layoutCandidate(st, cand, w); p.all != nil && p.place(st, h) {
			return p
		}
	}
	if p.all == nil { // no candidate leaves a title cell: the last one, titles cut short
		st.minTitle = 0
		p = r.layoutCandidate(st, st.cands[len(st.cands)-1], w)
	}
	p.place(st, h)
	return p
}

// layoutCandidate lays the rows out for one candidate in width w; all is
// nil when the title cell would be too narrow.
func (r *renderer) layoutCandidate(st listStyle, cand levelCandidate, w float64) levelPlan {
	p := levelPlan{cand: cand, colW: (w - float64(cand.cols-1)*colSep) / float64(cand.cols)}
	p.all, p.cells, p.cut = r.layoutLevels(st, cand, p.colW)
	return p
}

// place distributes the rows of p in height h (the header included) and
// reports whether all fit; if not, it keeps those that fit above a line
// counting the others.
func (p *levelPlan) place(st listStyle, h float64) bool {
	rows := p.all
	p.rows, p.more, p.fits = rows, 0, true
	if len(rows) == 0 {
		return true
	}
	if st.header {
		h -= lineHeight(headerSize) + 0.6
	}
	p.avail = h
	if p.cols, p.fits = placeRows(rows, p.cand.cols, h); p.fits {
		return true
	}
	p.avail = max(0, h-lineHeight(p.cand.size)-2*p.cand.pad)
	n := len(rows)
	for n > 0 {
		if _, ok := placeRows(rows[:n], p.cand.cols, p.avail); ok {
			break
		}
		n--
	}
	p.rows, p.more = rows[:n], len(rows)-n
	p.cols, _ = placeRows(p.rows, p.cand.cols, p.avail)
	return false
}

// height returns the height a planned list takes when drawn, its header
// and the line counting competencies left out included.
func (p *levelPlan) height(st listStyle) float64 {
	if len(p.rows) == 0 && p.more == 0 {
		return 0
	}
	h := 0.0
	if st.header {
		h += lineHeight(headerSize) + 0.6
	}
	if p.more > 0 {
		return h + p.avail + p.cand.pad + lineHeight(p.cand.size)
	}
	i, tallest := 0, 0.0
	for _, n := range p.cols {
		col := 0.0
		for range n {
			col += p.rows[i].h
			i++
		}
		tallest = max(tallest, col)
	}
	return h + tallest
}

// drawLevels draws a planned list from (x, y).
func (r *renderer) drawLevels(st listStyle, p levelPlan, x, y, w float64) {
	if len(p.rows) == 0 && p.more == 0 {
		return
	}
	if st.header {
		for c, n := range p.cols {
			if n == 0 {
				continue
			}
			cx := x + float64(c)*(p.colW+colSep)
			hx := cx + rowInset + p.cells.code + cellGap
			r.text(r.both(func(l *labels) string { return l.competency }), "", headerSize, grey, hx, y, p.cells.title, "L")
			lx := hx + p.cells.title + cellGap
			r.text(r.both(func(l *labels) string { return l.level }), "", headerSize, grey, lx, y, cx+p.colW-lx, "L")
		}
		y += lineHeight(headerSize) + 0.6
	}
	i := 0
	for c, n := range p.cols {
		cx, cy := x+float64(c)*(p.colW+colSep), y
		for k := 0; k < n; k, i = k+1, i+1 {
			row := p.rows[i]
			if k%2 == 0 {
				r.pdf.SetFillColor(zebra.r, zebra.g, zebra.b)
				r.pdf.Rect(cx, cy, p.colW, row.h, "F")
			}
			r.drawRow(st, row, p.cand.size, p.cells, cx+rowInset, cy+p.cand.pad)
			cy += row.h
		}
	}
	if p.more > 0 {
		ty := y + p.avail + p.cand.pad
		r.text(r.both(func(l *labels) string { return fmt.Sprintf(l.more, p.more) }), "", p.cand.size, grey, x+rowInset, ty, w-2*rowInset, "L")
	}
}

// drawRow draws one row from its top-left text corner.
func (r *renderer) drawRow(st listStyle, row levelRow, size float64, cells levelCells, x, y float64) {
	r.font("B", size)
	r.color(accent)
	r.draw(row.code, false, x, y, cells.code, size, "L")
	x += cells.code + cellGap
	r.font("", size)
	r.color(ink)
	r.draw(row.title, row.rtl, x, y, cells.title, size, "L")
	if len(row.under) > 0 {
		r.font("B", size)
		r.draw(row.under, false, x, y+float64(len(row.title))*lineHeight(size), cells.title, size, "L")
	}
	x += cells.title + cellGap
	if cells.scale > 0 {
		if row.scale > 0 {
			r.scale(row.rank, row.scale, x, y, size, st)
		}
		x += cells.scale + cellGap
	}
	r.font("B", size)
	r.color(ink)
	r.draw(row.level, false, x, y, cells.level, size, "L")
}

// scale draws rank filled boxes out of n, on the first text line of a row
// set at size from y: a scale that reads the same in black and white.
func (r *renderer) scale(rank, n int, x, y, size float64, st listStyle) {
	em := size * ptMM
	box := st.box * em
	top := y + 0.93*em - 0.36*em - box/2 // centred on the middle of the capitals
	r.pdf.SetDrawColor(ink.r, ink.g, ink.b)
	r.pdf.SetLineWidth(st.line)
	for i := range n {
		bx := x + float64(i)*box*(1+boxGap)
		if i < rank {
			r.pdf.SetFillColor(ink.r, ink.g, ink.b)
			r.pdf.Rect(bx, top, box, box, "F")
		} else {
			r.pdf.SetFillColor(255, 255, 255)
			half := st.line / 2 // the outline inside the box
			r.pdf.Rect(bx+half, top+half, box-st.line, box-st.line, "FD")
		}
	}
}

// layoutLevels wraps every competency for one candidate. It returns the
// rows, the widths of the cells and whether a text had to be cut, or nil
// rows when the title cell would be narrower than st.minTitle.
func (r *renderer) layoutLevels(st listStyle, cand levelCandidate, colW float64) ([]levelRow, levelCells, bool) {
	inner := colW - 2*rowInset
	all := make([]levelTexts, len(r.c.Levels))
	var labelWs []float64 // each level's text on one line
	var cells levelCells
	var titleW float64 // the widest title on one line
	scale := 0
	for i, l := range r.c.Levels {
		lt := l.Level
		if l.Short != "" {
			lt = l.Short
		}
		if (st.levelTitles && cand.cols == 1 || cand.full || l.Scale <= 0 || l.Rank <= 0) && (!cand.noScale || l.Short == "") {
			lt = levelText(l) // in two columns, the short label beside the boxes
		}
		t := levelTexts{newPara(l.Code), newPara(l.Title), newPara(lt)}
		r.font("B", cand.size)
		cells.code = max(cells.code, r.width(t.code.runes))
		if !cand.under {
			lw := r.width(t.level.runes)
			cells.level = max(cells.level, lw)
			labelWs = append(labelWs, lw+0.01) // on one line, rounding aside
		}
		r.font("", cand.size)
		titleW = max(titleW, r.width(t.title.runes))
		all[i] = t
		if l.Rank > 0 && l.Scale > 0 && !cand.noScale {
			scale = max(scale, min(l.Scale, 12))
		}
	}
	if scale > 0 {
		box := st.box * cand.size * ptMM
		cells.scale = float64(scale)*box + float64(scale-1)*box*boxGap
	}
	gaps := 2 * cellGap
	if cand.under {
		gaps = cellGap
	}
	if cells.scale > 0 {
		gaps += cellGap
	}
	// Codes are short; levels get what titles leave, up to their share.
	cells.code = min(cells.code, inner*0.22)
	maxLevel := st.maxLevel
	if cand.full {
		maxLevel = max(maxLevel, 0.45)
	}
	widest := cells.level
	cells.level = min(widest, max(inner*maxLevel, inner-cells.code-cells.scale-gaps-titleW))
	rows, cells, anyCut, total := r.levelRows(st, cand, cells, all, inner, gaps)
	if rows == nil {
		return nil, levelCells{}, false
	}
	if st.fitLevel && !cand.under && widest > cells.level {
		// Wider level cells, each as wide as a label on one line, up to
		// maxLevelFit of the row: the one whose rows are shortest in all,
		// the widest of those (labels on one line).
		base := cells.level
		slices.Sort(labelWs)
		for i, lw := range slices.Compact(labelWs) {
			if i == 4 || lw > inner*st.maxLevelFit {
				break
			}
			if lw <= base {
				continue
			}
			c := cells
			c.level = lw
			if rs, cs, cut, t := r.levelRows(st, cand, c, all, inner, gaps); rs != nil && t <= total+1e-9 && (!cut || anyCut) {
				rows, cells, anyCut, total = rs, cs, cut, t
			}
		}
	}
	return rows, cells, anyCut
}

// levelTexts are a competency's texts as one candidate lays them out.
type levelTexts struct{ code, title, level para }

// levelRows wraps every competency in cells whose code, scale and level
// widths are set; the title takes the rest. It returns the rows, the
// cells, whether a text had to be cut and the rows' total height, or nil
// rows when the title cell would be narrower than st.minTitle.
func (r *renderer) levelRows(st listStyle, cand levelCandidate, cells levelCells, all []levelTexts, inner, gaps float64) ([]levelRow, levelCells, bool, float64) {
	cells.title = inner - cells.code - cells.scale - cells.level - gaps
	if cells.title < st.minTitle || cells.title <= 0 {
		return nil, levelCells{}, false, 0
	}
	anyCut := false
	cut := func(ls [][]rune, w float64, n int) [][]rune {
		if len(ls) > n {
			ls = append([][]rune{}, ls[:n]...)
			ls[n-1] = r.ellipsize(ls[n-1], w)
			anyCut = true
		}
		return ls
	}
	lh := lineHeight(cand.size)
	rows := make([]levelRow, len(all))
	total := 0.0
	for i, t := range all {
		l := r.c.Levels[i]
		r.font("B", cand.size)
		row := levelRow{
			code:  cut(r.wrap(t.code, cells.code), cells.code, 1),
			rtl:   t.title.rtl,
			rank:  min(l.Rank, l.Scale, 12),
			scale: min(l.Scale, 12),
		}
		if cand.under {
			row.under = cut(r.wrap(t.level, cells.title), cells.title, 2)
		} else {
			row.level = cut(r.wrap(t.level, cells.level), cells.level, cand.titleLines)
		}
		if l.Rank <= 0 || cand.noScale {
			row.rank, row.scale = 0, 0
		}
		r.font("", cand.size)
		row.title = cut(r.wrap(t.title, cells.title), cells.title, cand.titleLines)
		n := max(len(row.code), len(row.title)+len(row.under), len(row.level), 1)
		row.h = float64(n)*lh + 2*cand.pad
		rows[i] = row
		total += row.h
	}
	return rows, cells, anyCut, total
}

// placeRows fills up to cols columns of height h top to bottom with rows,
// in order; it returns how many rows each column holds and whether all fit.
func placeRows(rows []levelRow, cols int, h float64) ([]int, bool) {
	counts := make([]int, cols)
	c, used := 0, 0.0
	for _, row := range rows {
		if used+row.h > h+1e-9 {
			c, used = c+1, 0
			if c == cols || row.h > h {
				return counts, false
			}
		}
		counts[c]++
		used += row.h
	}
	return counts, true
}
