package issuer_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// decodeList undoes EncodeStatusList by hand (multibase u, base64url, gzip),
// independently of the verifier's decoder.
func decodeList(t *testing.T, enc string) []byte {
	t.Helper()
	b64, ok := strings.CutPrefix(enc, "u")
	if !ok {
		t.Fatalf("encodedList %.20q… has no multibase u prefix", enc)
	}
	if strings.ContainsAny(b64, "+/=") {
		t.Fatalf("encodedList is not unpadded base64url: %.40q…", b64)
	}
	gz, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	bits, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return bits
}

func TestEncodeStatusListBitOrder(t *testing.T) {
	// Index 0 is the most significant bit of byte 0; 131071, the last
	// entry, the least significant bit of the last byte.
	enc, err := issuer.EncodeStatusList([]int{0, 9, 131071, 9}, schema.StatusListSize)
	if err != nil {
		t.Fatal(err)
	}
	bits := decodeList(t, enc)
	if len(bits) != schema.StatusListSize/8 {
		t.Fatalf("%d bytes, want %d", len(bits), schema.StatusListSize/8)
	}
	want := map[int]byte{0: 0b1000_0000, 1: 0b0100_0000, 16383: 0b0000_0001}
	for i, b := range bits {
		if b != want[i] {
			t.Errorf("byte %d = %08b, want %08b", i, b, want[i])
		}
	}
}

func TestEncodeStatusListSize(t *testing.T) {
	empty, err := issuer.EncodeStatusList(nil, schema.StatusListSize)
	if err != nil {
		t.Fatal(err)
	}
	one, err := issuer.EncodeStatusList([]int{70001}, schema.StatusListSize)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("131,072 entries: empty %d characters, one bit set %d characters", len(empty), len(one))
	if len(empty) > 100 || len(one) > 100 {
		t.Errorf("empty list %d characters, one bit %d: want tens", len(empty), len(one))
	}
	again, _ := issuer.EncodeStatusList([]int{70001}, schema.StatusListSize)
	if again != one {
		t.Error("the same bits encode differently")
	}
	big, err := issuer.EncodeStatusList([]int{issuer.MaxStatusListSize - 1}, issuer.MaxStatusListSize)
	if err != nil {
		t.Fatal(err)
	}
	if bits := decodeList(t, big); len(bits) != issuer.MaxStatusListSize/8 || bits[len(bits)-1] != 1 {
		t.Errorf("largest list: %d bytes, last %08b", len(bits), bits[len(bits)-1])
	}
}

func TestEncodeStatusListRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  []int
		size int
	}{
		{"too short", nil, schema.StatusListSize - 8},
		{"too long", nil, issuer.MaxStatusListSize + 8},
		{"not whole bytes", nil, schema.StatusListSize + 1},
		{"negative index", []int{-1}, schema.StatusListSize},
		{"index past the end", []int{schema.StatusListSize}, schema.StatusListSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := issuer.EncodeStatusList(tc.set, tc.size); schema.ErrorCode(err) != schema.EINVALID {
				t.Errorf("err = %v, want invalid", err)
			}
		})
	}
}

func TestStatusListURLs(t *testing.T) {
	if got := issuer.StatusListURL("https://carnet.example.org/", "lille", 3); got != "https://carnet.example.org/s/lille/status/3" {
		t.Errorf("revocation list URL %s", got)
	}
	if got := issuer.SuspensionListURL("https://carnet.example.org/", "lille", 3); got != "https://carnet.example.org/s/lille/status/3/suspension" {
		t.Errorf("suspension list URL %s", got)
	}
}

