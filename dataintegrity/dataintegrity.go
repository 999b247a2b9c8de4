// Package dataintegrity signs and verifies W3C Data Integrity proofs with
// the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa): the document without
// its proof and the proof options are each canonicalised with RDFC-1.0
// (URDNA2015, github.com/piprate/json-gold), hashed with SHA-256, and the
// concatenation proofHash||docHash is signed with Ed25519; proofValue is
// its multibase base58btc ("z…").
//
// JSON-LD contexts come only from the copies bundled here (VC 2.0, Open
// Badges 3.0 and its extensions): any other context is refused, and nothing
// is ever fetched. Expansion runs in safe mode: a property that does not
// expand to an IRI is an error, never silently left out of what is signed.
package dataintegrity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mr-tron/base58"
	"github.com/piprate/json-gold/ld"
)

// Proof type and cryptosuite.
const (
	ProofType        = "DataIntegrityProof"
	Cryptosuite      = "eddsa-rdfc-2022"
	PurposeAssertion = "assertionMethod"
)

// Bundled context URLs.
const (
	ContextVC2   = "https://www.w3.org/ns/credentials/v2"
	ContextOB3   = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextOBExt = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
)

//go:embed contexts/*.json contexts/*.jsonld
var contextFiles embed.FS

var contextPaths = map[string]string{
	ContextVC2:   "contexts/w3c_credentials_v2.jsonld",
	ContextOB3:   "contexts/ob_v3p0_context-3.0.3.json",
	ContextOBExt: "contexts/ob_v3p0_extensions.json",
}

// Errors of Verify and Canonicalize, to be told apart with errors.Is.
var (
	// ErrUnknownContext: the document names a context that is not bundled.
	ErrUnknownContext = errors.New("unknown JSON-LD context")
	// ErrNoProof: the document carries no proof.
	ErrNoProof = errors.New("no proof")
	// ErrUnsupportedProof: a proof type or cryptosuite other than
	// DataIntegrityProof / eddsa-rdfc-2022, or several proofs.
	ErrUnsupportedProof = errors.New("unsupported proof")
	// ErrMalformedProof: a proof member is missing or wrong (purpose,
	// created, verificationMethod, a proofValue that is not z-base58 of 64
	// bytes).
	ErrMalformedProof = errors.New("malformed proof")
	// ErrBadSignature: the signature does not verify.
	ErrBadSignature = errors.New("the signature does not verify")
	// ErrInvalidJSONLD: the document is not JSON-LD these contexts can
	// read (a property without a definition, a bad value, …).
	ErrInvalidJSONLD = errors.New("invalid JSON-LD")
	// ErrTooComplex: the document's shape could make canonicalisation
	// too slow (see checkShape).
	ErrTooComplex = errors.New("document too complex to canonicalise")
)

// loader serves the bundled contexts and refuses everything else.
type loader struct{}

var (
	parsedOnce sync.Once
	parsed     map[string]any
	parseErr   error
)

func (loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	parsedOnce.Do(func() {
		parsed = map[string]any{}
		for url, p := range contextPaths {
			b, err := contextFiles.ReadFile(p)
			if err == nil {
				var doc any
				err = json.Unmarshal(b, &doc)
				parsed[url] = doc
			}
			if err != nil {
				parseErr = fmt.Errorf("dataintegrity: bundled context %s: %w", url, err)
				return
			}
		}
	})
	if parseErr != nil {
		return nil, parseErr
	}
	doc, ok := parsed[u]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, fmt.Errorf("%w: %.200q", ErrUnknownContext, u))
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

// Known reports whether url is a bundled context.
func Known(url string) bool { _, ok := contextPaths[url]; return ok }

