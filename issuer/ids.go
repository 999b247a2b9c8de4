package issuer

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// carnetNS is the UUID namespace of Carnet's name-based (v5) ids: the same
// framework item always gets the same achievement, result description and
// level ids, across credentials and instances.
var carnetNS = [16]byte{0x6b, 0x1e, 0x53, 0x0c, 0x7a, 0x54, 0x4d, 0x3e, 0x9b, 0x2f, 0x1c, 0x8d, 0x45, 0x61, 0x0e, 0x27}

// NameUUID returns the urn:uuid of a version 5 UUID for the given name parts.
func NameUUID(parts ...string) string {
	h := sha1.New()
	h.Write(carnetNS[:])
	h.Write([]byte(strings.Join(parts, "\x1f")))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return "urn:uuid:" + formatUUID(u)
}

// RandomUUID returns the urn:uuid of a version 4 UUID read from r.
func RandomUUID(r io.Reader) (string, error) {
	var u [16]byte
	if _, err := io.ReadFull(r, u[:]); err != nil {
		return "", fmt.Errorf("issuer: random id: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return "urn:uuid:" + formatUUID(u), nil
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// randIntn returns a uniform integer in [0, n) read from r.
func randIntn(r io.Reader, n int) (int, error) {
	v, err := rand.Int(r, big.NewInt(int64(n)))
	if err != nil {
		return 0, err
	}
	return int(v.Int64()), nil
}
