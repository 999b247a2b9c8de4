// Package card renders the printable PDF card of a credential: the learner's
// name, who issued it, the levels reached, and the QR code that any phone
// camera opens to check it. It alone in Carnet knows PDF and QR; fonts are
// embedded, nothing is fetched at run time.
//
// The page is A4 portrait, the paper every mediator's printer takes. The
// card is its top half, an A5 landscape sheet cut along one dashed line and
// folded in two to A6 if the learner likes. Credit-card size was not chosen:
// a QR code of a signed card token needs at least 40 mm to scan reliably from
// paper, and the card must still list up to 21 competencies (DigComp) in
// type a person can read. The bottom half explains, in French and English,
// how to keep and how to check the card.
//
// fpdf neither joins Arabic letters nor reorders right-to-left text; this
// package shapes Arabic into its presentation forms and reorders lines
// itself (see shape.go). Characters the DejaVu fonts lack, such as Chinese,
// Japanese or Korean, print as □ with a note saying that the full name is in
// the QR code; the credential and the QR text always hold the name as given.
package card

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"carnet/schema"
)

// Card is what a card shows.
type Card struct {
	Lang           string // "fr" (default) or "en": the first language of labels and dates
	IssuerName     string // the structure that issued the credential
	IssuerDomain   string // where the issuer is, e.g. "carnet.bm-lille.fr": partners must see who issued
	LearnerName    string
	FrameworkTitle string
	Levels         []Level
	IssuedAt       time.Time // printed as a date in its own location
	ValidUntil     time.Time // zero: no expiry
	QRText         string    // issuer.QRText: BASE_URL/c# and the card token in numeric form
	ShortCode      string    // e.g. "K7QM-4XPA-9D", printed under the QR code
	CredentialID   string
}

// Level is one assessed competency and the level reached.
type Level struct {
	Code       string // "1.1"
	Title      string // "Naviguer, rechercher et filtrer des données…"
	Level      string // "3", "B1"
	LevelTitle string // "Niveau 3", "Niveau seuil"
}

