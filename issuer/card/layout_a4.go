package card

import (
	"slices"
)

// The a4 layout: a one-page attestation.
const (
	a4Margin = 18.0 // left and right
	a4Top    = 15.0
	a4Bottom = pageH - 14
	a4QRMax  = 60.0 // the QR code's side, at most, mm
)

// a4QRSize sizes the attestation's QR code as the card's: modules of
// minModule (0.6 mm). Larger modules were measured worse, not better, with
// ZXing: the more pixel rows a finder look-alike in the data spans, the
// likelier its detector confirms it as a corner.
func a4QRSize(q *qrCode) (module, side float64) {
	n := float64(q.Size() + 2*quietZone)
	if minModule*n <= a4QRMax {
		return minModule, minModule * n
	}
	return qrSize(q, a4QRMax)
}

// attestation draws the a4 layout: the issuer at the top, the title, the
// learner, framework and dates, the competencies in full, and at the bottom
// how to verify, beside the QR code.
func (r *renderer) attestation(q *qrCode) {
	x, w := a4Margin, pageW-2*a4Margin

	// The issuer, as a letterhead.
	head := r.issuerHead(18, slices.Concat(sizes(1, 13, 12, 11), sizes(2, 11, 10)), slices.Concat(sizes(1, 9.5, 9, 8.5, 8), sizes(2, 8, 7.5)))
	hh := r.measureStack([]part{head}, w, 30)
	r.stack([]part{head}, x, a4Top, w, hh)
	y := a4Top + hh + 4
	r.pdf.SetDrawColor(rule.r, rule.g, rule.b)
	r.pdf.SetLineWidth(0.3)
	r.pdf.Line(x, y, x+w, y)
	y += 6

	// The verification block at the bottom: QR code at the left, text at
	// the right; its height decides where the competencies end.
	module, side := a4QRSize(q)
	tx := x + side + 6
	tw := x + w - tx
	var ver []part
	ver = append(ver, textBlock(r.pri.verifyTitle, "B", accent, 0, sizes(1, 12, 11)...))
	if r.sec != nil { // a card in two languages
		ver = append(ver, textBlock(r.sec.verifyTitle, "", grey, 0, sizes(1, 9, 8.5)...))
	}
	ver = append(ver, codeBlock(r.pri.howToA4, "", ink, 2, sizes(3, 9, 8.5, 8)...))
	if r.sec != nil {
		ver = append(ver, codeBlock(r.sec.howToA4, "", grey, 1, sizes(3, 8, 7.5, 7)...))
	}
	if code := r.shortCode(); code != "" {
		ver = append(ver,
			textBlock(r.both(func(l *labels) string { return l.code }), "", grey, 2.5, sizes(1, 7.5, 7)...),
			textBlock(code, "B", ink, 0.3, sizes(1, 17, 15, 13, 11)...),
		)
	}
	if url := r.verifyURL(); url != "" {
		ver = append(ver,
			textBlock(r.both(func(l *labels) string { return l.verifyAt }), "", grey, 2, sizes(1, 7.5, 7)...),
			codeBlock(url, "", accent, 0.3, slices.Concat(sizes(1, 10.5, 10, 9.5, 9, 8.5, 8), sizes(2, 8, 7.5, 7))...),
		)
	}
	if r.c.CredentialID != "" {
		ver = append(ver,
			textBlock(r.both(func(l *labels) string { return l.credentialID }), "", grey, 2, sizes(1, 6.5)...),
			codeBlock(r.c.CredentialID, "", grey, 0.2, sizes(2, 7, 6.5, 6)...),
		)
	}
	vh := r.measureStack(ver, tw, 90)
	bh := max(side, vh)
	by := a4Bottom - bh
	drawQR(r.pdf, q, x, by+(bh-side)/2, module)
	r.stack(ver, tx, by+(bh-vh)/2, tw, vh)
	r.pdf.SetDrawColor(rule.r, rule.g, rule.b)
	r.pdf.SetLineWidth(0.3)
	r.pdf.Line(x, by-5, x+w, by-5)

	// Title, learner, framework and dates.
	name := newPara(r.c.LearnerName)
	top := []part{textBlock(r.pri.attestation, "B", accent, 0, sizes(1, 24, 22, 20)...)}
	if r.sec != nil {
		top = append(top, textBlock(r.sec.attestation, "", grey, 0, sizes(1, 13, 12)...))
	}
	top = append(top,
		textBlock(r.both(func(l *labels) string { return l.issuedTo }), "", grey, 6, sizes(1, 8)...),
		&block{p: name, style: "B", color: ink, gap: 0.5, align: "L", cands: slices.Concat(
			sizes(1, 22, 20, 18), sizes(2, 18, 16, 15, 14), sizes(3, 13, 12, 11))},
	)
	if name.missing {
		top = append(top, textBlock(r.both(func(l *labels) string { return l.missing }), "", grey, 0.5, sizes(2, 7.5, 7)...))
	}
	var fw, dates []part
	if r.c.FrameworkTitle != "" {
		fw = []part{
			textBlock(r.both(func(l *labels) string { return l.framework }), "", grey, 4, sizes(1, 8)...),
			textBlock(r.c.FrameworkTitle, "", ink, 0.3, slices.Concat(sizes(2, 11, 10.5, 10), sizes(3, 9.5, 9))...),
		}
	}
	add := func(key func(*labels) string, v string) {
		dates = append(dates,
			textBlock(r.both(key), "", grey, 4, sizes(1, 8)...),
			textBlock(v, "B", ink, 0.3, sizes(1, 11, 10)...))
	}
	if !r.c.IssuedAt.IsZero() {
		add(func(l *labels) string { return l.attIssuedOn }, formatDate(r.c.IssuedAt, r.lang))
	}
	if !r.c.ValidUntil.IsZero() {
		add(func(l *labels) string { return l.validUntil }, formatDate(r.c.ValidUntil, r.lang))
	}
	// The dates at the right of the framework, in one row.
	all := append(top, &columns{left: fw, right: dates, split: 0.62, gap: 8})
	th := r.measureStack(all, w, 95)
	y = r.stack(all, x, y, w, th) + 7

	if len(r.c.Levels) > 0 {
		y = r.text(r.both(func(l *labels) string { return l.competencies }), "B", 9, accent, x, y, w, "L") + 1.5
		st := listStyle{
			cands: slices.Concat(
				candidates(1, 4, 2, 10.5, 10),
				candidates(1, 4, 1.5, 10, 9.5, 9),
				candidates(1, 4, 1, 9, 8.5, 8, 7.5),
				candidates(1, 4, 0.6, 7.5, 7),
				candidates(1, 1, 0.6, 7.5, 7),
				candidates(2, 1, 0.5, 7, 6.5, 6),
			),
			levelTitles: true, header: true, box: 0.62, line: 0.2, minTitle: 45, maxLevel: 0.24,
		}
		// The next steps take what the list leaves; the list gives up some
		// room for more of them while it stays readable: one column, no
		// text cut, at 9 pt or more.
		h := by - 5 - 3 - y
		plan := r.planLevels(st, w, h)
		next := r.planNext(w)
		k := 0
		if plan.fits {
			k = next.fit(h - plan.height(st) - nextGap)
		}
		for want := len(next.rows); want > k; want-- {
			if p := r.planLevels(st, w, h-nextGap-next.height(want)); p.fits && !p.cut && p.cand.cols == 1 && p.cand.size >= nextListMin {
				plan, k = p, want
				break
			}
		}
		r.drawLevels(st, plan, x, y, w)
		r.drawNext(next, k, x, y+plan.height(st)+nextGap, w)
	}
}

