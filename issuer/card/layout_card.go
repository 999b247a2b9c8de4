package card

import (
	"slices"
)

// The card layout: a strip of two credit-card panels, front on the left,
// back on the right, centred at the top of the A4 page.
const (
	cardW, cardH = 85.6, 54.0 // ISO/IEC 7810 ID-1
	stripX       = (pageW - 2*cardW) / 2
	stripY       = 30.0
	cardPad      = 3.5 // from the trim to the text, mm
	qrEdge       = 1.0 // from the trim to the QR code's quiet zone, mm
	markLen      = 5.0 // crop marks
	markGap      = 2.0 // between a crop mark and the trim
)

// cardQRSize sizes the front's QR code: the largest of moduleSizes (0.68,
// 0.64 or 0.6 mm) that fits the card's height but qrEdge above and below;
// version 15 (51 mm at 0.6 mm), every card Carnet issues for a usual
// address, fits. Longer texts get smaller modules within that height.
// Measured (issue 11): ZXing misses more cards at 0.6 mm than at 0.64 mm
// from a 120 dpi image.
func cardQRSize(q *qrCode) (module, side float64) {
	return qrSize(q, cardH-2*qrEdge)
}

// cardSheet draws the page of the card layout: how to print, the strip
// with its marks, and how to use and check the card.
func (r *renderer) cardSheet(q *qrCode) {
	r.minSize = minCardSize
	r.text(r.both(func(l *labels) string { return l.title }), "B", 11, accent, stripX, 8, 2*cardW, "L")
	y := r.textPara(newCode(r.pri.printNote), "", 7.5, ink, stripX, 13.5, 2*cardW, "L")
	if r.sec != nil {
		r.textPara(newCode(r.sec.printNote), "", 7, grey, stripX, y, 2*cardW, "L")
	}
	r.marks()
	r.front(q, stripX, stripY)
	r.back(stripX+cardW, stripY)
	r.guide(stripY + cardH + 16)
}

// marks draws the crop marks at the strip's corners, the fold marks above
// and below the fold, a dotted fold line, and a hairline outline for those
// who cut with scissors.
func (r *renderer) marks() {
	r.stripMarks(stripY)
	fold := stripX + cardW
	r.text(r.both(func(l *labels) string { return l.fold }), "", minCardSize, grey, fold+1, stripY-markGap-markLen, 30, "L")
}

