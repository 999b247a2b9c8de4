package schema_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"carnet/schema"
)

// TestCleanName: a learner's name is stored in NFC, with white space
// tidied; what is invisible, reorders the text, is damaged or has no letter
// is refused (issue 10, defect 8).
func TestCleanName(t *testing.T) {
	for _, tc := range []struct{ name, in, want, code string }{
		{"trimmed and collapsed", "  Éloïse   Ndiaye-Bérénice ", "Éloïse Ndiaye-Bérénice", ""},
		{"cyrillic", "Олена Шевченко", "Олена Шевченко", ""},
		{"arabic", "محمد", "محمد", ""},
		{"persian with ZWNJ", "می‌خواهم", "می‌خواهم", ""},
		{"ASCII white space collapsed", "Jo\n\tO'Brien", "Jo O'Brien", ""},
		{"inner no-break spaces kept", "O'Brien «\u00a0Jo\u202f»", "O'Brien «\u00a0Jo\u202f»", ""},
		{"outer no-break spaces trimmed", "\u00a0Anne\u3000", "Anne", ""},
		{"decomposed to NFC", "E\u0301loi\u0308se", "Éloïse", ""},
		{"empty", "", "", schema.EINVALID},
		{"spaces", "   ", "", schema.EINVALID},
		{"only U+00A0", "\u00a0", "", schema.EINVALID},
		{"only U+00A0 several", "\u00a0 \u00a0", "", schema.EINVALID},
		{"only U+200B", "\u200b", "", schema.EINVALID},
		{"U+200B inside", "An\u200bne", "", schema.EINVALID},
		{"only U+FEFF", "\ufeff", "", schema.EINVALID},
		{"only a combining accent", "\u0301", "", schema.EINVALID},
		{"only digits", "1234", "", schema.EINVALID},
		{"only punctuation", "-- . --", "", schema.EINVALID},
		{"NUL", "a\x00b", "", schema.EINVALID},
		{"escape", "a\x1bb", "", schema.EINVALID},
		{"line separator", "a\u2028b", "", schema.EINVALID},
		{"U+202E override", "a\u202eb", "", schema.EINVALID},
		{"U+202A embedding", "a\u202ab", "", schema.EINVALID},
		{"U+2066 isolate", "a\u2066b", "", schema.EINVALID},
		{"U+2067 isolate", "a\u2067b", "", schema.EINVALID},
		{"U+2068 isolate", "a\u2068b", "", schema.EINVALID},
		{"U+2069 pop isolate", "a\u2069b", "", schema.EINVALID},
		{"U+200F mark", "a\u200fb", "", schema.EINVALID},
		{"U+FFFD", "Elo\ufffdse", "", schema.EINVALID},
		{"private use", "a\ue000b", "", schema.EINVALID},
		{"noncharacter", "a\ufdd0b", "", schema.EINVALID},
		{"invalid UTF-8", "\xff\xfe", "", schema.EINVALID},
		{"invalid UTF-8 inside", "Elo\xefse", "", schema.EINVALID},
		{"max length", strings.Repeat("é", schema.MaxNameLength), strings.Repeat("é", schema.MaxNameLength), ""},
		{"max length decomposed", strings.Repeat("e\u0301", schema.MaxNameLength), strings.Repeat("é", schema.MaxNameLength), ""},
		{"too long", strings.Repeat("é", schema.MaxNameLength+1), "", schema.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := schema.CleanName(tc.in)
			if schema.ErrorCode(err) != tc.code || got != tc.want {
				t.Fatalf("CleanName(%q) = %q, %v; want %q, code %q", tc.in, got, err, tc.want, tc.code)
			}
			if err != nil && (schema.ErrorMessage(err) == schema.ErrorMessageFR(err) || schema.ErrorMessageFR(err) == "") {
				t.Errorf("message not bilingual: %q / %q", schema.ErrorMessage(err), schema.ErrorMessageFR(err))
			}
		})
	}
}

