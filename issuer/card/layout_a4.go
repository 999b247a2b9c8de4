package card

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The a4 layout: a one-page attestation.
const (
	a4Margin = 18.0 // left and right
	a4Top    = 15.0
	a4Bottom = pageH - 14
	a4QRMax  = 60.0 // the QR code's side, at most, mm
)

// a4QRSize sizes the attestation's QR code: the largest of moduleSizes
// (0.72, 0.68, 0.64, 0.6 mm) that fits a4QRMax, never larger than the
// modules the symbol was chosen for (scanViews cover 0.64 to 0.72 mm, as
// the card prints them). The A4 has room for 0.72 mm where the card, 54 mm
// high, takes 0.68 mm (version 12): 3.4 pixels a module at 120 dpi rather
// than 3.2, where ZXing misjudges the symbol's dimension at some pixel
// phases whatever the data. Larger modules were measured worse: 0.76–0.85
// mm, seen at 200 dpi turned by 5°, were missed by @zxing/library four
// times in 96 attestations (issue 11); 1.0 mm before that.
func a4QRSize(q *qrCode) (module, side float64) {
	return qrSize(q, a4QRMax)
}

// attestation draws the a4 layout: the issuer at the top, the title, the
// learner, framework and dates, the competencies in full, and at the bottom
// how to verify, beside the QR code.
func (r *renderer) attestation(q *qrCode) {
	x, w := a4Margin, pageW-2*a4Margin
	r.minSize = minCardSize // no text under 7 pt, whatever a stack's scale

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
			textBlock(r.both(func(l *labels) string { return l.credentialID }), "", grey, 2, sizes(1, 7)...),
			codeBlock(r.c.CredentialID, "", grey, 0.2, sizes(2, 7)...),
		)
	}
	// The text as tall as the QR code at most, when it fits so at 7 pt or
	// more without a cut (a card in two languages has twice the how-to);
	// else in the least height up to the largest QR code's that holds it
	// so; else at its full sizes.
	vs, ok := r.scaleFor(ver, tw, side)
	for h := side + 1; !ok && h <= a4QRMax+1; h++ {
		vs, ok = r.scaleFor(ver, tw, h)
	}
	if !ok {
		vs = 1
	}
	_, vh, _ := r.measureAt(ver, tw, vs)
	bh := max(side, vh)
	by := a4Bottom - bh
	drawQR(r.pdf, q, x, by+(bh-side)/2, module)
	r.stackAt(ver, tx, by+(bh-vh)/2, tw, vh, vs)
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

	// Above the verification block, a band: how the levels were assessed
	// at the left, the signature area at the right. The list and the next
	// steps (when all of them fit on the page) take the room above it.
	aw := (w - a4BandGap) * 0.56
	// Its texts take their own sizes, never scaled: 7 pt at least, the
	// longest cut with "…" (the credential holds them in full).
	asm := r.assessmentParts()
	_, ah, _ := r.measureAt(asm, aw, 1)
	bandH := max(ah, signatureH)
	bandY := by - 5 - a4BlockGap - bandH
	r.stackAt(asm, x, bandY, aw, ah, 1)
	r.drawSignature(x+aw+a4BandGap, bandY, w-aw-a4BandGap, bandH)
	room := bandY - a4BlockGap // the list and the next steps end above

	var more contPlan // what the next page holds
	var next nextPlan
	onPage := len(r.c.Next) == 0
	if len(r.c.Levels) > 0 {
		y = r.text(r.both(func(l *labels) string { return l.competencies }), "B", 9, accent, x, y, w, "L") + 1.5
		st := a4ListStyle()
		h := room - y
		var plan levelPlan
		plan, next, onPage = r.planPage(st, w, h)
		if !plan.fits {
			// Too many competencies for one page at 7 pt or more: the list
			// continues on the next page, one column at a readable size.
			plan, more.levels = r.continuedLevels(st, w, h-contNoteH)
			more.st, more.cells, more.cand = st, plan.cells, plan.cand
		}
		r.drawLevels(st, plan, x, y, w)
		y += plan.height(st)
		if len(more.levels) > 0 {
			y = r.text(r.a4both(func(l *a4Labels) string { return l.listGoesOn }), "", 7.5, grey, x+rowInset, y+1, w-2*rowInset, "L")
		}
	}
	if onPage {
		r.drawNext(next, next.rows, true, x, y, w)
	} else {
		more.next = true
		if len(more.levels) == 0 && y+nextGap+2*lineHeight(8) <= room {
			r.text(r.a4both(func(l *a4Labels) string { return l.nextOverleaf }), "", 8, grey, x+rowInset, y+nextGap, w-2*rowInset, "L")
		}
	}
	if len(more.levels) > 0 || more.next {
		r.continued(more, x, w)
	}
}