// The next steps block of the attestation.
const (
	nextGap     = 6.0 // between the competency list and the block, mm
	nextSize    = 8.5 // its rows, pt
	nextPad     = 0.7 // above and below each row's text, mm
	nextLinkGap = 2.5 // between a resource's name and its link on one line, mm
	nextListMin = 9.0 // the smallest size of the list that makes room for the block, pt
)

// nextRow is one next step laid out.
type nextRow struct {
	step        NextStep
	level, name [][]rune
	nameRTL     bool
	link        [][]rune
	linkInline  bool // the link follows the name's last line
	h           float64
}

// nextPlan is the next steps laid out in a width: the cells and the rows.
type nextPlan struct {
	codeW, levelW, resW float64
	rows                []nextRow
}

// Heights of the block's heading and header row, mm.
var (
	nextHeadH = lineHeight(9) + 1.5
	nextHdrH  = lineHeight(headerSize) + 0.6
)

// height returns the height of the block with its first k rows; 0 for
// none.
func (p *nextPlan) height(k int) float64 {
	if k == 0 {
		return 0
	}
	h := nextHeadH + nextHdrH
	for _, row := range p.rows[:k] {
		h += row.h
	}
	return h
}

// fit returns how many rows fit in height h.
func (p *nextPlan) fit(h float64) int {
	k := 0
	for k < len(p.rows) && p.height(k+1) <= h+1e-9 {
		k++
	}
	return k
}

