package card

import (
	"slices"

	"carnet/issuer/card/internal/qr"
)

// The a4 layout: a one-page attestation.
const (
	a4Margin = 18.0 // left and right
	a4Top    = 15.0
	a4Bottom = pageH - 14
	a4QRMax  = 58.0 // the QR code's side, at most, mm
)

// attestation draws the a4 layout: the issuer at the top, the title, the
// learner, framework and dates, the competencies in full, and at the bottom
// how to verify, beside the QR code.
func (r *renderer) attestation(q *qr.Code) {
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
	module, side := qrSize(q, a4QRMax, 4)
	tx := x + side + 6
	tw := x + w - tx
	var ver []part
	ver = append(ver,
		textBlock(r.pri.verifyTitle, "B", accent, 0, sizes(1, 12, 11)...),
		textBlock(r.sec.verifyTitle, "", grey, 0, sizes(1, 9, 8.5)...),
		codeBlock(r.pri.howToA4, "", ink, 2, sizes(3, 9, 8.5, 8)...),
		codeBlock(r.sec.howToA4, "", grey, 1, sizes(3, 8, 7.5, 7)...),
	)
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
	top := []part{
		textBlock(r.pri.attestation, "B", accent, 0, sizes(1, 24, 22, 20)...),
		textBlock(r.sec.attestation, "", grey, 0, sizes(1, 13, 12)...),
		textBlock(r.both(func(l *labels) string { return l.issuedTo }), "", grey, 6, sizes(1, 8)...),
		&block{p: name, style: "B", color: ink, gap: 0.5, align: "L", cands: slices.Concat(
			sizes(1, 22, 20, 18), sizes(2, 18, 16, 15, 14), sizes(3, 13, 12, 11))},
	}
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
		r.levels(listStyle{
			cands: slices.Concat(
				candidates(1, 4, 2, 10.5, 10),
				candidates(1, 4, 1.5, 10, 9.5, 9),
				candidates(1, 4, 1, 9, 8.5, 8, 7.5),
				candidates(1, 4, 0.6, 7.5, 7),
				candidates(1, 1, 0.6, 7.5, 7),
				candidates(2, 1, 0.5, 7, 6.5, 6),
			),
			levelTitles: true, header: true, box: 0.62, line: 0.2, minTitle: 45, maxLevel: 0.24,
		}, x, y, w, by-5-3-y)
	}
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