// RenderBytes renders c and returns the PDF.
func RenderBytes(c *Card) ([]byte, error) {
	var buf bytes.Buffer
	if err := Render(&buf, c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Render writes the PDF card of c to w: one A4 page, or more only for
// texts no font size can fit. Errors are *schema.Error (EINVALID) for a card
// that cannot be drawn, other errors when writing fails.
func Render(w io.Writer, c *Card) error {
	if c == nil {
		return schema.Errorf(schema.EINVALID, "card: no card", "carte : aucune carte")
	}
	if strings.TrimSpace(c.LearnerName) == "" {
		return schema.Errorf(schema.EINVALID, "card: the learner's name is empty", "carte : le nom de la personne est vide")
	}
	if c.QRText == "" {
		return schema.Errorf(schema.EINVALID, "card: the QR text is empty", "carte : le texte du QR code est vide")
	}
	if err := loadCoverage(); err != nil {
		return fmt.Errorf("card: fonts: %w", err)
	}
	qr, err := encodeQR(c.QRText)
	if err != nil {
		return err
	}
	r := newRenderer(c)
	r.card(qr)
	r.guide()
	if err := r.pdf.Error(); err != nil {
		return fmt.Errorf("card: pdf: %w", err)
	}
	if err := r.pdf.Output(w); err != nil {
		return fmt.Errorf("card: write: %w", err)
	}
	return nil
}

// Units are millimetres; font sizes are points.
const (
	ptMM = 25.4 / 72

	pageW = 210.0
	cutY  = 148.5 // the card is the top half of the page

	cardX, cardY, cardW, cardH = 5.0, 5.0, 200.0, 138.5 // the frame drawn inside the cut
	pad                        = 6.0                    // from the frame to the content
	qrColW                     = 58.0                   // right column: QR, code, dates
	colGap                     = 6.0
	labelSize                  = 6.5 // small grey labels
)

type rgb struct{ r, g, b int }

var (
	ink    = rgb{26, 26, 26}
	accent = rgb{23, 55, 94}
	grey   = rgb{95, 95, 95}
	rule   = rgb{170, 170, 170}
	zebra  = rgb{240, 243, 247}
)

type renderer struct {
	pdf      *fpdf.Fpdf
	c        *Card
	lang     string
	pri, sec *labels // first and second language
}

func newRenderer(c *Card) *renderer {
	lang := "fr"
	if strings.HasPrefix(strings.ToLower(c.Lang), "en") {
		lang = "en"
	}
	r := &renderer{c: c, lang: lang, pri: texts["fr"], sec: texts["en"]}
	if lang == "en" {
		r.pri, r.sec = r.sec, r.pri
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(0, 0, 0)
	pdf.SetCellMargin(0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.AddUTF8FontFromBytes("sans", "", sansTTF)
	pdf.AddUTF8FontFromBytes("sans", "B", sansBoldTTF)
	pdf.AddUTF8FontFromBytes("mono", "B", monoBoldTTF)
	// Viewers show metadata with their own fonts: the name as given.
	pdf.SetTitle(r.pri.title+" – "+meta(c.LearnerName), true)
	pdf.SetSubject(meta(c.FrameworkTitle), true)
	pdf.SetAuthor(meta(c.IssuerName), true)
	pdf.SetCreator("Carnet", true)
	pdf.SetLang(lang)
	if !c.IssuedAt.IsZero() { // same card, same file
		pdf.SetCreationDate(c.IssuedAt)
		pdf.SetModificationDate(c.IssuedAt)
	}
	pdf.AddPage()
	r.pdf = pdf
	return r
}

func (r *renderer) font(style string, size float64) {
	if style == "M" {
		r.pdf.SetFont("mono", "B", size)
		return
	}
	r.pdf.SetFont("sans", style, size)
}

func (r *renderer) color(c rgb) { r.pdf.SetTextColor(c.r, c.g, c.b) }

func lineHeight(size float64) float64 { return size * ptMM * 1.22 }

// para is a text ready for fpdf: printable runes in logical order, and its
// paragraph direction.
type para struct {
	runes   []rune
	rtl     bool
	missing bool // some characters were replaced by missingMark
	hyphens bool // lines may break after a hyphen (names, titles; not addresses)
}

// maxRunes bounds how much of a field is laid out: far more than any card
// can show, little enough to keep wrapping cheap.
const maxRunes = 600

func newPara(s string) para {
	rs, missing := printable(s)
	if len(rs) > maxRunes {
		rs = rs[:maxRunes]
	}
	return para{runes: rs, rtl: isRTL(rs), missing: missing, hyphens: true}
}

// newCode is newPara for addresses, ids and prose that holds them: lines
// break at spaces only, so "bm-lille.fr" is never cut at its hyphen.
func newCode(s string) para {
	p := newPara(s)
	p.hyphens = false
	return p
}

func (r *renderer) width(rs []rune) float64 { return r.pdf.GetStringWidth(string(rs)) }

// wrap breaks p into lines no wider than w in the current font: after
// spaces and hyphens, and inside a word only when the word alone is too
// wide.
func (r *renderer) wrap(p para, w float64) [][]rune {
	var lines [][]rune
	var cur []rune
	words := splitWords(p.runes, p.hyphens)
	for _, word := range words {
		try := append(append([]rune{}, cur...), word...)
		if r.width(trimRight(try)) <= w {
			cur = try
			continue
		}
		if len(cur) > 0 {
			lines = append(lines, trimRight(cur))
			cur = nil
		}
		for r.width(trimRight(word)) > w { // a word wider than the line: break it anywhere
			n := 1
			for n < len(word) && r.width(word[:n+1]) <= w {
				n++
			}
			lines = append(lines, word[:n])
			word = word[n:]
		}
		cur = append(cur, word...)
	}
	if len(trimRight(cur)) > 0 {
		lines = append(lines, trimRight(cur))
	}
	return lines
}

// splitWords cuts text after each space that may break a line and, if
// hyphens, after each hyphen inside a word. As in French typography, the
// spaces inside « » and before ; : ! ? do not break.
func splitWords(rs []rune, hyphens bool) [][]rune {
	var words [][]rune
	start := 0
	for i, c := range rs {
		brk := false
		switch {
		case c == ' ':
			brk = !(i > 0 && strings.ContainsRune("«‹", rs[i-1]) || i+1 < len(rs) && strings.ContainsRune("»›;:!?", rs[i+1]))
		case c == '-' || c == '‐':
			brk = hyphens && i > start && i+1 < len(rs) && rs[i+1] != ' '
		}
		if brk {
			words = append(words, rs[start:i+1])
			start = i + 1
		}
	}
	if start < len(rs) {
		words = append(words, rs[start:])
	}
	return words
}

func trimRight(rs []rune) []rune {
	for len(rs) > 0 && rs[len(rs)-1] == ' ' {
		rs = rs[:len(rs)-1]
	}
	return rs
}

// ellipsize shortens line with "…" until it is no wider than w.
func (r *renderer) ellipsize(line []rune, w float64) []rune {
	line = trimRight(line)
	for len(line) > 0 && r.width(append(append([]rune{}, line...), '…')) > w {
		line = trimRight(line[:len(line)-1])
	}
	return append(append([]rune{}, line...), '…')
}

// fit sets p in the first of the candidate sizes at which it wraps into at
// most that many lines of width w; past the last candidate, it cuts the
// text with "…". It leaves the font set.
func (r *renderer) fit(p para, style string, w float64, cands []sizeLines) (float64, [][]rune) {
	var (
		c     sizeLines
		lines [][]rune
	)
	for _, c = range cands {
		r.font(style, c.size)
		lines = r.wrap(p, w)
		if len(lines) <= c.lines {
			return c.size, lines
		}
	}
	lines = lines[:c.lines]
	lines[c.lines-1] = r.ellipsize(lines[c.lines-1], w)
	return c.size, lines
}

// sizeLines is a font size and the most lines a text may take at it.
type sizeLines struct {
	size  float64
	lines int
}

// sizes returns one candidate per size, each with the same number of lines.
func sizes(lines int, ss ...float64) []sizeLines {
	cs := make([]sizeLines, len(ss))
	for i, s := range ss {
		cs[i] = sizeLines{s, lines}
	}
	return cs
}

// nameSizes favour a name on one line in large type, then on two, then on
// three lines in smaller type: a name cut in the middle reads worse than a
// slightly smaller one.
var nameSizes = slices.Concat(sizes(1, 22, 20, 18, 16), sizes(2, 20, 18, 16, 15, 14), sizes(3, 13, 12, 11, 10, 9))

// draw writes lines from top y in the current font, aligned "L", "C" or
// "R" in [x, x+w], and returns the y below them.
func (r *renderer) draw(ls [][]rune, rtl bool, x, y, w, size float64, align string) float64 {
	lh := lineHeight(size)
	for _, l := range ls {
		s := string(visual(l, rtl))
		tx := x
		switch align {
		case "C":
			tx = x + (w-r.pdf.GetStringWidth(s))/2
		case "R":
			tx = x + w - r.pdf.GetStringWidth(s)
		}
		r.pdf.Text(tx, y+0.93*size*ptMM, s)
		y += lh
	}
	return y
}

// text wraps s at one size and draws it.
func (r *renderer) text(s, style string, size float64, c rgb, x, y, w float64, align string) float64 {
	return r.textPara(newPara(s), style, size, c, x, y, w, align)
}

func (r *renderer) textPara(p para, style string, size float64, c rgb, x, y, w float64, align string) float64 {
	r.font(style, size)
	r.color(c)
	return r.draw(r.wrap(p, w), p.rtl, x, y, w, size, align)
}

// label draws a small grey label in both languages.
func (r *renderer) label(key func(*labels) string, x, y, w float64, align string) float64 {
	return r.text(key(r.pri)+" · "+key(r.sec), "", labelSize, grey, x, y, w, align)
}

// card draws the card: frame, left column (title, name, issuer, framework,
// levels) and right column (QR, short code, dates).
func (r *renderer) card(qr *qrcode.QRCode) {
	pdf := r.pdf
	pdf.SetDrawColor(rule.r, rule.g, rule.b)
	pdf.SetLineWidth(0.3)
	pdf.RoundedRect(cardX, cardY, cardW, cardH, 3, "1234", "D")
	// Cut line across the page, with scissors.
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 1.5}, 0)
	pdf.Line(0, cutY, pageW, cutY)
	pdf.SetDashPattern(nil, 0)
	r.font("", 9)
	r.color(grey)
	cut := "✂ " + r.pri.cut + " · " + r.sec.cut
	cw := pdf.GetStringWidth(cut) + 2
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(10, cutY-2, cw, 4, "F")
	pdf.Text(11, cutY+1.1, cut)

	top, bottom := cardY+pad, cardY+cardH-pad
	lx, rx := cardX+pad, cardX+cardW-pad-qrColW
	lw := rx - colGap - lx

	// Right column: the QR code, the short code under it, how to scan; the
	// dates and the credential id at the bottom.
	drawQR(pdf, qr, rx, top, qrColW)
	y := top + qrColW + 1
	if code := r.shortCode(); code != "" {
		size := 17.0
		r.font("M", size)
		for size > 9 && pdf.GetStringWidth(code) > qrColW {
			size--
			r.font("M", size)
		}
		r.color(ink)
		pdf.Text(rx+(qrColW-pdf.GetStringWidth(code))/2, y+0.8*size*ptMM, code)
		y += size * ptMM * 1.05
		y = r.label(func(l *labels) string { return l.code }, rx, y, qrColW, "C")
	}
	y += 2
	y = r.text(r.pri.scan, "", 8, ink, rx, y, qrColW, "C")
	y = r.text(r.sec.scan, "", 7, grey, rx, y+0.5, qrColW, "C")
	r.datesAndID(rx, y+3, qrColW, bottom)

	// Left column.
	y = r.title(lx, top, lw)
	name := newPara(r.c.LearnerName)
	size, ls := r.fit(name, "B", lw, nameSizes)
	r.color(ink)
	y = r.draw(ls, name.rtl, lx, y+1.5, lw, size, "L")
	if name.missing {
		y = r.label(func(l *labels) string { return l.missing }, lx, y+0.5, lw, "L")
	}
	y += 3

	y = r.label(func(l *labels) string { return l.issuedBy }, lx, y, lw, "L")
	issuer := newPara(r.c.IssuerName)
	size, ls = r.fit(issuer, "B", lw, sizes(2, 12, 11, 10, 9, 8))
	r.color(ink)
	y = r.draw(ls, issuer.rtl, lx, y+0.3, lw, size, "L")
	if r.c.IssuerDomain != "" {
		dom := newCode(r.c.IssuerDomain)
		size, ls = r.fit(dom, "", lw, slices.Concat(sizes(1, 10, 9, 8, 7), sizes(3, 7, 6)))
		r.color(accent)
		y = r.draw(ls, dom.rtl, lx, y, lw, size, "L")
	}
	y += 2.5

	if r.c.FrameworkTitle != "" {
		y = r.label(func(l *labels) string { return l.framework }, lx, y, lw, "L")
		fw := newPara(r.c.FrameworkTitle)
		size, ls = r.fit(fw, "", lw, sizes(2, 9.5, 9, 8.5, 8, 7.5, 7))
		r.color(ink)
		y = r.draw(ls, fw.rtl, lx, y+0.3, lw, size, "L")
		y += 2.5
	}
	if len(r.c.Levels) > 0 {
		y = r.label(func(l *labels) string { return l.competencies }, lx, y, lw, "L")
		r.levels(lx, y+0.8, lw, bottom-y-0.8)
	}
}

// shortCode returns the printable short code: ASCII letters, digits and
// dashes, the alphabet of the monospace font.
func (r *renderer) shortCode() string {
	return strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' {
			return c
		}
		if c == ' ' {
			return -1
		}
		return '?'
	}, r.c.ShortCode)
}