func TestSignStatusList(t *testing.T) {
	ring, err := keys.NewMemStore().Ring("lille")
	if err != nil {
		t.Fatal(err)
	}
	key := ring.Signer()
	did := "did:web:carnet.example.org:s:lille"
	list := issuer.SuspensionListURL("https://carnet.example.org", "lille", 0)
	jws, err := issuer.SignStatusList(issuer.StatusListInput{
		Issuer: did, URL: list, Purpose: issuer.PurposeSuspension, Set: []int{5, 131071}, Now: clock, TTL: 90 * time.Second,
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := obj.Signatures[0].Protected
	if h.Algorithm != "ES256" || h.KeyID != key.KID(did) || h.ExtraHeaders["typ"] != "JWT" || len(h.ExtraHeaders) != 1 {
		t.Errorf("header alg %s kid %s extra %v", h.Algorithm, h.KeyID, h.ExtraHeaders)
	}
	payload, err := obj.Verify(&key.Private.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Context           []string `json:"@context"`
		ID                string   `json:"id"`
		Type              []string `json:"type"`
		Issuer            string   `json:"issuer"`
		ValidFrom         string   `json:"validFrom"`
		ValidUntil        string   `json:"validUntil"`
		CredentialSubject struct {
			ID            string `json:"id"`
			Type          string `json:"type"`
			StatusPurpose string `json:"statusPurpose"`
			EncodedList   string `json:"encodedList"`
			TTL           int64  `json:"ttl"`
		} `json:"credentialSubject"`
		Iss string `json:"iss"`
		Jti string `json:"jti"`
		Nbf int64  `json:"nbf"`
		Exp int64  `json:"exp"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%v in %s", err, payload)
	}
	from := clock.Truncate(time.Second)
	s := c.CredentialSubject
	switch {
	case len(c.Context) != 1 || c.Context[0] != schema.ContextVC2:
		t.Errorf("@context %v", c.Context)
	case c.ID != list || c.Jti != list || s.ID != list+"#list":
		t.Errorf("id %s jti %s subject %s", c.ID, c.Jti, s.ID)
	case strings.Join(c.Type, ",") != "VerifiableCredential,BitstringStatusListCredential" || s.Type != "BitstringStatusList":
		t.Errorf("types %v / %s", c.Type, s.Type)
	case c.Issuer != did || c.Iss != did:
		t.Errorf("issuer %s iss %s", c.Issuer, c.Iss)
	case c.ValidFrom != "2026-03-14T09:30:15Z" || c.Nbf != from.Unix():
		t.Errorf("validFrom %s nbf %d", c.ValidFrom, c.Nbf)
	case c.ValidUntil != "2026-03-15T09:30:15Z" || c.Exp != from.Add(24*time.Hour).Unix():
		t.Errorf("validUntil %s exp %d", c.ValidUntil, c.Exp)
	case s.StatusPurpose != "suspension" || s.TTL != 90000:
		t.Errorf("purpose %s ttl %d", s.StatusPurpose, s.TTL)
	}
	bits := decodeList(t, s.EncodedList)
	if len(bits) != 16384 || bits[0] != 0b0000_0100 || bits[16383] != 1 {
		t.Errorf("list: %d bytes, first %08b, last %08b", len(bits), bits[0], bits[len(bits)-1])
	}
}

func TestSignStatusListRefuses(t *testing.T) {
	ring, _ := keys.NewMemStore().Ring("lille")
	good := issuer.StatusListInput{
		Issuer: "did:web:carnet.example.org:s:lille", URL: "https://carnet.example.org/s/lille/status/0",
		Purpose: issuer.PurposeRevocation, Now: clock,
	}
	if _, err := issuer.SignStatusList(good, ring.Signer()); err != nil {
		t.Fatalf("good input: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*issuer.StatusListInput)
	}{
		{"issuer not a DID", func(in *issuer.StatusListInput) { in.Issuer = "https://carnet.example.org" }},
		{"issuer with a fragment", func(in *issuer.StatusListInput) { in.Issuer += "#key" }},
		{"URL not http", func(in *issuer.StatusListInput) { in.URL = "ftp://carnet.example.org/s/lille/status/0" }},
		{"purpose message", func(in *issuer.StatusListInput) { in.Purpose = "message" }},
		{"negative ttl", func(in *issuer.StatusListInput) { in.TTL = -time.Second }},
		{"index out of range", func(in *issuer.StatusListInput) { in.Set = []int{schema.StatusListSize} }},
		{"list too short", func(in *issuer.StatusListInput) { in.Size = 1024 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good
			tc.edit(&in)
			if _, err := issuer.SignStatusList(in, ring.Signer()); schema.ErrorCode(err) != schema.EINVALID {
				t.Errorf("err = %v, want invalid", err)
			}
		})
	}
	if _, err := issuer.SignStatusList(good, nil); err == nil {
		t.Error("signed without a key")
	}
}