// The attestation's blocks.
const (
	a4BlockGap = 4.0  // between the blocks of the page, mm
	a4BandGap  = 6.0  // between the assessment and the signature area, mm
	signatureH = 27.0 // the signature area's height, at least, mm
	contNoteH  = 5.0  // the line that says the list goes on
)

// a4ListStyle is how the attestation sets its competency list: never
// below 7 pt, never a title cut; past that, the list continues on the
// next page.
func a4ListStyle() listStyle {
	return listStyle{
		cands: slices.Concat(
			candidates(1, 4, 2, 10.5, 10),
			candidates(1, 4, 1.5, 10, 9.5, 9),
			candidates(1, 4, 1, 9, 8.5, 8, 7.5),
			candidates(1, 4, 0.6, 8, 7.5, 7),
			candidates(2, 4, 0.5, 7.5, 7),
		),
		levelTitles: true, header: true, box: 0.62, line: 0.2, minTitle: 45, maxLevel: 0.24, fitLevel: true, maxLevelFit: 0.4,
	}
}

// The next steps' sizes, largest first: on the attestation's page, and on
// the next page.
var (
	nextSizes     = []float64{8.5, 8, 7.5, 7}
	nextContSizes = []float64{9, 8.5, 8, 7.5, 7}
)

// planPage lays the list and the next steps out in height h of the
// attestation's page (above the assessment and signature band): all the
// next steps under the list when they fit, the list giving up room while
// it stays readable (one column, no text cut, at nextListMin or more);
// else the list alone, and onPage false.
func (r *renderer) planPage(st listStyle, w, h float64) (plan levelPlan, next nextPlan, onPage bool) {
	plan = r.planLevels(st, w, h)
	plan.fits = plan.fits && !plan.cut
	if len(r.c.Next) == 0 {
		return plan, next, true
	}
	if !plan.fits {
		return plan, next, false
	}
	for _, size := range nextSizes {
		nx := r.planNext(w, size, 2)
		if plan.height(st)+nx.height(len(nx.rows)) <= h+1e-9 {
			return plan, nx, true
		}
	}
	// Else a smaller list (one column, nextListMin or more) under the
	// largest next steps that leave it room. Only such candidates are
	// tried: the first candidate that fits a height is not always the
	// largest of them (padding and title lines differ), and more room
	// must never push the next steps overleaf.
	small := st
	small.cands = slices.DeleteFunc(slices.Clone(st.cands), func(c levelCandidate) bool { return c.cols != 1 || c.size < nextListMin })
	for _, size := range nextSizes {
		if len(small.cands) == 0 {
			break
		}
		nx := r.planNext(w, size, 2)
		if p := r.planLevels(small, w, h-nx.height(len(nx.rows))); p.fits && !p.cut {
			return p, nx, true
		}
	}
	return plan, nextPlan{}, false
}

// continuedLevels lays the list out in one column at 8.5 pt and keeps on
// the page the rows that fit in height h; it returns the others.
func (r *renderer) continuedLevels(st listStyle, w, h float64) (levelPlan, []levelRow) {
	p := r.layoutCandidate(st, levelCandidate{size: 8.5, pad: 0.8, cols: 1, titleLines: 4}, w)
	avail := h - lineHeight(headerSize) - 0.6
	n, used := 0, 0.0
	for n < len(p.all) && used+p.all[n].h <= avail+1e-9 {
		used += p.all[n].h
		n++
	}
	n = max(n, 1)
	p.rows, p.cols, p.fits, p.more = p.all[:n], []int{n}, true, 0
	return p, p.all[n:]
}

// contPlan is what the attestation's next page holds: the rest of the
// list, and the next steps.
type contPlan struct {
	levels []levelRow
	st     listStyle
	cells  levelCells
	cand   levelCandidate
	next   bool
}

