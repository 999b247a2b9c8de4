// Package verifier checks credentials and card tokens: it detects what it
// was given, verifies the ES256 signature with a key of a trusted issuer
// (never a key the token names or carries), checks the claims, the
// credential's shape and its validity window, and returns a result with a
// reason code and the decoded content for display.
package verifier

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// Reason codes of a result that is not valid. The API returns them; pages
// and the CLI translate them.
const (
	ReasonMalformed         = "malformed"          // not a JWS, JSON or QR text Carnet can read
	ReasonTooLarge          = "too_large"          // input, payload or inflated payload over its limit
	ReasonUnsupportedAlg    = "unsupported_alg"    // alg other than ES256 (none, HS256, RS256…)
	ReasonBadHeader         = "bad_header"         // header parameters not allowed (jwk, jku, x5u, crit…) or kid missing
	ReasonUnknownIssuer     = "unknown_issuer"     // issuer not trusted here
	ReasonUnknownKey        = "unknown_key"        // issuer trusted, key id unknown
	ReasonBadSignature      = "bad_signature"      // signature does not verify
	ReasonClaimsMismatch    = "claims_mismatch"    // iss/jti/sub/nbf/exp disagree with the credential
	ReasonInvalidCredential = "invalid_credential" // contexts, types or required fields wrong
	ReasonNotYetValid       = "not_yet_valid"
	ReasonExpired           = "expired"
	ReasonUnsigned          = "unsigned"    // a credential JSON without a JWS
	ReasonNotFound          = "not_found"   // short code unknown here
	ReasonUnsupported       = "unsupported" // a form Carnet does not verify (vc claim, an envelope of another media type)
	ReasonRevoked           = "revoked"     // the issuer's revocation list has the credential's bit set
	ReasonSuspended         = "suspended"   // the issuer's suspension list has the credential's bit set
)

// Limits on what the verifier reads.
const (
	MaxInput       = 1 << 20  // bytes of any input
	MaxCardPayload = 16 << 10 // bytes of an inflated card payload
	DefaultLeeway  = 2 * time.Minute
)

// Verifier verifies credentials against a registry of trusted issuers.
type Verifier struct {
	Trust      *Registry
	Frameworks *schema.Frameworks // titles for display; may be nil
	// Lookup finds the credential JWS of a short code (online check); nil
	// when short codes cannot be resolved here.
	Lookup func(ctx context.Context, code string) (string, error)
	Now    func() time.Time // time.Now when nil
	Leeway time.Duration    // DefaultLeeway when zero
	// Status reads the status lists of credentials that carry a
	// credentialStatus; nil: status is not checked ("unchecked").
	Status *StatusLists
	// Resolve returns the issuer described by the published DID document
	// of a did:web issuer that is not trusted here (DIDResolver.Resolve);
	// nil: such issuers are not looked up. Its keys only tell a genuine
	// token of an unknown issuer ("signature correct, issuer not trusted
	// here") from a forgery: the result is never valid.
	Resolve func(ctx context.Context, issuerID string) (*TrustedIssuer, error)
}