// title draws "Carnet de compétences" large and its translation after it.
func (r *renderer) title(x, y, w float64) float64 {
	const big, small = 15.0, 10.0
	base := y + 0.93*big*ptMM
	r.font("B", big)
	r.color(accent)
	r.pdf.Text(x, base, r.pri.title)
	tw := r.pdf.GetStringWidth(r.pri.title)
	r.font("", small)
	r.color(grey)
	if tw+3+r.pdf.GetStringWidth(r.sec.title) <= w {
		r.pdf.Text(x+tw+3, base, r.sec.title)
		return y + lineHeight(big)
	}
	r.pdf.Text(x, base+lineHeight(small), r.sec.title)
	return y + lineHeight(big) + lineHeight(small)
}

// datesAndID draws the issue and expiry dates and the credential id at the
// bottom of the right column, or from y if that would overlap.
func (r *renderer) datesAndID(x, y, w, bottom float64) {
	type block struct {
		label func(*labels) string
		value string
	}
	var blocks []block
	if !r.c.IssuedAt.IsZero() {
		blocks = append(blocks, block{func(l *labels) string { return l.issuedOn }, formatDate(r.c.IssuedAt, r.lang)})
	}
	if !r.c.ValidUntil.IsZero() {
		blocks = append(blocks, block{func(l *labels) string { return l.validUntil }, formatDate(r.c.ValidUntil, r.lang)})
	}
	const idSize = 5.5
	id := newCode(r.c.CredentialID)
	r.font("", idSize)
	idLines := r.wrap(id, w)
	h := float64(len(blocks))*(lineHeight(labelSize)+lineHeight(9)+1) + float64(len(idLines))*lineHeight(idSize)
	y = max(y, bottom-h)
	for _, b := range blocks {
		y = r.label(b.label, x, y, w, "C")
		y = r.text(b.value, "B", 9, ink, x, y, w, "C") + 1
	}
	r.font("", idSize)
	r.color(grey)
	r.draw(idLines, id.rtl, x, y, w, idSize, "C")
}

var monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// formatDate writes a date in full, in French ("1er mars 2026") or English
// ("1 March 2026"): unambiguous for readers of either language, where
// 03/01/2026 is not.
func formatDate(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("2 January 2006")
	}
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, monthsFR[t.Month()-1], t.Year())
}

// guide draws, under the cut line, how to keep and check the card.
func (r *renderer) guide() {
	x, w := 18.0, pageW-36
	y := cutY + 14
	code := r.shortCode()
	if code == "" {
		code = "—"
	}
	issuer, domain := meta(r.c.IssuerName), meta(r.c.IssuerDomain)
	for i, l := range []*labels{r.pri, r.sec} {
		size, c := 9.5, ink
		if i == 1 {
			size, c = 8.5, grey
		}
		y = r.text(l.guideTitle, "B", size+1.5, c, x, y, w, "L") + 1.5
		for _, g := range l.guide(code, issuer, domain) {
			y = r.textPara(newCode("•  "+g), "", size, c, x, y, w, "L") + 1.2
		}
		y += 6
	}
}

// levelCandidate is one way of setting the competency list: a font size, a
// number of columns, and whether titles may wrap or are cut to one line.
type levelCandidate struct {
	size    float64
	cols    int
	oneLine bool
}

// levelCandidates are tried in order until the list fits: one column while
// the type stays large, then two, then smaller type, then one line per
// competency.
var levelCandidates = func() []levelCandidate {
	var cs []levelCandidate
	add := func(sizes []float64, cols int, one bool) {
		for _, s := range sizes {
			cs = append(cs, levelCandidate{s, cols, one})
		}
	}
	large, small := []float64{10, 9.5, 9, 8.5, 8}, []float64{7.5, 7, 6.5}
	add(large, 1, false)
	add(large, 2, false)
	add(small, 1, false)
	add(small, 2, false)
	add([]float64{8, 7.5, 7, 6.5}, 1, true)
	add([]float64{8, 7.5, 7, 6.5}, 2, true)
	return cs
}()

