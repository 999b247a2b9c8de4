package verifier

import (
	"context"
	"time"
)

// StatusStore keeps the last verified copy of each status list read over
// HTTP (StatusLists.Store), so that a restarted verifier can revalidate it
// (If-None-Match, If-Modified-Since) and answer from it, marked stale, while
// the list's issuer is down. What it returns is verified again in full
// before use: a store is not trusted.
type StatusStore interface {
	// LoadStatusList returns the copy kept for url; nil, nil when none.
	LoadStatusList(ctx context.Context, url string) (*StoredStatusList, error)
	// SaveStatusList keeps l, replacing the copy kept for l.URL. It may
	// drop copies confirmed more than MaxStaleStatus before l.CheckedAt:
	// they no longer answer.
	SaveStatusList(ctx context.Context, l *StoredStatusList) error
}

// StoredStatusList is a status list credential as its issuer last confirmed
// it.
type StoredStatusList struct {
	URL          string    // the list's URL (its id)
	JWS          string    // the list credential, at most MaxStatusListDocument bytes
	ETag         string    // the ETag of the answer that carried it, if any
	LastModified string    // its Last-Modified, if any
	CheckedAt    time.Time // when the issuer last sent or confirmed (304) it
}

// stored returns the copy of a list kept in the Store, verified again for
// the issuer and purpose asked; nil when there is none, it does not verify
// (tampered, expired, signed with a key no longer trusted), its issuer last
// confirmed it MaxStaleStatus ago or more, or the store fails.
func (s *StatusLists) stored(ctx context.Context, trust *Registry, k cacheKey) *listCopy {
	if s.Store == nil {
		return nil
	}
	l, err := s.Store.LoadStatusList(ctx, k.url)
	if err != nil || l == nil || l.URL != k.url || l.CheckedAt.IsZero() || len(l.JWS) > MaxStatusListDocument {
		return nil
	}
	info, err := s.verifyList(l.JWS, trust, k)
	if err != nil {
		return nil
	}
	now := s.now()
	checked := l.CheckedAt
	if checked.After(now) {
		checked = now // never confirmed later than now
	}
	c := &listCopy{listInfo: info, jws: l.JWS, etag: validator(l.ETag), lastModified: validator(l.LastModified), checkedAt: checked}
	if !c.usable(now, trust, k.issuer) {
		return nil // too old to answer, or to revalidate: read it in full
	}
	return c
}

// save keeps a copy of a list read over HTTP in the Store; a failure only
// means there will be no stored copy.
func (s *StatusLists) save(ctx context.Context, url string, c *listCopy) {
	if s.Store == nil || c.local {
		return
	}
	_ = s.Store.SaveStatusList(ctx, &StoredStatusList{URL: url, JWS: c.jws, ETag: c.etag, LastModified: c.lastModified, CheckedAt: c.checkedAt.UTC()})
}
