package verifier

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"carnet/dataintegrity"
	"carnet/schema"
)

// MaxDataIntegrity bounds a Data Integrity credential: canonicalising it
// costs more than checking a JWS, and grows with its size.
const MaxDataIntegrity = 256 << 10

// canonSlots bounds the Data Integrity proofs checked at once: RDFC-1.0 of
// a credential costs tens of milliseconds of CPU and ~20 MB of allocations
// (BENCHMARKS.md), so a burst of them waits its turn instead of starving
// the server.
var canonSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// failDetail is fail with a more precise message than the reason's own.
func failDetail(r *Result, reason, en, fr string) *Result {
	fail(r, reason)
	r.Message, r.MessageFR = en, fr
	return r
}

// verifyDataIntegrity checks a credential secured by a Data Integrity proof
// (DataIntegrityProof, eddsa-rdfc-2022): the key its verificationMethod
// names must be an Ed25519 key trusted here for the credential's issuer;
// then the credential is checked as a JWS one is (shape, validity window),
// and its status by Verify.
func (v *Verifier) verifyDataIntegrity(ctx context.Context, b []byte, r *Result) *Result {
	r.Kind = "credential"
	if len(b) > MaxDataIntegrity {
		return failDetail(r, ReasonTooLarge,
			fmt.Sprintf("A Data Integrity credential is read up to %d KiB.", MaxDataIntegrity>>10),
			fmt.Sprintf("Une attestation Data Integrity est lue jusqu'à %d Kio.", MaxDataIntegrity>>10))
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || doc == nil {
		return fail(r, ReasonMalformed)
	}
	p, sig, err := dataintegrity.ReadProof(doc)
	switch {
	case errors.Is(err, dataintegrity.ErrUnsupportedProof):
		return failDetail(r, ReasonUnsupportedAlg,
			"The proof is not accepted: Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite only ("+err.Error()+").",
			"La preuve n'est pas acceptée : preuves Data Integrity de suite eddsa-rdfc-2022 uniquement ("+err.Error()+").")
	case err != nil:
		return failDetail(r, ReasonMalformed,
			"The Data Integrity proof is malformed ("+err.Error()+").",
			"La preuve Data Integrity est mal formée ("+err.Error()+").")
	}
	if err := dataintegrity.CheckContexts(doc); err != nil {
		return failDetail(r, ReasonInvalidCredential,
			"The credential uses a JSON-LD context Carnet does not know ("+err.Error()+"): only VC 2.0 and Open Badges 3.0 are read, never fetched.",
			"L'attestation utilise un contexte JSON-LD que Carnet ne connaît pas ("+err.Error()+") : seuls VC 2.0 et Open Badges 3.0 sont lus, jamais téléchargés.")
	}
	var c schema.Credential
	if err := json.Unmarshal(b, &c); err != nil {
		return fail(r, ReasonInvalidCredential)
	}
	did, _, _ := strings.Cut(p.VerificationMethod, "#")
	r.Issuer = &IssuerInfo{ID: did}
	if c.Issuer.ID != did {
		return failDetail(r, ReasonClaimsMismatch,
			"The proof's key does not belong to the credential's issuer.",
			"La clé de la preuve n'appartient pas à l'émetteur de l'attestation.")
	}
	ref, ok := v.Trust.byKeyID(p.VerificationMethod)
	if !ok {
		if v.Trust.Issuer(did) != nil {
			return fail(r, ReasonUnknownKey)
		}
		if v.Resolve != nil && strings.HasPrefix(did, "did:web:") {
			return v.verifyUntrustedDI(ctx, doc, p, sig, did, r)
		}
		return fail(r, ReasonUnknownIssuer)
	}
	pub, ok := ref.key.Key.(ed25519.PublicKey)
	if !ok {
		return fail(r, ReasonUnknownKey) // a P-256 key named by a Data Integrity proof
	}
	if reason := checkProofSlot(ctx, doc, p, sig, pub, r); reason != nil {
		return reason
	}
	r.SignatureVerified = true
	r.Issuer = &IssuerInfo{ID: did, Name: ref.issuer.Name, Trusted: true, KeyID: ref.key.KeyID, Source: ref.issuer.Source}
	return v.acceptCredential(&c, r)
}

// checkProofSlot is checkProof once a canonicalisation slot is free (or
// the request gone: malformed, as nothing was checked).
func checkProofSlot(ctx context.Context, doc map[string]any, p dataintegrity.Proof, sig []byte, pub ed25519.PublicKey, r *Result) *Result {
	select {
	case canonSlots <- struct{}{}:
	case <-ctx.Done():
		return fail(r, ReasonMalformed)
	}
	defer func() { <-canonSlots }()
	return checkProof(doc, p, sig, pub, r)
}

// checkProof verifies the proof and turns its errors into a failed result.
func checkProof(doc map[string]any, p dataintegrity.Proof, sig []byte, pub ed25519.PublicKey, r *Result) *Result {
	err := dataintegrity.Verify(doc, p, sig, pub)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, dataintegrity.ErrBadSignature):
		return fail(r, ReasonBadSignature)
	case errors.Is(err, dataintegrity.ErrTooComplex):
		return failDetail(r, ReasonTooLarge,
			"The credential is too complex to check ("+err.Error()+").",
			"L'attestation est trop complexe pour être vérifiée ("+err.Error()+").")
	case errors.Is(err, dataintegrity.ErrUnknownContext):
		return failDetail(r, ReasonInvalidCredential,
			"The credential uses a JSON-LD context Carnet does not know.",
			"L'attestation utilise un contexte JSON-LD que Carnet ne connaît pas.")
	}
	return failDetail(r, ReasonInvalidCredential,
		"The credential is not valid JSON-LD ("+err.Error()+").",
		"L'attestation n'est pas du JSON-LD valide ("+err.Error()+").")
}

