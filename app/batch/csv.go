// Package batch reads and writes the CSV files of batch issuance: the
// template a mediator fills (one row per learner, one column per
// competency code of the framework, a level per cell), and the file they
// upload back, in UTF-8 (with or without a BOM) or in Windows-1252 (what
// Excel writes in France), separated by ";" or ",". It knows the
// frameworks and nothing of storage or HTTP.
package batch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"carnet/schema"

	"golang.org/x/text/encoding/charmap"
)

// Limits of a file: it is read whole (not streamed), so both are checked
// before anything is issued.
const (
	MaxBytes = 50 << 20 // 50 MB
	MaxRows  = 100_000
)

// Column names of the header besides the competency codes.
const (
	ColName    = "nom"
	ColContact = "contact"
	ColNotes   = "notes"
	// ColConsent, optional: "oui" (or yes, 1, x, vrai, true) when the
	// learner agreed that their contact and notes be kept.
	ColConsent = "accord"
)

// yes reports whether a consent cell says yes.
func yes(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "oui", "o", "yes", "y", "1", "x", "vrai", "true":
		return true
	}
	return false
}

// Row is one learner's line of a file, as typed (trimmed).
type Row struct {
	Line    int // line number in the file, the header being line 1
	Name    string
	Contact string
	Notes   string
	Consent bool // the accord column says yes
	// Levels maps competency codes to the level typed; an empty cell is
	// not assessed and not in the map.
	Levels map[string]string
	// Extra holds cells typed beyond the header's columns.
	Extra int
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decode returns a file's text: UTF-8 when it is valid UTF-8 (a BOM is
// dropped), else read as Windows-1252.
func Decode(data []byte) (string, error) {
	if utf8.Valid(data) {
		return string(bytes.TrimPrefix(data, utf8BOM)), nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return "", schema.Errorf(schema.EINVALID, "the file is neither UTF-8 nor Windows-1252 text: save it as \"CSV UTF-8\"",
			"le fichier n'est ni du texte UTF-8 ni du Windows-1252 : enregistrez-le en « CSV UTF-8 »")
	}
	return string(out), nil
}

// separator picks ";" or "," from the header line: whichever appears more
// often outside quotes (";" on a tie, what French spreadsheets write).
func separator(text string) rune {
	line, _, _ := strings.Cut(text, "\n")
	semi, comma, quoted := 0, 0, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == ';':
			semi++
		case r == ',':
			comma++
		}
	}
	if comma > semi {
		return ','
	}
	return ';'
}

