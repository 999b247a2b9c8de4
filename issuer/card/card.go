// Package card renders the printable PDF of a credential: the learner's
// name, who issued it, the levels reached, and the QR code that any phone
// camera opens to check it. It alone in Carnet knows PDF and QR; fonts are
// embedded, nothing is fetched at run time.
//
// There are two layouts, both on one A4 page, the paper every mediator's
// printer takes:
//
//   - "card" (the default): a credit-card size card, 85.6 × 54 mm, to carry
//     in a wallet. Its front and back are printed side by side at the top of
//     the page, inside crop marks, and the strip is folded in two along a
//     marked line. One-sided printing and a fold, rather than duplex
//     printing, because library and public printers often print one side
//     only, and those that print both shift the back by a millimetre or two,
//     enough to cut a small card crooked; a fold registers front and back
//     exactly. The rest of the page says how to cut, fold and check it.
//     The front holds the name, the issuer, the framework, the date and the
//     QR code; the back the levels, the short code, the verification
//     address and how to verify.
//   - "a4": a one-page attestation to join to a job application, with the
//     same content, every competency title in full and a larger QR code.
//
// Levels are drawn on a scale of filled and empty boxes, which reads the
// same in black and white. The QR code is drawn as vector rectangles whose
// modules are whole pixels at 150 dpi (and so at 300 and 600 dpi), from a
// grid-aligned origin, so that it prints and renders sharp.
//
// fpdf neither joins Arabic letters nor reorders right-to-left text; this
// package shapes Arabic into its presentation forms and reorders lines
// itself (see shape.go). Characters the embedded fonts lack, such as
// Chinese, Japanese or Korean, print as □ with a note saying that the full
// name is in the QR code; the credential and the QR text always hold the
// name as given.
package card

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"carnet/schema"
)

// Layouts of Card.Layout.
const (
	LayoutCard = "card" // credit-card size, front and back, on A4 with cutting marks
	LayoutA4   = "a4"   // one-page A4 attestation
)

// Card is what a card shows.
type Card struct {
	Layout string // LayoutCard (default when empty) or LayoutA4
	// Lang is the card's language: "fr" (the default), or two languages,
	// the first in full and the second smaller: "fr+en", "en+fr" (see
	// Langs). "en" alone, as before, is "en+fr".
	Lang           string
	IssuerName     string // the structure that issued the credential
	IssuerDomain   string // where the issuer is, e.g. "carnet.bm-lille.fr": partners must see who issued
	Logo           []byte // the issuer's logo, PNG or JPEG; nil for none
	LearnerName    string
	FrameworkTitle string
	Levels         []Level
	IssuedAt       time.Time // printed as a date in its own location
	ValidUntil     time.Time // zero: no expiry
	QRText         string    // issuer.QRText: BASE_URL/c# and the card token in numeric form
	ShortCode      string    // e.g. "K7QM-4XPA-9D", typed at VerifyURL
	VerifyURL      string    // BASE_URL/verify, printed in plain text: the QR code's accessible alternative
	CredentialID   string
	// Next is what to work on next, one step per assessed competency in
	// the order of Levels, printed on the a4 layout ("Pour continuer"):
	// on its page when every step fits there, else on a second page;
	// empty: no such block.
	Next []NextStep

	// How the levels were assessed, printed on the a4 layout: the method
	// (empty: a sentence that says a mediator assessed them against the
	// framework's levels), the observed tasks and evidence, one line each,
	// and the mediator's name, printed only when set: a mediator is named
	// only when they chose to be at issuance.
	Method   string
	Evidence []string
	Mediator string
}

