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
	fetched, info, notModified, err := (&verifier.Fetcher{Client: s.Outbound.HTTP()}).Fetch(ctx, ts.Source, prev)
	s.metrics.trustRefreshed(err)
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
	if !notModified {
		ts.ExpiresAt = info.Expires.UTC() // a 304 is the same list: same expiry
	}
	return changed, nil
}

// RefreshTrust refreshes every trusted partner whose refresh is due (see
// schema.TrustedSource.NextRefresh) and rebuilds the verifier's issuers
// when keys changed. A partner that cannot be fetched or stored is logged
// and the round goes on. It returns how many sources were fetched and the
// first storage error.
func (s *Server) RefreshTrust(ctx context.Context) (int, error) {
	if s.Trust == nil {
		return 0, nil
	}
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	list, err := s.Trust.ListTrustedSources(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	n, rebuild := 0, false
	var first error
	for _, ts := range list {
		if now.Before(ts.NextRefresh()) {
			continue
		}
		n++
		changed, ferr := s.fetchSource(ctx, ts)
		// Keys that changed are trusted even if recording them fails: the
		// registry is rebuilt from the stored sources, so a failed write
		// means the new keys wait for the next round.
		if err := s.Trust.UpdateTrustedSource(ctx, ts); err != nil {
			if first == nil {
				first = err
			}
			if s.Log != nil {
				s.Log.Error("trusted partner refresh not recorded", "source", ts.Source, "err", err)
			}
			continue
		}
		rebuild = rebuild || changed || ts.Expired(now) // an expired list's issuers leave
		if s.Log != nil {
			if ferr != nil {
				s.Log.Warn("trusted partner refresh failed; its last keys stay", "source", ts.Source, "err", ferr)
			} else {
				s.Log.Info("trusted partner refreshed", "source", ts.Source, "changed", changed)
			}
		}
	}
	if rebuild {
		if err := s.rebuildTrust(ctx); err != nil {
			return n, err
		}
	}
	return n, first
}

// RefreshTrustLoop refreshes the trusted partners that are due, checking
// every minute, until ctx ends.
func (s *Server) RefreshTrustLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := s.RefreshTrust(ctx); err != nil && ctx.Err() == nil && s.Log != nil {
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
// most every schema.MinTrustRefresh, and a second verification. A card
// of this instance gets its credential's status (localCardStatus).
func (s *Server) verifyText(ctx context.Context, input string) (res *verifier.Result) {
	defer func(start time.Time) { s.metrics.verified(time.Since(start), res) }(time.Now())
	res = s.Verifier.Verify(ctx, []byte(input))
	if res.Reason == verifier.ReasonUnknownKey && res.Issuer != nil && s.Trust != nil && s.refreshIssuer(ctx, res.Issuer.ID) {
		res = s.Verifier.Verify(ctx, []byte(input))
	}
	s.localCardStatus(ctx, res)
	s.countVerification(ctx, res)
	return res
}

// refreshIssuer refreshes the trusted source that names issuer, unless it
// was fetched less than schema.MinTrustRefresh ago; it reports whether
// the keys changed.
func (s *Server) refreshIssuer(ctx context.Context, issuer string) bool {
	// A refresh under way (the scheduled round, another request) is not
	// waited for: this verification answers with the keys known now.
	if !s.refreshMu.TryLock() {
		return false
	}
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
