package schema_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"carnet/schema"
)

func TestCleanName(t *testing.T) {
	for _, tc := range []struct{ in, want, code string }{
		{"  Éloïse   Ndiaye-Bérénice ", "Éloïse Ndiaye-Bérénice", ""},
		{"Олена Шевченко", "Олена Шевченко", ""},
		{"محمد", "محمد", ""},
		{"Jo\n\tO'Brien", "Jo O'Brien", ""},
		{"O'Brien «\u00a0Jo\u202f»", "O'Brien «\u00a0Jo\u202f»", ""},
		{"", "", schema.EINVALID},
		{"   ", "", schema.EINVALID},
		{"a\x00b", "", schema.EINVALID},
		{"a\u202eb", "a\u202eb", ""}, // bidi controls are format characters, kept
		{"\xff\xfe", "", schema.EINVALID},
		{strings.Repeat("é", schema.MaxNameLength), strings.Repeat("é", schema.MaxNameLength), ""},
		{strings.Repeat("é", schema.MaxNameLength+1), "", schema.EINVALID},
	} {
		got, err := schema.CleanName(tc.in)
		if schema.ErrorCode(err) != tc.code || got != tc.want {
			t.Errorf("CleanName(%q) = %q, %v; want %q, code %q", tc.in, got, err, tc.want, tc.code)
		}
	}
}

func TestQRNumericRoundTrip(t *testing.T) {
	jws := "eyJhbGciOiJFUzI1NiJ9.abc-_XYZ.0123456789"
	num := schema.QRNumeric(jws)
	if len(num) != 2*len(jws) || strings.Trim(num, "0123456789") != "" {
		t.Fatalf("numeric form %q", num)
	}
	if got, ok := schema.QRDecodeNumeric(num); !ok || got != jws {
		t.Errorf("round trip = %q, %v", got, ok)
	}
	// '-' is 00 and '_' is 50, as in SMART Health Cards.
	if schema.QRNumeric("-_z") != "005077" {
		t.Errorf("QRNumeric(-_z) = %s", schema.QRNumeric("-_z"))
	}
	for _, bad := range []string{"1", "0a", "99", "4849"} { // odd, non-digit, 'Ä', '0'+'1'→ "01" = '.' ok but 49 = '^'
		if _, ok := schema.QRDecodeNumeric(bad); ok {
			t.Errorf("QRDecodeNumeric(%q) accepted", bad)
		}
	}
}

func TestCardLevelJSON(t *testing.T) {
	in := []schema.CardLevel{{Competency: "1.1", Level: "3"}, {Competency: "REC.L", Level: "B1"}, {Competency: "x", Level: "03"}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `[["1.1",3],["REC.L","B1"],["x","03"]]` {
		t.Errorf("marshal = %s", b)
	}
	var out []schema.CardLevel
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 3 || out[0] != in[0] || out[1] != in[1] || out[2] != in[2] {
		t.Errorf("unmarshal = %v, %v", out, err)
	}
	for _, bad := range []string{`[["1.1"]]`, `[["1.1",3,4]]`, `[[1,3]]`, `[["1.1",-1]]`, `[["1.1",true]]`} {
		if err := json.Unmarshal([]byte(bad), &out); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestShortCode(t *testing.T) {
	code, err := schema.NewShortCode(bytes.NewReader(bytes.Repeat([]byte{7, 200, 31, 64}, 4)))
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 12 || code[4] != '-' || code[9] != '-' {
		t.Errorf("code %q", code)
	}
	if got := schema.NormalizeShortCode(strings.ToLower(strings.ReplaceAll(code, "-", " "))); got != code {
		t.Errorf("normalize = %q, want %q", got, code)
	}
	if got := schema.NormalizeShortCode("k7qm-4xpa-9d"); got != "K7QM-4XPA-9D" {
		t.Errorf("normalize lower = %q", got)
	}
	if got := schema.NormalizeShortCode("O1IL-0000-00"); got != "0111-0000-00" {
		t.Errorf("look-alikes = %q", got)
	}
	for _, bad := range []string{"", "K7QM-4XPA", "K7QM-4XPA-9DZ", "K7QM-4XPA-9U", "K7QM_4XPA_9D"} {
		if got := schema.NormalizeShortCode(bad); got != "" {
			t.Errorf("NormalizeShortCode(%q) = %q", bad, got)
		}
	}
}

func TestProfileAndTypesAcceptCompactForms(t *testing.T) {
	var c schema.Credential
	if err := json.Unmarshal([]byte(`{"issuer":"did:web:x","type":"VerifiableCredential"}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.Issuer.ID != "did:web:x" || !c.Type.Has("VerifiableCredential") {
		t.Errorf("got %+v", c)
	}
}