// Parse reads a file for framework fw. A file it cannot read at all
// (too large, not text, malformed CSV, a bad header, too many rows) is an
// EINVALID error naming the line; what is wrong with a row alone (an
// unknown competency, a level out of range, a bad name, a duplicate) is
// left to the caller's checks of each row, so that the other rows still
// go.
func Parse(data []byte, fw *schema.Framework) (header []string, rows []Row, err error) {
	if len(data) > MaxBytes {
		return nil, nil, schema.Errorf(schema.EINVALID, "the file is too large: %d MB at most", "le fichier est trop grand : %d Mo au plus", MaxBytes>>20)
	}
	text, err := Decode(data)
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil, schema.Errorf(schema.EINVALID, "the file is empty: its first line must be the header (nom;contact;notes;codes…)",
			"le fichier est vide : sa première ligne doit être l'en-tête (nom;contact;notes;codes…)")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = separator(text)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	rec, err := r.Read()
	if err != nil {
		return nil, nil, csvError(err)
	}
	header = make([]string, len(rec))
	seen := map[string]bool{}
	for i, h := range rec {
		h = strings.TrimSpace(h)
		switch low := strings.ToLower(h); low {
		case ColName, ColContact, ColNotes, ColConsent:
			h = low
		}
		if h == "" {
			return nil, nil, schema.Errorf(schema.EINVALID, "line 1: column %d has no name", "ligne 1 : la colonne %d n'a pas de nom", i+1)
		}
		if seen[h] {
			return nil, nil, schema.Errorf(schema.EINVALID, "line 1: column %q appears twice", "ligne 1 : la colonne « %s » figure deux fois", h)
		}
		seen[h] = true
		header[i] = h
	}
	if header[0] != ColName {
		return nil, nil, schema.Errorf(schema.EINVALID, "line 1: the first column must be %q (the name), then %q and %q (optional), then the competency codes of %s",
			"ligne 1 : la première colonne doit être « %s » (le nom), puis « %s » et « %s » (facultatives), puis les codes des compétences de %s",
			ColName, ColContact, ColNotes, fw.ID)
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, csvError(err)
		}
		line, _ := r.FieldPos(0)
		if len(rows) == MaxRows {
			return nil, nil, schema.Errorf(schema.EINVALID, "line %d: the file has more than %d rows; split it", "ligne %d : le fichier compte plus de %d lignes ; découpez-le", line, MaxRows)
		}
		row := Row{Line: line, Levels: map[string]string{}}
		blank := true
		for i, v := range rec {
			v = strings.TrimSpace(v)
			if v != "" {
				blank = false
			}
			if i >= len(header) {
				if v != "" {
					row.Extra++
				}
				continue
			}
			switch header[i] {
			case ColName:
				row.Name = v
			case ColContact:
				row.Contact = v
			case ColNotes:
				row.Notes = v
			case ColConsent:
				row.Consent = yes(v)
			default:
				if v != "" {
					row.Levels[header[i]] = v
				}
			}
		}
		if blank {
			continue // ";;;" lines that spreadsheets leave
		}
		rows = append(rows, row)
	}
	return header, rows, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return schema.Errorf(schema.EINVALID, "malformed CSV at line %d, column %d: %v", "CSV mal formé à la ligne %d, colonne %d : %v",
			pe.Line, pe.Column, pe.Err)
	}
	return schema.Errorf(schema.EINVALID, "the CSV file could not be read", "le fichier CSV n'a pas pu être lu")
}

// Codes lists a framework's competency codes in order.
func Codes(fw *schema.Framework) []string {
	var out []string
	for _, a := range fw.Areas {
		for _, c := range a.Competences {
			out = append(out, c.Code)
		}
	}
	return out
}

// Escape makes a cell safe to open in a spreadsheet: a cell that starts
// with = + - @ (or a tab or carriage return) is a formula there, and gets
// a leading apostrophe so that it is shown as text.
func Escape(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writer writes CSV for spreadsheets: UTF-8 with a BOM, ";" separated,
// CRLF lines, every cell escaped.
type writer struct{ w *csv.Writer }

func newWriter(w io.Writer) (*writer, error) {
	if _, err := w.Write(utf8BOM); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	return &writer{cw}, nil
}

func (w *writer) row(cells ...string) {
	for i := range cells {
		cells[i] = Escape(cells[i])
	}
	w.w.Write(cells)
}

// WriteTemplate writes the template of framework fw: its header only
// (nom, contact, notes, then every competency code), in French, for a
// mediator to fill one row per learner.
func WriteTemplate(out io.Writer, fw *schema.Framework) error {
	w, err := newWriter(out)
	if err != nil {
		return err
	}
	w.row(append([]string{ColName, ColContact, ColNotes}, Codes(fw)...)...)
	w.w.Flush()
	return w.w.Error()
}

// ReportRow is a row's result in an error report.
type ReportRow struct {
	Line    int
	Name    string
	Message string
}

// WriteReport writes the rows refused, for the mediator to correct: line,
// name, message. Names are what was uploaded: escaped like every cell.
func WriteReport(out io.Writer, rows []ReportRow, lang string) error {
	w, err := newWriter(out)
	if err != nil {
		return err
	}
	if lang == "en" {
		w.row("line", "name", "error")
	} else {
		w.row("ligne", "nom", "erreur")
	}
	for _, r := range rows {
		w.row(itoa(r.Line), r.Name, r.Message)
	}
	w.w.Flush()
	return w.w.Error()
}

func itoa(n int) string { return strconv.Itoa(n) }
