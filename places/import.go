package places

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"carnet/schema"
)

// Problem is a row of an import that was refused or kept with a warning.
// Line is the CSV line where the row starts; in a JSON file, Item is the
// position of the object in the array (from 1) and Line is 0.
type Problem struct {
	Line     int    `json:"line,omitempty"`
	Item     int    `json:"item,omitempty"`
	ID       string `json:"id,omitempty"`
	Reason   string `json:"reason"`
	ReasonFR string `json:"reason_fr"`
}

// Where says where the problem is, in English and in French.
func (p Problem) Where() (string, string) {
	if p.Item > 0 {
		return fmt.Sprintf("item %d", p.Item), fmt.Sprintf("élément %d", p.Item)
	}
	return fmt.Sprintf("line %d", p.Line), fmt.Sprintf("ligne %d", p.Line)
}

// MaxProblems bounds the problems a report lists (all are counted).
const MaxProblems = 1000

// Report is what an import read: rows, places handed on, rows refused
// (with why), warnings on rows kept.
type Report struct {
	Rows       int       `json:"rows"`
	Imported   int       `json:"imported"`
	Duplicates int       `json:"duplicates"` // ids seen before in the same file: the later row wins
	Rejected   int       `json:"rejected"`
	Warned     int       `json:"warned"`
	Rejects    []Problem `json:"rejects"`
	Warnings   []Problem `json:"warnings"`
}

func (r *Report) reject(p Problem) {
	r.Rejected++
	if len(r.Rejects) < MaxProblems {
		r.Rejects = append(r.Rejects, p)
	}
}

func (r *Report) warn(p Problem) {
	r.Warned++
	if len(r.Warnings) < MaxProblems {
		r.Warnings = append(r.Warnings, p)
	}
}

func problem(line, item int, id string, err error) Problem {
	return Problem{Line: line, Item: item, ID: id, Reason: schema.ErrorMessage(err), ReasonFR: schema.ErrorMessageFR(err)}
}

// Read streams a file of the standard, CSV (comma or semicolon separated,
// with the standard's header) or JSON (an array of flat records), and
// hands each valid place to fn, in file order. A malformed or invalid row
// is refused and reported with its line; the rest goes on. Invalid opening
// hours are dropped with a warning (the place is kept); coordinates
// outside France are kept with a warning. An error from fn or from reading
// stops the import; a file without any row is an error.
func Read(r io.Reader, fn func(*Place) error) (*Report, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	first, err := firstByte(br)
	if err != nil {
		return nil, err
	}
	rep := &Report{Rejects: []Problem{}, Warnings: []Problem{}}
	seen := make(map[string]struct{})
	hand := func(line, item int, rec *Record) error {
		rep.Rows++
		p := rec.Place()
		if p.Horaires != "" {
			if err := ValidateHours(p.Horaires); err != nil {
				rep.warn(problem(line, item, p.ID, invalid("horaires", "%s; the hours are left out", "%s ; les horaires sont ignorés", err.Error())))
				p.Horaires = ""
			}
		}
		if err := p.Validate(); err != nil {
			rep.reject(problem(line, item, p.ID, err))
			return nil
		}
		if p.HasCoordinates() && !InFrance(*p.Latitude, *p.Longitude) {
			rep.warn(problem(line, item, p.ID, invalid("latitude", "%s, %s is outside France; the place is kept", "%s, %s est hors de France ; le lieu est gardé",
				formatFloat(*p.Latitude), formatFloat(*p.Longitude))))
		}
		if _, dup := seen[p.ID]; dup {
			rep.Duplicates++
		} else {
			seen[p.ID] = struct{}{}
			rep.Imported++
		}
		return fn(p)
	}
	if first == '[' {
		err = readJSON(br, rep, hand)
	} else {
		err = readCSV(br, rep, hand)
	}
	if err == nil && rep.Rows == 0 {
		err = schema.Errorf(schema.EINVALID, "the file holds no place", "le fichier ne contient aucun lieu")
	}
	return rep, err
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err == io.EOF {
			return 0, schema.Errorf(schema.EINVALID, "the file is empty", "le fichier est vide")
		} else if err != nil {
			return 0, err
		}
		if b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t' {
			br.Discard(1)
			continue
		}
		return b[0], nil
	}
}

