package card_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"carnet/issuer/card"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// TestRenderSheets: six cards on two A4 pages of four strips, and six
// certificates on six pages; every card's QR code scans to its own
// token.
func TestRenderSheets(t *testing.T) {
	tools(t, "pdftoppm", "zbarimg")
	names := []string{"Awa Diallo", "Éloïse Ndiaye", "Karim Benali", "Lina Haddad", "Zoë Martin", "Paul Durand"}
	var cards []*card.Card
	for _, n := range names {
		c := newCard(t, n, six())
		c.QRText = genuineQR(t, n, six())
		cards = append(cards, c)
	}
	each := func(yield func(*card.Card) error) error {
		for _, c := range cards {
			if err := yield(c); err != nil {
				return err
			}
		}
		return nil
	}
	for layout, pages := range map[string]int{card.LayoutCard: 2, card.LayoutA4: 6} {
		var buf bytes.Buffer
		if err := card.RenderSheets(&buf, layout, "fr", each); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		pdf := filepath.Join(dir, "sheet.pdf")
		os.WriteFile(pdf, buf.Bytes(), 0o600)
		if out, err := exec.Command("pdftoppm", "-r", "200", "-gray", "-png", pdf, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
		if len(pngs) != pages {
			t.Errorf("%s: %d pages, want %d", layout, len(pngs), pages)
		}
		var got []string
		for _, p := range pngs {
			out, _ := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if line != "" {
					got = append(got, nameInQR(t, line))
				}
			}
		}
		want := append([]string(nil), names...)
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: QR codes read %q, want %q", layout, got, want)
		}
	}
	if err := card.RenderSheets(&bytes.Buffer{}, card.LayoutCard, "fr", func(func(*card.Card) error) error { return nil }); err == nil {
		t.Error("an empty group printed")
	}
}

// TestRenderSheetsParts: a group larger than one part (36 cards: nine
// pages, drawn as a part of eight and a part of one) is one valid PDF
// whose pages are written out as they are drawn, not at the end: the
// first part is already written when the last card is drawn. Every card
// is on its page, in order, and every QR code scans to its own token.
func TestRenderSheetsParts(t *testing.T) {
	tools(t, "pdftoppm", "zbarimg", "pdfinfo", "pdftotext")
	const n = 36
	names := make([]string, n)
	qrs := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("Personne %02d Éloïse", i+1)
		qrs[i] = genuineQR(t, names[i], six())
	}
	var out bytes.Buffer
	pass, atLast := 0, -1
	each := func(yield func(*card.Card) error) error {
		pass++
		for i, name := range names {
			if pass == 2 && i == n-1 {
				atLast = out.Len()
			}
			c := newCard(t, name, six()[:2+i%5])
			c.QRText = qrs[i]
			if err := yield(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := card.RenderSheets(&out, card.LayoutCard, "fr", each); err != nil {
		t.Fatal(err)
	}
	if atLast < 100_000 {
		t.Errorf("%d bytes written when the last card was drawn, of %d: the pages are held to the end", atLast, out.Len())
	}
	conf := model.NewStatelessConfiguration()
	conf.ValidationMode = model.ValidationStrict
	if err := api.Validate(context.Background(), bytes.NewReader(out.Bytes()), conf, nil); err != nil {
		t.Errorf("pdfcpu (strict): %v", err)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "sheets.pdf")
	os.WriteFile(pdf, out.Bytes(), 0o600)
	info, err := exec.Command("pdfinfo", pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v %s", err, info)
	}
	for _, want := range []string{"Pages:           9", "Title:           Carnet de compétences · Skills card", "A4"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("pdfinfo says\n%s\nwant %q", info, want)
		}
	}
	for p := 1; p <= 9; p++ {
		text, err := exec.Command("pdftotext", "-f", fmt.Sprint(p), "-l", fmt.Sprint(p), "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for i := (p - 1) * 4; i < p*4; i++ {
			if !strings.Contains(string(text), names[i]) {
				t.Errorf("page %d: %q missing", p, names[i])
			}
		}
	}
	if o, err := exec.Command("pdftoppm", "-r", "150", "-gray", "-png", pdf, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, o)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	var got []string
	for _, p := range pngs {
		o, _ := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
		for _, line := range strings.Split(strings.TrimSpace(string(o)), "\n") {
			if line != "" {
				got = append(got, nameInQR(t, line))
			}
		}
	}
	sort.Strings(got)
	if strings.Join(got, "|") != strings.Join(names, "|") {
		t.Errorf("QR codes read %q, want %q", got, names)
	}
}

// TestRenderSheetsLogoOnce: the structure's logo, on every card of a group
// drawn in several parts (70 cards: three parts), is stored once in the
// joined PDF, not once a part; its pages are all there, and the fonts of
// parts with the same characters are stored once too.
func TestRenderSheetsLogoOnce(t *testing.T) {
	logo := testLogo(t, "png")
	qr := genuineQR(t, "Awa Diallo", six())
	each := func(yield func(*card.Card) error) error {
		for range 70 {
			c := newCard(t, "Awa Diallo", six())
			c.QRText, c.Logo = qr, logo
			if err := yield(c); err != nil {
				return err
			}
		}
		return nil
	}
	var out bytes.Buffer
	if err := card.RenderSheets(&out, card.LayoutCard, "fr", each); err != nil {
		t.Fatal(err)
	}
	ctx, err := api.ReadContext(context.Background(), bytes.NewReader(out.Bytes()), model.NewStatelessConfiguration())
	if err != nil {
		t.Fatal(err)
	}
	if err := ctx.EnsurePageCount(); err != nil || ctx.PageCount != 18 {
		t.Errorf("%d pages, want 18 (%v)", ctx.PageCount, err)
	}
	images, fontFiles := 0, 0
	for _, e := range ctx.Table {
		if e == nil || e.Free {
			continue
		}
		if sd, ok := e.Object.(types.StreamDict); ok {
			if st := sd.Subtype(); st != nil && *st == "Image" {
				images++
			}
			if _, ok := sd.Find("Length1"); ok { // an embedded TrueType font
				fontFiles++
			}
		}
	}
	if images != 1 {
		t.Errorf("the logo is stored %d times, want once", images)
	}
	if fontFiles != 2 {
		t.Errorf("%d font files for one set of characters, want 2 (regular, bold)", fontFiles)
	}
}