// verifyUntrustedDI is verifyUntrusted for a Data Integrity credential:
// the proof is checked with the Ed25519 key did publishes, only to tell a
// genuine credential of an unknown issuer from a forgery; never valid.
func (v *Verifier) verifyUntrustedDI(ctx context.Context, doc map[string]any, p dataintegrity.Proof, sig []byte, did string, r *Result) *Result {
	ti, err := v.Resolve(ctx, did)
	if err != nil || ti == nil || ti.ID != did {
		return fail(r, ReasonUnknownIssuer)
	}
	published := NewRegistry()
	if published.Add(ti) != nil {
		return fail(r, ReasonUnknownIssuer)
	}
	ref, ok := published.byKeyID(p.VerificationMethod)
	if !ok {
		return fail(r, ReasonUnknownIssuer)
	}
	pub, ok := ref.key.Key.(ed25519.PublicKey)
	if !ok {
		return fail(r, ReasonUnknownIssuer)
	}
	if res := checkProofSlot(ctx, doc, p, sig, pub, r); res != nil {
		return res
	}
	r.SignatureVerified = true
	r.Issuer = &IssuerInfo{ID: did, Name: ti.Name, KeyID: ref.key.KeyID}
	fail(r, ReasonUnknownIssuer)
	r.Message, r.MessageFR = UntrustedSignatureMessage, UntrustedSignatureMessageFR
	return r
}

// acceptCredential checks a credential whose signature holds, whatever its
// form: OB 3.0 shape and validity window; it fills the result.
func (v *Verifier) acceptCredential(c *schema.Credential, r *Result) *Result {
	from, err := time.Parse(time.RFC3339, c.ValidFrom)
	if err != nil {
		return fail(r, ReasonInvalidCredential)
	}
	var until time.Time
	if c.ValidUntil != "" {
		if until, err = time.Parse(time.RFC3339, c.ValidUntil); err != nil || !until.After(from) {
			return fail(r, ReasonInvalidCredential)
		}
	}
	if !wellFormed(c) {
		return fail(r, ReasonInvalidCredential)
	}
	v.fillCredential(c, from, until, r)
	return v.checkWindow(from, until, r)
}
