package keys

import (
	"crypto/elliptic"
	"math/big"
)

// ES256 signatures are r||s, two 32-byte big-endian integers. ECDSA accepts
// (r, s) and (r, n−s) alike for the same message and key, so every signature
// has a twin and one credential would have two valid JWS strings. Carnet
// signs only the "low-S" form (s ≤ n/2) and its verifiers refuse the other.
var (
	p256Order     = elliptic.P256().Params().N
	p256HalfOrder = new(big.Int).Rsh(p256Order, 1)
)

// ES256SignatureSize is the length of a raw ES256 signature, r||s.
const ES256SignatureSize = 64

// CanonicalES256 reports whether sig is a raw ES256 signature in canonical
// (low-S) form: 64 bytes with 0 < s ≤ n/2. It does not check the signature
// itself.
func CanonicalES256(sig []byte) bool {
	if len(sig) != ES256SignatureSize {
		return false
	}
	s := new(big.Int).SetBytes(sig[32:])
	return s.Sign() > 0 && s.Cmp(p256HalfOrder) <= 0
}

// LowS returns sig in canonical form: when s > n/2, the same signature with
// s replaced by n−s (which verifies just as well). A sig that is not 64
// bytes, or whose s is 0 or not below n, is returned unchanged.
func LowS(sig []byte) []byte {
	if len(sig) != ES256SignatureSize {
		return sig
	}
	s := new(big.Int).SetBytes(sig[32:])
	if s.Sign() <= 0 || s.Cmp(p256Order) >= 0 || s.Cmp(p256HalfOrder) <= 0 {
		return sig
	}
	out := make([]byte, ES256SignatureSize)
	copy(out, sig[:32])
	new(big.Int).Sub(p256Order, s).FillBytes(out[32:])
	return out
}