// Result is what a verification found.
type Result struct {
	Valid        bool        `json:"valid"`
	Reason       string      `json:"reason,omitempty"`
	Message      string      `json:"message,omitempty"`
	MessageFR    string      `json:"message_fr,omitempty"`
	Kind         string      `json:"kind,omitempty"` // "credential" or "card"
	Issuer       *IssuerInfo `json:"issuer,omitempty"`
	CredentialID string      `json:"credential_id,omitempty"`
	Learner      string      `json:"learner,omitempty"`
	Framework    string      `json:"framework,omitempty"`
	Levels       []LevelInfo `json:"levels,omitempty"`
	ValidFrom    *time.Time  `json:"valid_from,omitempty"`
	ValidUntil   *time.Time  `json:"valid_until,omitempty"`
	// Digest is the card's binding to its credential (card tokens only).
	Digest string `json:"digest,omitempty"`
	// Credential is the decoded credential, once its signature verified.
	Credential *schema.Credential `json:"credential,omitempty"`
	// Status is StatusActive, StatusRevoked, StatusSuspended or
	// StatusUnchecked for a credential with a credentialStatus, "" otherwise.
	Status string `json:"status,omitempty"`
	// StatusMessage says, in English and French, that the revocation status
	// could not be checked (Status is StatusUnchecked; Valid is unchanged).
	StatusMessage   string `json:"status_message,omitempty"`
	StatusMessageFR string `json:"status_message_fr,omitempty"`
	// StatusCheckedAt is when the status list that answered Status was
	// last read from its issuer; StatusStale says the issuer could not be
	// reached just now, so Status is that older answer (see StatusMessage).
	StatusCheckedAt *time.Time `json:"status_checked_at,omitempty"`
	StatusStale     bool       `json:"status_stale,omitempty"`
	// SignatureVerified says the signature was checked and holds: always
	// true for a valid result; true with Reason ReasonUnknownIssuer when
	// the issuer's published key verifies it but the issuer is not trusted
	// here ("signature correct, issuer not trusted here").
	SignatureVerified bool `json:"signature_verified"`
}

// IssuerInfo says who issued, and whether this verifier trusts them.
type IssuerInfo struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	URL     string `json:"url,omitempty"`
	Trusted bool   `json:"trusted"`
	KeyID   string `json:"kid,omitempty"`
	Source  string `json:"source,omitempty"`
}

// LevelInfo is one assessed competency, with titles for display.
type LevelInfo struct {
	Competency string      `json:"competency"`
	Level      string      `json:"level"`
	Title      schema.Text `json:"title,omitempty"`
	LevelTitle schema.Text `json:"level_title,omitempty"`
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) leeway() time.Duration {
	if v.Leeway > 0 {
		return v.Leeway
	}
	return DefaultLeeway
}

// Refused returns the result of an input refused before reading, such as a
// request body over MaxInput (ReasonTooLarge).
func Refused(reason string) *Result { return fail(&Result{}, reason) }

func fail(r *Result, reason string) *Result {
	r.Valid = false
	r.Reason = reason
	r.Message, r.MessageFR = ReasonText(reason)
	return r
}

// Verify checks input: a credential JWS, a credential JSON (an enveloped
// JWS, or a credential secured by a Data Integrity proof, eddsa-rdfc-2022),
// a card token, the text of a card's QR code or a short code.
func (v *Verifier) Verify(ctx context.Context, input []byte) *Result {
	r := &Result{}
	if len(input) > MaxInput {
		return fail(r, ReasonTooLarge)
	}
	if !utf8.Valid(input) {
		return fail(r, ReasonMalformed)
	}
	s := strings.TrimSpace(string(input))
	if strings.HasPrefix(s, "{") {
		jws, reason := fromJSON([]byte(s))
		if reason == reasonDataIntegrity {
			r = v.verifyDataIntegrity(ctx, []byte(s), r)
			if r.Valid && r.Credential != nil {
				v.checkStatus(ctx, r)
			}
			return r
		}
		if reason != "" {
			return fail(r, reason)
		}
		s = jws
	} else if jws, ok := fromQRText(s); ok {
		s = jws
	} else if code := normalizeShortCode(s); code != "" {
		if v.Lookup == nil {
			return fail(r, ReasonNotFound)
		}
		jws, err := v.Lookup(ctx, code)
		if err != nil {
			return fail(r, ReasonNotFound)
		}
		s = jws
	}
	r = v.verifyJWS(ctx, s, r)
	if r.Valid && r.Kind == "credential" && r.Credential != nil {
		v.checkStatus(ctx, r)
	}
	return r
}

// reasonDataIntegrity is what fromJSON answers for a credential with an
// embedded proof: not a failure, the Data Integrity form.
const reasonDataIntegrity = "data_integrity"

