package verifier_test

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	mathrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"
)

// The fixtures: a structure of this instance issues genuine credentials with
// real keys at a fixed time, and a verifier trusting that structure checks
// them at the same fixed time.
const (
	testBaseURL = "https://carnet.example.org"
	evilDID     = "did:web:evil.example:s:mediatheque"
)

var fixedNow = time.Date(2025, time.March, 14, 9, 26, 53, 0, time.UTC)

type fixture struct {
	store keys.Store
	svc   *issuer.Service
	st    *schema.Structure
	did   string
	key   *keys.Key // the trusted signing key of st
	kid   string    // its absolute key id
	reg   *verifier.Registry
	v     *verifier.Verifier
}

// newFixture trusts the structure "mediatheque" whose keys live in store.
func newFixture(tb testing.TB, store keys.Store) *fixture {
	tb.Helper()
	fws := schema.NewFrameworks()
	clock := func() time.Time { return fixedNow }
	var seed [32]byte
	copy(seed[:], "carnet verifier hostile fixtures")
	fx := &fixture{
		store: store,
		st:    &schema.Structure{Slug: "mediatheque", Name: "Médiathèque"},
		reg:   verifier.NewRegistry(),
	}
	fx.svc = &issuer.Service{
		Frameworks: fws, Keys: store, BaseURL: testBaseURL, Now: clock,
		Rand: mathrand.NewChaCha8(seed),
	}
	var err error
	if fx.did, err = keys.DIDWeb(testBaseURL, fx.st.Slug); err != nil {
		tb.Fatal(err)
	}
	ring, err := store.Ring(fx.st.Slug)
	if err != nil {
		tb.Fatal(err)
	}
	fx.key = ring.Signer()
	fx.kid = fx.key.KID(fx.did)
	if err := fx.reg.Add(verifier.LocalIssuer(fx.did, fx.st.Name, ring)); err != nil {
		tb.Fatal(err)
	}
	fx.v = &verifier.Verifier{Trust: fx.reg, Frameworks: fws, Now: clock}
	return fx
}

// issue issues a genuine credential (and card token) for a learner.
func (fx *fixture) issue(tb testing.TB, name string) *issuer.Issued {
	tb.Helper()
	is, err := fx.svc.Issue(context.Background(), fx.st, schema.Assessment{
		LearnerName: name,
		Framework:   "digcomp-2.2",
		Results:     []schema.LevelResult{{Competency: "2.1", Level: "5"}, {Competency: "1.1", Level: "3"}},
		Method:      "observation en atelier",
		Mediator:    "Camille Roux",
	})
	if err != nil {
		tb.Fatalf("issue for %q: %v", name, err)
	}
	return is
}

// trustSecond trusts a second structure of the instance, "atelier", and
// returns its signing key and absolute key id.
func (fx *fixture) trustSecond(tb testing.TB) (*keys.Key, string) {
	tb.Helper()
	did, err := keys.DIDWeb(testBaseURL, "atelier")
	if err != nil {
		tb.Fatal(err)
	}
	ring, err := fx.store.Ring("atelier")
	if err != nil {
		tb.Fatal(err)
	}
	if err := fx.reg.Add(verifier.LocalIssuer(did, "Atelier", ring)); err != nil {
		tb.Fatal(err)
	}
	return ring.Signer(), ring.Signer().KID(did)
}

// verify runs the verifier and turns a panic into a test failure that names
// the input.
func verify(tb testing.TB, v *verifier.Verifier, input []byte) (r *verifier.Result) {
	tb.Helper()
	defer func() {
		if p := recover(); p != nil {
			tb.Fatalf("Verify panicked: %v\ninput (%d bytes): %.200q", p, len(input), input)
		}
	}()
	return v.Verify(context.Background(), input)
}

// JWS construction by hand: the header bytes are exactly those given, so
// headers the issuer would never write can be tested.

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func unb64(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		tb.Fatalf("base64url %q: %v", s, err)
	}
	return b
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// parts splits a genuine compact JWS into its decoded header and payload and
// its signature segment (still encoded).
func parts(tb testing.TB, jws string) (header, payload []byte, sig string) {
	tb.Helper()
	p := strings.Split(jws, ".")
	if len(p) != 3 {
		tb.Fatalf("not a compact JWS: %q", jws)
	}
	return unb64(tb, p[0]), unb64(tb, p[1]), p[2]
}

type signFunc func(signingInput []byte) []byte

// compact serializes header and payload and signs them with sign; a nil
// sign leaves the signature empty.
func compact(header string, payload []byte, sign signFunc) string {
	in := b64([]byte(header)) + "." + b64(payload)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(in))
	}
	return in + "." + b64(sig)
}