// front draws the front panel at (x, y): the QR code at the right, the
// card's full height with modules of 0.6 mm or more (issue 11); at the
// left the title, the learner's name, the issuer, the framework, "scan to
// verify" and the dates (under the QR code when a short text leaves room).
// No text is smaller than 7 pt (issue 11). With less room, level by level:
// the labels and the second language go; the framework's title is cut to
// two lines; the card's title goes and the framework's is cut to one line;
// the framework goes (it is on the attestation and in the QR code); the
// issuer goes (it is in the guide under the strip, and its address on the
// back), and the gaps. The name is never cut.
func (r *renderer) front(q *qrCode, x, y float64) {
	r.minSize = minCardSize
	module, side := cardQRSize(q)
	qx, qy := drawQR(r.pdf, q, x+cardW-qrEdge-side, y+(cardH-side)/2, module)
	// Under the QR code, away from its quiet zone.
	ry := qy + side + 0.3
	rh := y + cardH - cardPad - ry
	under := []part{
		textBlock(r.both(func(l *labels) string { return l.scanFront }), "", grey, 0, sizes(2, minCardSize)...),
		flex{},
	}
	dates := r.dateParts(0, "C")
	_, datesUnder := r.scaleFor(slices.Concat(under, dates), side, rh)
	if datesUnder {
		under = slices.Concat(under, dates)
	}
	for _, p := range under {
		if b, ok := p.(*block); ok {
			b.align = "C"
		}
	}
	underShown := rh > lineHeight(minCardSize)
	if underShown {
		if _, ok := r.scaleFor(under, side, rh); ok {
			r.stack(under, qx, ry, side, rh)
		} else {
			underShown = false
		}
	}

	lx, top := x+cardPad, y+cardPad
	lw := qx - 0.5 - lx // the quiet zone is margin enough
	name := newPara(r.c.LearnerName)
	// one returns a label in the first language alone from level on.
	one := func(key func(*labels) string, level, from int) string {
		if level >= from {
			return key(r.pri)
		}
		return r.both(key)
	}
	build := func(level int) []part {
		var parts []part
		if level < 3 {
			parts = append(parts, textBlock(one(func(l *labels) string { return l.title }, level, 1), "B", accent, 0,
				slices.Concat(sizes(1, 8, 7.5, 7), sizes(2, 7.5, 7))...))
		}
		gap := 1.0
		if level >= 5 {
			gap = 0
		}
		parts = append(parts, &block{p: name, style: "B", color: ink, gap: gap, align: "L", cands: slices.Concat(
			sizes(1, 14, 13, 12, 11, 10), sizes(2, 11, 10, 9, 8.5), sizes(3, 8.5, 8, 7.5), sizes(4, 7.5, 7), sizes(10, 7))})
		if name.missing {
			note := one(func(l *labels) string { return l.missing }, level, 1)
			if level >= 2 { // in full under the strip
				note = r.pri.missingShort
			}
			parts = append(parts, textBlock(note, "", grey, 0.3, sizes(5, minCardSize)...))
		}
		if level < 1 {
			parts = append(parts, textBlock(r.both(func(l *labels) string { return l.issuedBy }), "", grey, 1.5, sizes(2, minCardSize)...))
		}
		if level >= 1 && level < 5 { // without its label, the issuer stands apart from the name
			parts = append(parts, space(1.5))
		}
		switch {
		case level < 3:
			parts = append(parts, r.issuerHead(8, slices.Concat(sizes(2, 8.5, 8, 7.5, 7), sizes(3, 7)), slices.Concat(sizes(1, 7.5, 7), sizes(2, 7))))
		case level < 5: // at level 5 in the guide under the strip, and its address on the back
			parts = append(parts, r.issuerHead(6, sizes(2, 8, 7.5, 7), sizes(1, 7)))
		}
		if r.c.FrameworkTitle != "" && level < 4 {
			if level < 1 {
				parts = append(parts, textBlock(r.both(func(l *labels) string { return l.framework }), "", grey, 1.2, sizes(2, minCardSize)...))
			}
			cands := slices.Concat(sizes(2, 8, 7.5, 7), sizes(3, 7))
			switch level { // cut with "…": in full on the attestation
			case 2:
				cands = sizes(2, 7.5, 7)
			case 3:
				cands = sizes(1, 7)
			}
			parts = append(parts, textBlock(r.c.FrameworkTitle, "", ink, 0.6, cands...))
		}
		if !datesUnder {
			parts = append(parts, flex{})
			parts = append(parts, r.dateParts(level, "L")...)
		}
		return parts
	}
	// The first level at which the column fits: without cutting a text
	// below level 2 (which cuts the framework's title to a line); else the
	// last.
	var parts []part
	// Two scales are tried per level: at 7 pt a smaller scale only takes
	// room from the gaps and the name, and each try wraps every text.
	h := cardH - 2*cardPad
	for level := range frontLevels {
		parts = build(level)
		done := false
		for _, s := range frontScales {
			_, total, cut := r.measureAt(parts, lw, s)
			if done = total <= h+1e-9 && (!cut || level >= 2); done {
				break
			}
		}
		if done {
			break
		}
	}
	// The QR code takes the card's height: say what it is for beside it,
	// above the dates, when there is room.
	if scan := textBlock(r.both(func(l *labels) string { return l.scanFront }), "", grey, 1.2, sizes(3, minCardSize)...); !underShown {
		with := slices.Insert(slices.Clone(parts), len(parts)-len(r.dateParts(0, "L")), part(scan))
		if datesUnder {
			with = append(slices.Clone(parts), flex{}, scan)
		}
		if _, ok := r.scaleFor(with, lw, cardH-2*cardPad); ok {
			parts = with
		}
	}
	r.stack(parts, lx, top, lw, cardH-2*cardPad)
}

// space is an empty part of a height, mm, scaled as the stack.
type space float64

func (s space) measure(_ *renderer, _, scale float64) (float64, bool) {
	return float64(s) * scale, false
}
func (space) draw(*renderer, float64, float64, float64) {}

// frontScales are the scales the front's column is tried at, per level.
var frontScales = []float64{1, 0.88}

// frontLevels is how many ways the front's column has of giving up room.
const frontLevels = 6

// minCardSize is the smallest text on the card layout's page, pt (issue
// 11: readable).
const minCardSize = 7.0

// dateParts are the issue and expiry dates, each a label and a value; from
// level 1 on the label is in the first language alone.
func (r *renderer) dateParts(level int, align string) []part {
	var parts []part
	add := func(key func(*labels) string, t string) {
		label := r.both(key)
		if level >= 1 {
			label = key(r.pri)
		}
		gap := 0.8
		if level >= 5 {
			gap = 0
		}
		l := textBlock(label, "", grey, gap, sizes(2, minCardSize)...)
		v := textBlock(t, "B", ink, 0, sizes(1, 8, 7.5, 7)...)
		l.align, v.align = align, align
		parts = append(parts, l, v)
	}
	if !r.c.IssuedAt.IsZero() {
		add(func(l *labels) string { return l.issuedOn }, formatDate(r.c.IssuedAt, r.lang))
	}
	if !r.c.ValidUntil.IsZero() {
		add(func(l *labels) string { return l.validUntil }, formatDate(r.c.ValidUntil, r.lang))
	}
	return parts
}