// TestCleanLabel: other names follow the same rules, may be empty, and may
// be made of digits.
func TestCleanLabel(t *testing.T) {
	for _, tc := range []struct{ name, in, want, code string }{
		{"structure", " Médiathèque  Lévy ", "Médiathèque Lévy", ""},
		{"empty allowed", "  ", "", ""},
		{"digits", "2025", "2025", ""},
		{"NFC", "Pe\u0301riscolaire", "Périscolaire", ""},
		{"only U+00A0", "\u00a0", "", ""}, // nothing visible: empty
		{"only U+200B", "\u200b", "", schema.EINVALID},
		{"override", "Bib\u202eoilhteque", "", schema.EINVALID},
		{"isolate", "\u2066Bib\u2069", "", schema.EINVALID},
		{"no letter nor digit", "***", "", schema.EINVALID},
		{"invalid UTF-8", "Bib\xff", "", schema.EINVALID},
		{"too long", strings.Repeat("a", 21), "", schema.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := schema.CleanLabel(tc.in, 20, "the name", "le nom")
			if schema.ErrorCode(err) != tc.code || got != tc.want {
				t.Fatalf("CleanLabel(%q) = %q, %v; want %q, code %q", tc.in, got, err, tc.want, tc.code)
			}
		})
	}
}

// TestCleanText: free text keeps its lines, is stored in NFC, and refuses
// controls, explicit bidirectional controls and invalid UTF-8.
func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ name, in, want, code string }{
		{"lines kept", " Atelier\r\n\tCV ", "Atelier\r\n\tCV", ""},
		{"empty", "", "", ""},
		{"NFC", "A cre\u0301e\u0301", "A créé", ""},
		{"marks kept", "\u05e9\u05dc\u05d5\u05dd \u200f(2)", "\u05e9\u05dc\u05d5\u05dd \u200f(2)", ""},
		{"U+FFFD kept", "copie \ufffd", "copie \ufffd", ""},
		{"NUL", "a\x00b", "", schema.EINVALID},
		{"bell", "a\x07b", "", schema.EINVALID},
		{"U+202E", "a\u202eb", "", schema.EINVALID},
		{"U+2066", "a\u2066b", "", schema.EINVALID},
		{"U+2069", "a\u2069b", "", schema.EINVALID},
		{"invalid UTF-8", "caf\xe9", "", schema.EINVALID},
		{"too long", strings.Repeat("e\u0301", 21), "", schema.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := schema.CleanText(tc.in, 20, "the notes", "les notes")
			if schema.ErrorCode(err) != tc.code || got != tc.want {
				t.Fatalf("CleanText(%q) = %q, %v; want %q, code %q", tc.in, got, err, tc.want, tc.code)
			}
		})
	}
}

