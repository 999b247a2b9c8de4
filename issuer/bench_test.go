package issuer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"carnet/dataintegrity"
	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
)

// The benchmarks issue the credential BENCHMARKS.md measures: six DigComp
// 2.2 competencies, an accented learner name, no status entry (no store).

const benchBaseURL = "https://carnet.example.org"

var benchStructure = &schema.Structure{Slug: "mediatheque-belleville", Name: "Médiathèque de Belleville"}

func benchAssessment() schema.Assessment {
	return schema.Assessment{
		LearnerName: "Éloïse Ndiaye-Bérénice",
		Framework:   "digcomp-2.2",
		Results: []schema.LevelResult{
			{Competency: "1.1", Level: "3"},
			{Competency: "1.2", Level: "2"},
			{Competency: "2.1", Level: "4"},
			{Competency: "3.1", Level: "2"},
			{Competency: "4.2", Level: "2"},
			{Competency: "5.1", Level: "1"},
		},
	}
}

// benchFixture is one issuance with a fixed clock and a seeded random
// source, so the sizes it reports are the same on every run, and the inputs
// the step benchmarks (Build, SignCredential, SignCard) take.
type benchFixture struct {
	issued  *issuer.Issued
	key     *keys.Key
	build   issuer.BuildInput
	payload []byte // signed payload of issued.JWT
	card    *schema.CardClaims
}

func newBenchFixture(b *testing.B) *benchFixture {
	b.Helper()
	now := time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)
	svc := &issuer.Service{
		Frameworks: schema.NewFrameworks(),
		Keys:       keys.NewMemStore(),
		BaseURL:    benchBaseURL,
		Now:        func() time.Time { return now },
		Rand:       rand.NewChaCha8([32]byte{'c', 'a', 'r', 'n', 'e', 't'}),
	}
	iss, err := svc.Issue(context.Background(), benchStructure, benchAssessment())
	if err != nil {
		b.Fatal(err)
	}
	ring, err := svc.Keys.Ring(benchStructure.Slug)
	if err != nil {
		b.Fatal(err)
	}
	profile, err := svc.Profile(benchStructure)
	if err != nil {
		b.Fatal(err)
	}
	fw, err := svc.Frameworks.Get("digcomp-2.2")
	if err != nil {
		b.Fatal(err)
	}
	a := benchAssessment()
	a.SubjectID = iss.Record.SubjectID
	a.AssessedAt = iss.Record.IssuedAt
	f := &benchFixture{
		issued: iss,
		key:    ring.Signer(),
		build:  issuer.BuildInput{ID: iss.Record.ID, Issuer: profile, Framework: fw, Assessment: a},
	}
	// Re-sign the issued credential to get its payload: the payload does not
	// depend on the signature, so its digest is the one the card carries.
	if _, f.payload, err = issuer.SignCredential(iss.Credential, f.key); err != nil {
		b.Fatal(err)
	}
	f.card = &schema.CardClaims{
		Iss: profile.ID, Jti: iss.Record.ID, Nbf: a.AssessedAt.Unix(), Name: a.LearnerName,
		Framework: fw.ID, Digest: issuer.CredentialDigest(f.payload),
	}
	for _, l := range iss.Record.Results {
		f.card.Levels = append(f.card.Levels, schema.CardLevel{Competency: l.Competency, Level: l.Level})
	}
	return f
}

func BenchmarkIssue(b *testing.B) {
	svc := &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: keys.NewMemStore(), BaseURL: benchBaseURL}
	ctx := context.Background()
	a := benchAssessment()
	if _, err := svc.Issue(ctx, benchStructure, a); err != nil { // creates the key ring
		b.Fatal(err)
	}
	b.ReportAllocs()
	var iss *issuer.Issued
	for b.Loop() {
		var err error
		if iss, err = svc.Issue(ctx, benchStructure, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(iss.JWT)), "jws-chars")
	b.ReportMetric(float64(len(iss.CardToken)), "card-chars")
	b.ReportMetric(float64(len(iss.QRText)), "qr-chars")
}

func BenchmarkBuild(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := issuer.Build(f.build); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignCredential(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	var jws string
	var payload []byte
	for b.Loop() {
		var err error
		if jws, payload, err = issuer.SignCredential(f.issued.Credential, f.key); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(jws)), "jws-chars")
	b.ReportMetric(float64(len(payload)), "payload-bytes")
}

func BenchmarkCardToken(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	var token string
	for b.Loop() {
		var err error
		if token, err = issuer.SignCard(f.card, f.key); err != nil {
			b.Fatal(err)
		}
	}
	if len(token) != len(f.issued.CardToken) {
		b.Fatalf("card token of %d chars, Issue made %d", len(token), len(f.issued.CardToken))
	}
	b.ReportMetric(float64(len(token)), "card-chars")
	b.ReportMetric(float64(len(issuer.QRText(benchBaseURL, token))), "qr-chars")
}

// BenchmarkDataIntegrityCredential makes the Data Integrity form of the
// six-competency credential: two RDFC-1.0 canonicalisations and an Ed25519
// signature.
func BenchmarkDataIntegrityCredential(b *testing.B) {
	f := newBenchFixture(b)
	ring, err := keys.NewMemStore().Ring(benchStructure.Slug)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var di []byte
	for b.Loop() {
		if di, err = issuer.DataIntegrityCredential(f.issued.JWT, ring.EdSigner()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(di)), "bytes")
}

// BenchmarkStatusListDI signs a 131,072-entry status list in Data Integrity
// form (what a JSON-LD client of /s/SLUG/status/N gets, cached 5 min).
func BenchmarkStatusListDI(b *testing.B) {
	ring, err := keys.NewMemStore().Ring("lille")
	if err != nil {
		b.Fatal(err)
	}
	in := issuer.StatusListInput{Issuer: "did:web:carnet.example.org:s:lille", URL: "https://carnet.example.org/s/lille/status/1",
		Purpose: issuer.PurposeRevocation, Set: []int{3, 99, 4000}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := issuer.SignStatusListDI(in, ring.EdSigner()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCanonicalizeCredential is RDFC-1.0 alone on the six-competency
// credential (json-gold, bundled contexts): the bulk of a Data Integrity
// signature or verification.
func BenchmarkCanonicalizeCredential(b *testing.B) {
	f := newBenchFixture(b)
	var doc map[string]any
	if err := json.Unmarshal(f.payload, &doc); err != nil {
		b.Fatal(err)
	}
	for _, claim := range []string{"iss", "jti", "sub", "nbf", "exp"} {
		delete(doc, claim)
	}
	b.ReportAllocs()
	var nq []byte
	for b.Loop() {
		var err error
		if nq, err = dataintegrity.Canonicalize(doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(nq)), "nquads-bytes")
	b.ReportMetric(float64(bytes.Count(nq, []byte("\n"))), "quads")
}