// continued draws the attestation's next pages: a heading that ties them
// to the first, the rest of the list, then the next steps at the largest
// size at which they fit on the page, else at 9 pt, page after page.
func (r *renderer) continued(c contPlan, x, w float64) {
	page := 1
	newPage := func() float64 {
		page++
		r.pdf.AddPage()
		y := r.text(r.c.LearnerName, "B", 11, ink, x, a4Top, w, "L")
		head := r.a4both(func(l *a4Labels) string { return l.continued })
		if code := r.shortCode(); code != "" {
			head += " · " + code
		}
		return r.text(head+" · "+fmt.Sprintf(r.a4pri().page, page), "", 7.5, grey, x, y+0.3, w, "L") + 5
	}
	y := newPage()
	bottom := a4Bottom
	rows := c.levels
	for len(rows) > 0 {
		y = r.text(r.both(func(l *labels) string { return l.competencies }), "B", 9, accent, x, y, w, "L") + 1.5
		avail := bottom - y - lineHeight(headerSize) - 0.6
		n, used := 0, 0.0
		for n < len(rows) && used+rows[n].h <= avail+1e-9 {
			used += rows[n].h
			n++
		}
		n = max(n, 1)
		p := levelPlan{cand: c.cand, colW: w, rows: rows[:n], cells: c.cells, cols: []int{n}, fits: true}
		r.drawLevels(c.st, p, x, y, w)
		y += p.height(c.st)
		rows = rows[n:]
		if len(rows) > 0 {
			y = newPage()
		}
	}
	if !c.next {
		return
	}
	nx := r.planNext(w, nextContSizes[0], 2)
	for _, size := range nextContSizes {
		if p := r.planNext(w, size, 2); y+p.height(len(p.rows)) <= bottom+1e-9 {
			nx = p
			break
		}
	}
	left := nx.rows
	for len(left) > 0 {
		k := nx.fit(bottom - y)
		if k == 0 && y > a4Top+20 {
			y = newPage()
			continue
		}
		k = max(k, 1)
		part := nx
		part.rows = left[:min(k, len(left))]
		left = left[len(part.rows):]
		y = r.drawNext(part, part.rows, len(left) == 0, x, y, w)
		nx.rows = left
		if len(left) > 0 {
			y = newPage()
		}
	}
}

// drawSignature draws the signature area in w × h from (x, y): where
// and when, then a box for the mediator's signature and one for the
// structure's stamp.
func (r *renderer) drawSignature(x, y, w, h float64) {
	r.font("", 8)
	r.color(grey)
	lh := lineHeight(8)
	at := r.a4both(func(l *a4Labels) string { return l.doneAt })
	on := r.a4both(func(l *a4Labels) string { return l.on })
	base := y + 0.93*8*ptMM
	r.put(x, base, at)
	ox := x + w*0.58
	r.put(ox, base, on)
	r.pdf.SetDrawColor(rule.r, rule.g, rule.b)
	r.pdf.SetLineWidth(0.25)
	r.pdf.Line(x+r.strWidth(at)+1.5, y+lh, ox-2.5, y+lh)
	r.pdf.Line(ox+r.strWidth(on)+1.5, y+lh, x+w, y+lh)
	by := y + lh + 2.5
	bh := h - (by - y)
	const gap = 4.0
	bw := (w - gap) / 2
	for i, key := range []func(*a4Labels) string{
		func(l *a4Labels) string { return l.signature },
		func(l *a4Labels) string { return l.stamp },
	} {
		bx := x + float64(i)*(bw+gap)
		r.pdf.SetDrawColor(rule.r, rule.g, rule.b)
		r.pdf.SetLineWidth(0.25)
		r.pdf.Rect(bx, by, bw, bh, "D")
		r.text(r.a4both(key), "", 7, grey, bx+1.2, by+0.8, bw-2.4, "L")
	}
}

