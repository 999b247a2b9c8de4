package schema

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// CardClaims are the claims of a card token: the minimal, signed summary of
// a credential that the QR code carries (DESIGN.md § The card token). Short
// JSON names keep the QR small.
type CardClaims struct {
	Iss       string      `json:"iss"`           // issuer id (did:web)
	Jti       string      `json:"jti"`           // credential id; in a token, CardJTI of it
	Nbf       int64       `json:"nbf"`           // issue date, Unix seconds
	Exp       int64       `json:"exp,omitempty"` // expiry, Unix seconds
	Name      string      `json:"n"`             // learner display name
	Framework string      `json:"f"`             // framework id
	Levels    []CardLevel `json:"l"`             // [code, level] pairs
	Digest    string      `json:"h"`             // binds the card to the credential: see CredentialDigest
}

// CardLevel is one [code, level] pair; a level made of digits travels as a
// JSON number ("3" → 3), any other level as a string ("B1").
type CardLevel struct {
	Competency string
	Level      string
}

// MarshalJSON encodes the pair as a two-element array.
func (l CardLevel) MarshalJSON() ([]byte, error) {
	code, _ := json.Marshal(l.Competency)
	var lv []byte
	if n, err := strconv.ParseUint(l.Level, 10, 16); err == nil && strconv.FormatUint(n, 10) == l.Level {
		lv = []byte(l.Level)
	} else {
		lv, _ = json.Marshal(l.Level)
	}
	return []byte("[" + string(code) + "," + string(lv) + "]"), nil
}

// UnmarshalJSON decodes a two-element array of a string and a string or a
// non-negative integer.
func (l *CardLevel) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return Errorf(EINVALID, "a level must be a [code, level] pair", "un niveau doit être une paire [code, niveau]")
	}
	if err := json.Unmarshal(pair[0], &l.Competency); err != nil {
		return err
	}
	var n uint16
	if err := json.Unmarshal(pair[1], &n); err == nil {
		l.Level = strconv.Itoa(int(n))
		return nil
	}
	return json.Unmarshal(pair[1], &l.Level)
}

// CardHeader is the protected header of every card token since issue 11,
// {"alg":"ES256","zip":"DEF"}, base64url: the packed numeric form of the
// QR URL leaves it out, and QRDecodeNumeric puts it back.
const CardHeader = "eyJhbGciOiJFUzI1NiIsInppcCI6IkRFRiJ9"

// packedMark starts the packed numeric form. The older form starts with
// "56": a JWS starts with "eyJ", and 'e' is 56 there.
const packedMark = '1'

// chunkDigits[k] is the number of digits that hold k bytes in the packed
// form: the fewest d with 10^d ≥ 256^k. Seven bytes (56 bits) take 17
// digits (56.5 bits): 98.8% of numeric mode's 3.32 bits a digit.
var chunkDigits = [8]int{0, 3, 5, 8, 10, 13, 15, 17}

// QRNumeric encodes a compact JWS as the digits of the card's QR URL, which
// a QR code holds in numeric mode (3 digits in 10 bits).
//
// A card token (header CardHeader, a 64-byte ES256 signature) takes the
// packed form: "1", then the bytes of the raw-DEFLATE payload followed by
// the signature, 7 bytes to 17 digits (the last chunk of k bytes to
// chunkDigits[k]), big-endian. The header is implied, so a token costs
// 2.43 digits a byte: about 690 digits for six competencies instead of 830
// in the older form, two QR versions less (issue 11).
//
// Any other JWS takes the older form, the SMART Health Cards one: two
// digits per character, ord(c)-45. QRDecodeNumeric reads both, so cards
// printed before still verify.
func QRNumeric(jws string) string {
	if b, ok := packCard(jws); ok {
		var sb strings.Builder
		sb.Grow(1 + (len(b)/7+1)*17)
		sb.WriteByte(packedMark)
		var buf [20]byte
		for len(b) > 0 {
			k := min(7, len(b))
			var v uint64
			for _, c := range b[:k] {
				v = v<<8 | uint64(c)
			}
			d := strconv.AppendUint(buf[:0], v, 10)
			for range chunkDigits[k] - len(d) {
				sb.WriteByte('0')
			}
			sb.Write(d)
			b = b[k:]
		}
		return sb.String()
	}
	var sb strings.Builder
	sb.Grow(2 * len(jws))
	for i := 0; i < len(jws); i++ {
		v := int(jws[i]) - 45
		sb.WriteByte(byte('0' + v/10))
		sb.WriteByte(byte('0' + v%10))
	}
	return sb.String()
}