// NextStep is one competency's next level and a self-training resource
// that helps reach it.
type NextStep struct {
	Code       string // "1.1"
	Level      string // the next level: "4", "B2"
	LevelTitle string // "Niveau 4", "Niveau avancé"
	Label      string // as Level.Label; empty: LevelTitle
	Resource   string // the resource's name; empty: none suggested
	Link       string // its address as printed: "pix.fr"
	Top        bool   // the competency is at the framework's highest level: no next level
	// Places are the nearest places to continue it, nearest first (the a4
	// layout prints the first two): plain data that the caller gets from
	// the places directory.
	Places []Place
}

// Place is somewhere to continue a competency: a workshop or a place of
// the network, or another place whose services match.
type Place struct {
	Name       string  // "Atelier e-mail — Médiathèque Jean Lévy"
	Commune    string  // "Lille"
	DistanceKm float64 // from the issuing structure; < 0: unknown
	Phone      string
	Hours      string // as the place gives them (OpenStreetMap opening_hours)
}

// Level is one assessed competency and the level reached.
type Level struct {
	Code       string // "1.1"
	Title      string // "Naviguer, rechercher et filtrer des données…"
	Level      string // "3", "B1"
	LevelTitle string // "Niveau 3", "Niveau seuil"
	// Label is the level as every page shows it (schema.LevelLabel):
	// "Niveau 3 / 8 · Intermédiaire", "B1 · Utilisateur indépendant";
	// Short is its short form, for a cell too narrow: "3 / 8", "B1".
	// Empty: the level's title (levelText).
	Label, Short string
	Rank         int // the level's place on the framework's scale, 1 for the lowest; 0: unknown, no scale drawn
	Scale        int // the number of levels of the framework (8 for DigComp, 6 for the CEFR)
}

