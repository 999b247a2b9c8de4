package web

import (
	"context"
	"time"

	"carnet/verifier"
)

// verifyText verifies input. A credential of a trusted partner signed
// with a key this instance does not know yet (the partner rotated its
// keys since the last refresh) triggers one refresh of that partner, at
// most every schema.MinTrustRefresh, and a second verification. A card
// of this instance gets its credential's status (localCardStatus).
func (s *Server) verifyText(ctx context.Context, input string) (res *verifier.Result) {
	defer func(start time.Time) { s.metrics.verified(time.Since(start), res) }(time.Now())
	res = s.Verifier.Verify(ctx, []byte(input))
	if res.Reason == verifier.ReasonUnknownKey && res.Issuer != nil && s.Trust != nil && s.RefreshIssuer(ctx, res.Issuer.ID) {
		res = s.Verifier.Verify(ctx, []byte(input))
	}
	s.localCardStatus(ctx, res)
	s.countVerification(ctx, res)
	return res
}
