package keys_test

import (
	"bytes"
	"crypto/elliptic"
	"math/big"
	"testing"

	"carnet/keys"
)

func sigWithS(s *big.Int) []byte {
	sig := make([]byte, keys.ES256SignatureSize)
	sig[0] = 0x42 // some r
	s.FillBytes(sig[32:])
	return sig
}

func TestCanonicalES256(t *testing.T) {
	n := elliptic.P256().Params().N
	half := new(big.Int).Rsh(n, 1)
	one := big.NewInt(1)
	for _, tc := range []struct {
		name      string
		sig       []byte
		canonical bool
		lowS      []byte // what LowS returns
	}{
		{"s = 1", sigWithS(one), true, sigWithS(one)},
		{"s = n/2", sigWithS(half), true, sigWithS(half)},
		{"s = n/2 + 1", sigWithS(new(big.Int).Add(half, one)), false, sigWithS(half)},
		{"s = n - 1", sigWithS(new(big.Int).Sub(n, one)), false, sigWithS(one)},
		{"s = 0", sigWithS(new(big.Int)), false, sigWithS(new(big.Int))},
		{"s = n", sigWithS(n), false, sigWithS(n)},
		{"63 bytes", make([]byte, 63), false, make([]byte, 63)},
		{"65 bytes", make([]byte, 65), false, make([]byte, 65)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := keys.CanonicalES256(tc.sig); got != tc.canonical {
				t.Errorf("CanonicalES256 = %v, want %v", got, tc.canonical)
			}
			in := bytes.Clone(tc.sig)
			if got := keys.LowS(tc.sig); !bytes.Equal(got, tc.lowS) {
				t.Errorf("LowS = %x, want %x", got, tc.lowS)
			}
			if !bytes.Equal(in, tc.sig) {
				t.Error("LowS changed its argument")
			}
		})
	}
}
