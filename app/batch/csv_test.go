package batch_test

import (
	"bytes"
	"strings"
	"testing"

	"carnet/app/batch"
	"carnet/schema"

	"golang.org/x/text/encoding/charmap"
)

func digcomp(t *testing.T) *schema.Framework {
	t.Helper()
	fw, err := schema.NewFrameworks().Get("digcomp-2.2")
	if err != nil {
		t.Fatal(err)
	}
	return fw
}

// TestParseEncodingsAndSeparators: the same file in UTF-8 with a BOM, in
// UTF-8 without, and in Windows-1252 (as Excel saves it in France), ";"
// or "," separated, reads the same.
func TestParseEncodingsAndSeparators(t *testing.T) {
	fw := digcomp(t)
	text := "nom;contact;notes;1.1;4.2\r\nÉloïse Ndiaye;06 12 34 56 78;\"groupe; mardi\";3;\r\nZoë Müller;;;;2\r\n"
	w1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal([]byte(w1252), []byte(text)) {
		t.Fatal("the Windows-1252 file is the UTF-8 one")
	}
	files := map[string][]byte{
		"utf-8":        []byte(text),
		"utf-8 bom":    append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"windows-1252": []byte(w1252),
		"comma":        []byte(strings.ReplaceAll(text, ";", ",")),
	}
	for name, data := range files {
		header, rows, err := batch.Parse(data, fw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Join(header, "|") != "nom|contact|notes|1.1|4.2" {
			t.Errorf("%s: header %q", name, header)
		}
		if len(rows) != 2 {
			t.Fatalf("%s: %d rows", name, len(rows))
		}
		r := rows[0]
		if r.Name != "Éloïse Ndiaye" || r.Contact != "06 12 34 56 78" || r.Line != 2 || r.Levels["1.1"] != "3" || len(r.Levels) != 1 {
			t.Errorf("%s: row 2 read %+v", name, r)
		}
		if want := map[bool]string{true: "groupe, mardi", false: "groupe; mardi"}[name == "comma"]; r.Notes != want {
			t.Errorf("%s: quoted notes %q", name, r.Notes)
		}
		if rows[1].Name != "Zoë Müller" || rows[1].Levels["4.2"] != "2" || rows[1].Line != 3 {
			t.Errorf("%s: row 3 read %+v", name, rows[1])
		}
	}
}

// TestParseHostile: what cannot be read is refused with a message that
// says why (and where), before any row goes.
func TestParseHostile(t *testing.T) {
	fw := digcomp(t)
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "empty"},
		{"no nom column", "name;1.1\nA;3\n", "first column must be \"nom\""},
		{"bare quote", "nom;1.1\nAwa;3\n\"Bad;2\nX;1\n", "malformed CSV at line"},
		{"quote in field", "nom;1.1\nAwa;3\nB\"ad;2\n", "malformed CSV at line 3"},
		{"column twice", "nom;1.1;1.1\nA;3;3\n", "appears twice"},
		{"unnamed column", "nom;;1.1\nA;;3\n", "column 2 has no name"},
	}
	for _, c := range cases {
		_, _, err := batch.Parse([]byte(c.data), fw)
		if err == nil || !strings.Contains(err.Error(), c.want) || schema.ErrorCode(err) != schema.EINVALID {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if err != nil && schema.ErrorMessageFR(err) == schema.ErrorMessage(err) {
			t.Errorf("%s: no French message: %v", c.name, err)
		}
	}
	// Over 50 MB: refused before it is decoded.
	big := bytes.Repeat([]byte("a"), batch.MaxBytes+1)
	if _, _, err := batch.Parse(big, fw); err == nil || !strings.Contains(err.Error(), "50 MB") {
		t.Errorf("a 50 MB+ file: %v", err)
	}
	// Over 100,000 rows: refused, naming the line.
	var b strings.Builder
	b.WriteString("nom;1.1\n")
	for i := 0; i <= batch.MaxRows; i++ {
		b.WriteString("x;1\n")
	}
	if _, _, err := batch.Parse([]byte(b.String()), fw); err == nil || !strings.Contains(err.Error(), "more than 100000 rows") {
		t.Errorf("100,001 rows: %v", err)
	}
	// Exactly 100,000 rows are read.
	b.Reset()
	b.WriteString("nom;1.1\n")
	for i := 0; i < batch.MaxRows; i++ {
		b.WriteString("x;1\n")
	}
	if _, rows, err := batch.Parse([]byte(b.String()), fw); err != nil || len(rows) != batch.MaxRows {
		t.Errorf("100,000 rows: %d, %v", len(rows), err)
	}
}

// TestFormulasNeverEchoed: a cell that a spreadsheet would run as a
// formula is written as text in every CSV Carnet writes.
func TestFormulasNeverEchoed(t *testing.T) {
	for _, s := range []string{`=HYPERLINK("http://evil","x")`, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"} {
		if got := batch.Escape(s); got != "'"+s {
			t.Errorf("Escape(%q) = %q", s, got)
		}
	}
	if batch.Escape("Awa") != "Awa" || batch.Escape("") != "" {
		t.Error("plain cells changed")
	}
	var out bytes.Buffer
	err := batch.WriteReport(&out, []batch.ReportRow{{Line: 2, Name: `=HYPERLINK("http://evil.example","clic")`, Message: "@x"}}, "fr")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out.String(), "\r\n") {
		for _, cell := range strings.Split(line, ";") {
			cell = strings.TrimPrefix(strings.TrimPrefix(cell, "\uFEFF"), `"`)
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("formula echoed: %q in %q", cell, out.String())
			}
		}
	}
	if !strings.Contains(out.String(), `'=HYPERLINK`) {
		t.Errorf("report: %q", out.String())
	}
}

// TestTemplate: French headers and the framework's codes, read back by
// Parse.
func TestTemplate(t *testing.T) {
	fw := digcomp(t)
	var out bytes.Buffer
	if err := batch.WriteTemplate(&out, fw); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "\uFEFFnom;contact;notes;1.1;1.2;1.3;2.1") {
		t.Errorf("template %q", out.String())
	}
	header, rows, err := batch.Parse(out.Bytes(), fw)
	if err != nil || len(rows) != 0 || len(header) != 3+len(batch.Codes(fw)) {
		t.Errorf("template read back: %v %d %v", header, len(rows), err)
	}
}
