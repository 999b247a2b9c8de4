package card_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"carnet/issuer/card"
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