// issuerHead is the issuer's name and domain, with the logo at their left
// when there is one.
type issuerHead struct {
	logoH     float64 // the logo's height, mm, before scaling
	name, dom *block
	logoW, lh float64 // as measured
	textH     float64
}

func (r *renderer) issuerHead(logoH float64, nameSizes, domSizes []sizeLines) *issuerHead {
	h := &issuerHead{logoH: logoH,
		name: textBlock(r.c.IssuerName, "B", ink, 0, nameSizes...),
		dom:  codeBlock(r.c.IssuerDomain, "", accent, 0, domSizes...),
	}
	if r.logo == nil {
		h.logoH = 0
	}
	return h
}

func (h *issuerHead) measure(r *renderer, w, scale float64) (float64, bool) {
	h.logoW, h.lh = 0, 0
	if h.logoH > 0 {
		h.logoW, h.lh = r.logo.fit(min(w/4, 1.75*h.logoH*scale), h.logoH*scale)
	}
	tw := w - h.gap()
	nh, c1 := h.name.measure(r, tw, scale)
	dh, c2 := h.dom.measure(r, tw, scale)
	h.textH = nh + dh
	return max(h.textH, h.lh), c1 || c2
}

func (h *issuerHead) gap() float64 {
	if h.logoW == 0 {
		return 0
	}
	return h.logoW + 1.5
}

func (h *issuerHead) draw(r *renderer, x, y, w float64) {
	if h.logoW > 0 {
		r.drawLogo(x, y, h.logoW, h.lh)
	}
	ty := y
	if h.lh > h.textH { // centre the text on the logo
		ty += (h.lh - h.textH) / 2
	}
	tw := w - h.gap()
	h.name.draw(r, x+h.gap(), ty, tw)
	nh := float64(len(h.name.lines)) * lineHeight(h.name.size)
	h.dom.draw(r, x+h.gap(), ty+nh, tw)
}

// back draws the back panel at (x, y): the competencies with their levels;
// at the bottom the short code, the verification address and how to
// verify. No text is smaller than 7 pt: for the list to fit whole, the
// footer first gives up its second language, then its labels and how to
// verify (the page under the strip says it), and the list goes to two
// columns with short level labels ("3 / 8") and titles cut with "…" (in
// full on the attestation).
func (r *renderer) back(x, y float64) {
	r.minSize = minCardSize
	ix, iw, top, bottom := x+cardPad, cardW-2*cardPad, y+cardPad, y+cardH-cardPad
	under := func(cs []levelCandidate) []levelCandidate {
		return with(cs, func(c *levelCandidate) { c.full, c.under = true, true })
	}
	bare := func(cs []levelCandidate) []levelCandidate {
		return with(cs, func(c *levelCandidate) { c.noScale = true })
	}
	st := listStyle{
		cands: slices.Concat(
			under(candidates(1, 2, 0.8, 8.5, 8, 7.5)),
			under(candidates(1, 2, 0.5, 7)),
			candidates(1, 2, 0.8, 8.5, 8, 7.5),
			candidates(1, 2, 0.5, 7),
			candidates(1, 3, 0.4, 7),
			candidates(1, 1, 0.5, 7.5, 7),
			candidates(1, 1, 0.2, 7),
			candidates(1, 1, 0, 7),
			bare(candidates(2, 1, 0.3, 7)),
			bare(candidates(2, 1, 0, 7)),
		),
		box: 0.62, line: 0.18, minTitle: 14, maxLevel: 0.2,
	}
	lx, lw := x+cardPad-rowInset, iw+2*rowInset
	// The first list layout that fits in one column beside the footer with
	// every title whole; else cut; else in two columns; each with the
	// fullest footer that leaves it room.
	type footer struct {
		parts []part
		h     float64
		head  bool // the list's heading is shown
	}
	var foots []footer
	for level := range 3 {
		f := footer{parts: r.backFoot(level), head: level < 2}
		_, f.h, _ = r.measureAt(f.parts, iw, 1)
		foots = append(foots, f)
	}
	headH := lineHeight(minCardSize) + 0.6
	listTop := func(f footer) float64 {
		if f.head {
			return top + headH
		}
		return top
	}
	var plan levelPlan
	fi := len(foots) - 1
	// Passes: one column with whole titles, one column, two columns; the
	// footer without its how-to only once neither fits with it.
	order := [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {2, 1}, {0, 2}, {1, 2}, {2, 2}}
	// Each candidate's rows are laid out once, whatever the footer.
	plans := make([]*levelPlan, len(st.cands))
search:
	for _, o := range order {
		pass, i := o[0], o[1]
		f := foots[i]
		for k, cand := range st.cands {
			if pass < 2 && cand.cols > 1 || pass == 2 && cand.cols == 1 {
				continue
			}
			if plans[k] == nil {
				p := r.layoutCandidate(st, cand, lw)
				plans[k] = &p
			}
			if plan = *plans[k]; plan.all == nil || pass == 0 && plan.cut {
				continue
			}
			if plan.place(st, bottom-f.h-1.2-listTop(f)) {
				fi = i
				break search
			}
		}
	}
	f := foots[fi]
	if !plan.fits {
		plan = r.planLevels(st, lw, bottom-f.h-1.2-listTop(f))
	}
	r.stackAt(f.parts, ix, bottom-f.h, iw, f.h, 1)
	if f.head {
		r.text(r.both(func(l *labels) string { return l.competencies }), "", minCardSize, grey, ix, top, iw, "L")
	}
	r.drawLevels(st, plan, lx, listTop(f), lw)
}

