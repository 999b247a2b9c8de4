package card_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"carnet/issuer/card"
)

// repoRoot walks up from the package directory to the module's go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
}

// TestRenderArtifacts writes both layouts, in French and in English, as PDF
// and as 150 dpi PNG to test-artifacts/card/ at the repository's root, for
// a person to look at.
func TestRenderArtifacts(t *testing.T) {
	tools(t, "pdftoppm")
	dir := filepath.Join(repoRoot(t), "test-artifacts", "card")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, layout := range layouts {
		for _, lang := range []string{"fr", "en"} {
			for _, logo := range []bool{false, true} {
				c := newCard(t, "Éloïse Ndiaye-Bérénice", six())
				c.Layout, c.Lang = layout, lang
				c.ValidUntil = issued.AddDate(3, 0, 0)
				name := layout + "-" + lang
				if logo {
					c.Logo = testLogo(t, "png")
					name += "-logo"
				}
				if lang == "en" {
					c.Levels = enLevels(c.Levels)
					c.FrameworkTitle = "DigComp 2.2: the Digital Competence Framework for Citizens"
				}
				pdf, err := card.RenderBytes(c)
				if err != nil {
					t.Fatal(err)
				}
				base := filepath.Join(dir, name)
				if err := os.WriteFile(base+".pdf", pdf, 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-singlefile", base+".pdf", base).CombinedOutput(); err != nil {
					t.Fatalf("pdftoppm: %v %s", err, out)
				}
				t.Logf("%s.png (%d bytes of PDF)", base, len(pdf))
			}
		}
	}
}

// enLevels gives the six competencies their English titles.
func enLevels(ls []card.Level) []card.Level {
	en := map[string]string{
		"1.1": "Browsing, searching and filtering data, information and digital content",
		"1.2": "Evaluating data, information and digital content",
		"2.1": "Interacting through digital technologies",
		"3.1": "Developing digital content",
		"4.2": "Protecting personal data and privacy",
		"5.1": "Solving technical problems",
	}
	out := make([]card.Level, len(ls))
	for i, l := range ls {
		l.Title = en[l.Code]
		l.LevelTitle = "Level " + l.Level
		out[i] = l
	}
	return out
}