// Canonicalize returns the RDFC-1.0 canonical N-Quads of a JSON-LD document
// (a value from encoding/json: map[string]any…).
func Canonicalize(doc map[string]any) ([]byte, error) {
	if err := CheckContexts(doc); err != nil {
		return nil, err
	}
	if err := checkShape(doc); err != nil {
		return nil, err
	}
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	opts.DocumentLoader = loader{}
	opts.SafeMode = true
	out, err := ld.NewJsonLdProcessor().Normalize(doc, opts)
	if err != nil {
		if errors.Is(err, ErrUnknownContext) || strings.Contains(err.Error(), ErrUnknownContext.Error()) {
			return nil, fmt.Errorf("%w: %v", ErrUnknownContext, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidJSONLD, err)
	}
	s, ok := out.(string)
	if !ok || s == "" {
		return nil, fmt.Errorf("%w: the document has no statements", ErrInvalidJSONLD)
	}
	return []byte(s), nil
}

// Limits on the shape of a document, against canonicalisation that takes
// exponential time (RDFC-1.0 "poison graphs": many blank nodes that look
// alike and point at each other). Blank nodes are objects without an id.
const (
	// MaxObjects bounds the JSON objects of a document.
	MaxObjects = 4000
	// MaxBlankChildren bounds the blank nodes directly inside a blank node
	// (RDFC-1.0 may try every order of look-alike ones: 6! = 720).
	MaxBlankChildren = 6
	// MaxBlankDepth bounds blank nodes nested in blank nodes.
	MaxBlankDepth = 3
)

// checkShape refuses documents RDFC-1.0 could take too long on: blank node
// identifiers written out ("_:…", the only way to make blank nodes refer to
// each other in a cycle), too many objects, blank nodes holding too many or
// too deeply nested blank nodes. Credentials Carnet issues are far within.
func checkShape(doc map[string]any) error {
	objects := 0
	var walk func(v any, blankParent bool, depth int) (bool, error)
	// walk returns whether v is a blank node object.
	walk = func(v any, blankParent bool, depth int) (bool, error) {
		switch x := v.(type) {
		case map[string]any:
			if objects++; objects > MaxObjects {
				return false, fmt.Errorf("%w: more than %d objects", ErrTooComplex, MaxObjects)
			}
			_, hasID := x["id"]
			_, hasAtID := x["@id"]
			_, isValue := x["@value"]
			blank := !hasID && !hasAtID && !isValue
			d := 0
			if blank && blankParent {
				if d = depth + 1; d > MaxBlankDepth {
					return false, fmt.Errorf("%w: blank nodes nested more than %d deep", ErrTooComplex, MaxBlankDepth)
				}
			}
			children := 0
			for k, c := range x {
				if k == "@context" {
					continue
				}
				if s, ok := c.(string); ok && (k == "id" || k == "@id") && strings.HasPrefix(s, "_:") {
					return false, fmt.Errorf("%w: blank node identifier %.50q", ErrTooComplex, s)
				}
				n, err := walkAll(walk, c, blank, d)
				if err != nil {
					return false, err
				}
				if blank {
					if children += n; children > MaxBlankChildren {
						return false, fmt.Errorf("%w: a blank node holds more than %d blank nodes", ErrTooComplex, MaxBlankChildren)
					}
				}
			}
			return blank, nil
		case []any:
			return false, fmt.Errorf("dataintegrity: internal: walk on a list")
		}
		return false, nil
	}
	_, err := walk(doc, false, 0)
	return err
}

// walkAll walks v (a value or a list of values, nested lists included) and
// returns how many blank node objects it holds directly.
func walkAll(walk func(any, bool, int) (bool, error), v any, blankParent bool, depth int) (int, error) {
	if l, ok := v.([]any); ok {
		n := 0
		for _, e := range l {
			m, err := walkAll(walk, e, blankParent, depth)
			if err != nil {
				return 0, err
			}
			n += m
		}
		return n, nil
	}
	b, err := walk(v, blankParent, depth)
	if b {
		return 1, err
	}
	return 0, err
}

// CheckContexts refuses, before any processing, a document whose @context
// is not a list of bundled context URLs (inline contexts included) starting
// with the VC 2.0 context: what a proof covers is then defined by the
// bundled files only.
func CheckContexts(doc map[string]any) error {
	c := doc["@context"]
	var list []any
	switch v := c.(type) {
	case string:
		list = []any{v}
	case []any:
		list = v
	case []string:
		for _, s := range v {
			list = append(list, s)
		}
	default:
		return fmt.Errorf("%w: @context must be a list of context URLs", ErrUnknownContext)
	}
	if len(list) == 0 {
		return fmt.Errorf("%w: empty @context", ErrUnknownContext)
	}
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return fmt.Errorf("%w: an inline context", ErrUnknownContext)
		}
		if !Known(s) {
			return fmt.Errorf("%w: %.200q", ErrUnknownContext, s)
		}
	}
	if first, _ := list[0].(string); first != ContextVC2 {
		return fmt.Errorf("%w: the first context must be %s", ErrUnknownContext, ContextVC2)
	}
	return nil
}

// Proof is a DataIntegrityProof.
type Proof struct {
	Type               string `json:"type"`
	Cryptosuite        string `json:"cryptosuite"`
	Created            string `json:"created"`
	VerificationMethod string `json:"verificationMethod"`
	ProofPurpose       string `json:"proofPurpose"`
	ProofValue         string `json:"proofValue,omitempty"`
}

// hashData is SHA-256(canon(proof options)) || SHA-256(canon(document)).
func hashData(doc map[string]any, p Proof) ([]byte, error) {
	unsecured := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			unsecured[k] = v
		}
	}
	opts := map[string]any{
		"@context":           doc["@context"],
		"type":               p.Type,
		"cryptosuite":        p.Cryptosuite,
		"created":            p.Created,
		"verificationMethod": p.VerificationMethod,
		"proofPurpose":       p.ProofPurpose,
	}
	co, err := Canonicalize(opts)
	if err != nil {
		return nil, err
	}
	cd, err := Canonicalize(unsecured)
	if err != nil {
		return nil, err
	}
	h1, h2 := sha256.Sum256(co), sha256.Sum256(cd)
	return append(h1[:], h2[:]...), nil
}

