package schema

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Text is a short text in several languages, keyed by BCP 47 tag ("fr", "en").
type Text map[string]string

// In returns the text in lang, falling back to French, then English, then any.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	for _, l := range []string{"fr", "en"} {
		if s := t[l]; s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// Framework is a competency framework (DigComp 2.2, CRCN, CEFR…) in the data
// shape of schema/frameworks (formatVersion "1").
type Framework struct {
	FormatVersion string       `json:"formatVersion"`
	ID            string       `json:"id"`
	URI           string       `json:"uri"`
	Title         Text         `json:"title"`
	Version       string       `json:"version"`
	License       License      `json:"license"`
	Source        []Source     `json:"source,omitempty"`
	LevelGroups   []LevelGroup `json:"levelGroups"`
	Levels        []Level      `json:"levels"`
	Areas         []Area       `json:"areas"`
	Notes         []string     `json:"notes,omitempty"`

	levelRank  map[string]int
	competency map[string]compRef
	count      int
}

// Source is a published text a framework's data comes from.
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// License says under which terms a framework's text is reused.
type License struct {
	ID          string `json:"id"`
	URL         string `json:"url,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	Note        string `json:"note,omitempty"`
}

// LevelGroup groups consecutive levels ("Foundation" = 1–2).
type LevelGroup struct {
	ID     string   `json:"id"`
	Title  Text     `json:"title"`
	Levels []string `json:"levels"`
}

// Level is one proficiency level, ordered from lowest to highest in
// Framework.Levels.
type Level struct {
	ID          string          `json:"id"`
	Title       Text            `json:"title"`
	Group       string          `json:"group"`
	Summary     Text            `json:"summary,omitempty"`
	Descriptors map[string]Text `json:"descriptors,omitempty"`
}

// Description returns a one-line description of the level in lang: its
// summary, or its descriptors joined.
func (l *Level) Description(lang string) string {
	if s := l.Summary.In(lang); s != "" {
		return s
	}
	var parts []string
	for _, k := range []string{"complexityOfTasks", "autonomy", "cognitiveDomain"} {
		if s := l.Descriptors[k].In(lang); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

// Area is a top-level division of a framework (DigComp "1 Information and
// data literacy").
type Area struct {
	Code        string       `json:"code"`
	Title       Text         `json:"title"`
	Competences []Competency `json:"competences"`
}

// Competency is an assessable item of a framework ("1.1"). Levels holds,
// in the framework's level order, what each level means for this
// competency. Aliases are codes the competency had in earlier versions of
// the framework: they still find it, so that data and credentials using an
// older code keep working.
type Competency struct {
	Code       string            `json:"code"`
	Title      Text              `json:"title"`
	URI        string            `json:"uri,omitempty"`
	Aliases    []string          `json:"aliases,omitempty"`
	ExactMatch []Match           `json:"exactMatch,omitempty"`
	Levels     []CompetencyLevel `json:"levels,omitempty"`
}

// CompetencyLevel is what one level of a framework means for one
// competency: the published statement ("At basic level and with guidance, I
// can: …", "Je peux comprendre des mots familiers…") and a short
// plain-language line for learners ("Je sais…").
type CompetencyLevel struct {
	ID        string `json:"id"`
	Statement Text   `json:"statement"`
	Plain     Text   `json:"plain"`
}

// Level returns what level id means for this competency, or nil.
func (c *Competency) Level(id string) *CompetencyLevel {
	for i := range c.Levels {
		if c.Levels[i].ID == id {
			return &c.Levels[i]
		}
	}
	return nil
}

// Statement returns the statement of level l for competency c in lang,
// falling back to the framework-wide description of the level when the
// framework has no statement for this competency.
func (c *Competency) Statement(l *Level, lang string) string {
	if cl := c.Level(l.ID); cl != nil {
		if s := cl.Statement.In(lang); s != "" {
			return s
		}
	}
	return l.Description(lang)
}

// StatementLang is the language Statement(l, lang) is actually in, for a
// lang attribute when the text is not translated.
func (c *Competency) StatementLang(l *Level, lang string) string {
	if cl := c.Level(l.ID); cl != nil && cl.Statement.In(lang) != "" {
		return textLang(cl.Statement, lang)
	}
	if len(l.Summary) > 0 {
		return textLang(l.Summary, lang)
	}
	return textLang(l.Descriptors["complexityOfTasks"], lang)
}

// Plain returns the plain-language line of level id for c in lang ("" when
// there is none).
func (c *Competency) Plain(id, lang string) string {
	if cl := c.Level(id); cl != nil {
		if s := cl.Plain[lang]; s != "" {
			return s
		}
	}
	return ""
}

// textLang is the language t.In(lang) is written in.
func textLang(t Text, lang string) string {
	if t[lang] != "" {
		return lang
	}
	for _, l := range []string{"fr", "en"} {
		if t[l] != "" {
			return l
		}
	}
	return lang
}

// Match links a competency to a concept of another scheme (ESCO).
type Match struct {
	Scheme string `json:"scheme"`
	URI    string `json:"uri"`
}

type compRef struct{ area, comp int }

// Competency returns the competency with this code (or a former code of
// it, see Competency.Aliases) and the area holding it.
func (f *Framework) Competency(code string) (*Competency, *Area, error) {
	r, ok := f.competency[code]
	if !ok {
		return nil, nil, Errorf(EINVALID, "competency %s is not in %s", "la compétence %s n'existe pas dans %s", code, f.ID)
	}
	a := &f.Areas[r.area]
	return &a.Competences[r.comp], a, nil
}

// CanonicalCode returns the current code of the competency with this code
// or former code, or code itself when the framework does not know it.
func (f *Framework) CanonicalCode(code string) string {
	if c, _, err := f.Competency(code); err == nil {
		return c.Code
	}
	return code
}

// Level returns the level with this id and its rank (0 for the lowest).
func (f *Framework) Level(id string) (*Level, int, error) {
	r, ok := f.levelRank[id]
	if !ok {
		ids := make([]string, len(f.Levels))
		for i, l := range f.Levels {
			ids[i] = l.ID
		}
		return nil, 0, Errorf(EINVALID, "level %s does not exist in %s (levels: %s)", "le niveau %s n'existe pas dans %s (niveaux : %s)",
			id, f.ID, strings.Join(ids, ", "))
	}
	return &f.Levels[r], r, nil
}

// LevelGroup returns the group of a level, or nil.
func (f *Framework) LevelGroup(id string) *LevelGroup {
	for i := range f.LevelGroups {
		if f.LevelGroups[i].ID == id {
			return &f.LevelGroups[i]
		}
	}
	return nil
}

// CompetencyCount returns the number of competencies in the framework.
func (f *Framework) CompetencyCount() int { return f.count }

// ParseFramework decodes and checks a framework file: unique codes, at least
// one level and one competency, groups naming existing levels.
func ParseFramework(data []byte) (*Framework, error) {
	var f Framework
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, Errorf(EINVALID, "framework file is not valid JSON: %v", "le fichier de référentiel n'est pas du JSON valide : %v", err)
	}
	if err := f.index(); err != nil {
		return nil, err
	}
	return &f, nil
}

func (f *Framework) index() error {
	bad := func(en, fr string, args ...any) error {
		return Errorf(EINVALID, "framework %q: "+en, "référentiel %q : "+fr, append([]any{f.ID}, args...)...)
	}
	if f.FormatVersion != "1" {
		return bad("unsupported formatVersion %q (expected \"1\")", "formatVersion %q non pris en charge (attendu \"1\")", f.FormatVersion)
	}
	if !validID(f.ID) {
		return bad("id must be lowercase letters, digits, '.', '-' or '_'", "l'identifiant doit être en minuscules, chiffres, '.', '-' ou '_'")
	}
	if len(f.Levels) == 0 {
		return bad("no levels", "aucun niveau")
	}
	f.levelRank = make(map[string]int, len(f.Levels))
	for i, l := range f.Levels {
		if l.ID == "" || strings.ContainsAny(l.ID, "=,\" ") {
			return bad("level %d has an empty or invalid id", "le niveau %d a un identifiant vide ou invalide", i+1)
		}
		if _, dup := f.levelRank[l.ID]; dup {
			return bad("level %s appears twice", "le niveau %s apparaît deux fois", l.ID)
		}
		f.levelRank[l.ID] = i
	}
	for _, g := range f.LevelGroups {
		for _, id := range g.Levels {
			if _, ok := f.levelRank[id]; !ok {
				return bad("group %s names unknown level %s", "le groupe %s cite un niveau inconnu %s", g.ID, id)
			}
		}
	}
	f.competency = make(map[string]compRef)
	for ai, a := range f.Areas {
		for ci, c := range a.Competences {
			if c.Code == "" || strings.ContainsAny(c.Code, "=,\" ") {
				return bad("area %s has a competency with an empty or invalid code", "le domaine %s a une compétence au code vide ou invalide", a.Code)
			}
			if _, dup := f.competency[c.Code]; dup {
				return bad("competency %s appears twice", "la compétence %s apparaît deux fois", c.Code)
			}
			f.competency[c.Code] = compRef{ai, ci}
			f.count++
			last := -1
			for _, cl := range c.Levels {
				r, ok := f.levelRank[cl.ID]
				if !ok {
					return bad("competency %s describes unknown level %s", "la compétence %s décrit un niveau inconnu %s", c.Code, cl.ID)
				}
				if r <= last {
					return bad("competency %s: levels must be given once each, in the framework's order", "compétence %s : les niveaux doivent figurer une fois chacun, dans l'ordre du référentiel", c.Code)
				}
				last = r
			}
		}
	}
	// Former codes, once every current code is known: an alias may not
	// shadow a current code or another alias.
	for ai, a := range f.Areas {
		for ci, c := range a.Competences {
			for _, al := range c.Aliases {
				if al == "" || strings.ContainsAny(al, "=,\" ") {
					return bad("competency %s has an empty or invalid alias", "la compétence %s a un ancien code vide ou invalide", c.Code)
				}
				if _, dup := f.competency[al]; dup {
					return bad("alias %s of competency %s is already a code", "l'ancien code %s de la compétence %s est déjà utilisé", al, c.Code)
				}
				f.competency[al] = compRef{ai, ci}
			}
		}
	}
	if f.count == 0 {
		return bad("no competencies", "aucune compétence")
	}
	return nil
}

func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

//go:embed frameworks/*.json
var builtinFS embed.FS

// Frameworks is a set of frameworks looked up by id. The zero value is
// empty; use NewFrameworks for the built-in ones.
type Frameworks struct {
	byID map[string]*Framework
}

var (
	builtinOnce sync.Once
	builtin     []*Framework
	builtinErr  error
)

// NewFrameworks returns the built-in frameworks (DigComp 2.2, CRCN, CEFR).
// They are parsed once per process.
func NewFrameworks() *Frameworks {
	builtinOnce.Do(func() {
		entries, _ := fs.Glob(builtinFS, "frameworks/*.json")
		for _, name := range entries {
			data, _ := builtinFS.ReadFile(name)
			f, err := ParseFramework(data)
			if err != nil {
				builtinErr = fmt.Errorf("built-in %s: %w", name, err)
				return
			}
			builtin = append(builtin, f)
		}
	})
	if builtinErr != nil {
		panic(builtinErr) // the embedded data is part of the binary and tested
	}
	fs := &Frameworks{byID: make(map[string]*Framework)}
	for _, f := range builtin {
		fs.byID[f.ID] = f
	}
	return fs
}

// Add adds f, replacing a framework of the same id.
func (fs *Frameworks) Add(f *Framework) {
	if fs.byID == nil {
		fs.byID = make(map[string]*Framework)
	}
	fs.byID[f.ID] = f
}

// LoadFile parses a framework file and adds it.
func (fs *Frameworks) LoadFile(path string) (*Framework, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Errorf(EINVALID, "cannot read framework file %s: %v", "impossible de lire le référentiel %s : %v", path, err)
	}
	f, err := ParseFramework(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fs.Add(f)
	return f, nil
}

// LoadDir adds every *.json framework file of dir; a missing dir is no error.
func (fs *Frameworks) LoadDir(dir string) error {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	sort.Strings(paths)
	for _, p := range paths {
		if _, err := fs.LoadFile(p); err != nil {
			return err
		}
	}
	return nil
}

// Get returns the framework with this id.
func (fs *Frameworks) Get(id string) (*Framework, error) {
	if f, ok := fs.byID[id]; ok {
		return f, nil
	}
	return nil, Errorf(EINVALID, "unknown framework %q (known: %s)", "référentiel %q inconnu (connus : %s)", id, strings.Join(fs.IDs(), ", "))
}

// IDs returns the ids of all frameworks, sorted.
func (fs *Frameworks) IDs() []string {
	ids := make([]string, 0, len(fs.byID))
	for id := range fs.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
