package web

import (
	"context"
	"time"

	"carnet/schema"
	"carnet/verifier"
)

// fetchSource fetches a partner's keys again, conditionally (its ETag and
// Last-Modified), and records the outcome in ts: a success (or a 304)
// replaces the validators and max-age, a change of keys the issuers; a
// failure is recorded and the last good keys stay. changed says the
// issuers changed (the registry must be rebuilt).
func (s *Server) fetchSource(ctx context.Context, ts *schema.TrustedSource) (changed bool, ferr error) {
	prev := &verifier.FetchInfo{ETag: ts.ETag, LastModified: ts.LastModified}
	if len(ts.Issuers) == 0 {
		prev = nil // nothing kept to fall back on: fetch in full
	}
	fetched, info, notModified, err := (&verifier.Fetcher{}).Fetch(ctx, ts.Source, prev)
	ts.LastFetchAt = s.now().UTC()
	if err == nil && !notModified {
		var issuers []schema.TrustedSourceIssuer
		if issuers, err = storedIssuers(fetched); err == nil {
			ts.Issuers, changed = issuers, true
		}
	}
	if err != nil {
		// Kept in both languages: the page and the API show it as is.
		ts.LastError = schema.ErrorMessageFR(err)
		if en := schema.ErrorMessage(err); en != ts.LastError {
			ts.LastError += " / " + en
		}
		return false, err
	}
	ts.LastSuccessAt, ts.LastError = ts.LastFetchAt, ""
	ts.ETag, ts.LastModified, ts.MaxAge = info.ETag, info.LastModified, info.MaxAge
	return changed, nil
}

// RefreshTrust refreshes every trusted partner whose refresh is due (see
// schema.TrustedSource.NextRefresh), or all of them when force is set,
// and rebuilds the verifier's issuers when keys changed. It returns how
// many sources were fetched.
func (s *Server) RefreshTrust(ctx context.Context, force bool) (int, error) {
	if s.Trust == nil {
		return 0, nil
	}
	list, err := s.Trust.ListTrustedSources(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	n, rebuild := 0, false
	for _, ts := range list {
		if !force && now.Before(ts.NextRefresh()) {
			continue
		}
		n++
		changed, ferr := s.fetchSource(ctx, ts)
		if err := s.Trust.UpdateTrustedSource(ctx, ts); err != nil {
			return n, err
		}
		rebuild = rebuild || changed
		if s.Log != nil {
			if ferr != nil {
				s.Log.Warn("trusted partner refresh failed; its last keys stay", "source", ts.Source, "err", ferr)
			} else {
				s.Log.Info("trusted partner refreshed", "source", ts.Source, "changed", changed)
			}
		}
	}
	if rebuild {
		return n, s.rebuildTrust(ctx)
	}
	return n, nil
}

// RefreshTrustLoop refreshes the trusted partners that are due, checking
// every minute, until ctx ends.
func (s *Server) RefreshTrustLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := s.RefreshTrust(ctx, false); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Error("trusted partner refresh", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// verifyText verifies input. A credential of a trusted partner signed
// with a key this instance does not know yet (the partner rotated its
// keys since the last refresh) triggers one refresh of that partner, at
// most every schema.MinTrustRefresh, and a second verification.
func (s *Server) verifyText(ctx context.Context, input string) *verifier.Result {
	res := s.Verifier.Verify(ctx, []byte(input))
	if res.Reason != verifier.ReasonUnknownKey || res.Issuer == nil || s.Trust == nil {
		return res
	}
	if s.refreshIssuer(ctx, res.Issuer.ID) {
		return s.Verifier.Verify(ctx, []byte(input))
	}
	return res
}

// refreshIssuer refreshes the trusted source that names issuer, unless it
// was fetched less than schema.MinTrustRefresh ago; it reports whether
// the keys changed.
func (s *Server) refreshIssuer(ctx context.Context, issuer string) bool {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	list, err := s.Trust.ListTrustedSources(ctx)
	if err != nil {
		return false
	}
	for _, ts := range list {
		named := false
		for _, si := range ts.Issuers {
			named = named || si.ID == issuer
		}
		if !named || s.now().Sub(ts.LastFetchAt) < schema.MinTrustRefresh {
			continue
		}
		changed, ferr := s.fetchSource(ctx, ts)
		if err := s.Trust.UpdateTrustedSource(ctx, ts); err != nil {
			return false
		}
		if s.Log != nil {
			s.Log.Info("trusted partner refreshed for an unknown key", "source", ts.Source, "changed", changed, "err", ferr)
		}
		if changed {
			return s.rebuildTrust(ctx) == nil
		}
	}
	return false
}
