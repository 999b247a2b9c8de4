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
	labelSize    = 5.0 // the small grey labels on the card
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
	r.text(r.pri.title+" · "+r.sec.title, "B", 11, accent, stripX, 8, 2*cardW, "L")
	y := r.textPara(newCode(r.pri.printNote), "", 7.5, ink, stripX, 13.5, 2*cardW, "L")
	r.textPara(newCode(r.sec.printNote), "", 7, grey, stripX, y, 2*cardW, "L")
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
	r.text(r.pri.fold+" · "+r.sec.fold, "", 6, grey, fold+1, stripY-markGap-markLen+0.5, 20, "L")
}

// front draws the front panel at (x, y): the QR code at the right, the
// card's full height with modules of 0.6 mm or more (issue 11); at the
// left the title, the learner's name, the issuer, the framework, "scan to
// verify" and the dates (under the QR code when a short text leaves room).
func (r *renderer) front(q *qrCode, x, y float64) {
	module, side := cardQRSize(q)
	qx, qy := drawQR(r.pdf, q, x+cardW-qrEdge-side, y+(cardH-side)/2, module)
	// Under the QR code, away from its quiet zone.
	ry := qy + side + 0.3
	rh := y + cardH - cardPad - ry
	under := []part{
		textBlock(r.both(func(l *labels) string { return l.scanFront }), "", grey, 0, sizes(2, 5.5, 5, 4.5)...),
		flex{},
	}
	dates := r.dateParts(labelSize, 7, "C")
	_, datesUnder := r.scaleFor(slices.Concat(under, dates), side, rh)
	if datesUnder {
		under = slices.Concat(under, dates)
	}
	for _, p := range under {
		if b, ok := p.(*block); ok {
			b.align = "C"
		}
	}
	underShown := rh > 3
	if underShown {
		r.stack(under, qx, ry, side, rh)
	}

	lx, top := x+cardPad, y+cardPad
	lw := qx - 0.5 - lx // the quiet zone is margin enough
	name := newPara(r.c.LearnerName)
	// build lists the column's parts; with less room the framework and
	// issuer labels go (the values stay), then the framework title may be
	// cut.
	build := func(level int) []part {
		parts := []part{
			textBlock(r.both(func(l *labels) string { return l.title }), "B", accent, 0, sizes(1, 6.5, 6, 5.5, 5)...),
			&block{p: name, style: "B", color: ink, gap: 1, align: "L", cands: slices.Concat(
				sizes(1, 14, 13, 12, 11, 10), sizes(2, 11, 10, 9, 8.5), sizes(3, 8.5, 8, 7.5), sizes(4, 7, 6.5), sizes(5, 6.5, 6, 5.5))},
		}
		if name.missing {
			parts = append(parts, textBlock(r.both(func(l *labels) string { return l.missing }), "", grey, 0.3, sizes(6, labelSize, 4.5)...))
		}
		if level < 1 {
			parts = append(parts, textBlock(r.both(func(l *labels) string { return l.issuedBy }), "", grey, 2, sizes(2, labelSize)...))
		}
		parts = append(parts,
			r.issuerHead(8, slices.Concat(sizes(2, 7.5, 7, 6.5, 6), sizes(3, 6, 5.5)), slices.Concat(sizes(1, 6.5, 6, 5.5, 5), sizes(2, 5.5, 5))),
		)
		if r.c.FrameworkTitle != "" {
			if level < 1 {
				parts = append(parts, textBlock(r.both(func(l *labels) string { return l.framework }), "", grey, 1.6, sizes(2, labelSize)...))
			}
			cands := slices.Concat(sizes(2, 6.5, 6), sizes(3, 6, 5.5, 5), sizes(5, 5.5, 5))
			if level == 2 {
				cands = sizes(2, 5.5, 5) // cut with "…": in full on the attestation
			}
			parts = append(parts, textBlock(r.c.FrameworkTitle, "", ink, 0.6, cands...))
		}
		if !datesUnder {
			parts = append(parts, flex{})
			parts = append(parts, r.dateParts(labelSize, 6.5, "L")...)
		}
		return parts
	}
	var parts []part
	for level := range 3 {
		parts = build(level)
		if _, ok := r.scaleFor(parts, lw, cardH-2*cardPad); ok {
			break
		}
	}
	// The QR code takes the card's height: say what it is for beside it,
	// above the dates, when there is room.
	if scan := textBlock(r.both(func(l *labels) string { return l.scanFront }), "", grey, 1.2, sizes(3, 5.5, 5, 4.5)...); !underShown {
		with := slices.Insert(slices.Clone(parts), len(parts)-len(r.dateParts(labelSize, 6.5, "L")), part(scan))
		if datesUnder {
			with = append(slices.Clone(parts), flex{}, scan)
		}
		if _, ok := r.scaleFor(with, lw, cardH-2*cardPad); ok {
			parts = with
		}
	}
	r.stack(parts, lx, top, lw, cardH-2*cardPad)
}