// levelRow is one competency laid out: its cells' lines and its height.
type levelRow struct {
	code, title, level []([]rune)
	rtl                bool
	h                  float64
}

const (
	rowPad  = 0.7 // above and below a row's text
	cellGap = 2.0 // between cells of a row
	colSep  = 4.0 // between columns of the list
)

// levels draws the competency list in the box (x, y, w, h), with the first
// candidate layout that fits; if none does (dozens of competencies), the
// rows that fit and a last line counting the others, which the QR code and
// the credential hold.
func (r *renderer) levels(x, y, w, h float64) {
	var (
		rows   []levelRow
		cand   levelCandidate
		colW   float64
		widths [3]float64
		fits   bool
	)
	for _, cand = range levelCandidates {
		colW = (w - float64(cand.cols-1)*colSep) / float64(cand.cols)
		rows, widths = r.layoutLevels(cand, colW)
		if rows == nil {
			continue
		}
		if _, ok := placeRows(rows, cand.cols, h); ok {
			fits = true
			break
		}
	}
	lh := lineHeight(cand.size)
	avail, more := h, 0
	if !fits { // keep the rows that fit above a line counting the others
		avail = max(0, h-lh-2*rowPad)
		rows, widths = r.layoutLevels(cand, colW)
		n := len(rows)
		for n > 0 {
			if _, ok := placeRows(rows[:n], cand.cols, avail); ok {
				break
			}
			n--
		}
		rows, more = rows[:n], len(rows)-n
	}
	cols, _ := placeRows(rows, cand.cols, avail)
	i := 0
	for c, n := range cols {
		cx, cy := x+float64(c)*(colW+colSep), y
		for k := 0; k < n; k, i = k+1, i+1 {
			row := rows[i]
			if k%2 == 0 {
				r.pdf.SetFillColor(zebra.r, zebra.g, zebra.b)
				r.pdf.Rect(cx, cy, colW, row.h, "F")
			}
			ty := cy + rowPad
			r.font("B", cand.size)
			r.color(accent)
			r.draw(row.code, false, cx+1, ty, widths[0], cand.size, "L")
			r.font("", cand.size)
			r.color(ink)
			r.draw(row.title, row.rtl, cx+1+widths[0]+cellGap, ty, widths[1], cand.size, "L")
			r.font("B", cand.size)
			r.color(accent)
			r.draw(row.level, false, cx+colW-1-widths[2], ty, widths[2], cand.size, "R")
			cy += row.h
		}
	}
	if more > 0 {
		ty := y + avail + rowPad
		r.text(fmt.Sprintf(r.pri.more, more)+" · "+fmt.Sprintf(r.sec.more, more), "", cand.size, grey, x+1, ty, w-2, "L")
	}
}