// packCard returns the payload and signature bytes of a card token that
// the packed form can carry: header CardHeader, a 64-byte signature.
func packCard(jws string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(jws, CardHeader+".")
	if !ok {
		return nil, false
	}
	p, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, false
	}
	enc := base64.RawURLEncoding.Strict()
	payload, err := enc.DecodeString(p)
	if err != nil || len(payload) == 0 {
		return nil, false
	}
	s, err := enc.DecodeString(sig)
	if err != nil || len(s) != 64 {
		return nil, false
	}
	return append(payload, s...), true
}

// QRDecodeNumeric reverses QRNumeric. The packed form fails on a length that
// no byte count gives, a chunk over its bytes' range and fewer than 65
// bytes; the older one on odd lengths and characters outside the base64url
// alphabet and '.'; both on non-digits.
func QRDecodeNumeric(s string) (string, bool) {
	if len(s) > 0 && s[0] == packedMark {
		return unpackCard(s[1:])
	}
	if len(s)%2 != 0 {
		return "", false
	}
	out := make([]byte, len(s)/2)
	for i := 0; i < len(s); i += 2 {
		a, b := s[i], s[i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return "", false
		}
		c := byte(int(a-'0')*10 + int(b-'0') + 45)
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return "", false
		}
		out[i/2] = c
	}
	return string(out), true
}

func unpackCard(s string) (string, bool) {
	last := slices.Index(chunkDigits[:], len(s)%17)
	if last < 0 {
		return "", false
	}
	b := make([]byte, 0, len(s)/17*7+last)
	for len(s) > 0 {
		k := 7
		if len(s) < 17 {
			k = last
		}
		var v uint64
		for _, c := range []byte(s[:chunkDigits[k]]) {
			if c < '0' || c > '9' {
				return "", false
			}
			v = v*10 + uint64(c-'0')
		}
		if v>>(8*k) != 0 {
			return "", false
		}
		for i := k - 1; i >= 0; i-- {
			b = append(b, byte(v>>(8*i)))
		}
		s = s[chunkDigits[k]:]
	}
	if len(b) <= 64 {
		return "", false
	}
	enc := base64.RawURLEncoding
	n := len(b) - 64
	return CardHeader + "." + enc.EncodeToString(b[:n]) + "." + enc.EncodeToString(b[n:]), true
}

// CardJTI is the jti a card token carries for a credential id: a
// "urn:uuid:" id as its 16 bytes in base64url (22 characters instead of
// 45, about 11 bytes less after DEFLATE, 30 QR digits), any other id as it
// is. CredentialIDFromJTI reverses it.
func CardJTI(id string) string {
	hexID, ok := strings.CutPrefix(id, "urn:uuid:")
	if !ok || len(hexID) != 36 || strings.ToLower(hexID) != hexID {
		return id
	}
	b, err := hex.DecodeString(strings.ReplaceAll(hexID, "-", ""))
	if err != nil || len(b) != 16 || hexID[8] != '-' || hexID[13] != '-' || hexID[18] != '-' || hexID[23] != '-' {
		return id
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CredentialIDFromJTI returns the credential id of a card token's jti: the
// "urn:uuid:" id of a 22-character base64url jti (cards since issue 11),
// any other jti as it is (older cards carry the id itself).
func CredentialIDFromJTI(jti string) string {
	if len(jti) != 22 {
		return jti
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(jti)
	if err != nil || len(b) != 16 {
		return jti
	}
	h := hex.EncodeToString(b)
	return "urn:uuid:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