// dateParts are the issue and expiry dates, each a label and a value.
func (r *renderer) dateParts(label, value float64, align string) []part {
	var parts []part
	add := func(key func(*labels) string, t string) {
		l := textBlock(r.both(key), "", grey, 0.8, sizes(2, label, label-0.5)...)
		v := textBlock(t, "B", ink, 0, sizes(1, value, value-0.5, value-1)...)
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
// verify, as small as need be for the list to fit whole.
func (r *renderer) back(x, y float64) {
	ix, iw, top, bottom := x+cardPad, cardW-2*cardPad, y+cardPad, y+cardH-cardPad
	var foot []part
	if code := r.shortCode(); code != "" {
		foot = append(foot,
			textBlock(r.both(func(l *labels) string { return l.code }), "", grey, 0, sizes(1, labelSize, 4.5)...),
			&codeRow{code: code, url: r.verifyURL()},
		)
	}
	foot = append(foot,
		codeBlock(r.pri.howToCard, "", ink, 0.8, sizes(2, 5.5, 5.2)...),
		codeBlock(r.sec.howToCard, "", grey, 0.2, sizes(2, 5.2, 5)...),
	)
	st := listStyle{
		cands: slices.Concat(
			candidates(1, 2, 0.8, 8, 7.5),
			candidates(1, 2, 0.6, 7, 6.5, 6),
			candidates(1, 3, 0.6, 7, 6.5, 6),
			candidates(1, 1, 0.5, 6.5, 6, 5.5),
			candidates(1, 1, 0.3, 5.5, 5),
			candidates(2, 1, 0.45, 5.5, 5),
			candidates(2, 1, 0.3, 5, 4.5),
		),
		box: 0.62, line: 0.18, minTitle: 14, maxLevel: 0.12,
	}
	ly := r.text(r.both(func(l *labels) string { return l.competencies }), "", labelSize, grey, ix, top, iw, "L") + 0.6
	lx, lw := x+cardPad-rowInset, iw+2*rowInset
	// The first list layout that fits in one column beside the footer at
	// full size with every title whole; else cut; else the first that fits
	// with the footer at some scale, as large as it can be.
	var heights []float64 // the footer's, by scale
	for _, fs := range footScales {
		_, fh, _ := r.measureAt(foot, iw, fs)
		heights = append(heights, fh)
	}
	var plan levelPlan
	fi := len(footScales) - 1
search:
	for pass := range 3 {
		for _, cand := range st.cands {
			if pass < 2 && cand.cols > 1 {
				continue
			}
			if plan = r.layoutCandidate(st, cand, lw); plan.all == nil || pass == 0 && plan.cut {
				continue
			}
			for i, fh := range heights {
				if pass < 2 && i > 0 {
					break
				}
				if plan.place(st, bottom-fh-1.2-ly) {
					fi = i
					break search
				}
			}
		}
	}
	if !plan.fits {
		plan = r.planLevels(st, lw, bottom-heights[fi]-1.2-ly)
	}
	fs, fh := footScales[fi], heights[fi]
	r.stackAt(foot, ix, bottom-fh, iw, fh, fs)
	r.drawLevels(st, plan, lx, ly, lw)
}

// footScales are the scales of the back's footer: not below 4.4 pt.
var footScales = []float64{1, 0.94, 0.88}

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
	c.urlB = codeBlock(c.url, "", accent, 0, slices.Concat(sizes(1, 6.5, 6, 5.5, 5), sizes(2, 5.5, 5))...)
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
	for i, l := range []*labels{r.pri, r.sec} {
		size, c := 9.5, ink
		if i == 1 {
			size, c = 8.5, grey
		}
		y = r.text(l.guideTitle, "B", size+1.5, c, x, y, w, "L") + 1.5
		for _, g := range l.guide(code, issuer, domain, url) {
			y = r.textPara(newCode("•  "+g), "", size, c, x, y, w, "L") + 1.2
		}
		y += 6
	}
}