// RenderBytes renders c and returns the PDF.
func RenderBytes(c *Card) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(48 << 10)
	if err := Render(&buf, c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Render writes the PDF of c to w: one A4 page in either layout. Errors are
// *schema.Error (EINVALID) for a card that cannot be drawn, other errors
// when writing fails.
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
	layout := c.Layout
	if layout == "" {
		layout = LayoutCard
	}
	if layout != LayoutCard && layout != LayoutA4 {
		return schema.Errorf(schema.EINVALID, "card: unknown layout %q (card or a4)", "carte : format %q inconnu (card ou a4)", c.Layout)
	}
	if err := loadFonts(); err != nil {
		return fmt.Errorf("card: fonts: %w", err)
	}
	qr, err := encodeQR(c.QRText)
	if err != nil {
		return err
	}
	var logo *logoImage
	if len(c.Logo) > 0 {
		if logo, err = prepareLogo(c.Logo); err != nil {
			return err
		}
	}
	r, err := newRenderer(c, layout, logo)
	if err != nil {
		return err
	}
	if layout == LayoutA4 {
		r.attestation(qr)
	} else {
		r.cardSheet(qr)
	}
	if r.missing != nil {
		return fmt.Errorf("card: %q (%U) is printed but not in the page's font subset", *r.missing, *r.missing)
	}
	if err := r.pdf.Error(); err != nil {
		return fmt.Errorf("card: pdf: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(48 << 10)
	if err := r.pdf.Output(&buf); err != nil {
		return fmt.Errorf("card: pdf: %w", err)
	}
	out, err := printAtActualSize(buf.Bytes())
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("card: write: %w", err)
	}
	return nil
}

// printAtActualSize adds /ViewerPreferences << /PrintScaling /None >> to
// the document catalog of a PDF written by fpdf, which has no option for
// it: print dialogs then default to 100 %, not "fit to page", so that the
// card keeps its 85.6 × 54 mm and its QR code its 0.6 mm modules. fpdf
// writes the catalog as the last object, uncompressed, just before the
// cross-reference table: the entry goes in after "/Type /Catalog", and the
// startxref offset moves by its length; no other offset changes. The
// header's version becomes 1.6, the version of that entry.
func printAtActualSize(pdf []byte) ([]byte, error) {
	const catalog, entry = "/Type /Catalog\n", "/ViewerPreferences << /PrintScaling /None >>\n"
	i := bytes.LastIndex(pdf, []byte(catalog))
	j := bytes.LastIndex(pdf, []byte("\nstartxref\n"))
	k := bytes.LastIndex(pdf, []byte("\nxref\n"))
	if i < 0 || j < 0 || k < i || j < k {
		return nil, fmt.Errorf("card: pdf: no catalog before the cross-reference table")
	}
	start := j + len("\nstartxref\n")
	end := start
	for end < len(pdf) && pdf[end] >= '0' && pdf[end] <= '9' {
		end++
	}
	off, err := strconv.Atoi(string(pdf[start:end]))
	if err != nil || off != k+1 {
		return nil, fmt.Errorf("card: pdf: startxref %q is not the cross-reference table's offset %d", pdf[start:end], k+1)
	}
	at := i + len(catalog)
	out := make([]byte, 0, len(pdf)+len(entry)+2)
	// PrintScaling is a PDF 1.6 entry: the header says 1.6 (same length).
	if v := []byte("%PDF-1."); bytes.HasPrefix(pdf, v) && len(pdf) > len(v) && pdf[len(v)] >= '0' && pdf[len(v)] < '6' {
		out = append(out, "%PDF-1.6"...)
		pdf = pdf[len(v)+1:]
		at, start, end = at-len(v)-1, start-len(v)-1, end-len(v)-1
	}
	out = append(out, pdf[:at]...)
	out = append(out, entry...)
	out = append(out, pdf[at:start]...)
	out = strconv.AppendInt(out, int64(off+len(entry)), 10)
	out = append(out, pdf[end:]...)
	return out, nil
}

// Units are millimetres; font sizes are points.
const (
	ptMM  = 25.4 / 72
	pageW = 210.0
	pageH = 297.0
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
	logo     *logoImage
	runes    runeSet                     // the characters of the page's fonts
	missing  *rune                       // one printed that is not among them: a bug
	widths   map[string]map[rune]float64 // by style, at 1 pt, mm
	cur      map[rune]float64            // of the current style
	size     float64                     // the current size, pt
	minSize  float64                     // the smallest size fit sets, pt (the card's 7 pt); 0: none
}

func newRenderer(c *Card, layout string, logo *logoImage) (*renderer, error) {
	r := newLangRenderer(c)
	r.logo = logo
	lang := r.lang
	r.runes = r.pageRunes()
	regular, boldSub, err := fontSubsets(r.runes.sorted())
	if err != nil {
		return nil, fmt.Errorf("card: fonts: %w", err)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(0, 0, 0)
	pdf.SetCellMargin(0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.AddUTF8FontFromBytes("sans", "", regular)
	pdf.AddUTF8FontFromBytes("sans", "B", boldSub)
	// Viewers show metadata with their own fonts: the name as given.
	title := r.pri.title
	if layout == LayoutA4 {
		title = r.pri.attestation
	}
	pdf.SetTitle(title+" – "+meta(c.LearnerName), true)
	pdf.SetSubject(meta(c.FrameworkTitle), true)
	pdf.SetAuthor(meta(c.IssuerName), true)
	pdf.SetCreator("Carnet", true)
	pdf.SetLang(lang)
	if !c.IssuedAt.IsZero() { // same card, same file
		pdf.SetCreationDate(c.IssuedAt)
		pdf.SetModificationDate(c.IssuedAt)
	}
	pdf.AddPage()
	if logo != nil {
		logo.register(pdf)
	}
	r.pdf = pdf
	r.loadWidths()
	return r, nil
}

// pageRunes returns every character the page may print: the labels in both
// languages, the card's texts and the dates, the digits of counts, and the
// marks the layout adds (…, □).
func (r *renderer) pageRunes() runeSet {
	rs := runeSet{}
	c := r.c
	code, url := r.shortCode(), r.verifyURL()
	for _, l := range r.langs() {
		rs.add(l.strings()...)
		rs.add(l.guide(code, meta(c.IssuerName), meta(c.IssuerDomain), url)...)
		rs.add(l.guide("—", "", "", meta(c.IssuerDomain))...)
	}
	rs.add(c.LearnerName, c.IssuerName, c.IssuerDomain, c.FrameworkTitle, c.CredentialID, code, url)
	for _, l := range c.Levels {
		rs.add(l.Code, l.Title, l.Level, l.LevelTitle, levelText(l), l.Short)
	}
	places := 0 // at most, on the legend
	for _, n := range c.Next {
		rs.add(n.Code, n.Resource, n.Link, nextLevelText(n))
		for j, p := range n.Places {
			rs.add(placeText(p, "fr"), placeText(p, "en"))
			if j < nextPlacesN {
				places++
			}
		}
	}
	// The legend's keys, A, B, C…, and the rows' "A, B".
	for i := range places {
		rs.add(placeKey(i), ", ")
	}
	for _, l := range []*a4Labels{a4Texts["fr"], a4Texts["en"]} {
		rs.add(l.strings()...)
	}
	rs.add(c.Method, c.Mediator)
	rs.add(c.Evidence...)
	for _, t := range []time.Time{c.IssuedAt, c.ValidUntil} {
		if !t.IsZero() {
			rs.add(formatDate(t, r.lang))
		}
	}
	rs.add("0123456789 …·–•", string(missingMark))
	return rs
}

// put writes s with its baseline at (x, y) in the current font.
func (r *renderer) put(x, y float64, s string) {
	for _, c := range s {
		if _, ok := r.runes[c]; !ok && r.missing == nil && c != ' ' {
			r.missing = &c
		}
	}
	r.pdf.Text(x, y, s)
}

// font sets the current font: "" regular or "B" bold, at size points.
func (r *renderer) font(style string, size float64) {
	r.pdf.SetFont("sans", style, size)
	r.cur, r.size = r.widths[style], size
}

// loadWidths reads the width of every character of the page in both
// styles, at 1 pt: fpdf neither kerns nor shapes, so a text's width is the
// sum of its characters', and measuring runes beats asking fpdf about
// strings (a conversion and a map lookup per character) for the thousands
// of trial widths of a layout.
func (r *renderer) loadWidths() {
	r.widths = map[string]map[rune]float64{}
	for _, style := range []string{"", "B"} {
		m := make(map[rune]float64, len(r.runes))
		r.pdf.SetFont("sans", style, 1)
		for c := range r.runes {
			m[c] = r.pdf.GetStringWidth(string(c))
		}
		r.widths[style] = m
	}
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

// width returns the width of rs in the current font, mm.
func (r *renderer) width(rs []rune) float64 {
	w := 0.0
	for _, c := range rs {
		w += r.cur[c]
	}
	return w * r.size
}

// strWidth is width for a string.
func (r *renderer) strWidth(s string) float64 {
	w := 0.0
	for _, c := range s {
		w += r.cur[c]
	}
	return w * r.size
}

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
		for r.width(trimRight(word)) > w { // a word wider than the line: break it
			n := 1
			for n < len(word) && r.width(word[:n+1]) <= w {
				n++
			}
			// After a dot, slash or hyphen if there is one in the second
			// half, as addresses break, but not before a last piece of one
			// or two letters ("example." / "fr"); else anywhere.
			for k := n - 1; k > n/2; k-- {
				if strings.ContainsRune("./-", word[k-1]) && len(trimRight(word[k:])) > 2 {
					n = k
					break
				}
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

// fit sets p in the first of the candidate sizes, each multiplied by scale
// but not below r.minSize,
// at which it wraps into at most that many lines of width w; past the last
// candidate, it cuts the text with "…" and reports cut. It leaves the font
// set.
func (r *renderer) fit(p para, style string, w, scale float64, cands []sizeLines) (size float64, lines [][]rune, cut bool) {
	var c sizeLines
	for _, c = range cands {
		size = max(c.size*scale, r.minSize)
		r.font(style, size)
		lines = r.wrap(p, w)
		if len(lines) <= c.lines {
			return size, lines, false
		}
	}
	lines = lines[:c.lines]
	lines[c.lines-1] = r.ellipsize(lines[c.lines-1], w)
	return size, lines, true
}

// draw writes lines from top y in the current font, aligned "L", "C" or
// "R" in [x, x+w], and returns the y below them.
func (r *renderer) draw(ls [][]rune, rtl bool, x, y, w, size float64, align string) float64 {
	lh := lineHeight(size)
	for _, l := range ls {
		s := string(visual(l, rtl))
		tx := x
		switch align {
		case "C":
			tx = x + (w-r.strWidth(s))/2
		case "R":
			tx = x + w - r.strWidth(s)
		}
		r.put(tx, y+0.93*size*ptMM, s)
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

// both joins a label in the first and second language; the first alone on
// a card in one language.
func (r *renderer) both(key func(*labels) string) string {
	if r.sec == nil {
		return key(r.pri)
	}
	return key(r.pri) + " · " + key(r.sec)
}

// langs returns the labels of the card's languages: the first, and the
// second if any.
func (r *renderer) langs() []*labels {
	if r.sec == nil {
		return []*labels{r.pri}
	}
	return []*labels{r.pri, r.sec}
}

// Langs returns the first and second languages of a card language (Card.Lang):
// "fr" is French alone, "fr+en" French then English, "en" or "en+fr" English
// then French. Languages without the card's texts, and anything else, are
// French alone; a second language equal to the first is dropped.
func Langs(lang string) (first, second string) {
	a, b, two := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "+")
	if texts[a] == nil {
		return "fr", ""
	}
	if !two {
		if a == "en" { // the English card of before: English then French
			return "en", "fr"
		}
		return a, ""
	}
	if texts[b] == nil || b == a {
		return a, ""
	}
	return a, b
}

// LabelLangs are the languages the card's own texts (titles, labels, how
// to verify) are written in: the languages a card can print, where the
// framework's titles exist in them too.
func LabelLangs() []string {
	out := make([]string, 0, len(texts))
	for l := range texts {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// newLangRenderer is a renderer of c's texts in its languages, without its
// document.
func newLangRenderer(c *Card) *renderer {
	first, second := Langs(c.Lang)
	r := &renderer{c: c, lang: first, pri: texts[first]}
	if second != "" {
		r.sec = texts[second]
	}
	return r
}

// shortCode returns the printable short code: ASCII letters, digits and
// dashes.
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

// verifyURL returns the verification address as printed: no line breaks,
// no spaces.
func (r *renderer) verifyURL() string {
	return strings.Join(strings.Fields(meta(r.c.VerifyURL)), "")
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

// levelText is the level as printed in full: its label ("Niveau 3 / 8 ·
// Intermédiaire"); without one, "Niveau 3" when the title already names the
// level, else "B1 – Niveau seuil".
func levelText(l Level) string {
	switch {
	case l.Label != "":
		// A line may break before the band, not after the "·"
		// ("Niveau 3 / 8" / "· Intermédiaire").
		return strings.Replace(l.Label, " · ", " ·\u00a0", 1)
	case l.LevelTitle == "":
		return l.Level
	case l.Level == "" || strings.Contains(l.LevelTitle, l.Level):
		return l.LevelTitle
	}
	return l.Level + " – " + l.LevelTitle
}

// part is a piece of a vertical stack that can shrink: measure lays it out
// in width w with its font sizes multiplied by scale and returns its
// height, and whether it had to cut text; draw then draws that layout.
type part interface {
	measure(r *renderer, w, scale float64) (h float64, cut bool)
	draw(r *renderer, x, y, w float64)
}

// block is a text part: one paragraph, its style and colour, the sizes it
// may take, and the space above it.
type block struct {
	p     para
	style string
	color rgb
	cands []sizeLines
	gap   float64 // mm above, scaled too
	align string

	// the layout of the last measure
	size  float64
	lines [][]rune
	above float64
}

func textBlock(s, style string, c rgb, gap float64, cands ...sizeLines) *block {
	return &block{p: newPara(s), style: style, color: c, cands: cands, gap: gap, align: "L"}
}

func codeBlock(s, style string, c rgb, gap float64, cands ...sizeLines) *block {
	b := textBlock(s, style, c, gap, cands...)
	b.p = newCode(s)
	return b
}

func (b *block) measure(r *renderer, w, scale float64) (float64, bool) {
	if len(b.p.runes) == 0 {
		b.lines = nil
		return 0, false
	}
	var cut bool
	b.size, b.lines, cut = r.fit(b.p, b.style, w, scale, b.cands)
	b.above = b.gap * scale
	return b.above + float64(len(b.lines))*lineHeight(b.size), cut
}

func (b *block) draw(r *renderer, x, y, w float64) {
	if len(b.lines) == 0 {
		return
	}
	r.font(b.style, b.size)
	r.color(b.color)
	r.draw(b.lines, b.p.rtl, x, y+b.above, w, b.size, b.align)
}

// stackScales are the factors a stack's font sizes are multiplied by, in
// order, until it fits.
var stackScales = []float64{1, 0.94, 0.88, 0.82, 0.76}

// flex is an empty part that takes the height a stack leaves over.
type flex struct{}

func (flex) measure(*renderer, float64, float64) (float64, bool) { return 0, false }
func (flex) draw(*renderer, float64, float64, float64)           {}

// measureAt lays parts out in width w at scale s and returns their
// heights, the total, and whether any had to cut text.
func (r *renderer) measureAt(parts []part, w, s float64) (hs []float64, total float64, cut bool) {
	hs = make([]float64, len(parts))
	for j, p := range parts {
		ph, c := p.measure(r, w, s)
		hs[j] = ph
		total += ph
		cut = cut || c
	}
	return hs, total, cut
}

// scaleFor returns the largest of stackScales at which parts fit in w × h
// without cutting text; else the largest at which they fit, cut; else the
// smallest. ok reports the first case.
func (r *renderer) scaleFor(parts []part, w, h float64) (s float64, ok bool) {
	fitsCut := 0.0
	for _, s := range stackScales {
		_, total, cut := r.measureAt(parts, w, s)
		if total <= h+1e-9 {
			if !cut {
				return s, true
			}
			if fitsCut == 0 {
				fitsCut = s
			}
		}
	}
	if fitsCut > 0 {
		return fitsCut, false
	}
	return stackScales[len(stackScales)-1], false
}

// measureStack returns the height parts take in width w at their scale for
// a height of at most maxH.
func (r *renderer) measureStack(parts []part, w, maxH float64) float64 {
	s, _ := r.scaleFor(parts, w, maxH)
	_, total, _ := r.measureAt(parts, w, s)
	return total
}

// stack lays parts out top to bottom in width w from y, at their scale
// for height h (see scaleFor), and draws them; flex parts share the height
// left over. It returns the y below the last part.
func (r *renderer) stack(parts []part, x, y, w, h float64) float64 {
	s, _ := r.scaleFor(parts, w, h)
	return r.stackAt(parts, x, y, w, h, s)
}

// stackAt is stack at scale s.
func (r *renderer) stackAt(parts []part, x, y, w, h, s float64) float64 {
	hs, total, _ := r.measureAt(parts, w, s)
	flexes := 0
	for _, p := range parts {
		if _, ok := p.(flex); ok {
			flexes++
		}
	}
	for j, p := range parts {
		if _, ok := p.(flex); ok && total < h {
			y += (h - total) / float64(flexes)
			continue
		}
		p.draw(r, x, y, w)
		y += hs[j]
	}
	return y
}
