package card

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"carnet/schema"
)

// A group's sheets: the cards of a workshop or a batch in one PDF, to
// print at once. Layout "card": each card's strip (front and back side by
// side, folded along the dotted line, as the single card) four to an A4
// page, with crop marks at every strip's corners and fold marks; layout
// "a4": one certificate per page.
const (
	sheetStrips = 4
	sheetGap    = 14.0 // between two strips: room for both crop marks
	sheetPitch  = cardH + sheetGap
	sheetTop    = (pageH - sheetStrips*cardH - (sheetStrips-1)*sheetGap) / 2

	// sheetPartPages is how many pages fpdf draws before they are written
	// out (BENCHMARKS.md: the memory and the size it costs).
	sheetPartPages = 8
)

// Cards yields a group's cards, in order, to yield; it stops at yield's
// first error and returns it. RenderSheets calls it twice.
type Cards func(yield func(*Card) error) error

// RenderSheets writes one PDF of every card cards yields, in layout
// (LayoutCard or LayoutA4). cards is called twice: first to cut the
// document's fonts to the characters of every card, then to draw them;
// no card is kept from one card to the next, so a caller that reads
// each from storage holds one at a time. The pages are written to w as
// they are drawn, sheetPartPages at a time: the memory it takes does not
// grow with the number of cards, and w gets the first pages before the
// last card is read (an error then leaves w with part of a document).
// lang is the document's language (a card language, see Langs); each
// card keeps its own.
func RenderSheets(w io.Writer, layout, lang string, cards Cards) error {
	if layout == "" {
		layout = LayoutCard
	}
	if layout != LayoutCard && layout != LayoutA4 {
		return schema.Errorf(schema.EINVALID, "card: unknown layout %q (card or a4)", "carte : format %q inconnu (card ou a4)", layout)
	}
	if err := loadFonts(); err != nil {
		return fmt.Errorf("card: fonts: %w", err)
	}
	// First pass: the characters of every card, and their logos.
	runes := runeSet{}
	logos := map[string]*logoImage{}
	n := 0
	err := cards(func(c *Card) error {
		if err := checkCard(c); err != nil {
			return err
		}
		r := newLangRenderer(c)
		for k := range r.pageRunes() {
			runes[k] = struct{}{}
		}
		if len(c.Logo) > 0 {
			l, err := prepareLogo(c.Logo)
			if err != nil {
				return err
			}
			logos[l.name] = l
		}
		n++
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return schema.Errorf(schema.EINVALID, "card: no card to print", "carte : aucune carte à imprimer")
	}
	regular, boldSub, err := fontSubsets(runes.sorted())
	if err != nil {
		return fmt.Errorf("card: fonts: %w", err)
	}
	docLang, l2 := Langs(lang)
	doc := &renderer{pri: texts[docLang]}
	if l2 != "" {
		doc.sec = texts[l2]
	}
	title := doc.both(func(l *labels) string { return l.title })
	if layout == LayoutA4 {
		title = doc.both(func(l *labels) string { return l.attestation })
	}
	// The document is drawn by parts of sheetPartPages pages, each an
	// fpdf document written out and joined to the others as soon as it
	// is full (sheetJoin): fpdf holds a document's pages uncompressed
	// until the end, some 45 KB a card.
	perPart := sheetPartPages * sheetStrips
	if layout == LayoutA4 {
		perPart = sheetPartPages
	}
	join := newSheetJoin(w)
	var (
		pdf  *fpdf.Fpdf
		base *renderer
		part bytes.Buffer
	)
	flush := func() error {
		if pdf == nil {
			return nil
		}
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("card: pdf: %w", err)
		}
		part.Reset()
		if err := pdf.Output(&part); err != nil {
			return fmt.Errorf("card: pdf: %w", err)
		}
		pdf = nil
		if err := join.add(part.Bytes()); err != nil {
			return fmt.Errorf("card: write: %w", err)
		}
		return nil
	}
	newPart := func() {
		pdf = fpdf.New("P", "mm", "A4", "")
		pdf.SetMargins(0, 0, 0)
		pdf.SetCellMargin(0)
		pdf.SetAutoPageBreak(false, 0)
		pdf.SetCompression(true)
		pdf.SetCatalogSort(true)
		pdf.AddUTF8FontFromBytes("sans", "", regular)
		pdf.AddUTF8FontFromBytes("sans", "B", boldSub)
		pdf.SetLang(docLang)
		pdf.SetTitle(title, true)
		pdf.SetCreator("Carnet", true)
		for _, l := range logos {
			l.register(pdf)
		}
		base = &renderer{pdf: pdf, runes: runes}
		base.loadWidths()
	}

	// Second pass: draw.
	i := 0
	err = cards(func(c *Card) error {
		if err := checkCard(c); err != nil {
			return err
		}
		if i == n {
			return schema.Errorf(schema.EINVALID, "card: more cards than counted", "carte : plus de cartes que comptées")
		}
		if i%perPart == 0 {
			if err := flush(); err != nil {
				return err
			}
			newPart()
		}
		r := newLangRenderer(c)
		r.pdf, r.runes, r.widths = pdf, runes, base.widths
		if len(c.Logo) > 0 {
			l, err := prepareLogo(c.Logo)
			if err != nil {
				return err
			}
			r.logo = logos[l.name]
		}
		q, err := encodeQR(c.QRText)
		if err != nil {
			return err
		}
		if layout == LayoutA4 {
			pdf.AddPage()
			r.attestation(q)
		} else {
			k := i % sheetStrips
			if k == 0 {
				pdf.AddPage()
			}
			y := sheetTop + float64(k)*sheetPitch
			r.stripMarks(y)
			r.front(q, stripX, y)
			r.back(stripX+cardW, y)
		}
		if r.missing != nil {
			return fmt.Errorf("card: %q (%U) is printed but not in the document's font subset", *r.missing, *r.missing)
		}
		i++
		return pdf.Error()
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if err := join.close(); err != nil {
		return fmt.Errorf("card: write: %w", err)
	}
	return nil
}

// checkCard refuses a card that cannot be drawn, as Render does.
func checkCard(c *Card) error {
	if c == nil {
		return schema.Errorf(schema.EINVALID, "card: no card", "carte : aucune carte")
	}
	if strings.TrimSpace(c.LearnerName) == "" {
		return schema.Errorf(schema.EINVALID, "card: the learner's name is empty", "carte : le nom de la personne est vide")
	}
	if c.QRText == "" {
		return schema.Errorf(schema.EINVALID, "card: the QR text is empty", "carte : le texte du QR code est vide")
	}
	return nil
}

// stripMarks draws a strip's crop marks at its corners, its fold marks and
// dotted fold line, and a hairline outline, with the strip's top at y.
func (r *renderer) stripMarks(y0 float64) {
	pdf := r.pdf
	x0, x1, y1 := stripX, stripX+2*cardW, y0+cardH
	fold := stripX + cardW
	pdf.SetDrawColor(225, 225, 225)
	pdf.SetLineWidth(0.1)
	pdf.Rect(x0, y0, x1-x0, y1-y0, "D")
	pdf.SetDashPattern([]float64{0.6, 0.9}, 0)
	pdf.SetDrawColor(rule.r, rule.g, rule.b)
	pdf.Line(fold, y0, fold, y1)
	pdf.SetDashPattern(nil, 0)
	pdf.SetDrawColor(ink.r, ink.g, ink.b)
	pdf.SetLineWidth(0.25)
	for _, c := range [][2]float64{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
		dx, dy := 1.0, 1.0 // outwards
		if c[0] == x0 {
			dx = -1
		}
		if c[1] == y0 {
			dy = -1
		}
		pdf.Line(c[0]+dx*markGap, c[1], c[0]+dx*(markGap+markLen), c[1])
		pdf.Line(c[0], c[1]+dy*markGap, c[0], c[1]+dy*(markGap+markLen))
	}
	pdf.SetDashPattern([]float64{1, 0.8}, 0)
	pdf.Line(fold, y0-markGap, fold, y0-markGap-markLen)
	pdf.Line(fold, y1+markGap, fold, y1+markGap+markLen)
	pdf.SetDashPattern(nil, 0)
}