// assessmentParts is the assessment block: how the levels were assessed
// (the method, or a sentence saying a mediator assessed them against the
// framework), the observed tasks and evidence, and the mediator when the
// credential names them.
func (r *renderer) assessmentParts() []part {
	pri, sec := r.a4pri(), r.a4sec()
	parts := []part{textBlock(r.a4both(func(l *a4Labels) string { return l.assessTitle }), "B", accent, 0, sizes(1, 9)...)}
	line := func(label, v string, gap float64) *block {
		return textBlock(label+" : "+v, "", ink, gap, sizes(2, 8.5, 8, 7.5, 7)...)
	}
	if m := strings.TrimSpace(r.c.Method); m != "" {
		parts = append(parts, line(r.a4both(func(l *a4Labels) string { return l.method }), m, 1))
	} else {
		parts = append(parts, textBlock(pri.defaultMethod+".", "", ink, 1, sizes(2, 8.5, 8, 7.5, 7)...))
		if sec != nil {
			parts = append(parts, textBlock(sec.defaultMethod+".", "", grey, 0.2, sizes(2, 7.5, 7)...))
		}
	}
	var ev []string
	for _, e := range r.c.Evidence {
		if e = strings.TrimSpace(e); e != "" {
			ev = append(ev, e)
		}
	}
	if len(ev) > 0 {
		parts = append(parts, textBlock(r.a4both(func(l *a4Labels) string { return l.evidence })+" :", "", grey, 1, sizes(1, 7.5)...))
		for i, e := range ev {
			if i == maxEvidenceLines {
				break
			}
			parts = append(parts, codeBlock("• "+e, "", ink, 0.3, sizes(2, 8, 7.5, 7)...))
		}
	}
	if m := strings.TrimSpace(r.c.Mediator); m != "" {
		parts = append(parts, line(r.a4both(func(l *a4Labels) string { return l.assessedBy }), m, 1))
	}
	return parts
}

// maxEvidenceLines is how many pieces of evidence the attestation prints;
// the credential holds them all.
const maxEvidenceLines = 4

// a4pri and a4sec are the attestation's labels in its first and second
// language (Card.Lang); a4sec is nil on an attestation in one language.
func (r *renderer) a4pri() *a4Labels {
	if l := a4Texts[r.lang]; l != nil {
		return l
	}
	return a4Texts["fr"]
}

func (r *renderer) a4sec() *a4Labels {
	if r.sec == nil {
		return nil
	}
	for k, l := range texts {
		if l == r.sec {
			return a4Texts[k]
		}
	}
	return nil
}

// a4both joins a label in the first and second language; the first alone
// on an attestation in one language.
func (r *renderer) a4both(key func(*a4Labels) string) string {
	if sec := r.a4sec(); sec != nil {
		return key(r.a4pri()) + " · " + key(sec)
	}
	return key(r.a4pri())
}

// The next steps block of the attestation.
const (
	nextGap     = 4.5 // between the competency list and the block, mm
	nextPad     = 0.6 // above and below each row's text, mm
	nextLinkGap = 2.5 // between a resource's name and its link on one line, mm
	nextListMin = 8.0 // the smallest size of the list that makes room for the block, pt
	nextPlacesN = 2   // places printed per competency
)

// nextRow is one next step laid out.
type nextRow struct {
	step        NextStep
	level, name [][]rune
	nameRTL     bool
	link        [][]rune
	linkInline  bool     // the link follows the name's last line
	note        [][]rune // no resource: what to do (grey)
	places      [][]rune // the keys of its places in the legend: "A, B"
	h           float64
}

// legendRow is one place of the block's legend: its key and its lines.
type legendRow struct {
	key   string
	lines [][]rune
	h     float64
}

// nextPlan is the next steps laid out in a width at a size: the cells,
// the rows, and the legend of the places they name (each place once: the
// nearest places are often the same for several competencies).
type nextPlan struct {
	size                        float64
	codeW, levelW, resW, placeW float64 // placeW 0: no places
	keyW                        float64
	rows                        []nextRow
	legend                      []legendRow
}

// height returns the height of the block with its first k rows, the
// legend with the last; 0 for none.
func (p *nextPlan) height(k int) float64 {
	if k == 0 {
		return 0
	}
	h := nextGap + lineHeight(9) + 1.5 + lineHeight(headerSize) + 0.6
	for _, row := range p.rows[:k] {
		h += row.h
	}
	if k == len(p.rows) {
		h += p.legendHeight()
	}
	return h
}

