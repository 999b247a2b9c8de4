package schema

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
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

// QRNumeric encodes a compact JWS in the numeric form of the QR URL: two
// digits per character, ord(c)-45, as SMART Health Cards do. A QR code holds
// numeric text about 20% denser than bytes.
func QRNumeric(jws string) string {
	var sb strings.Builder
	sb.Grow(2 * len(jws))
	for i := 0; i < len(jws); i++ {
		v := int(jws[i]) - 45
		sb.WriteByte(byte('0' + v/10))
		sb.WriteByte(byte('0' + v%10))
	}
	return sb.String()
}

// QRDecodeNumeric reverses QRNumeric; it fails on odd lengths, non-digits
// and characters outside the base64url alphabet and '.'.
func QRDecodeNumeric(s string) (string, bool) {
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
