package card_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"carnet/issuer/card"
)

// TestPrintScaling: both layouts ask PDF viewers to print at 100 %
// (/ViewerPreferences << /PrintScaling /None >> in the catalog, a PDF 1.6
// file), and the
// file stays well-formed: startxref gives the cross-reference table's
// offset, every object offset in it points at its object, and poppler
// reads the file without a syntax error.
func TestPrintScaling(t *testing.T) {
	tools(t, "pdfinfo")
	for _, layout := range layouts {
		c := newCard(t, "Éloïse Ndiaye-Bérénice", six())
		c.Layout = layout
		pdf, err := card.RenderBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`/Type /Catalog\n/ViewerPreferences << /PrintScaling /None >>\n`).Match(pdf) {
			t.Errorf("%s: the catalog does not ask for PrintScaling None", layout)
		}
		m := regexp.MustCompile(`\nstartxref\n(\d+)\n%%EOF\n?$`).FindSubmatch(pdf)
		if m == nil {
			t.Fatalf("%s: no startxref at the end", layout)
		}
		off, _ := strconv.Atoi(string(m[1]))
		if !bytes.HasPrefix(pdf[off:], []byte("xref\n")) {
			t.Fatalf("%s: startxref %d does not point at the cross-reference table", layout, off)
		}
		entries := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(pdf[off:], -1)
		for i, e := range entries {
			o, _ := strconv.Atoi(string(e[1]))
			if want := strconv.Itoa(i+1) + " 0 obj"; !bytes.HasPrefix(pdf[o:], []byte(want)) {
				t.Errorf("%s: object %d's offset %d points at %.12q", layout, i+1, o, pdf[o:])
			}
		}
		path := filepath.Join(t.TempDir(), layout+".pdf")
		if err := os.WriteFile(path, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdfinfo", path).CombinedOutput()
		if err != nil || bytes.Contains(out, []byte("Error")) || !regexp.MustCompile(`Pages:\s+1\n`).Match(out) ||
			!regexp.MustCompile(`PDF version:\s+1\.6\n`).Match(out) {
			t.Errorf("%s: pdfinfo: %v\n%s", layout, err, out)
		}
	}
}