// planNext lays the card's next steps out in width w, one row each: the
// code, the next level, and the resource's name followed by its link (on
// the name's last line when it fits).
func (r *renderer) planNext(w float64) nextPlan {
	var p nextPlan
	steps := r.c.Next
	if len(steps) == 0 {
		return p
	}
	inner := w - 2*rowInset
	// Cells: the code as wide as the widest, the level as wide as the
	// widest (its header included) up to 30 %, the resource the rest.
	r.font("B", nextSize)
	for _, st := range steps {
		p.codeW = max(p.codeW, r.strWidth(st.Code))
	}
	p.codeW = min(p.codeW, inner*0.15)
	r.font("", headerSize)
	p.levelW = r.strWidth(r.both(func(l *labels) string { return l.nextLevel }))
	r.font("", nextSize)
	for _, st := range steps {
		p.levelW = max(p.levelW, r.strWidth(nextLevelText(st)))
	}
	p.levelW = min(p.levelW, inner*0.3)
	p.resW = inner - p.codeW - p.levelW - 2*cellGap
	lh := lineHeight(nextSize)
	for _, st := range steps {
		row := nextRow{step: st}
		row.level = r.wrap(newPara(nextLevelText(st)), p.levelW)
		name := newPara(st.Resource)
		row.name, row.nameRTL = r.wrap(name, p.resW), name.rtl
		lines := len(row.name)
		if st.Link != "" {
			link := newCode(st.Link)
			if n := len(row.name); n > 0 && !name.rtl && r.width(row.name[n-1])+nextLinkGap+r.width(link.runes) <= p.resW {
				row.link, row.linkInline = [][]rune{link.runes}, true
			} else {
				row.link = r.wrap(link, p.resW)
				lines += len(row.link)
			}
		}
		row.h = float64(max(lines, len(row.level), 1))*lh + 2*nextPad
		p.rows = append(p.rows, row)
	}
	return p
}

// drawNext draws the first k rows of a planned block from (x, y), under
// a heading and a header row; nothing when k is 0.
func (r *renderer) drawNext(p nextPlan, k int, x, y, w float64) {
	if k == 0 {
		return
	}
	y = r.text(r.both(func(l *labels) string { return l.nextTitle }), "B", 9, accent, x, y, w, "L") + 1.5
	lx := x + rowInset + p.codeW + cellGap
	rx := lx + p.levelW + cellGap
	r.text(r.both(func(l *labels) string { return l.nextLevel }), "", headerSize, grey, lx, y, p.levelW, "L")
	r.text(r.both(func(l *labels) string { return l.nextResource }), "", headerSize, grey, rx, y, p.resW, "L")
	y += nextHdrH
	lh := lineHeight(nextSize)
	for i, row := range p.rows[:k] {
		if i%2 == 0 {
			r.pdf.SetFillColor(zebra.r, zebra.g, zebra.b)
			r.pdf.Rect(x, y, w, row.h, "F")
		}
		ty := y + nextPad
		r.font("B", nextSize)
		r.color(accent)
		r.draw([][]rune{[]rune(row.step.Code)}, false, x+rowInset, ty, p.codeW, nextSize, "L")
		r.font("", nextSize)
		r.color(ink)
		r.draw(row.level, false, lx, ty, p.levelW, nextSize, "L")
		end := r.draw(row.name, row.nameRTL, rx, ty, p.resW, nextSize, "L")
		r.color(accent)
		if row.linkInline {
			r.draw(row.link, false, rx+r.width(row.name[len(row.name)-1])+nextLinkGap, end-lh, p.resW, nextSize, "L")
		} else if len(row.link) > 0 {
			r.draw(row.link, false, rx, end, p.resW, nextSize, "L")
		}
		y += row.h
	}
}

// nextLevelText is a next step's level as printed in full.
func nextLevelText(n NextStep) string {
	return levelText(Level{Level: n.Level, LevelTitle: n.LevelTitle, Label: n.Label})
}

// columns sets two stacks side by side; its height is the taller one's.
type columns struct {
	left, right []part
	split, gap  float64 // the left column's share of the width; mm between
	lh, rh      []float64
}

func (c *columns) widths(w float64) (float64, float64) {
	if len(c.left) == 0 {
		return 0, w
	}
	lw := (w - c.gap) * c.split
	return lw, w - c.gap - lw
}

func (c *columns) measure(r *renderer, w, scale float64) (float64, bool) {
	lw, rw := c.widths(w)
	var cut bool
	side := func(ps []part, w float64) (float64, []float64) {
		hs := make([]float64, len(ps))
		t := 0.0
		for i, p := range ps {
			h, ct := p.measure(r, w, scale)
			hs[i], t, cut = h, t+h, cut || ct
		}
		return t, hs
	}
	var lt, rt float64
	lt, c.lh = side(c.left, lw)
	rt, c.rh = side(c.right, rw)
	return max(lt, rt), cut
}

func (c *columns) draw(r *renderer, x, y, w float64) {
	lw, _ := c.widths(w)
	ly := y
	for i, p := range c.left {
		p.draw(r, x, ly, lw)
		ly += c.lh[i]
	}
	rx := x
	if len(c.left) > 0 {
		rx += lw + c.gap
	}
	ry := y
	for i, p := range c.right {
		p.draw(r, rx, ry, w-(rx-x))
		ry += c.rh[i]
	}
}