func readCSV(br *bufio.Reader, rep *Report, hand func(line, item int, rec *Record) error) error {
	head, _ := br.Peek(br.Buffered())
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	cr := csv.NewReader(br)
	if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return schema.Errorf(schema.EINVALID, "unreadable CSV header: %v", "en-tête CSV illisible : %v", err)
	}
	cols := make([]string, len(header))
	found := map[string]bool{}
	for i, h := range header {
		cols[i] = strings.ToLower(strings.TrimSpace(h))
		found[cols[i]] = true
	}
	for _, need := range []string{"id", "nom", "adresse", "code_postal", "commune"} {
		if !found[need] {
			return schema.Errorf(schema.EINVALID, "the CSV header has no column %q: is this a file of the standard of lieux de médiation numérique?",
				"l'en-tête CSV n'a pas de colonne %q : est-ce un fichier du standard des lieux de médiation numérique ?", need)
		}
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.Rows++
			rep.reject(Problem{Line: pe.StartLine, Reason: "malformed CSV: " + pe.Err.Error(), ReasonFR: "CSV mal formé : " + pe.Err.Error()})
			continue
		} else if err != nil {
			return err
		}
		line, _ := cr.FieldPos(0) // only after a record was read: it panics after a parse error
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		if len(row) != len(cols) {
			rep.Rows++
			rep.reject(Problem{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(row), len(cols)),
				ReasonFR: fmt.Sprintf("%d champs, l'en-tête en a %d", len(row), len(cols))})
			continue
		}
		var rec Record
		var bad error
		for i, v := range row {
			if err := rec.set(cols[i], v); err != nil && bad == nil {
				bad = err
			}
		}
		if bad != nil {
			rep.Rows++
			rep.reject(problem(line, 0, strings.TrimSpace(rec.ID), bad))
			continue
		}
		if err := hand(line, 0, &rec); err != nil {
			return err
		}
	}
}

func readJSON(br *bufio.Reader, rep *Report, hand func(line, item int, rec *Record) error) error {
	dec := json.NewDecoder(br)
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return schema.Errorf(schema.EINVALID, "unreadable JSON: %v", "JSON illisible : %v", err)
	}
	for item := 1; dec.More(); item++ {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) { // not an object: the decoder has moved past it
				rep.Rows++
				rep.reject(Problem{Item: item, Reason: "not a JSON object", ReasonFR: "pas un objet JSON"})
				continue
			}
			return schema.Errorf(schema.EINVALID, "malformed JSON at item %d: %v (nothing after it was read)",
				"JSON mal formé à l'élément %d : %v (rien n'a été lu après)", item, err)
		}
		var rec Record
		var bad error
		for k, v := range obj {
			k = strings.ToLower(k)
			var s string
			switch v := v.(type) {
			case nil:
				continue
			case string:
				s = v
			case json.Number:
				s = v.String()
			case bool:
				s = fmt.Sprint(v)
			case []any: // tolerated: a list instead of a "|"-joined string
				var parts []string
				for _, e := range v {
					parts = append(parts, fmt.Sprint(e))
				}
				s = strings.Join(parts, Sep)
			default:
				if bad == nil {
					bad = invalid(k, "not a string", "n'est pas une chaîne")
				}
				continue
			}
			if err := rec.set(k, s); err != nil && bad == nil {
				bad = err
			}
		}
		if bad != nil {
			rep.Rows++
			rep.reject(problem(0, item, rec.ID, bad))
			continue
		}
		if err := hand(0, item, &rec); err != nil {
			return err
		}
	}
	return nil
}