// legendHeight is the height of the legend, its heading included.
func (p *nextPlan) legendHeight() float64 {
	if len(p.legend) == 0 {
		return 0
	}
	h := 1.5 + lineHeight(headerSize) + 0.6
	for _, l := range p.legend {
		h += l.h
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

// placeKey is the key of the i-th place of a legend: A to Z, then numbers.
func placeKey(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return strconv.Itoa(i + 1)
}

// planNext lays the card's next steps out in width w at size, one row
// each: the code, the next level, the resource's name followed by its link
// (on the name's last line when it fits), and the keys of its nearest
// places; then the legend of those places, each in at most placeLines
// lines.
func (r *renderer) planNext(w, size float64, placeLines int) nextPlan {
	p := nextPlan{size: size}
	steps := r.c.Next
	if len(steps) == 0 {
		return p
	}
	pri := r.a4pri()
	inner := w - 2*rowInset
	// The legend: each place once, in order of first mention.
	keys := map[string]string{}
	var texts []string
	rowKeys := make([]string, len(steps))
	for i, st := range steps {
		if st.Top {
			continue
		}
		var ks []string
		for j, pl := range st.Places {
			if j == nextPlacesN {
				break
			}
			t := placeText(pl, r.lang)
			k, ok := keys[t]
			if !ok {
				k = placeKey(len(texts))
				keys[t] = k
				texts = append(texts, t)
			}
			ks = append(ks, k)
		}
		rowKeys[i] = strings.Join(ks, ", ")
	}
	// Cells: the code as wide as the widest, the level as wide as the
	// widest (its header included) up to 26 % or 34 % (below), the places'
	// keys as wide as the widest, the resource the rest.
	r.font("B", size)
	for _, st := range steps {
		p.codeW = max(p.codeW, r.strWidth(st.Code))
	}
	p.codeW = min(p.codeW, inner*0.15)
	r.font("", headerSize)
	p.levelW = r.strWidth(r.both(func(l *labels) string { return l.nextLevel }))
	if len(texts) > 0 {
		p.placeW = r.strWidth(r.a4both(func(l *a4Labels) string { return l.places }))
	}
	r.font("", size)
	for i, st := range steps {
		p.levelW = max(p.levelW, r.strWidth(r.nextLevelCell(st))+0.01)
		if len(texts) > 0 {
			p.placeW = max(p.placeW, r.strWidth(rowKeys[i]))
		}
	}
	p.placeW = min(p.placeW, inner*0.2)
	widest := p.levelW
	lh := lineHeight(size)
	// layRows lays the steps out with a level cell of width levelW and
	// returns their total height.
	layRows := func(levelW float64) ([]nextRow, float64, float64) {
		resW := inner - p.codeW - levelW - 2*cellGap
		if p.placeW > 0 {
			resW -= p.placeW + cellGap
		}
		var rows []nextRow
		total := 0.0
		for i, st := range steps {
			row := nextRow{step: st}
			r.font("", size)
			row.level = r.wrap(newPara(r.nextLevelCell(st)), levelW)
			lines := 0
			if st.Resource != "" {
				name := newPara(st.Resource)
				row.name, row.nameRTL = r.wrap(name, resW), name.rtl
				lines = len(row.name)
				if st.Link != "" {
					link := newCode(st.Link)
					if n := len(row.name); n > 0 && !name.rtl && r.width(row.name[n-1])+nextLinkGap+r.width(link.runes) <= resW {
						row.link, row.linkInline = [][]rune{link.runes}, true
					} else {
						row.link = r.wrap(link, resW)
						lines += len(row.link)
					}
				}
			} else {
				note := pri.askNote
				switch {
				case st.Top:
					note = pri.topNote
				case rowKeys[i] != "":
					note = pri.seePlaces
				}
				row.note = r.wrap(newPara(note), resW)
				lines = len(row.note)
			}
			n := max(lines, len(row.level), 1)
			if rowKeys[i] != "" {
				row.places = r.wrap(newCode(rowKeys[i]), p.placeW)
				n = max(n, len(row.places))
			}
			row.h = float64(n)*lh + 2*nextPad
			rows = append(rows, row)
			total += row.h
		}
		return rows, total, resW
	}
	// The level cell up to 26 % of the row, or as wide as the widest
	// level up to 34 % when that makes the rows shorter (a level label on
	// one line: "Niveau 4 / 8 · Intermédiaire").
	p.levelW = min(widest, inner*0.26)
	var total float64
	p.rows, total, p.resW = layRows(p.levelW)
	if lw := min(widest, inner*0.34); lw > p.levelW {
		if rows, t, resW := layRows(lw); t < total-1e-9 {
			p.levelW, p.rows, p.resW = lw, rows, resW
		}
	}
	if len(texts) > 0 {
		r.font("B", size)
		for i := range texts {
			p.keyW = max(p.keyW, r.strWidth(placeKey(i)))
		}
		r.font("", size)
		tw := inner - p.keyW - cellGap
		for i, t := range texts {
			ls := r.wrap(newCode(t), tw)
			if len(ls) > placeLines {
				ls = append([][]rune{}, ls[:placeLines]...)
				ls[placeLines-1] = r.ellipsize(ls[placeLines-1], tw)
			}
			p.legend = append(p.legend, legendRow{key: placeKey(i), lines: ls, h: float64(len(ls))*lh + 0.4})
		}
	}
	return p
}

// nextLevelCell is what the level cell of a next step says: the next
// level, or that the highest is reached.
func (r *renderer) nextLevelCell(st NextStep) string {
	if st.Top {
		return r.a4pri().topLevel
	}
	return nextLevelText(st)
}

// drawNext draws rows of a planned block from (x, y), under a heading and
// a header row, and the legend of its places when legend is set; it
// returns the y below. Nothing when there are no rows.
func (r *renderer) drawNext(p nextPlan, rows []nextRow, legend bool, x, y, w float64) float64 {
	if len(rows) == 0 {
		return y
	}
	y += nextGap
	y = r.text(r.both(func(l *labels) string { return l.nextTitle }), "B", 9, accent, x, y, w, "L") + 1.5
	lx := x + rowInset + p.codeW + cellGap
	rx := lx + p.levelW + cellGap
	px := rx + p.resW + cellGap
	r.text(r.both(func(l *labels) string { return l.nextLevel }), "", headerSize, grey, lx, y, p.levelW, "L")
	r.text(r.both(func(l *labels) string { return l.nextResource }), "", headerSize, grey, rx, y, p.resW, "L")
	if p.placeW > 0 {
		r.text(r.a4both(func(l *a4Labels) string { return l.places }), "", headerSize, grey, px, y, p.placeW, "L")
	}
	y += lineHeight(headerSize) + 0.6
	size := p.size
	lh := lineHeight(size)
	for i, row := range rows {
		if i%2 == 0 {
			r.pdf.SetFillColor(zebra.r, zebra.g, zebra.b)
			r.pdf.Rect(x, y, w, row.h, "F")
		}
		ty := y + nextPad
		r.font("B", size)
		r.color(accent)
		r.draw([][]rune{[]rune(row.step.Code)}, false, x+rowInset, ty, p.codeW, size, "L")
		r.draw(row.places, false, px, ty, p.placeW, size, "L")
		r.font("", size)
		r.color(ink)
		r.draw(row.level, false, lx, ty, p.levelW, size, "L")
		end := r.draw(row.name, row.nameRTL, rx, ty, p.resW, size, "L")
		r.color(accent)
		if row.linkInline {
			r.draw(row.link, false, rx+r.width(row.name[len(row.name)-1])+nextLinkGap, end-lh, p.resW, size, "L")
		} else if len(row.link) > 0 {
			r.draw(row.link, false, rx, end, p.resW, size, "L")
		}
		r.color(grey)
		r.draw(row.note, false, rx, ty, p.resW, size, "L")
		y += row.h
	}
	if legend && len(p.legend) > 0 {
		y = r.text(r.a4both(func(l *a4Labels) string { return l.nearest }), "", headerSize, grey, x+rowInset, y+1.5, w-2*rowInset, "L") + 0.6
		tx := x + rowInset + p.keyW + cellGap
		for _, l := range p.legend {
			r.font("B", size)
			r.color(accent)
			r.draw([][]rune{[]rune(l.key)}, false, x+rowInset, y, p.keyW, size, "L")
			r.font("", size)
			r.color(ink)
			r.draw(l.lines, false, tx, y, x+w-rowInset-tx, size, "L")
			y += l.h
		}
	}
	return y
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
