package schema

import (
	"slices"
	"strconv"
	"strings"
)

// LevelLabel is how Carnet shows a level everywhere (card, attestation,
// pages, /c): the level and, when the framework groups its levels, its
// band. DigComp and CRCN: "Niveau 3 / 8 · Intermédiaire" ("Level 3 / 8 ·
// Intermediate"); the CEFR: "B1 · Utilisateur indépendant" ("B1 ·
// Independent user"). Short is the level alone, for a cell where the full
// label does not fit: "3 / 8", "B1".
type LevelLabel struct {
	Full, Short string
}

// String is the full label.
func (l LevelLabel) String() string { return l.Full }

// LevelLabel returns the label of level id in lang. A framework whose
// level ids are their ranks (1 … n) shows the level's title with "/ n"
// ("Niveau 3 / 8"); others show the id ("B1"), a title that is not just
// the id's name after it when the level has no band. An unknown level is
// its id.
func (f *Framework) LevelLabel(id, lang string) LevelLabel {
	l, rank, err := f.Level(id)
	if err != nil {
		return LevelLabel{Full: id, Short: id}
	}
	n := len(f.Levels)
	title := l.Title.In(lang)
	var name, short string
	if f.ranked() {
		short = strconv.Itoa(rank+1) + " / " + strconv.Itoa(n)
		name = short
		if title != "" && strings.HasSuffix(title, " "+id) { // "Niveau 3" → "Niveau 3 / 8"
			name = title + " / " + strconv.Itoa(n)
		}
	} else {
		name, short = id, id
	}
	band := ""
	if g := f.LevelGroup(l.Group); g != nil {
		band = g.Title.In(lang)
	} else if title != "" && title != id && !strings.HasSuffix(title, " "+id) {
		band = title
	}
	if band == "" {
		return LevelLabel{Full: name, Short: short}
	}
	return LevelLabel{Full: name + " · " + band, Short: short}
}

// ranked reports whether the framework's level ids are their ranks: 1, 2,
// … n.
func (f *Framework) ranked() bool {
	for i, l := range f.Levels {
		if l.ID != strconv.Itoa(i+1) {
			return false
		}
	}
	return true
}

// TitleLangs returns the languages in which the framework titles itself,
// every level and every competency, sorted: the languages a card can print
// its titles in.
func (f *Framework) TitleLangs() []string {
	var langs []string
	for lang, s := range f.Title {
		if s == "" {
			continue
		}
		ok := true
		for _, l := range f.Levels {
			ok = ok && l.Title[lang] != ""
		}
		for _, a := range f.Areas {
			for _, c := range a.Competences {
				ok = ok && c.Title[lang] != ""
			}
		}
		if ok {
			langs = append(langs, lang)
		}
	}
	slices.Sort(langs)
	return langs
}
