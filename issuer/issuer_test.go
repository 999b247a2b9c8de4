package issuer_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var clock = time.Date(2026, 3, 14, 9, 30, 15, 123456789, time.UTC)

// newService returns a service whose ids and clock are fixed by seed.
func newService(seed uint64) *issuer.Service {
	return &issuer.Service{
		Frameworks: schema.NewFrameworks(),
		Keys:       keys.NewMemStore(),
		BaseURL:    "https://carnet.example.org",
		Now:        func() time.Time { return clock },
		Rand:       rand.NewChaCha8([32]byte{byte(seed)}),
	}
}

var lille = &schema.Structure{Slug: "mediatheque-lille", Name: "Médiathèque Jean Lévy", URL: "https://bm-lille.example.fr"}

func sixLevels() []schema.LevelResult {
	return []schema.LevelResult{{Competency: "5.1", Level: "1"}, {Competency: "1.1", Level: "3"}, {Competency: "1.2", Level: "2"}, {Competency: "2.1", Level: "4"}, {Competency: "3.1", Level: "2"}, {Competency: "4.2", Level: "2"}}
}

func payloadOf(t *testing.T, jws string) []byte {
	t.Helper()
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", jws)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoldenCredential pins the credential JSON: same assessment, clock and
// random source, same bytes. Regenerate with: go test ./issuer -run Golden -update
func TestGoldenCredential(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    schema.Assessment
	}{
		{"digcomp-six", schema.Assessment{
			LearnerName: "Éloïse Ndiaye-Bérénice", Framework: "digcomp-2.2", Results: sixLevels(),
			Method: "Observation en atelier", Mediator: "Camille Martin",
			Evidence: []schema.EvidenceItem{{Narrative: "A créé son espace France Travail « seule »."}, {Name: "CV", URL: "https://example.org/cv"}},
		}},
		{"cefr-expiring", schema.Assessment{
			LearnerName: "Олена Шевченко", Framework: "cefr-fr",
			Results:    []schema.LevelResult{{Competency: "CO", Level: "B1"}, {Competency: "PE", Level: "A2"}},
			ValidUntil: clock.AddDate(2, 0, 0),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is, err := newService(1).Issue(context.Background(), lille, tc.a)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, payloadOf(t, is.JWT), "", "  "); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".json")
			if *update {
				os.WriteFile(golden, pretty.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("credential differs from %s (run with -update if intended):\n%s", golden, pretty.String())
			}
			// Same inputs, same payload; the ECDSA signature itself is randomised.
			again, _ := newService(1).Issue(context.Background(), lille, tc.a)
			if !bytes.Equal(payloadOf(t, again.JWT), payloadOf(t, is.JWT)) {
				t.Error("issuance is not deterministic")
			}
		})
	}
}

