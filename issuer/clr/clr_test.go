package clr_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/issuer/clr"
	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
	"github.com/piprate/json-gold/ld"
)

var clock = time.Date(2026, 3, 14, 9, 30, 15, 0, time.UTC)

var lille = &schema.Structure{Slug: "mediatheque-lille", Name: "Médiathèque Jean Lévy", URL: "https://bm-lille.example.fr"}

const subject = "urn:uuid:0b6a3f7e-2c1d-4e5f-8a9b-1c2d3e4f5a6b"

func newService() *issuer.Service {
	return &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: keys.NewMemStore(), BaseURL: "https://carnet.example.org",
		Now: func() time.Time { return clock }, Rand: rand.NewChaCha8([32]byte{7})}
}

// issued returns two credentials of one learner, newest first, and the
// issuer's profile.
func issued(t *testing.T, svc *issuer.Service, st *schema.Structure, sub string) ([]string, schema.Profile) {
	t.Helper()
	var out []string
	for i, a := range []schema.Assessment{
		{Framework: "digcomp-2.2", Results: []schema.LevelResult{{Competency: "1.1", Level: "3"}, {Competency: "2.1", Level: "2"}}, Method: "Atelier « démarches »"},
		{Framework: "cefr-fr", Results: []schema.LevelResult{{Competency: "CO", Level: "B1"}}, ValidUntil: clock.AddDate(2, 0, 0)},
	} {
		a.LearnerName, a.SubjectID, a.AssessedAt = "Éloïse Ndiaye", sub, clock.AddDate(0, 0, -10+i)
		is, err := svc.Issue(context.Background(), st, a)
		if err != nil {
			t.Fatal(err)
		}
		out = append([]string{is.JWT}, out...)
	}
	p, err := svc.Profile(st)
	if err != nil {
		t.Fatal(err)
	}
	return out, p
}