// layoutLevels wraps every competency for one candidate. It returns the
// rows and the widths of the code, title and level cells, or nil when the
// title cell would be too narrow to read.
func (r *renderer) layoutLevels(cand levelCandidate, colW float64) ([]levelRow, [3]float64) {
	inner := colW - 2
	type texts struct{ code, title, level para }
	all := make([]texts, len(r.c.Levels))
	var codeW, titleW, levelW float64 // the widest of each cell
	for i, l := range r.c.Levels {
		t := texts{newPara(l.Code), newPara(l.Title), newPara(levelText(l))}
		r.font("B", cand.size)
		codeW = max(codeW, r.width(t.code.runes))
		levelW = max(levelW, r.width(t.level.runes))
		r.font("", cand.size)
		titleW = max(titleW, r.width(t.title.runes))
		all[i] = t
	}
	// Codes are short; levels ("Niveau 3", "B1 – Niveau seuil") get what
	// titles leave, and at least a third of the row.
	codeW = min(codeW, inner*0.2)
	levelW = min(levelW, max(inner*0.35, inner-codeW-2*cellGap-titleW))
	titleW = inner - codeW - levelW - 2*cellGap
	if titleW < 20 {
		return nil, [3]float64{}
	}
	cut := func(ls [][]rune, w float64) [][]rune {
		if cand.oneLine && len(ls) > 1 {
			return [][]rune{r.ellipsize(ls[0], w)}
		}
		return ls
	}
	lh := lineHeight(cand.size)
	rows := make([]levelRow, len(all))
	for i, t := range all {
		r.font("B", cand.size)
		row := levelRow{
			code:  cut(r.wrap(t.code, codeW), codeW),
			level: cut(r.wrap(t.level, levelW), levelW),
			rtl:   t.title.rtl,
		}
		r.font("", cand.size)
		row.title = cut(r.wrap(t.title, titleW), titleW)
		n := max(len(row.code), len(row.title), len(row.level), 1)
		row.h = float64(n)*lh + 2*rowPad
		rows[i] = row
	}
	return rows, [3]float64{codeW, titleW, levelW}
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

// levelText is the level as printed: "Niveau 3" when the title already
// names the level, else "B1 – Niveau seuil".
func levelText(l Level) string {
	switch {
	case l.LevelTitle == "":
		return l.Level
	case l.Level == "" || strings.Contains(l.LevelTitle, l.Level):
		return l.LevelTitle
	}
	return l.Level + " – " + l.LevelTitle
}