// backFoot is the back's footer at a level of room: 0 in full, 1 in the
// first language alone, 2 the code and the address alone.
func (r *renderer) backFoot(level int) []part {
	var foot []part
	label := r.both(func(l *labels) string { return l.code })
	if level >= 1 {
		label = r.pri.code
	}
	if code := r.shortCode(); code != "" {
		if level < 2 {
			foot = append(foot, textBlock(label, "", grey, 0, sizes(1, minCardSize)...))
		}
		foot = append(foot, &codeRow{code: code, url: r.verifyURL()})
	}
	if level < 2 {
		foot = append(foot, codeBlock(r.pri.howToCard, "", ink, 0.8, slices.Concat(sizes(2, 7.5, 7), sizes(3, 7))...))
	}
	if level < 1 && r.sec != nil {
		foot = append(foot, codeBlock(r.sec.howToCard, "", grey, 0.2, slices.Concat(sizes(2, 7), sizes(3, 7))...))
	}
	return foot
}

// codeRow is the short code, large, and the verification address after it
// on the same line when it fits, else under it.
type codeRow struct {
	code, url string
	size      float64
	urlB      *block
	inline    bool
	codeW     float64
}

func (c *codeRow) measure(r *renderer, w, scale float64) (float64, bool) {
	c.size = 10 * scale
	r.font("B", c.size)
	c.codeW = r.strWidth(c.code)
	codeH := lineHeight(c.size)
	if c.url == "" {
		c.urlB = nil
		return codeH, false
	}
	c.urlB = codeBlock(c.url, "", accent, 0, slices.Concat(sizes(1, 8, 7.5, 7), sizes(2, 7.5, 7), sizes(3, 7))...)
	if uw := w - c.codeW - 3; uw > 15 {
		if h, cut := c.urlB.measure(r, uw, scale); !cut && len(c.urlB.lines) == 1 {
			c.inline = true
			return max(codeH, h), false
		}
	}
	c.inline = false
	h, cut := c.urlB.measure(r, w, scale)
	return codeH + h, cut
}

func (c *codeRow) draw(r *renderer, x, y, w float64) {
	r.font("B", c.size)
	r.color(ink)
	r.put(x, y+0.93*c.size*ptMM, c.code)
	if c.urlB == nil {
		return
	}
	if c.inline {
		// On the code's baseline.
		uy := y + 0.93*c.size*ptMM - 0.93*c.urlB.size*ptMM
		c.urlB.draw(r, x+c.codeW+3, uy, w-c.codeW-3)
		return
	}
	c.urlB.draw(r, x, y+lineHeight(c.size), w)
}

// guide draws, under the strip, how to use and check the card.
func (r *renderer) guide(y float64) {
	x, w := stripX, 2*cardW
	code := r.shortCode()
	if code == "" {
		code = "—"
	}
	url := r.verifyURL()
	if url == "" {
		url = meta(r.c.IssuerDomain)
	}
	issuer, domain := meta(r.c.IssuerName), meta(r.c.IssuerDomain)
	for i, l := range r.langs() {
		size, c := 9.5, ink
		if i == 1 {
			size, c = 8.5, grey
		}
		y = r.text(l.guideTitle, "B", size+1.5, c, x, y, w, "L") + 1.5
		items := l.guide(code, issuer, domain, url)
		if newPara(r.c.LearnerName).missing {
			items = append(items, l.missing)
		}
		for _, g := range items {
			y = r.textPara(newCode("•  "+g), "", size, c, x, y, w, "L") + 1.2
		}
		y += 6
	}
}