// fromJSON extracts the JWS of a JSON input: a VC 2.0
// EnvelopedVerifiableCredential ("data:application/vc+jwt,<jws>") or an
// object with a "jwt" member (Carnet's API answer).
func fromJSON(b []byte) (string, string) {
	if err := checkJSON(b); err != nil {
		return "", ReasonMalformed
	}
	var obj struct {
		ID    string          `json:"id"`
		Type  schema.Types    `json:"type"`
		JWT   string          `json:"jwt"`
		Proof json.RawMessage `json:"proof"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return "", ReasonMalformed
	}
	switch {
	case obj.Type.Has("EnvelopedVerifiableCredential"):
		for _, p := range []string{"data:application/vc+jwt,", "data:application/vc+ld+json+jwt,", "data:application/jwt,"} {
			if jws, ok := strings.CutPrefix(obj.ID, p); ok {
				return jws, ""
			}
		}
		return "", ReasonUnsupported
	case obj.JWT != "":
		return obj.JWT, ""
	case obj.Proof != nil && string(obj.Proof) != "null":
		return "", reasonDataIntegrity
	case obj.Type.Has(schema.TypeVC):
		return "", ReasonUnsigned
	}
	return "", ReasonMalformed
}

// fromQRText reads the text of a card's QR code: BASE_URL/c#<digits>, or the
// digits alone, or a /c# URL holding the token itself.
func fromQRText(s string) (string, bool) {
	frag := s
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		i := strings.IndexByte(s, '#')
		if i < 0 {
			return "", false
		}
		frag = s[i+1:]
	}
	if len(frag) >= 40 && allDigits(frag) {
		return schema.QRDecodeNumeric(frag)
	}
	if frag != s {
		return frag, true
	}
	return "", false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func normalizeShortCode(s string) string {
	if len(s) > 20 {
		return ""
	}
	return schema.NormalizeShortCode(s)
}

// header is a JWS protected header as Carnet reads it.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
	Zip string `json:"zip"`
}

// allowedHeader lists the parameters a header may carry. OB 3.0 forbids any
// other JOSE header; jwk, jku, x5u, x5c and crit in particular are refused
// rather than ignored.
var allowedHeader = map[string]bool{"alg": true, "kid": true, "typ": true, "zip": true}

// b64url marks the bytes of the base64url alphabet.
var b64url = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
		t[c] = true
	}
	return t
}()

func isB64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		if !b64url[s[i]] {
			return false
		}
	}
	return true
}

func (v *Verifier) verifyJWS(ctx context.Context, s string, r *Result) *Result {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || !isB64URL(parts[0]) || !isB64URL(parts[1]) || !isB64URL(parts[2]) {
		return fail(r, ReasonMalformed)
	}
	if len(parts[0]) > 4096 {
		return fail(r, ReasonBadHeader)
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || checkJSON(hb) != nil {
		return fail(r, ReasonMalformed)
	}
	var members map[string]json.RawMessage
	var h header
	if json.Unmarshal(hb, &members) != nil || json.Unmarshal(hb, &h) != nil {
		return fail(r, ReasonMalformed)
	}
	if _, ok := members["alg"]; !ok {
		return fail(r, ReasonMalformed)
	}
	if h.Alg != string(jose.ES256) {
		return fail(r, ReasonUnsupportedAlg) // "none" included, signed or not
	}
	if parts[2] == "" {
		return fail(r, ReasonMalformed)
	}
	for name := range members {
		if !allowedHeader[name] {
			return fail(r, ReasonBadHeader)
		}
	}
	card := h.Zip != ""
	_, hasKid := members["kid"]
	if (hasKid || !card) && (h.Kid == "" || len(h.Kid) > 512) {
		return fail(r, ReasonBadHeader) // a card may name no key (issue 11); a credential must
	}
	if card {
		r.Kind = "card"
		if h.Zip != "DEF" || h.Typ != "" {
			return fail(r, ReasonBadHeader)
		}
	} else {
		r.Kind = "credential"
		if h.Typ != "" && h.Typ != "JWT" && h.Typ != "vc+jwt" {
			return fail(r, ReasonBadHeader)
		}
	}

	// Choose the key from the trust registry by key id, never from the token;
	// a card without a kid: the keys trusted for the issuer its claims name.
	var ref keyRef
	var reason string
	var cands []keyRef
	if hasKid || !card {
		ref, reason = v.findKey(h.Kid, card, parts[1])
		cands = []keyRef{ref}
	} else {
		cands, reason = v.issuerKeys(parts[1])
		if len(cands) > 0 {
			ref = cands[0]
		} else if iss, _ := cardIssuer(parts[1]); reason == ReasonUnknownIssuer && strings.HasPrefix(iss, "did:") {
			ref = keyRef{issuer: &TrustedIssuer{ID: iss}}
		}
	}
	if reason == ReasonUnknownIssuer && v.Resolve != nil && ref.issuer != nil && strings.HasPrefix(ref.issuer.ID, "did:web:") {
		return v.verifyUntrusted(ctx, s, h.Kid, ref.issuer.ID, card, r)
	}
	if reason != "" {
		if ref.issuer != nil {
			r.Issuer = &IssuerInfo{ID: ref.issuer.ID}
		}
		return fail(r, reason)
	}
	// Until the signature holds, only the claimed issuer id is reported.
	r.Issuer = &IssuerInfo{ID: ref.issuer.ID}
	obj, err := jose.ParseSignedCompact(s, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return fail(r, ReasonMalformed)
	}
	var payload []byte
	for _, c := range cands {
		if payload, err = obj.Verify(c.key.Key); err == nil {
			ref = c
			break
		}
	}
	if err != nil || !canonical(obj) {
		return fail(r, ReasonBadSignature)
	}
	r.SignatureVerified = true
	r.Issuer = &IssuerInfo{ID: ref.issuer.ID, Name: ref.issuer.Name, Trusted: true, KeyID: ref.key.KeyID, Source: ref.issuer.Source}
	if card {
		return v.checkCard(payload, ref, r)
	}
	return v.checkCredential(payload, ref, r)
}

// verifyUntrusted checks the signature of a token of did, an issuer not
// trusted here, with the key its published DID document names (kid: the
// absolute key id, or a card's key thumbprint), so that a genuine token of
// an unknown issuer can be told from a forgery. Whatever the outcome, the
// result is not valid and shows nothing the token says: an untrusted
// issuer's word is not a fact here.
func (v *Verifier) verifyUntrusted(ctx context.Context, s, kid, did string, card bool, r *Result) *Result {
	r.Issuer = &IssuerInfo{ID: did}
	ti, err := v.Resolve(ctx, did)
	if err != nil || ti == nil || ti.ID != did {
		return fail(r, ReasonUnknownIssuer)
	}
	published := NewRegistry()
	if published.Add(ti) != nil {
		return fail(r, ReasonUnknownIssuer)
	}
	var cands []keyRef
	if kid == "" && card {
		cands = issuerRefs(published.Issuer(did))
	} else if strings.Contains(kid, "#") {
		if ref, ok := published.byKeyID(kid); ok {
			cands = []keyRef{ref}
		}
	} else if refs := published.byThumbprint(kid); len(refs) > 0 {
		cands = refs[:1]
	}
	if len(cands) == 0 {
		return fail(r, ReasonUnknownIssuer) // the issuer does not publish this key
	}
	obj, err := jose.ParseSignedCompact(s, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return fail(r, ReasonMalformed)
	}
	var payload []byte
	var ref keyRef
	for _, c := range cands {
		if payload, err = obj.Verify(c.key.Key); err == nil {
			ref = c
			break
		}
	}
	if err != nil || !canonical(obj) {
		return fail(r, ReasonBadSignature)
	}
	r.SignatureVerified = true
	r.Issuer = &IssuerInfo{ID: did, Name: ti.Name, KeyID: ref.key.KeyID}
	if reason := claimsIssuer(payload, card, did); reason != "" {
		return fail(r, reason)
	}
	fail(r, ReasonUnknownIssuer)
	r.Message, r.MessageFR = UntrustedSignatureMessage, UntrustedSignatureMessageFR
	return r
}

// claimsIssuer checks that a signed payload names did as its issuer (iss),
// so that a signature is never reported for an issuer the token does not
// claim. It returns a reason code, or "".
func claimsIssuer(payload []byte, card bool, did string) string {
	if card {
		b, err := inflate(payload)
		if errors.Is(err, errTooLarge) {
			return ReasonTooLarge
		} else if err != nil {
			return ReasonMalformed
		}
		payload = b
	}
	if checkJSON(payload) != nil {
		return ReasonMalformed
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return ReasonMalformed
	}
	if c.Iss != did {
		return ReasonClaimsMismatch
	}
	return ""
}

// findKey picks the verification key. A credential's kid must be an absolute
// DID URL of a trusted issuer. A card's kid is a key thumbprint (or an
// absolute id); when it is unknown, the payload is inflated, within a limit,
// only to tell an unknown issuer from an unknown key.
func (v *Verifier) findKey(kid string, card bool, payload string) (keyRef, string) {
	if did, _, ok := strings.Cut(kid, "#"); ok {
		if !strings.HasPrefix(did, "did:") {
			return keyRef{}, ReasonBadHeader // relative or non-DID key ids name no issuer
		}
		if ref, ok := v.Trust.byKeyID(kid); ok {
			return ref, ""
		}
		if ti := v.Trust.Issuer(did); ti != nil {
			return keyRef{issuer: ti}, ReasonUnknownKey
		}
		return keyRef{issuer: &TrustedIssuer{ID: did}}, ReasonUnknownIssuer
	}
	if !card {
		return keyRef{}, ReasonBadHeader
	}
	refs := v.Trust.byThumbprint(kid)
	if len(refs) == 1 {
		return refs[0], ""
	}
	var iss string
	if raw, err := base64.RawURLEncoding.DecodeString(payload); err == nil {
		if b, err := inflate(raw); err == nil {
			var c struct {
				Iss string `json:"iss"`
			}
			if json.Unmarshal(b, &c) == nil {
				iss = c.Iss
			}
		}
	}
	for _, ref := range refs { // the same key trusted for several issuers
		if ref.issuer.ID == iss {
			return ref, ""
		}
	}
	if ti := v.Trust.Issuer(iss); ti != nil {
		return keyRef{issuer: ti}, ReasonUnknownKey
	}
	if strings.HasPrefix(iss, "did:") && len(iss) < 300 {
		return keyRef{issuer: &TrustedIssuer{ID: iss}}, ReasonUnknownIssuer
	}
	return keyRef{}, ReasonUnknownIssuer
}

// maxIssuerKeys bounds the keys tried on a card that names no key: an
// issuer keeps its current key and the few it rotated from.
const maxIssuerKeys = 8

// issuerKeys returns the keys trusted for the issuer that a card without a
// kid names in its claims (iss), at most maxIssuerKeys; or a reason code: unknown_issuer, or
// unknown_key for a trusted issuer without a usable key.
func (v *Verifier) issuerKeys(payload string) ([]keyRef, string) {
	iss, reason := cardIssuer(payload)
	if reason != "" {
		return nil, reason
	}
	ti := v.Trust.Issuer(iss)
	if ti == nil {
		return nil, ReasonUnknownIssuer
	}
	refs := issuerRefs(ti)
	if len(refs) == 0 {
		return nil, ReasonUnknownKey
	}
	return refs, ""
}

// issuerRefs lists the ES256 keys of ti, at most maxIssuerKeys.
func issuerRefs(ti *TrustedIssuer) []keyRef {
	if ti == nil {
		return nil
	}
	var refs []keyRef
	for i := range ti.Keys {
		k := &ti.Keys[i]
		if k.Algorithm != "" && k.Algorithm != string(jose.ES256) {
			continue
		}
		if _, ok := k.Key.(*ecdsa.PublicKey); !ok {
			continue
		}
		if refs = append(refs, keyRef{issuer: ti, key: k}); len(refs) == maxIssuerKeys {
			break
		}
	}
	return refs
}

// cardIssuer reads the iss claim of a card payload (base64url of raw
// DEFLATE), inflating at most MaxCardPayload bytes; or a reason code:
// too_large for a deflate bomb; bad_signature for a payload that does not
// inflate to a JSON object, since every card an issuer signs does: what
// was signed was altered (a bit flipped by a forger or a misread). A card
// without a kid is read this far before its signature is checked, to know
// whose keys to try; nothing else of it is used until the signature holds.
func cardIssuer(payload string) (string, string) {
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", ReasonMalformed
	}
	b, err := inflate(raw)
	if errors.Is(err, errTooLarge) {
		return "", ReasonTooLarge
	} else if err != nil {
		return "", ReasonBadSignature
	}
	var c struct {
		Iss any `json:"iss"`
	}
	if json.Unmarshal(b, &c) != nil {
		return "", ReasonBadSignature
	}
	iss, _ := c.Iss.(string)
	if len(iss) > 300 {
		iss = ""
	}
	return iss, ""
}

var errTooLarge = errors.New("inflated payload too large")

// Inflaters are reused: setting one up costs more than a card's payload.
var inflaters = sync.Pool{New: func() any { return flate.NewReader(nil) }}

// inflate decompresses raw DEFLATE, refusing more than MaxCardPayload bytes.
func inflate(b []byte) ([]byte, error) {
	fr := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(fr)
	if err := fr.(flate.Resetter).Reset(bytes.NewReader(b), nil); err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(fr, MaxCardPayload+1))
	if err != nil {
		return nil, err
	}
	if len(out) > MaxCardPayload {
		return nil, errTooLarge
	}
	return out, nil
}

func (v *Verifier) checkCard(payload []byte, ref keyRef, r *Result) *Result {
	b, err := inflate(payload)
	if errors.Is(err, errTooLarge) {
		return fail(r, ReasonTooLarge)
	} else if err != nil || checkJSON(b) != nil {
		return fail(r, ReasonMalformed)
	}
	var c schema.CardClaims
	if err := json.Unmarshal(b, &c); err != nil {
		return fail(r, ReasonMalformed)
	}
	if c.Iss != ref.issuer.ID {
		return fail(r, ReasonClaimsMismatch)
	}
	if c.Jti == "" || c.Nbf <= 0 || c.Name == "" || c.Framework == "" || len(c.Levels) == 0 || c.Digest == "" || c.Exp < 0 || (c.Exp != 0 && c.Exp <= c.Nbf) {
		return fail(r, ReasonInvalidCredential)
	}
	r.CredentialID, r.Learner, r.Framework, r.Digest = schema.CredentialIDFromJTI(c.Jti), c.Name, c.Framework, c.Digest
	from := time.Unix(c.Nbf, 0).UTC()
	r.ValidFrom = &from
	var levels []schema.LevelResult
	for _, l := range c.Levels {
		levels = append(levels, schema.LevelResult{Competency: l.Competency, Level: l.Level})
	}
	r.Levels = v.levelInfo(c.Framework, levels)
	var until time.Time
	if c.Exp != 0 {
		until = time.Unix(c.Exp, 0).UTC()
		r.ValidUntil = &until
	}
	return v.checkWindow(from, until, r)
}

// credentialClaims reads the JWT claims beside the credential in the payload.
type credentialClaims struct {
	schema.Credential
	Iss *string         `json:"iss"`
	Jti *string         `json:"jti"`
	Sub *string         `json:"sub"`
	Nbf *int64          `json:"nbf"`
	Exp *int64          `json:"exp"`
	VC  json.RawMessage `json:"vc"`
}

var obContextRE = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`)

func (v *Verifier) checkCredential(payload []byte, ref keyRef, r *Result) *Result {
	if err := checkJSON(payload); err != nil {
		return fail(r, ReasonMalformed)
	}
	var cc credentialClaims
	if err := json.Unmarshal(payload, &cc); err != nil {
		return fail(r, ReasonInvalidCredential)
	}
	if cc.VC != nil {
		return fail(r, ReasonUnsupported) // VCDM 1.1 "vc" claim: not a VC 2.0 credential
	}
	c := &cc.Credential
	if cc.Iss == nil || cc.Jti == nil || cc.Nbf == nil || (cc.Sub == nil && c.CredentialSubject.ID != "") {
		return fail(r, ReasonClaimsMismatch)
	}
	if *cc.Iss != ref.issuer.ID || c.Issuer.ID != ref.issuer.ID || *cc.Jti != c.ID || (cc.Sub != nil && *cc.Sub != c.CredentialSubject.ID) {
		return fail(r, ReasonClaimsMismatch)
	}
	from, err := time.Parse(time.RFC3339, c.ValidFrom)
	if err != nil {
		return fail(r, ReasonInvalidCredential)
	}
	if *cc.Nbf != from.Unix() {
		return fail(r, ReasonClaimsMismatch)
	}
	var until time.Time
	if c.ValidUntil != "" {
		if until, err = time.Parse(time.RFC3339, c.ValidUntil); err != nil {
			return fail(r, ReasonInvalidCredential)
		}
		if cc.Exp == nil || *cc.Exp != until.Unix() {
			return fail(r, ReasonClaimsMismatch)
		}
		if !until.After(from) {
			return fail(r, ReasonInvalidCredential)
		}
	} else if cc.Exp != nil {
		return fail(r, ReasonClaimsMismatch)
	}
	if !wellFormed(c) {
		return fail(r, ReasonInvalidCredential)
	}
	v.fillCredential(c, from, until, r)
	return v.checkWindow(from, until, r)
}

// fillCredential puts what a verified credential says in r.
func (v *Verifier) fillCredential(c *schema.Credential, from, until time.Time, r *Result) {
	r.Credential = c
	r.CredentialID = c.ID
	r.Learner = c.LearnerName()
	r.Framework = c.FrameworkID()
	r.Levels = v.levelInfo(r.Framework, c.Levels())
	r.Issuer.Name, r.Issuer.URL = c.Issuer.Name, c.Issuer.URL
	from = from.UTC()
	r.ValidFrom = &from
	if !until.IsZero() {
		until = until.UTC()
		r.ValidUntil = &until
	}
}

// wellFormed checks what the OB 3.0 schema requires of a credential.
func wellFormed(c *schema.Credential) bool {
	if len(c.Context) < 2 || c.Context[0] != schema.ContextVC2 || !obContextRE.MatchString(c.Context[1]) {
		return false
	}
	if !c.Type.Has(schema.TypeVC) || !(c.Type.Has(schema.TypeOBCredential) || c.Type.Has(schema.TypeAchievementCr)) {
		return false
	}
	s := &c.CredentialSubject
	a := &s.Achievement
	if c.ID == "" || c.Issuer.ID == "" || !s.Type.Has("AchievementSubject") || (s.ID == "" && len(s.Identifier) == 0) {
		return false
	}
	if a.ID == "" || !a.Type.Has("Achievement") || a.Name == "" || a.Description == "" || a.Criteria == nil {
		return false
	}
	for _, rd := range a.ResultDescription {
		if rd.ID == "" || !rd.Type.Has("ResultDescription") || rd.Name == "" || rd.ResultType == "" {
			return false
		}
	}
	for _, res := range s.Result {
		if !res.Type.Has("Result") {
			return false
		}
	}
	return c.CredentialStatus == nil || c.CredentialStatus.Type != ""
}

func (v *Verifier) checkWindow(from, until time.Time, r *Result) *Result {
	now := v.now()
	if now.Add(v.leeway()).Before(from) {
		return fail(r, ReasonNotYetValid)
	}
	if !until.IsZero() && !now.Add(-v.leeway()).Before(until) {
		return fail(r, ReasonExpired)
	}
	r.Valid = true
	return r
}

func (v *Verifier) levelInfo(framework string, levels []schema.LevelResult) []LevelInfo {
	out := make([]LevelInfo, 0, len(levels))
	var fw *schema.Framework
	if v.Frameworks != nil {
		fw, _ = v.Frameworks.Get(framework)
	}
	for _, l := range levels {
		li := LevelInfo{Competency: l.Competency, Level: l.Level}
		if fw != nil {
			if c, _, err := fw.Competency(l.Competency); err == nil {
				li.Title = c.Title
			}
			if lv, _, err := fw.Level(l.Level); err == nil {
				li.LevelTitle = lv.Title
			}
		}
		out = append(out, li)
	}
	return out
}
