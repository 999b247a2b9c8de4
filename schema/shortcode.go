package schema

import (
	"fmt"
	"io"
	"strings"
)

// shortCodeAlphabet is Crockford's base 32: no I, L, O or U, so a code read
// aloud or typed from paper is hard to get wrong.
const shortCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ShortCodeLength is the number of symbols of a short code: 10 symbols of
// 5 bits, 50 bits, far beyond guessing at a rate-limited endpoint.
const ShortCodeLength = 10

// NewShortCode returns a random short verification code such as
// "K7QM-4XPA-9D".
func NewShortCode(r io.Reader) (string, error) {
	var buf [ShortCodeLength]byte
	if _, err := io.ReadFull(r, buf[:]); err != nil {
		return "", fmt.Errorf("short code: %w", err)
	}
	var sb strings.Builder
	for i, b := range buf {
		if i == 4 || i == 8 {
			sb.WriteByte('-')
		}
		sb.WriteByte(shortCodeAlphabet[b&31])
	}
	return sb.String(), nil
}

// NormalizeShortCode upper-cases a typed short code, drops spaces and dashes
// and maps the look-alikes O→0, I and L→1; it returns "" when the result is
// not a well-formed code.
func NormalizeShortCode(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(shortCodeAlphabet, r) {
			return ""
		}
		sb.WriteRune(r)
	}
	c := sb.String()
	if len(c) != ShortCodeLength {
		return ""
	}
	return c[:4] + "-" + c[4:8] + "-" + c[8:]
}