func TestCleanEmail(t *testing.T) {
	for _, tc := range []struct{ name, in, want, code string }{
		{"lower-cased", " Anne@Example.ORG ", "anne@example.org", ""},
		{"internationalised, NFC", "e\u0301lo\u00efse@example.org", "éloïse@example.org", ""},
		{"override", "a\u202eb@example.org", "", schema.EINVALID},
		{"zero-width space", "a\u200bb@example.org", "", schema.EINVALID},
		{"no-break space", "a\u00a0b@example.org", "", schema.EINVALID},
		{"invalid UTF-8", "a\xffb@example.org", "", schema.EINVALID},
		{"no at sign", "example.org", "", schema.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := schema.CleanEmail(tc.in)
			if schema.ErrorCode(err) != tc.code || got != tc.want {
				t.Fatalf("CleanEmail(%q) = %q, %v; want %q, code %q", tc.in, got, err, tc.want, tc.code)
			}
		})
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Éloïse Ndiaye":      "eloise ndiaye",
		"E\u0301loi\u0308se": "eloise",
		"Œuvre\u00a0ŒIL":     "oeuvre oeil",
	} {
		if got := schema.Fold(in); got != want {
			t.Errorf("Fold(%+q) = %+q, want %+q", in, got, want)
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

// TestQRNumericPacked: a card token (header CardHeader, 64-byte signature)
// takes the packed form, "1" then 7 bytes to 17 digits, and comes back
// byte for byte, whatever its payload length; malformed packed digits are
// refused.
func TestQRNumericPacked(t *testing.T) {
	enc := base64.RawURLEncoding
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 400; n++ {
		b := make([]byte, n+64)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		if n%7 == 0 {
			for i := range b[:7] {
				b[i] = 0xff // the largest chunk
			}
		}
		jws := schema.CardHeader + "." + enc.EncodeToString(b[:n]) + "." + enc.EncodeToString(b[n:])
		num := schema.QRNumeric(jws)
		if num[0] != '1' || strings.Trim(num, "0123456789") != "" {
			t.Fatalf("%d bytes: numeric form %q", n, num)
		}
		// 2.43 digits a byte, against 2 digits per base64url character
		// (2.67 a byte) and the header's 72.
		if want := 1 + (n+64)/7*17 + []int{0, 3, 5, 8, 10, 13, 15}[(n+64)%7]; len(num) != want {
			t.Fatalf("%d bytes: %d digits, want %d", n, len(num), want)
		}
		if got, ok := schema.QRDecodeNumeric(num); !ok || got != jws {
			t.Fatalf("%d bytes: round trip = %q, %v", n, got, ok)
		}
	}
	sig := strings.Repeat("A", 86)
	for name, bad := range map[string]string{
		"no payload":         "1" + strings.Repeat("0", 9*17+3), // 64 bytes
		"length of no bytes": "1" + strings.Repeat("0", 17*10+1),
		"chunk over 7 bytes": "1" + strings.Repeat("0", 17*10) + "99999999999999999",
		"last chunk over 1":  "1" + strings.Repeat("0", 17*10) + "256",
		"not digits":         "1" + strings.Repeat("0", 17*10) + "25a",
		"mark only":          "1",
	} {
		if got, ok := schema.QRDecodeNumeric(bad); ok {
			t.Errorf("%s: QRDecodeNumeric accepted %q", name, got)
		}
	}
	// Not a card token, or not one the packed form holds: the older form.
	for _, jws := range []string{
		"eyJhbGciOiJFUzI1NiJ9.abc." + sig,            // another header
		schema.CardHeader + ".abc." + sig[:40],       // not 64 bytes of signature
		schema.CardHeader + "." + "abc=" + "." + sig, // not base64url
		schema.CardHeader + "..." + sig,              // three dots
	} {
		num := schema.QRNumeric(jws)
		if num[0] == '1' || len(num) != 2*len(jws) {
			t.Errorf("%q: numeric form %q, want the older form", jws, num)
		}
		if got, ok := schema.QRDecodeNumeric(num); ok && got != jws {
			t.Errorf("%q: round trip %q", jws, got)
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

// FuzzQRDecodeNumeric: any digits (or not) either fail or give a JWS whose
// numeric form reads back the same; never a panic. Seeds: both forms.
func FuzzQRDecodeNumeric(f *testing.F) {
	enc := base64.RawURLEncoding
	sig := make([]byte, 64)
	for i := range sig {
		sig[i] = byte(i * 7)
	}
	for _, payload := range [][]byte{{1}, []byte("a card payload"), make([]byte, 200)} {
		jws := schema.CardHeader + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString(sig)
		f.Add(schema.QRNumeric(jws))
	}
	f.Add(schema.QRNumeric("eyJhbGciOiJFUzI1NiJ9.abc." + strings.Repeat("A", 86)))
	f.Add("1" + strings.Repeat("9", 17*12))
	f.Add("1")
	f.Fuzz(func(t *testing.T, s string) {
		jws, ok := schema.QRDecodeNumeric(s)
		if !ok {
			return
		}
		back, ok := schema.QRDecodeNumeric(schema.QRNumeric(jws))
		if !ok || back != jws {
			t.Fatalf("%.40q… decodes to a JWS whose numeric form does not read back", s)
		}
	})
}