// ecdsaSigner signs as JWS ES256/ES384/ES512 do: hash, then r‖s, each
// padded to the curve size; ES256 signatures in low-S form, as the issuer
// writes them.
func ecdsaSigner(tb testing.TB, priv *ecdsa.PrivateKey, h crypto.Hash) signFunc {
	return func(in []byte) []byte {
		hh := h.New()
		hh.Write(in)
		r, s, err := ecdsa.Sign(rand.Reader, priv, hh.Sum(nil))
		if err != nil {
			tb.Fatal(err)
		}
		size := (priv.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		if priv.Curve == elliptic.P256() {
			out = keys.LowS(out) // the canonical form the issuer writes
		}
		return out
	}
}

func hmacSigner(key []byte) signFunc {
	return func(in []byte) []byte {
		m := hmac.New(sha256.New, key)
		m.Write(in)
		return m.Sum(nil)
	}
}

func rsaSigner(tb testing.TB, priv *rsa.PrivateKey) signFunc {
	return func(in []byte) []byte {
		sum := sha256.Sum256(in)
		sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
		if err != nil {
			tb.Fatal(err)
		}
		return sig
	}
}

func ed25519Signer(priv ed25519.PrivateKey) signFunc {
	return func(in []byte) []byte { return ed25519.Sign(priv, in) }
}

func deflate(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func inflate(tb testing.TB, b []byte) []byte {
	tb.Helper()
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(b)))
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// decodeObject decodes a JSON object keeping numbers exact.
func decodeObject(tb testing.TB, b []byte) map[string]any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func marshal(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := schema.MarshalCompact(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func unix(t time.Time) json.Number { return json.Number(big.NewInt(t.Unix()).String()) }

func genKey(tb testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func thumbprint(tb testing.TB, pub crypto.PublicKey) string {
	tb.Helper()
	tp, err := keys.Thumbprint(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return tp
}

// hostileCase is one input the verifier must refuse with want.
type hostileCase struct {
	name  string
	input []byte
	want  string
}

// hostileCases builds the hostile inputs against fx. Whenever a check past
// the signature is targeted, the token is signed with the trusted key, so
// that only that check can refuse it.
func hostileCases(tb testing.TB, fx *fixture) []hostileCase {
	tb.Helper()
	const name = "Éloïse Ndiaye-Bérénice"
	genuine := fx.issue(tb, name)
	other := fx.issue(tb, "Олена Шевченко")
	hdr, payload, sig := parts(tb, genuine.JWT)
	_, otherPayload, _ := parts(tb, other.JWT)
	cardHdr, cardPayload, _ := parts(tb, genuine.CardToken)
	cardRaw := inflate(tb, cardPayload)
	signingInput := strings.Join(strings.Split(genuine.JWT, ".")[:2], ".")

	trusted := ecdsaSigner(tb, fx.key.Private, crypto.SHA256)
	attacker := genKey(tb, elliptic.P256())
	attackerSigns := ecdsaSigner(tb, attacker, crypto.SHA256)
	attackerTP := thumbprint(tb, &attacker.PublicKey)
	atelierKey, atelierKID := fx.trustSecond(tb)

	credHeader := `{"alg":"ES256","kid":` + jsonString(fx.kid) + `,"typ":"JWT"}`
	withHeader := func(h string) string { return compact(h, payload, trusted) }
	// Cards since issue 11 name no key; older cards name its thumbprint.
	cardHeader := `{"alg":"ES256","zip":"DEF"}`
	oldCardHeader := `{"alg":"ES256","kid":` + jsonString(fx.key.Thumbprint) + `,"zip":"DEF"}`
	if string(hdr) != credHeader || string(cardHdr) != cardHeader {
		tb.Fatalf("the issuer's headers changed: %s, %s", hdr, cardHdr)
	}

	// claims returns the credential payload changed by edit, signed with the
	// trusted key.
	claims := func(edit func(m map[string]any)) []byte {
		m := decodeObject(tb, payload)
		edit(m)
		return []byte(compact(credHeader, marshal(tb, m), trusted))
	}
	subject := func(m map[string]any) map[string]any { return m["credentialSubject"].(map[string]any) }
	signedPayload := func(p []byte) []byte { return []byte(compact(credHeader, p, trusted)) }
	// card returns the card claims changed by edit, deflated and signed.
	card := func(header string, sign signFunc, edit func(m map[string]any)) []byte {
		m := decodeObject(tb, cardRaw)
		edit(m)
		return []byte(compact(header, deflate(tb, marshal(tb, m)), sign))
	}
	sigBytes := unb64(tb, sig)
	resign := func(s []byte) []byte { return []byte(signingInput + "." + b64(s)) }

	// Keys and certificates an attacker brings along.
	pubDER, err := x509.MarshalPKIXPublicKey(&fx.key.Private.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	pubPoint, err := fx.key.Private.PublicKey.Bytes()
	if err != nil {
		tb.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	p521 := genKey(tb, elliptic.P521())
	attackerJWK, err := json.Marshal(map[string]string{
		"kty": "EC", "crv": "P-256",
		"x": b64(attacker.PublicKey.X.FillBytes(make([]byte, 32))),
		"y": b64(attacker.PublicKey.Y.FillBytes(make([]byte, 32))),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "carnet.example.org"},
		NotBefore: fixedNow.Add(-time.Hour), NotAfter: fixedNow.Add(time.Hour),
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &attacker.PublicKey, attacker)
	if err != nil {
		tb.Fatal(err)
	}

	// A deflate bomb: 50 MB of zeros deflate to about 50 kB.
	bomb := deflate(tb, make([]byte, 50<<20))
	nested := func(open, close string) string {
		return strings.Repeat(open, 1000) + "1" + strings.Repeat(close, 1000)
	}
	credJSON := func(edit func(m map[string]any)) []byte {
		m := decodeObject(tb, marshal(tb, genuine.Credential))
		if edit != nil {
			edit(m)
		}
		return marshal(tb, m)
	}
	// A forged JWS: the genuine header and signature over a payload naming
	// someone else.
	forged := string(b64(hdr)) + "." + b64(bytes.ReplaceAll(payload, []byte(name), []byte("Mallory Martin"))) + "." + sig
	qrDigits := genuine.QRText[strings.IndexByte(genuine.QRText, '#')+1:]

	return []hostileCase{
		// Algorithms: ES256 only, whatever key or signature comes along;
		// "none" is an unsupported algorithm with or without a signature.
		{name: "alg_none_empty_signature", want: verifier.ReasonUnsupportedAlg,
			input: []byte(compact(`{"alg":"none","kid":`+jsonString(fx.kid)+`,"typ":"JWT"}`, payload, nil))},
		{name: "es256_empty_signature", want: verifier.ReasonMalformed,
			input: []byte(compact(credHeader, payload, nil))},
		{name: "alg_none_with_genuine_signature", want: verifier.ReasonUnsupportedAlg,
			input: []byte(b64([]byte(`{"alg":"none","kid":`+jsonString(fx.kid)+`,"typ":"JWT"}`)) + "." + b64(payload) + "." + sig)},
		{name: "alg_none_signed_with_trusted_key", want: verifier.ReasonUnsupportedAlg,
			input: []byte(withHeader(`{"alg":"none","kid":` + jsonString(fx.kid) + `}`))},
		{name: "alg_lowercase_es256", want: verifier.ReasonUnsupportedAlg,
			input: []byte(withHeader(`{"alg":"es256","kid":` + jsonString(fx.kid) + `}`))},
		{name: "alg_null", want: verifier.ReasonUnsupportedAlg,
			input: []byte(withHeader(`{"alg":null,"kid":` + jsonString(fx.kid) + `}`))},
		{name: "alg_array", want: verifier.ReasonMalformed,
			input: []byte(withHeader(`{"alg":["ES256"],"kid":` + jsonString(fx.kid) + `}`))},
		{name: "alg_missing", want: verifier.ReasonMalformed,
			input: []byte(withHeader(`{"kid":` + jsonString(fx.kid) + `,"typ":"JWT"}`))},
		{name: "hs256_keyed_with_public_key_pem", want: verifier.ReasonUnsupportedAlg,
			input: []byte(compact(`{"alg":"HS256","kid":`+jsonString(fx.kid)+`,"typ":"JWT"}`, payload, hmacSigner(pubPEM)))},
		{name: "hs256_keyed_with_public_key_point", want: verifier.ReasonUnsupportedAlg,
			input: []byte(compact(`{"alg":"HS256","kid":`+jsonString(fx.kid)+`,"typ":"JWT"}`, payload, hmacSigner(pubPoint)))},
		{name: "rs256_attacker_key", want: verifier.ReasonUnsupportedAlg,
			input: []byte(compact(`{"alg":"RS256","kid":`+jsonString(fx.kid)+`,"typ":"JWT"}`, payload, rsaSigner(tb, rsaKey)))},
		{name: "es384_trusted_key_sha384", want: verifier.ReasonUnsupportedAlg,
			input: []byte(compact(`{"alg":"ES384","kid":`+jsonString(fx.kid)+`,"typ":"JWT"}`, payload, ecdsaSigner(tb, fx.key.Private, crypto.SHA384)))},
		{name: "es512_attacker_p521", want: verifier.ReasonUnsupportedAlg,
			input: []byte(compact(`{"alg":"ES512","kid":`+jsonString(fx.kid)+`,"typ":"JWT"}`, payload, ecdsaSigner(tb, p521, crypto.SHA512)))},
		{name: "eddsa_attacker_ed25519", want: verifier.ReasonUnsupportedAlg,
			input: []byte(compact(`{"alg":"EdDSA","kid":`+jsonString(fx.kid)+`,"typ":"JWT"}`, payload, ed25519Signer(edKey)))},

		// Header parameters that name or carry a key, or change the
		// processing, are refused even with a trusted signature.
		{name: "jwk_attacker_key_signed_by_attacker", want: verifier.ReasonBadHeader,
			input: []byte(compact(`{"alg":"ES256","jwk":`+string(attackerJWK)+`,"kid":`+jsonString(fx.kid)+`,"typ":"JWT"}`, payload, attackerSigns))},
		{name: "jwk_attacker_key_without_kid", want: verifier.ReasonBadHeader,
			input: []byte(compact(`{"alg":"ES256","jwk":`+string(attackerJWK)+`}`, payload, attackerSigns))},
		{name: "jku", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","jku":"https://evil.example/jwks.json","kid":` + jsonString(fx.kid) + `}`))},
		{name: "x5u", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","kid":` + jsonString(fx.kid) + `,"x5u":"https://evil.example/cert.pem"}`))},
		{name: "x5c_attacker_certificate", want: verifier.ReasonBadHeader,
			input: []byte(compact(`{"alg":"ES256","kid":`+jsonString(fx.kid)+`,"x5c":[`+jsonString(base64.StdEncoding.EncodeToString(certDER))+`]}`, payload, attackerSigns))},
		{name: "crit", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","crit":["urn:example:x"],"kid":` + jsonString(fx.kid) + `,"urn:example:x":1}`))},
		{name: "b64_false_with_crit", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","b64":false,"crit":["b64"],"kid":` + jsonString(fx.kid) + `}`))},
		{name: "b64_false", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","b64":false,"kid":` + jsonString(fx.kid) + `}`))},
		// "kid" and "KID" are the same member to encoding/json: a duplicate.
		{name: "kid_case_variant_member", want: verifier.ReasonMalformed,
			input: []byte(withHeader(`{"alg":"ES256","kid":` + jsonString(fx.kid) + `,"KID":"did:web:evil.example#k"}`))},
		{name: "typ_at_jwt", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","kid":` + jsonString(fx.kid) + `,"typ":"at+jwt"}`))},
		{name: "header_over_4096_bytes", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","kid":` + jsonString(fx.kid) + `,"typ":"` + strings.Repeat("J", 4100) + `"}`))},
		{name: "kid_missing", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","typ":"JWT"}`))},
		{name: "kid_empty", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","kid":"","typ":"JWT"}`))},
		{name: "kid_over_512_bytes", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","kid":` + jsonString(fx.kid+strings.Repeat("x", 512)) + `}`))},
		{name: "kid_without_hash_on_credential", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","kid":` + jsonString(fx.key.Thumbprint) + `,"typ":"JWT"}`))},
		{name: "kid_relative_abc", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","kid":"#abc","typ":"JWT"}`))},
		{name: "kid_relative_trusted_thumbprint", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","kid":` + jsonString("#"+fx.key.Thumbprint) + `,"typ":"JWT"}`))},

		// Key choice: only keys of the registry, by key id.
		{name: "kid_unknown_key_of_trusted_issuer", want: verifier.ReasonUnknownKey,
			input: []byte(compact(`{"alg":"ES256","kid":`+jsonString(fx.did+"#"+attackerTP)+`,"typ":"JWT"}`, payload, attackerSigns))},
		{name: "kid_of_untrusted_did", want: verifier.ReasonUnknownIssuer,
			input: []byte(compact(`{"alg":"ES256","kid":`+jsonString(evilDID+"#"+attackerTP)+`,"typ":"JWT"}`, payload, attackerSigns))},
		{name: "card_kid_of_untrusted_did", want: verifier.ReasonUnknownIssuer,
			input: card(`{"alg":"ES256","kid":`+jsonString(evilDID+"#"+attackerTP)+`,"zip":"DEF"}`, attackerSigns, func(m map[string]any) { m["iss"] = evilDID })},

		// Signatures.
		{name: "swapped_payload", want: verifier.ReasonBadSignature,
			input: []byte(b64(hdr) + "." + b64(otherPayload) + "." + sig)},
		{name: "forged_payload_genuine_signature", want: verifier.ReasonBadSignature, input: []byte(forged)},
		{name: "signature_truncated", want: verifier.ReasonBadSignature, input: resign(sigBytes[:32])},
		{name: "signature_65_bytes", want: verifier.ReasonBadSignature, input: resign(append(append([]byte{}, sigBytes...), 0))},
		{name: "signature_der_encoded", want: verifier.ReasonBadSignature, input: func() []byte {
			sum := sha256.Sum256([]byte(signingInput))
			der, err := ecdsa.SignASN1(rand.Reader, fx.key.Private, sum[:])
			if err != nil {
				tb.Fatal(err)
			}
			return resign(der)
		}()},
		{name: "signature_bit_flipped", want: verifier.ReasonBadSignature, input: func() []byte {
			s := append([]byte{}, sigBytes...)
			s[17] ^= 0x04
			return resign(s)
		}()},
		{name: "signature_all_zero", want: verifier.ReasonBadSignature, input: resign(make([]byte, 64))},
		{name: "signed_by_other_trusted_issuer_under_first_kid", want: verifier.ReasonBadSignature,
			input: []byte(compact(credHeader, payload, ecdsaSigner(tb, atelierKey.Private, crypto.SHA256)))},

		// Claims, signed with the trusted key.
		{name: "expired", want: verifier.ReasonExpired, input: claims(func(m map[string]any) {
			from, until := fixedNow.AddDate(0, -1, 0), fixedNow.Add(-verifier.DefaultLeeway)
			m["validFrom"], m["nbf"], m["validUntil"], m["exp"] = rfc3339(from), unix(from), rfc3339(until), unix(until)
		})},
		{name: "not_yet_valid", want: verifier.ReasonNotYetValid, input: claims(func(m map[string]any) {
			from := fixedNow.Add(verifier.DefaultLeeway + time.Second)
			m["validFrom"], m["nbf"] = rfc3339(from), unix(from)
		})},
		{name: "iss_not_issuer_id", want: verifier.ReasonClaimsMismatch, input: claims(func(m map[string]any) {
			m["iss"] = evilDID
		})},
		{name: "issuer_id_and_iss_untrusted", want: verifier.ReasonClaimsMismatch, input: claims(func(m map[string]any) {
			m["iss"] = evilDID
			m["issuer"].(map[string]any)["id"] = evilDID
		})},
		{name: "iss_missing", want: verifier.ReasonClaimsMismatch, input: claims(func(m map[string]any) {
			delete(m, "iss")
		})},
		{name: "jti_not_id", want: verifier.ReasonClaimsMismatch, input: claims(func(m map[string]any) {
			m["jti"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
		})},
		{name: "sub_not_subject_id", want: verifier.ReasonClaimsMismatch, input: claims(func(m map[string]any) {
			m["sub"] = "urn:uuid:00000000-0000-4000-8000-000000000001"
		})},
		{name: "sub_missing", want: verifier.ReasonClaimsMismatch, input: claims(func(m map[string]any) {
			delete(m, "sub")
		})},
		{name: "nbf_not_validFrom", want: verifier.ReasonClaimsMismatch, input: claims(func(m map[string]any) {
			m["nbf"] = unix(fixedNow.Add(-time.Second))
		})},
		{name: "exp_without_validUntil", want: verifier.ReasonClaimsMismatch, input: claims(func(m map[string]any) {
			m["exp"] = unix(fixedNow.AddDate(1, 0, 0))
		})},
		{name: "validUntil_without_exp", want: verifier.ReasonClaimsMismatch, input: claims(func(m map[string]any) {
			m["validUntil"] = rfc3339(fixedNow.AddDate(1, 0, 0))
		})},
		{name: "signed_by_other_trusted_issuer_claiming_first", want: verifier.ReasonClaimsMismatch,
			input: []byte(compact(`{"alg":"ES256","kid":`+jsonString(atelierKID)+`,"typ":"JWT"}`, payload, ecdsaSigner(tb, atelierKey.Private, crypto.SHA256)))},
		{name: "context0_wrong", want: verifier.ReasonInvalidCredential, input: claims(func(m map[string]any) {
			m["@context"].([]any)[0] = "https://www.w3.org/2018/credentials/v1"
		})},
		{name: "type_without_OpenBadgeCredential", want: verifier.ReasonInvalidCredential, input: claims(func(m map[string]any) {
			m["type"] = []string{schema.TypeVC}
		})},
		{name: "subject_without_achievement", want: verifier.ReasonInvalidCredential, input: claims(func(m map[string]any) {
			delete(subject(m), "achievement")
		})},
		{name: "validUntil_before_validFrom", want: verifier.ReasonInvalidCredential, input: claims(func(m map[string]any) {
			until := fixedNow.Add(-time.Hour)
			m["validUntil"], m["exp"] = rfc3339(until), unix(until)
		})},
		{name: "nbf_string", want: verifier.ReasonInvalidCredential, input: claims(func(m map[string]any) {
			m["nbf"] = string(unix(fixedNow))
		})},
		{name: "vc_claim", want: verifier.ReasonUnsupported, input: claims(func(m map[string]any) {
			m["vc"] = map[string]any{"type": []string{schema.TypeVC}}
		})},
		{name: "payload_json_array", want: verifier.ReasonMalformed, input: signedPayload([]byte(`[` + string(payload) + `]`))},

		// Encodings that could be read two ways, signed with the trusted key.
		{name: "payload_invalid_utf8", want: verifier.ReasonMalformed,
			input: signedPayload(bytes.ReplaceAll(payload, []byte("Éloïse"), []byte("\xc3\x28lo\xffse")))},
		{name: "payload_duplicate_iss", want: verifier.ReasonMalformed,
			input: signedPayload(append([]byte(`{"iss":`+jsonString(evilDID)+`,`), payload[1:]...))},
		{name: "payload_case_variant_duplicate_name", want: verifier.ReasonMalformed,
			input: signedPayload(bytes.Replace(payload, []byte(`"identityHash":`+jsonString(name)),
				[]byte(`"identityHash":`+jsonString(name)+`,"IdentityHash":"Mallory Martin"`), 1))},
		{name: "payload_nested_1000_deep", want: verifier.ReasonMalformed,
			input: signedPayload(append([]byte(`{"x":`+nested("[", "]")+`,`), payload[1:]...))},
		{name: "header_duplicate_alg", want: verifier.ReasonMalformed,
			input: []byte(withHeader(`{"alg":"ES256","alg":"none","kid":` + jsonString(fx.kid) + `}`))},
		{name: "header_invalid_utf8", want: verifier.ReasonMalformed,
			input: []byte(withHeader(`{"alg":"ES256","kid":` + jsonString(fx.kid) + `,"typ":"J` + "\xff" + `T"}`))},

		// Card tokens.
		{name: "card_deflate_bomb_50MB", want: verifier.ReasonTooLarge,
			input: []byte(compact(cardHeader, bomb, trusted))},
		{name: "card_deflate_bomb_unknown_kid", want: verifier.ReasonUnknownIssuer,
			input: []byte(compact(`{"alg":"ES256","kid":`+jsonString(attackerTP)+`,"zip":"DEF"}`, bomb, attackerSigns))},
		{name: "card_zip_gzip", want: verifier.ReasonBadHeader,
			input: []byte(compact(`{"alg":"ES256","kid":`+jsonString(fx.key.Thumbprint)+`,"zip":"GZIP"}`, cardPayload, trusted))},
		{name: "card_with_typ", want: verifier.ReasonBadHeader,
			input: []byte(compact(`{"alg":"ES256","kid":`+jsonString(fx.key.Thumbprint)+`,"typ":"JWT","zip":"DEF"}`, cardPayload, trusted))},
		{name: "card_payload_not_deflated", want: verifier.ReasonMalformed,
			input: []byte(compact(oldCardHeader, cardRaw, trusted))},
		// Without a kid the payload is inflated to find the issuer's keys:
		// one that does not inflate to JSON was altered, whoever signed it.
		{name: "card_no_kid_payload_not_deflated", want: verifier.ReasonBadSignature,
			input: []byte(compact(cardHeader, cardRaw, trusted))},
		{name: "card_no_kid_payload_not_json", want: verifier.ReasonBadSignature,
			input: []byte(compact(cardHeader, deflate(tb, []byte("Éloïse")), trusted))},
		{name: "card_payload_duplicate_name", want: verifier.ReasonMalformed,
			input: []byte(compact(cardHeader, deflate(tb, append([]byte(`{"n":"Mallory Martin",`), cardRaw[1:]...)), trusted))},
		{name: "card_payload_case_variant_duplicate_name", want: verifier.ReasonMalformed,
			input: []byte(compact(cardHeader, deflate(tb, append(append([]byte{}, cardRaw[:len(cardRaw)-1]...), `,"N":"Mallory Martin"}`...)), trusted))},
		// The kid is a bare thumbprint no trusted key has. The verifier then
		// inflates the payload (within MaxCardPayload) only to read iss; iss
		// names the trusted issuer, so the issuer is known but not the key:
		// unknown_key, with the issuer reported as not trusted.
		{name: "card_untrusted_key_claims_trusted_iss", want: verifier.ReasonUnknownKey,
			input: card(`{"alg":"ES256","kid":`+jsonString(attackerTP)+`,"zip":"DEF"}`, attackerSigns, func(map[string]any) {})},
		{name: "card_untrusted_key_untrusted_iss", want: verifier.ReasonUnknownIssuer,
			input: card(`{"alg":"ES256","kid":`+jsonString(attackerTP)+`,"zip":"DEF"}`, attackerSigns, func(m map[string]any) { m["iss"] = evilDID })},
		{name: "card_trusted_kid_signed_by_attacker", want: verifier.ReasonBadSignature,
			input: card(cardHeader, attackerSigns, func(map[string]any) {})},
		{name: "card_iss_not_key_issuer", want: verifier.ReasonClaimsMismatch,
			input: card(oldCardHeader, trusted, func(m map[string]any) { m["iss"] = evilDID })},
		// Without a kid, the keys tried are those trusted for iss: a trusted
		// key's signature over claims naming another issuer finds no key.
		{name: "card_no_kid_iss_untrusted", want: verifier.ReasonUnknownIssuer,
			input: card(cardHeader, trusted, func(m map[string]any) { m["iss"] = evilDID })},
		{name: "card_no_kid_iss_missing", want: verifier.ReasonUnknownIssuer,
			input: card(cardHeader, trusted, func(m map[string]any) { delete(m, "iss") })},
		{name: "card_no_kid_signed_by_other_trusted_issuer", want: verifier.ReasonBadSignature,
			input: card(cardHeader, ecdsaSigner(tb, atelierKey.Private, crypto.SHA256), func(map[string]any) {})},
		{name: "card_empty_kid", want: verifier.ReasonBadHeader,
			input: card(`{"alg":"ES256","kid":"","zip":"DEF"}`, trusted, func(map[string]any) {})},
		{name: "credential_without_kid", want: verifier.ReasonBadHeader,
			input: []byte(withHeader(`{"alg":"ES256","typ":"JWT"}`))},
		{name: "card_no_kid_deflate_bomb_attacker", want: verifier.ReasonTooLarge,
			input: []byte(compact(cardHeader, bomb, attackerSigns))},
		{name: "card_expired", want: verifier.ReasonExpired, input: card(cardHeader, trusted, func(m map[string]any) {
			m["nbf"], m["exp"] = unix(fixedNow.AddDate(-1, 0, 0)), unix(fixedNow.Add(-verifier.DefaultLeeway-time.Second))
		})},
		{name: "card_not_yet_valid", want: verifier.ReasonNotYetValid, input: card(cardHeader, trusted, func(m map[string]any) {
			m["nbf"] = unix(fixedNow.Add(time.Hour))
		})},
		{name: "card_exp_before_nbf", want: verifier.ReasonInvalidCredential, input: card(cardHeader, trusted, func(m map[string]any) {
			m["exp"] = unix(fixedNow.Add(-time.Hour))
		})},
		{name: "card_without_name", want: verifier.ReasonInvalidCredential, input: card(cardHeader, trusted, func(m map[string]any) {
			delete(m, "n")
		})},

		// Input shapes.
		{name: "input_10MB", want: verifier.ReasonTooLarge, input: bytes.Repeat([]byte("A"), 10<<20)},
		{name: "input_MaxInput_plus_1", want: verifier.ReasonTooLarge, input: append([]byte(genuine.JWT), bytes.Repeat([]byte(" "), verifier.MaxInput+1-len(genuine.JWT))...)},
		{name: "input_invalid_utf8", want: verifier.ReasonMalformed, input: append([]byte(genuine.JWT), 0xff)},
		{name: "empty", want: verifier.ReasonMalformed, input: []byte("")},
		{name: "whitespace_only", want: verifier.ReasonMalformed, input: []byte(" \t\r\n  ")},
		{name: "two_segments", want: verifier.ReasonMalformed, input: []byte(signingInput)},
		{name: "four_segments", want: verifier.ReasonMalformed, input: []byte(genuine.JWT + "." + sig)},
		{name: "empty_header_segment", want: verifier.ReasonMalformed, input: []byte("." + b64(payload) + "." + sig)},
		{name: "standard_base64_characters", want: verifier.ReasonMalformed,
			input: []byte(signingInput + "." + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 32)))},
		{name: "base64_padding", want: verifier.ReasonMalformed, input: []byte(genuine.JWT + "==")},
		{name: "qr_odd_digit_count", want: verifier.ReasonMalformed, input: []byte(genuine.QRText[:len(genuine.QRText)-1])},
		{name: "qr_digits_alone_odd_count", want: verifier.ReasonMalformed, input: []byte(qrDigits[:len(qrDigits)-1])},
		{name: "qr_digit_pair_outside_alphabet", want: verifier.ReasonMalformed, input: []byte(testBaseURL + "/c#99" + qrDigits)},

		// JSON inputs.
		{name: "json_credential_without_proof", want: verifier.ReasonUnsigned, input: credJSON(nil)},
		{name: "json_data_integrity_proof_other_cryptosuite", want: verifier.ReasonUnsupportedAlg, input: credJSON(func(m map[string]any) {
			m["proof"] = map[string]any{"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019",
				"proofPurpose": "assertionMethod", "verificationMethod": fx.kid, "proofValue": "z" + strings.Repeat("1", 80)}
		})},
		{name: "json_enveloped_forged_jws", want: verifier.ReasonBadSignature,
			input: []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,` + forged + `"}`)},
		{name: "json_enveloped_other_media_type", want: verifier.ReasonUnsupported,
			input: []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"EnvelopedVerifiableCredential","id":"data:application/vc+sd-jwt,` + genuine.JWT + `"}`)},
		{name: "json_jwt_member_forged", want: verifier.ReasonBadSignature, input: []byte(`{"jwt":"` + forged + `"}`)},
		{name: "json_duplicate_jwt_member", want: verifier.ReasonMalformed,
			input: []byte(`{"jwt":"` + genuine.JWT + `","jwt":"` + forged + `"}`)},
		{name: "json_nested_1000_deep", want: verifier.ReasonMalformed, input: []byte(nested(`{"a":`, "}"))},
		{name: "json_trailing_data", want: verifier.ReasonMalformed, input: []byte(`{"jwt":"` + genuine.JWT + `"}{}`)},

		// A short code cannot be resolved without a lookup.
		{name: "short_code_without_lookup", want: verifier.ReasonNotFound, input: []byte(genuine.Record.ShortCode)},
	}
}

func TestHostileInputs(t *testing.T) {
	fx := newFixture(t, keys.NewMemStore())
	cases := hostileCases(t, fx)
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %s", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			got := verify(t, fx.v, tc.input)
			if got.Valid {
				t.Fatalf("hostile input accepted: %+v", got)
			}
			if got.Reason != tc.want {
				t.Fatalf("reason = %q, want %q", got.Reason, tc.want)
			}
			if en, _ := verifier.ReasonText(got.Reason); en == got.Reason {
				t.Errorf("reason %q has no text", got.Reason)
			}
			switch got.Reason {
			case verifier.ReasonUnknownIssuer, verifier.ReasonUnknownKey:
				if got.Issuer != nil && got.Issuer.Trusted {
					t.Errorf("issuer %s reported trusted with reason %s", got.Issuer.ID, got.Reason)
				}
			}
			// Only a credential refused for its validity window shows what it
			// says; nothing else of a refused input may reach a page.
			if got.Reason != verifier.ReasonExpired && got.Reason != verifier.ReasonNotYetValid &&
				(got.Learner != "" || got.Credential != nil || len(got.Levels) != 0) {
				t.Errorf("refused input shows content: learner %q, credential %v, levels %v", got.Learner, got.Credential != nil, got.Levels)
			}
		})
	}
	if len(cases) < 30 {
		t.Errorf("%d hostile cases, want at least 30", len(cases))
	}
}

func TestGenuineInputs(t *testing.T) {
	fx := newFixture(t, keys.NewMemStore())
	for _, name := range []string{"Éloïse Ndiaye-Bérénice", "Олена Шевченко", "محمد"} {
		is := fx.issue(t, name)
		digits := is.QRText[strings.IndexByte(is.QRText, '#')+1:]
		for _, tc := range []struct {
			form  string
			input string
			kind  string
		}{
			{"credential_jws", is.JWT, "credential"},
			{"card_token", is.CardToken, "card"},
			{"qr_text", is.QRText, "card"},
			{"qr_digits", digits, "card"},
			{"enveloped_json", `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,` + is.JWT + `"}`, "credential"},
			{"jwt_json", `{"jwt": "` + is.JWT + `"}`, "credential"},
			{"credential_jws_with_newline", "\n" + is.JWT + "\r\n", "credential"},
		} {
			t.Run(name+"/"+tc.form, func(t *testing.T) {
				got := verify(t, fx.v, []byte(tc.input))
				if !got.Valid || got.Reason != "" {
					t.Fatalf("valid=%v reason=%q, want valid", got.Valid, got.Reason)
				}
				if got.Learner != name {
					t.Errorf("learner = %q, want %q", got.Learner, name)
				}
				if got.Kind != tc.kind {
					t.Errorf("kind = %q, want %q", got.Kind, tc.kind)
				}
				if got.Issuer == nil || !got.Issuer.Trusted || got.Issuer.ID != fx.did || got.Issuer.KeyID != fx.kid {
					t.Errorf("issuer = %+v, want trusted %s with key %s", got.Issuer, fx.did, fx.kid)
				}
				if got.CredentialID != is.Credential.ID {
					t.Errorf("credential id = %q, want %q", got.CredentialID, is.Credential.ID)
				}
				if got.Framework != "digcomp-2.2" || len(got.Levels) != 2 {
					t.Errorf("framework %q levels %+v, want digcomp-2.2 with 2 levels", got.Framework, got.Levels)
				}
			})
		}
	}
}
