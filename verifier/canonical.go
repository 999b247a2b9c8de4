package verifier

import (
	"carnet/keys"

	"github.com/go-jose/go-jose/v4"
)

// canonical reports whether the one signature of a parsed compact JWS is in
// canonical low-S form (keys.CanonicalES256). ECDSA verifies a signature's
// high-S twin too, so without this check a token would have two valid
// encodings: credentials, cards, status lists and trust lists all refuse it.
func canonical(obj *jose.JSONWebSignature) bool {
	return len(obj.Signatures) == 1 && keys.CanonicalES256(obj.Signatures[0].Signature)
}