// Sign adds an eddsa-rdfc-2022 proof to a JSON document (a credential
// without proof) and returns the secured document. vm is the absolute id of
// the verification method of priv (did:web:…#z6Mk…); created is written to
// the second.
func Sign(document []byte, priv ed25519.PrivateKey, vm string, created time.Time) ([]byte, error) {
	doc, err := decode(document)
	if err != nil {
		return nil, err
	}
	if _, ok := doc["proof"]; ok {
		return nil, fmt.Errorf("dataintegrity: the document already has a proof")
	}
	p := Proof{Type: ProofType, Cryptosuite: Cryptosuite, Created: created.UTC().Truncate(time.Second).Format(time.RFC3339),
		VerificationMethod: vm, ProofPurpose: PurposeAssertion}
	data, err := hashData(doc, p)
	if err != nil {
		return nil, err
	}
	p.ProofValue = "z" + base58.Encode(ed25519.Sign(priv, data))
	// The proof goes last, the document's members staying in their order.
	trimmed := bytes.TrimRight(document, " \t\r\n")
	if len(trimmed) < 2 || trimmed[len(trimmed)-1] != '}' {
		return nil, fmt.Errorf("dataintegrity: not a JSON object")
	}
	pb, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), trimmed[:len(trimmed)-1]...)
	out = bytes.TrimRight(out, " \t\r\n")
	out = append(out, []byte(`,"proof":`)...)
	out = append(out, pb...)
	return append(out, '}'), nil
}

func decode(b []byte) (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || doc == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidJSONLD)
	}
	return doc, nil
}

// ReadProof returns the single proof of a decoded document, checked for
// shape (type, cryptosuite, purpose, created, an absolute DID URL as
// verification method, a z-base58 proofValue of 64 bytes) but not verified.
func ReadProof(doc map[string]any) (Proof, []byte, error) {
	raw, ok := doc["proof"]
	if !ok || raw == nil {
		return Proof{}, nil, ErrNoProof
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return Proof{}, nil, fmt.Errorf("%w: one proof only, as an object", ErrUnsupportedProof)
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	p := Proof{Type: str("type"), Cryptosuite: str("cryptosuite"), Created: str("created"),
		VerificationMethod: str("verificationMethod"), ProofPurpose: str("proofPurpose"), ProofValue: str("proofValue")}
	if p.Type != ProofType {
		return p, nil, fmt.Errorf("%w: proof type %.100q (%s only)", ErrUnsupportedProof, p.Type, ProofType)
	}
	if p.Cryptosuite != Cryptosuite {
		return p, nil, fmt.Errorf("%w: cryptosuite %.100q (%s only)", ErrUnsupportedProof, p.Cryptosuite, Cryptosuite)
	}
	for k := range m {
		switch k {
		case "type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue":
		default:
			// Members outside the proof options would not be covered by
			// the signature.
			return p, nil, fmt.Errorf("%w: unexpected proof member %.100q", ErrMalformedProof, k)
		}
	}
	if p.ProofPurpose != PurposeAssertion {
		return p, nil, fmt.Errorf("%w: proofPurpose %.100q (assertionMethod only)", ErrMalformedProof, p.ProofPurpose)
	}
	if _, err := time.Parse(time.RFC3339, p.Created); err != nil {
		return p, nil, fmt.Errorf("%w: created %.100q is not a date-time", ErrMalformedProof, p.Created)
	}
	did, frag, ok := strings.Cut(p.VerificationMethod, "#")
	if !ok || !strings.HasPrefix(did, "did:") || frag == "" || len(p.VerificationMethod) > 512 {
		return p, nil, fmt.Errorf("%w: verificationMethod %.100q is not an absolute DID URL", ErrMalformedProof, p.VerificationMethod)
	}
	if len(p.ProofValue) < 2 || len(p.ProofValue) > 100 || p.ProofValue[0] != 'z' {
		return p, nil, fmt.Errorf("%w: proofValue is not multibase base58btc", ErrMalformedProof)
	}
	sig, err := base58.Decode(p.ProofValue[1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return p, nil, fmt.Errorf("%w: proofValue is not a 64-byte signature", ErrMalformedProof)
	}
	return p, sig, nil
}

// Verify checks the proof of a decoded document with pub, the key of its
// verification method (which the caller looked up, in keys it trusts).
func Verify(doc map[string]any, p Proof, sig []byte, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: not an Ed25519 key", ErrBadSignature)
	}
	data, err := hashData(doc, p)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, data, sig) {
		return ErrBadSignature
	}
	return nil
}
