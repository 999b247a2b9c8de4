package schema

import (
	"slices"
	"testing"
)

// TestLevelLabel: one label per level, the same on every page and print,
// for each built-in framework and in both languages.
func TestLevelLabel(t *testing.T) {
	fws := NewFrameworks()
	for _, tc := range []struct {
		fw, level, lang, full, short string
	}{
		{"digcomp-2.2", "3", "fr", "Niveau 3 / 8 · Intermédiaire", "3 / 8"},
		{"digcomp-2.2", "3", "en", "Level 3 / 8 · Intermediate", "3 / 8"},
		{"digcomp-2.2", "1", "fr", "Niveau 1 / 8 · Fondamental", "1 / 8"},
		{"digcomp-2.2", "8", "fr", "Niveau 8 / 8 · Hautement spécialisé", "8 / 8"},
		{"crcn-2019", "5", "fr", "Niveau 5 / 8 · Avancé", "5 / 8"},
		{"crcn-2019", "2", "en", "Level 2 / 8 · Novice", "2 / 8"},
		{"cefr-fr", "A2", "fr", "A2 · Utilisateur élémentaire", "A2"},
		{"cefr-fr", "B1", "en", "B1 · Independent user", "B1"},
		{"cefr-fr", "C2", "fr", "C2 · Utilisateur expérimenté", "C2"},
		{"cefr-fr", "Z9", "fr", "Z9", "Z9"},                                 // not a level of the framework: as given
		{"digcomp-2.2", "3", "uk", "Niveau 3 / 8 · Intermédiaire", "3 / 8"}, // no Ukrainian titles: French
	} {
		fw, err := fws.Get(tc.fw)
		if err != nil {
			t.Fatal(err)
		}
		got := fw.LevelLabel(tc.level, tc.lang)
		if got.Full != tc.full || got.Short != tc.short || got.String() != tc.full {
			t.Errorf("%s level %s in %s: %+v, want %q, %q", tc.fw, tc.level, tc.lang, got, tc.full, tc.short)
		}
	}
}

// TestLevelLabelCustom: a framework of one's own gets a label too: ranked
// ids with their titles, other ids with the title that is not just their
// name when the level has no band.
func TestLevelLabelCustom(t *testing.T) {
	fw := &Framework{Levels: []Level{
		{ID: "1", Title: Text{"fr": "Niveau 1", "uk": "Рівень 1"}},
		{ID: "2", Title: Text{"fr": "Niveau 2", "uk": "Рівень 2"}},
	}}
	fw.levelRank = map[string]int{"1": 0, "2": 1}
	if got := fw.LevelLabel("2", "uk").Full; got != "Рівень 2 / 2" {
		t.Errorf("ranked, no band: %q", got)
	}
	fw = &Framework{Levels: []Level{{ID: "bronze", Title: Text{"fr": "Bronze : les bases"}}, {ID: "or", Title: Text{"fr": "Or"}}}}
	fw.levelRank = map[string]int{"bronze": 0, "or": 1}
	if got := fw.LevelLabel("bronze", "fr").Full; got != "bronze · Bronze : les bases" {
		t.Errorf("named levels: %q", got)
	}
}

// TestTitleLangs: the built-in frameworks title everything in French and
// English, and nothing in another language.
func TestTitleLangs(t *testing.T) {
	fws := NewFrameworks()
	for _, id := range fws.IDs() {
		fw, _ := fws.Get(id)
		if got := fw.TitleLangs(); !slices.Equal(got, []string{"en", "fr"}) {
			t.Errorf("%s: title languages %v, want [en fr]", id, got)
		}
	}
	fw := &Framework{Title: Text{"fr": "T", "ar": "ع"}, Levels: []Level{{ID: "1", Title: Text{"fr": "N1", "ar": "م1"}}},
		Areas: []Area{{Competences: []Competency{{Code: "a", Title: Text{"fr": "A"}}}}}}
	if got := fw.TitleLangs(); !slices.Equal(got, []string{"fr"}) {
		t.Errorf("a competency without its Arabic title: %v, want [fr]", got)
	}
}