func TestCredentialShape(t *testing.T) {
	s := newService(2)
	is, err := s.Issue(context.Background(), lille, schema.Assessment{
		LearnerName: "  محمد  ", Framework: "digcomp-2.2", Results: sixLevels(), ValidUntil: clock.AddDate(1, 0, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := is.Credential
	did := "did:web:carnet.example.org:s:mediatheque-lille"
	if c.Issuer.ID != did || c.Issuer.Name != "Médiathèque Jean Lévy" || !c.Issuer.Type.Has("Profile") {
		t.Errorf("issuer %+v", c.Issuer)
	}
	if c.LearnerName() != "محمد" {
		t.Errorf("learner name %q", c.LearnerName())
	}
	if c.ValidFrom != "2026-03-14T09:30:15Z" || c.ValidUntil != "2027-03-14T09:30:15Z" {
		t.Errorf("validity %s – %s", c.ValidFrom, c.ValidUntil)
	}
	if !strings.HasPrefix(c.ID, "urn:uuid:") || !strings.HasPrefix(c.CredentialSubject.ID, "urn:uuid:") || c.ID == c.CredentialSubject.ID {
		t.Errorf("ids %s %s", c.ID, c.CredentialSubject.ID)
	}
	if c.FrameworkID() != "digcomp-2.2" {
		t.Errorf("framework %q", c.FrameworkID())
	}
	// Results come out in framework order, each pointing at its own level.
	want := []schema.LevelResult{{Competency: "1.1", Level: "3"}, {Competency: "1.2", Level: "2"}, {Competency: "2.1", Level: "4"}, {Competency: "3.1", Level: "2"}, {Competency: "4.2", Level: "2"}, {Competency: "5.1", Level: "1"}}
	got := c.Levels()
	if len(got) != len(want) {
		t.Fatalf("levels %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("level %d = %v, want %v", i, got[i], want[i])
		}
	}
	for _, rd := range c.CredentialSubject.Achievement.ResultDescription {
		if rd.ResultType != "RubricCriterionLevel" || len(rd.RubricCriterionLevel) != 8 {
			t.Errorf("%s: %s with %d levels", rd.Name, rd.ResultType, len(rd.RubricCriterionLevel))
		}
	}

	// The JWS: header and claims as OB 3.0 asks.
	obj, err := jose.ParseSignedCompact(is.JWT, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := obj.Signatures[0].Protected
	ring, _ := s.Keys.Ring(lille.Slug)
	if h.Algorithm != "ES256" || h.KeyID != ring.Signer().KID(did) || h.ExtraHeaders["typ"] != "JWT" || len(h.ExtraHeaders) != 1 {
		t.Errorf("header %+v", h)
	}
	payload, err := obj.Verify(&ring.Signer().Private.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Iss, Jti, Sub string
		Nbf, Exp      int64
	}
	json.Unmarshal(payload, &claims)
	if claims.Iss != did || claims.Jti != c.ID || claims.Sub != c.CredentialSubject.ID || claims.Nbf != 1773480615 || claims.Exp != 1805016615 {
		t.Errorf("claims %+v", claims)
	}
}

func TestCardToken(t *testing.T) {
	s := newService(3)
	names := []string{"Éloïse Ndiaye-Bérénice", "Олена Шевченко", "محمد", "Jean-Baptiste de La Fontaine-Dupont-Aignan"}
	for _, name := range names {
		is, err := s.Issue(context.Background(), lille, schema.Assessment{LearnerName: name, Framework: "digcomp-2.2", Results: sixLevels()})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(is.CardToken); n > 650 {
			t.Errorf("%s: card token of %d characters, target ≤ 650", name, n)
		}
		if !strings.HasPrefix(is.QRText, "https://carnet.example.org/c#1") || strings.Trim(is.QRText[len("https://carnet.example.org/c#"):], "0123456789") != "" {
			t.Errorf("QR text %q, want the packed numeric form", is.QRText[:40])
		}
		// The packed form implies the header: go-jose must write exactly it.
		if !strings.HasPrefix(is.CardToken, schema.CardHeader+".") {
			t.Errorf("card token header %q, want %q", strings.Split(is.CardToken, ".")[0], schema.CardHeader)
		}
		if jws, ok := schema.QRDecodeNumeric(is.QRText[len("https://carnet.example.org/c#"):]); !ok || jws != is.CardToken {
			t.Errorf("QR text does not give back the card token")
		}
		obj, err := jose.ParseSignedCompact(is.CardToken, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		h := obj.Signatures[0].Protected
		ring, _ := s.Keys.Ring(lille.Slug)
		if h.KeyID != "" || h.ExtraHeaders["zip"] != "DEF" || len(h.ExtraHeaders) != 1 { // issue 11: no kid
			t.Errorf("card header %+v", h)
		}
		raw, err := obj.Verify(&ring.Signer().Private.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		var c schema.CardClaims
		if err := json.Unmarshal(inflate(t, raw), &c); err != nil {
			t.Fatal(err)
		}
		if c.Name != name || c.Jti != schema.CardJTI(is.Record.ID) || schema.CredentialIDFromJTI(c.Jti) != is.Record.ID || c.Iss != is.Credential.Issuer.ID || c.Framework != "digcomp-2.2" || len(c.Levels) != 6 {
			t.Errorf("card claims %+v", c)
		}
		if c.Digest != issuer.CredentialDigest(payloadOf(t, is.JWT)) {
			t.Error("card digest does not bind the credential")
		}
	}
}

func TestIssueRejects(t *testing.T) {
	base := schema.Assessment{LearnerName: "Ada", Framework: "digcomp-2.2", Results: []schema.LevelResult{{Competency: "1.1", Level: "3"}}}
	for _, tc := range []struct {
		name string
		edit func(a *schema.Assessment)
		msg  string
	}{
		{"unknown framework", func(a *schema.Assessment) { a.Framework = "digcomp-9" }, ""},
		{"unknown competency", func(a *schema.Assessment) { a.Results = []schema.LevelResult{{Competency: "9.9", Level: "3"}} }, "competency 9.9 is not in digcomp-2.2"},
		{"unknown level", func(a *schema.Assessment) { a.Results = []schema.LevelResult{{Competency: "1.1", Level: "9"}} }, ""},
		{"letter level on numeric framework", func(a *schema.Assessment) { a.Results = []schema.LevelResult{{Competency: "1.1", Level: "B1"}} }, ""},
		{"no results", func(a *schema.Assessment) { a.Results = nil }, ""},
		{"competency twice", func(a *schema.Assessment) {
			a.Results = append(a.Results, schema.LevelResult{Competency: "1.1", Level: "2"})
		}, "competency 1.1 is given twice"},
		{"empty name", func(a *schema.Assessment) { a.LearnerName = "  " }, ""},
		{"control char in name", func(a *schema.Assessment) { a.LearnerName = "A\x07da" }, ""},
		{"expiry before issue", func(a *schema.Assessment) { a.ValidUntil = clock.Add(-time.Hour) }, ""},
		{"evidence not http", func(a *schema.Assessment) {
			a.Evidence = []schema.EvidenceItem{{URL: "javascript:alert(1)"}}
		}, ""},
		{"evidence too long", func(a *schema.Assessment) {
			a.Evidence = []schema.EvidenceItem{{Narrative: strings.Repeat("x", issuer.MaxEvidenceText+1)}}
		}, ""},
		{"too much evidence", func(a *schema.Assessment) { a.Evidence = make([]schema.EvidenceItem, issuer.MaxEvidence+1) }, ""},
		{"subject not urn:uuid", func(a *schema.Assessment) { a.SubjectID = "mailto:ada@example.org" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := base
			tc.edit(&a)
			_, err := newService(4).Issue(context.Background(), lille, a)
			if schema.ErrorCode(err) != schema.EINVALID {
				t.Fatalf("err = %v, want code invalid", err)
			}
			if tc.msg != "" && schema.ErrorMessage(err) != tc.msg {
				t.Errorf("message %q, want %q", schema.ErrorMessage(err), tc.msg)
			}
			if schema.ErrorMessageFR(err) == "" {
				t.Error("no French message")
			}
		})
	}
}

func TestNameUUID(t *testing.T) {
	a, b := issuer.NameUUID("level", "digcomp-2.2", "1.1", "3"), issuer.NameUUID("level", "digcomp-2.2", "1.1", "3")
	c := issuer.NameUUID("level", "digcomp-2.2", "1.13")
	if a != b || a == c || len(a) != len("urn:uuid:")+36 || a[len("urn:uuid:")+14] != '5' {
		t.Errorf("%s %s %s", a, b, c)
	}
}

func inflate(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
