package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"carnet/schema"
)

// cliTwelve is a 12-row file in Windows-1252 (as Excel saves it), with 5
// rows refused.
const cliTwelve = "nom;contact;notes;accord;1.1;1.2;4.2;9.9\r\n" +
	"Awa Diallo;;;;3;;;\r\n" +
	"\xc9lo\xefse Ndiaye;eloise@example.org;;oui;2;4;;\r\n" +
	";;;;3;;;\r\n" +
	"Karim Benali;;;;9;;;\r\n" +
	"Lina Haddad;;;;;;2;\r\n" +
	"Zo\xeb Martin;;;;;;;3\r\n" +
	"Awa Diallo;;;;1;;;\r\n" +
	"Nina Petit;;;;;;;\r\n" +
	"Paul Durand;;;;1;1;1;\r\n" +
	"In\xe8s Roche;;;;5;;;\r\n" +
	"Tom Leroy;;;;;8;;\r\n" +
	"Sami Kaci;;;;2;;;\r\n"

// TestIssueCSV: carnet issue --csv issues the valid rows, prints one line
// per refused row and a summary, exits 1 (0 once every row is issued),
// writes the group PDFs whose QR codes verify, and a second run of the
// same file issues nothing twice.
func TestIssueCSV(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "atelier.csv")
	os.WriteFile(file, []byte(cliTwelve), 0o600)
	cards, certs := filepath.Join(dir, "cartes.pdf"), filepath.Join(dir, "attestations.pdf")
	code, out, errOut := carnet(t, "", "issue", "--data", data, "--framework", "digcomp-2.2", "--csv", file, "--cards", cards, "--certificates", certs)
	if code != exitInvalid {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("output %q", out)
	}
	for i, want := range []string{"ligne 4 : le nom est vide / line 4: the name is empty", "ligne 5 : le niveau « 9 »", "ligne 7 : compétence « 9.9 » inconnue",
		"ligne 8 : ligne en double : la même personne qu'à la ligne 2", "ligne 9 : aucun niveau",
		"7 attestation(s) délivrée(s) sur 12 ligne(s), 5 refusée(s), par Structure principale / 7 of 12 row(s) issued, 5 refused"} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d: %q, want %q…", i+1, lines[i], want)
		}
	}
	if strings.Contains(errOut, "\r[") {
		t.Errorf("a progress bar on a stderr that is no terminal: %q", errOut)
	}
	ctx := context.Background()
	count := func() int {
		in, err := openInstance(ctx, data, "", "", nil, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		list, err := in.credentials.ListCredentials(ctx, schema.CredentialFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	if n := count(); n != 7 {
		t.Errorf("%d credentials, want 7", n)
	}
	for _, p := range []string{cards, certs} {
		if b, err := os.ReadFile(p); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("%s: %v %.20q", p, err, b)
		}
	}
	// The cards' QR codes scan and verify.
	if _, err := exec.LookPath("zbarimg"); err == nil {
		if _, err := exec.LookPath("pdftoppm"); err == nil {
			if out, err := exec.Command("pdftoppm", "-r", "200", "-gray", "-png", cards, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v %s", err, out)
			}
			pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
			in, err := openInstance(ctx, data, "", "", nil, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			ops, err := in.app(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, png := range pngs {
				b, _ := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", png).Output()
				for _, q := range strings.Fields(string(b)) {
					if r := ops.Verifier.Verify(ctx, []byte(q)); !r.Valid {
						t.Errorf("a card does not verify: %s", r.Reason)
					}
					n++
				}
			}
			in.Close()
			if n != 7 {
				t.Errorf("%d QR codes on the cards, want 7", n)
			}
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatal("zbarimg not found: install zbar-tools")
	}
	// The same file again: nothing issued twice.
	if code, out, _ := carnet(t, "", "issue", "--data", data, "--framework", "digcomp-2.2", "--csv", file); code != exitInvalid || !strings.Contains(out, "7 of 12 row(s) issued") {
		t.Errorf("second run: exit %d %q", code, out)
	}
	if n := count(); n != 7 {
		t.Errorf("%d credentials after the same file again, want 7", n)
	}
	// Every row valid: exit 0.
	good := filepath.Join(dir, "bon.csv")
	os.WriteFile(good, []byte("nom,1.1\nAnne Bon,2\nBruno Bon,3\n"), 0o600)
	if code, out, errOut := carnet(t, "", "issue", "--data", data, "--framework", "digcomp-2.2", "--csv", good); code != exitOK || !strings.Contains(out, "2 of 2 row(s) issued, 0 refused") {
		t.Errorf("valid file: exit %d %q %q", code, out, errOut)
	}
	// A file refused whole, and usage errors.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("nom;1.1\nA;1\n\"B;2\n"), 0o600)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--csv", bad}, exitInvalid, "malformed CSV at line 3"},
		{[]string{"--csv", filepath.Join(dir, "none.csv")}, exitInvalid, "cannot read"},
		{[]string{"--csv", good, "--learner", "X"}, exitError, "--csv does not go with --learner"},
		{[]string{"--cards", cards}, exitError, "--cards and --certificates go with --csv FILE"},
	} {
		code, _, errOut := carnet(t, "", append([]string{"issue", "--data", data, "--framework", "digcomp-2.2"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	if n := count(); n != 9 {
		t.Errorf("%d credentials, want 9", n)
	}
}

// TestProgressBar: drawn on a terminal only.
func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := newProgressBar(&b)
	p.show(1, 2)
	p.end()
	if b.Len() != 0 {
		t.Errorf("drawn on a buffer: %q", b.String())
	}
	p = &progressBar{w: &b, on: true, last: -1}
	p.show(1, 2)
	p.show(2, 2)
	if !strings.Contains(b.String(), "[###############---------------] 1/2") || !strings.Contains(b.String(), "] 2/2") {
		t.Errorf("bar %q", b.String())
	}
}
