package verifier_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"

	"github.com/go-jose/go-jose/v4"
)

// The benchmarks verify the credential issuer/bench_test.go measures: six
// DigComp 2.2 competencies, an accented learner name, no status entry. The
// GoJose and ECDSA benchmarks are the ceilings Verify is compared with in
// BENCHMARKS.md.

type benchFixture struct {
	issued *issuer.Issued
	pub    *ecdsa.PublicKey
	v      *verifier.Verifier
	ed     *keys.EdKey
}

func newBenchFixture(b *testing.B) *benchFixture {
	b.Helper()
	now := time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)
	fws := schema.NewFrameworks()
	svc := &issuer.Service{
		Frameworks: fws,
		Keys:       keys.NewMemStore(),
		BaseURL:    "https://carnet.example.org",
		Now:        func() time.Time { return now },
		Rand:       rand.NewChaCha8([32]byte{'c', 'a', 'r', 'n', 'e', 't'}),
	}
	st := &schema.Structure{Slug: "mediatheque-belleville", Name: "Médiathèque de Belleville"}
	iss, err := svc.Issue(context.Background(), st, schema.Assessment{
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
	})
	if err != nil {
		b.Fatal(err)
	}
	ring, err := svc.Keys.Ring(st.Slug)
	if err != nil {
		b.Fatal(err)
	}
	did := iss.Credential.Issuer.ID
	reg := verifier.NewRegistry()
	if err := reg.Add(verifier.LocalIssuer(did, st.Name, ring)); err != nil {
		b.Fatal(err)
	}
	return &benchFixture{
		issued: iss,
		pub:    &ring.Signer().Private.PublicKey,
		ed:     ring.EdSigner(),
		v:      &verifier.Verifier{Trust: reg, Frameworks: fws, Now: func() time.Time { return now }},
	}
}

func benchVerify(b *testing.B, input func(*issuer.Issued) string) {
	f := newBenchFixture(b)
	in := []byte(input(f.issued))
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if r := f.v.Verify(ctx, in); !r.Valid {
			b.Fatalf("not valid: %s", r.Reason)
		}
	}
	b.ReportMetric(float64(len(in)), "input-chars")
}

func BenchmarkVerifyCredential(b *testing.B) {
	benchVerify(b, func(i *issuer.Issued) string { return i.JWT })
}

// BenchmarkVerifyDataIntegrity verifies the Data Integrity form of the same
// credential: two RDFC-1.0 canonicalisations (proof options, document) and
// an Ed25519 verification.
func BenchmarkVerifyDataIntegrity(b *testing.B) {
	f := newBenchFixture(b)
	in, err := issuer.DataIntegrityCredential(f.issued.JWT, f.ed)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if r := f.v.Verify(ctx, in); !r.Valid {
			b.Fatalf("not valid: %s", r.Reason)
		}
	}
	b.ReportMetric(float64(len(in)), "input-chars")
}

func BenchmarkVerifyCardToken(b *testing.B) {
	benchVerify(b, func(i *issuer.Issued) string { return i.CardToken })
}

// BenchmarkVerifyQRText verifies the text a phone reads from the card's QR
// code: the base URL, /c# and the card token in numeric form.
func BenchmarkVerifyQRText(b *testing.B) {
	benchVerify(b, func(i *issuer.Issued) string { return i.QRText })
}

// benchGoJose is the plain go-jose parse and verify, without Carnet's header,
// JSON, claim and trust checks (and, for a card, without inflating).
func benchGoJose(b *testing.B, tok string, pub *ecdsa.PublicKey) {
	b.ReportAllocs()
	b.SetBytes(int64(len(tok)))
	for b.Loop() {
		obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := obj.Verify(pub); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGoJoseES256Verify(b *testing.B) {
	f := newBenchFixture(b)
	benchGoJose(b, f.issued.JWT, f.pub)
}

func BenchmarkGoJoseES256VerifyCard(b *testing.B) {
	f := newBenchFixture(b)
	benchGoJose(b, f.issued.CardToken, f.pub)
}

// BenchmarkECDSAVerifyRaw is the floor: one P-256 verification of the
// credential's signature, its SHA-256 digest computed beforehand.
func BenchmarkECDSAVerifyRaw(b *testing.B) {
	f := newBenchFixture(b)
	digest, r, s := benchSplit(b, f.issued.JWT)
	b.ReportAllocs()
	for b.Loop() {
		if !ecdsa.Verify(f.pub, digest, r, s) {
			b.Fatal("signature does not verify")
		}
	}
}

// BenchmarkSHA256SigningInput is the hashing BenchmarkECDSAVerifyRaw leaves
// out: the SHA-256 of the credential's signing input (header.payload).
func BenchmarkSHA256SigningInput(b *testing.B) {
	f := newBenchFixture(b)
	i := strings.LastIndexByte(f.issued.JWT, '.')
	in := []byte(f.issued.JWT[:i])
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		sha256.Sum256(in)
	}
}

func benchSplit(b *testing.B, jws string) (digest []byte, r, s *big.Int) {
	b.Helper()
	i := strings.LastIndexByte(jws, '.')
	sig, err := base64.RawURLEncoding.DecodeString(jws[i+1:])
	if err != nil || len(sig) != 64 {
		b.Fatalf("signature: %d bytes, %v", len(sig), err)
	}
	sum := sha256.Sum256([]byte(jws[:i]))
	return sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
}