func payload(t *testing.T, jws string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSignedRecord: the record verifies with the structure's key, carries
// the VC-JWT claims, embeds each credential as signed less its JWT claims
// and lists each achievement once.
func TestSignedRecord(t *testing.T) {
	svc := newService()
	creds, profile := issued(t, svc, lille, subject)
	c, err := clr.Build(clr.Input{ID: "urn:uuid:11111111-2222-4333-8444-555555555555", Issuer: profile, SubjectID: subject,
		LearnerName: "Éloïse Ndiaye", Credentials: creds, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ring, _ := svc.Keys.Ring(lille.Slug)
	jws, _, err := clr.Sign(c, ring.Signer())
	if err != nil {
		t.Fatal(err)
	}
	obj, err := jose.ParseSigned(jws, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if h := obj.Signatures[0].Header; h.KeyID != ring.Signer().KID(profile.ID) || h.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("header %+v", h)
	}
	b, err := obj.Verify(&ring.Signer().Private.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	json.Unmarshal(b, &p)
	if p["iss"] != profile.ID || p["jti"] != c.ID || p["sub"] != subject || p["nbf"] != float64(clock.Unix()) {
		t.Errorf("claims iss %v jti %v sub %v nbf %v", p["iss"], p["jti"], p["sub"], p["nbf"])
	}
	if !reflect.DeepEqual(p["type"], []any{"VerifiableCredential", "ClrCredential"}) || p["name"] != "Relevé de compétences de Éloïse Ndiaye" {
		t.Errorf("type %v name %v", p["type"], p["name"])
	}
	cs := p["credentialSubject"].(map[string]any)
	vcs := cs["verifiableCredential"].([]any)
	if len(vcs) != 2 || len(cs["achievement"].([]any)) != 2 {
		t.Fatalf("%d credentials, %d achievements", len(vcs), len(cs["achievement"].([]any)))
	}
	for i, jws := range creds {
		want := payload(t, jws)
		for _, k := range []string{"iss", "jti", "sub", "nbf", "exp"} {
			delete(want, k)
		}
		if !reflect.DeepEqual(vcs[i], want) {
			t.Errorf("credential %d is not embedded as signed", i)
		}
	}
}

// TestRefused: a record is never made of nothing, nor of someone else's or
// another issuer's credentials.
func TestRefused(t *testing.T) {
	svc := newService()
	creds, profile := issued(t, svc, lille, subject)
	in := clr.Input{ID: "urn:uuid:11111111-2222-4333-8444-555555555555", Issuer: profile, SubjectID: subject, Credentials: creds, Now: clock}
	if _, err := clr.Build(clr.Input{ID: in.ID, Issuer: profile, SubjectID: subject, Now: clock}); schema.ErrorCode(err) != schema.ECONFLICT {
		t.Errorf("empty record: %v", err)
	}
	other, _ := issued(t, svc, lille, "urn:uuid:99999999-2222-4333-8444-555555555555")
	bad := in
	bad.Credentials = append([]string{other[0]}, creds...)
	if _, err := clr.Build(bad); err == nil || !strings.Contains(err.Error(), "not about") {
		t.Errorf("another learner's credential: %v", err)
	}
	nantes, _ := issued(t, svc, &schema.Structure{Slug: "asso-nantes", Name: "Asso"}, subject)
	bad.Credentials = append(slicesClone(creds), nantes[0])
	if _, err := clr.Build(bad); err == nil || !strings.Contains(err.Error(), "not issued by") {
		t.Errorf("another issuer's credential: %v", err)
	}
	bad.Credentials = []string{"a.b"}
	if _, err := clr.Build(bad); err == nil {
		t.Error("a broken JWS was embedded")
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// bundled loads JSON-LD contexts from the copies in interop/spec/contexts
// only: no network.
type bundled map[string]string

func (b bundled) LoadDocument(u string) (*ld.RemoteDocument, error) {
	name, ok := b[u]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, "context not bundled: "+u)
	}
	f, err := os.Open(filepath.Join("..", "..", "interop", "spec", "contexts", name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := ld.DocumentFromReader(f)
	if err != nil {
		return nil, err
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

var contexts = bundled{
	schema.ContextVC2:   "w3c_credentials_v2.jsonld",
	schema.ContextOB3:   "ob_v3p0_context-3.0.3.json",
	schema.ContextOBExt: "ob_v3p0_extensions.json",
	clr.ContextCLR:      "clr_v2p0_context-2.0.1.json",
}

// issuerDependent is where VC 2.0's @vocab puts a term no context defines.
const issuerDependent = "https://www.w3.org/ns/credentials/issuer-dependent#"

// expand expands doc in JSON-LD safe mode and returns every property and
// type IRI of the result.
func expand(doc map[string]any) (map[string]bool, error) {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = contexts
	opts.SafeMode = true
	out, err := ld.NewJsonLdProcessor().Expand(doc, opts)
	if err != nil {
		return nil, err
	}
	iris := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for k, x := range v {
				iris[k] = true
				if k == "@type" {
					if ts, ok := x.([]any); ok { // a node's types (a value's datatype is a string)
						for _, t := range ts {
							iris[t.(string)] = true
						}
					}
				}
				walk(x)
			}
		}
	}
	walk(out)
	return iris, nil
}

// TestJSONLDExpansion: the record expands in JSON-LD safe mode with the
// bundled W3C, OB 3.0 and CLR 2.0 contexts (nothing fetched), into the CLR
// vocabulary, every term defined by a context (none falls to VC 2.0's
// issuer-dependent @vocab); the same record with an undefined member in an
// embedded credential does not pass.
func TestJSONLDExpansion(t *testing.T) {
	svc := newService()
	creds, profile := issued(t, svc, lille, subject)
	c, err := clr.Build(clr.Input{ID: "urn:uuid:11111111-2222-4333-8444-555555555555", Issuer: profile, SubjectID: subject,
		LearnerName: "Éloïse Ndiaye", Lang: "en", Credentials: creds, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c)
	var doc map[string]any
	json.Unmarshal(b, &doc)
	iris, err := expand(doc)
	if err != nil {
		t.Fatalf("the CLR does not expand in safe mode: %v", err)
	}
	const vocab = "https://purl.imsglobal.org/spec/vc/clr/vocab.html#"
	for _, want := range []string{vocab + "ClrCredential", vocab + "ClrSubject", vocab + "verifiableCredential", vocab + "achievement",
		"https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"} {
		if !iris[want] {
			t.Errorf("expansion has no %s", want)
		}
	}
	for iri := range iris {
		if strings.HasPrefix(iri, issuerDependent) {
			t.Errorf("term undefined by the contexts: %s", iri)
		}
	}
	stray := maps.Clone(doc)
	sub := maps.Clone(doc["credentialSubject"].(map[string]any))
	vc := maps.Clone(sub["verifiableCredential"].([]any)[0].(map[string]any))
	vc["learnerNote"] = "x" // a member no context defines
	sub["verifiableCredential"] = []any{vc}
	stray["credentialSubject"] = sub
	if iris, err := expand(stray); err == nil && !iris[issuerDependent+"learnerNote"] {
		t.Error("an undefined term in an embedded credential went unnoticed")
	}
}

// BenchmarkCLR builds and signs the record of a learner with 50
// credentials (25 DigComp, 25 CEFR), as GET /api/v1/learners/{id}/clr.jwt
// does once it has read them.
func BenchmarkCLR(b *testing.B) {
	svc := newService()
	var creds []string
	for i := range 50 {
		a := schema.Assessment{Framework: "digcomp-2.2", Results: []schema.LevelResult{{Competency: "1.1", Level: "3"}, {Competency: "2.1", Level: "2"}, {Competency: "5.1", Level: "4"}}}
		if i%2 == 1 {
			a = schema.Assessment{Framework: "cefr-fr", Results: []schema.LevelResult{{Competency: "CO", Level: "B1"}, {Competency: "PE", Level: "A2"}}}
		}
		a.LearnerName, a.SubjectID, a.AssessedAt = "Éloïse Ndiaye", subject, clock.AddDate(0, 0, -i)
		is, err := svc.Issue(context.Background(), lille, a)
		if err != nil {
			b.Fatal(err)
		}
		creds = append(creds, is.JWT)
	}
	profile, _ := svc.Profile(lille)
	ring, _ := svc.Keys.Ring(lille.Slug)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		c, err := clr.Build(clr.Input{ID: "urn:uuid:11111111-2222-4333-8444-555555555555", Issuer: profile, SubjectID: subject,
			LearnerName: "Éloïse Ndiaye", Credentials: creds, Now: clock})
		if err != nil {
			b.Fatal(err)
		}
		jws, _, err := clr.Sign(c, ring.Signer())
		if err != nil {
			b.Fatal(err)
		}
		size = len(jws)
	}
	b.ReportMetric(float64(size), "jws-bytes")
}
