package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"

	"github.com/go-jose/go-jose/v4"
)

// The trust registry: network administrators name partners (a did:web, a
// JWKS URL or another Carnet's base URL) whose issuers this instance's
// verifier accepts. The keys fetched are stored, so that a partner that is
// down still verifies with its cached keys.
//
// Removing a partner, or replacing its keys after a refresh, builds the new
// set of issuers in a fresh registry and replaces the verifier's with it
// (verifier.Registry.ReplaceWith), so verifications running meanwhile see
// the old set or the new one.

// Limits on what an administrator types.
const (
	maxTrustSource = 2000
	maxTrustName   = 200
)

// RebuildTrust replaces the verifier's issuers with the instance's
// structures and the stored partners.
func (s *App) RebuildTrust(ctx context.Context) error {
	reg, err := s.TrustRegistry(ctx)
	if err != nil {
		return err
	}
	s.Verifier.Trust.ReplaceWith(reg)
	return nil
}

// TrustSources adds the cached issuers of stored partners to a registry.
// Partners that speak for their own site (a did:web, a JWKS, a Carnet's
// base URL) come first, then signed trust lists, which vouch for others:
// an issuer is taken from the first source that names it, and a source
// never adds keys to an issuer already trusted otherwise (a structure of
// this instance, or a partner trusted directly), so that no partner can
// sign as another. A trust list past its expiry (at now) vouches for no
// one. An issuer whose stored keys are refused is skipped; the errors are
// returned together, after every other issuer was added.
func TrustSources(reg *verifier.Registry, sources []*schema.TrustedSource, now time.Time) error {
	var errs []error
	ordered := make([]*schema.TrustedSource, 0, len(sources))
	for _, list := range []bool{false, true} {
		for _, ts := range sources {
			if isTrustList(ts.Source) != list {
				continue
			}
			if ts.Expired(now) {
				errs = append(errs, fmt.Errorf("trusted source %s: the trust list expired on %s: its issuers are not trusted until it is fetched again",
					ts.Source, ts.ExpiresAt.Format(time.RFC3339)))
				continue
			}
			ordered = append(ordered, ts)
		}
	}
	for _, ts := range ordered {
		for _, si := range ts.Issuers {
			if cur := reg.Issuer(si.ID); cur != nil && cur.Source != si.URL {
				errs = append(errs, fmt.Errorf("trusted source %s: issuer %s is already trusted through %s: skipped", ts.Source, si.ID, cur.Source))
				continue
			}
			ti, err := trustedIssuer(si)
			if err == nil {
				err = reg.Add(ti)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("trusted source %s: %w", ts.Source, err))
			}
		}
	}
	return errors.Join(errs...)
}

// isTrustList reports whether a partner's address is a signed trust list.
func isTrustList(source string) bool {
	u, err := url.Parse(source)
	return err == nil && strings.HasSuffix(u.Path, verifier.TrustListPath)
}

func trustedIssuer(si schema.TrustedSourceIssuer) (*verifier.TrustedIssuer, error) {
	ti := &verifier.TrustedIssuer{ID: si.ID, Name: si.Name, Source: si.URL}
	for _, raw := range si.Keys {
		var k jose.JSONWebKey
		if err := json.Unmarshal(raw, &k); err != nil {
			return nil, fmt.Errorf("issuer %s: key: %w", si.ID, err)
		}
		ti.Keys = append(ti.Keys, k)
	}
	return ti, nil
}

// storedIssuers checks fetched issuers as the registry would and returns
// them in their stored form: public ES256 keys only.
func storedIssuers(fetched []*verifier.TrustedIssuer) ([]schema.TrustedSourceIssuer, error) {
	check := verifier.NewRegistry()
	out := []schema.TrustedSourceIssuer{}
	for _, ti := range fetched {
		if err := check.Add(ti); err != nil {
			return nil, err
		}
	}
	for _, ti := range check.Issuers() {
		si := schema.TrustedSourceIssuer{ID: ti.ID, Name: ti.Name, URL: ti.Source, Keys: []json.RawMessage{}}
		for _, k := range ti.Keys {
			b, err := json.Marshal(k.Public())
			if err != nil {
				return nil, fmt.Errorf("app: trusted key %s: %w", k.KeyID, err)
			}
			si.Keys = append(si.Keys, b)
		}
		out = append(out, si)
	}
	return out, nil
}

// TrustInput is what an administrator types to trust a partner.
type TrustInput struct {
	URL  string `json:"url"`
	Name string `json:"name"`
}

func (in *TrustInput) clean() error {
	in.URL = strings.TrimSpace(in.URL)
	var err error
	switch {
	case in.URL == "":
		return schema.Errorf(schema.EINVALID, "the partner's address (url) is required", "l'adresse du partenaire (url) est obligatoire")
	case len(in.URL) > maxTrustSource:
		return schema.Errorf(schema.EINVALID, "the address is longer than %d characters", "l'adresse dépasse %d caractères", maxTrustSource)
	}
	if in.Name, err = schema.CleanLabel(in.Name, maxTrustName, "the name", "le nom"); err != nil {
		return err
	}
	// Only network sources: a file path would read the server's disk.
	if !strings.HasPrefix(in.URL, "https://") && !strings.HasPrefix(in.URL, "http://") && !strings.HasPrefix(in.URL, "did:web:") {
		return schema.Errorf(schema.EINVALID,
			"%q is not a partner address: give a Carnet base URL or a JWKS URL (https://…), or a did:web:…",
			"%q n'est pas une adresse de partenaire : indiquez l'adresse d'un Carnet ou d'un JWKS (https://…), ou un did:web:…", in.URL)
	}
	return nil
}

var errNoTrustStore = errors.New("app: no trust store configured (App.Trust)")

// NetworkAdmin refuses an actor who is not a network administrator.
func NetworkAdmin(a *Actor) error {
	if !a.User.NetworkAdmin {
		return schema.Errorf(schema.EFORBIDDEN, "only network administrators manage trusted partners",
			"seuls les administrateurs du réseau gèrent les partenaires de confiance")
	}
	return nil
}

// AddTrust fetches a partner's keys now, stores them and trusts them.
func (s *App) AddTrust(ctx context.Context, a *Actor, in TrustInput) (*schema.TrustedSource, error) {
	if err := NetworkAdmin(a); err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	if s.Trust == nil {
		return nil, errNoTrustStore
	}
	ts := &schema.TrustedSource{Source: in.URL, Name: in.Name, AddedBy: a.User.Label(), AddedAt: s.now().UTC()}
	if _, err := s.fetchSource(ctx, ts); err != nil {
		return nil, err
	}
	issuers := ts.Issuers
	if ts.Name == "" {
		ts.Name = defaultTrustName(in.URL, issuers)
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Trust.CreateTrustedSource(ctx, ts); err != nil {
			return err
		}
		return s.Record(ctx, a, 0, schema.AuditTrustAdded, ts.Source, ts.Name, "")
	})
	if err != nil {
		return nil, err
	}
	// Issuers already trusted otherwise (our own structures named in a
	// partner's trust list, say) are skipped, not an error.
	if err := TrustSources(s.Verifier.Trust, []*schema.TrustedSource{ts}, s.now()); err != nil && s.Log != nil {
		s.Log.Warn("trusted partner: issuers skipped", "source", ts.Source, "err", err)
	}
	return ts, nil
}

// defaultTrustName names a partner by its first named issuer, else by the
// host of its address.
func defaultTrustName(source string, issuers []schema.TrustedSourceIssuer) string {
	for _, si := range issuers {
		if si.Name != "" {
			return si.Name
		}
	}
	if u, err := url.Parse(source); err == nil && u.Host != "" {
		return u.Host
	}
	return source
}

func (s *App) ListTrust(ctx context.Context, a *Actor) ([]*schema.TrustedSource, error) {
	if err := NetworkAdmin(a); err != nil {
		return nil, err
	}
	if s.Trust == nil {
		return []*schema.TrustedSource{}, nil
	}
	return s.Trust.ListTrustedSources(ctx)
}

func (s *App) trustID(text string) (int64, error) {
	if s.Trust == nil {
		return 0, errNoTrustStore
	}
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, schema.Errorf(schema.ENOTFOUND, "no such trusted partner", "partenaire de confiance introuvable")
	}
	return id, nil
}

// RemoveTrust forgets a partner, here and in the verifier.
func (s *App) RemoveTrust(ctx context.Context, a *Actor, idText string) error {
	if err := NetworkAdmin(a); err != nil {
		return err
	}
	id, err := s.trustID(idText)
	if err != nil {
		return err
	}
	ts, err := s.Trust.FindTrustedSource(ctx, id)
	if err != nil {
		return err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Trust.DeleteTrustedSource(ctx, id); err != nil {
			return err
		}
		return s.Record(ctx, a, 0, schema.AuditTrustRemoved, ts.Source, ts.Name, "")
	})
	if err != nil {
		return err
	}
	return s.RebuildTrust(ctx)
}

// RefreshPartner fetches a partner's keys again (conditionally, see
// fetchSource), at once. A failure is recorded and the last good keys
// stay; a success replaces them, in the store and in the registry.
func (s *App) RefreshPartner(ctx context.Context, a *Actor, idText string) (*schema.TrustedSource, error) {
	if err := NetworkAdmin(a); err != nil {
		return nil, err
	}
	id, err := s.trustID(idText)
	if err != nil {
		return nil, err
	}
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	ts, err := s.Trust.FindTrustedSource(ctx, id)
	if err != nil {
		return nil, err
	}
	_, ferr := s.fetchSource(ctx, ts)
	detail := "ok"
	if ferr != nil {
		if schema.ErrorCode(ferr) == schema.EINTERNAL {
			return nil, ferr
		}
		detail = schema.ErrorMessage(ferr)
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Trust.UpdateTrustedSource(ctx, ts); err != nil {
			return err
		}
		return s.Record(ctx, a, 0, schema.AuditTrustRefreshed, ts.Source, detail, "")
	})
	if err != nil {
		return nil, err
	}
	// Rebuilt even when nothing changed: an administrator's refresh also
	// repairs a registry that missed an earlier change.
	if err := s.RebuildTrust(ctx); err != nil {
		return nil, err
	}
	return ts, nil
}

// fetchSource fetches a partner's keys again, conditionally (its ETag and
// Last-Modified), and records the outcome in ts: a success (or a 304)
// replaces the validators and max-age, a change of keys the issuers; a
// failure is recorded and the last good keys stay. changed says the
// issuers changed (the registry must be rebuilt).
func (s *App) fetchSource(ctx context.Context, ts *schema.TrustedSource) (changed bool, ferr error) {
	prev := &verifier.FetchInfo{ETag: ts.ETag, LastModified: ts.LastModified}
	if len(ts.Issuers) == 0 {
		prev = nil // nothing kept to fall back on: fetch in full
	}
	fetched, info, notModified, err := (&verifier.Fetcher{Client: s.Outbound.HTTP()}).Fetch(ctx, ts.Source, prev)
	if s.Hooks.TrustFetched != nil {
		s.Hooks.TrustFetched(err)
	}
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
func (s *App) RefreshTrust(ctx context.Context) (int, error) {
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
		if err := s.RebuildTrust(ctx); err != nil {
			return n, err
		}
	}
	return n, first
}

// RefreshTrustLoop refreshes the trusted partners that are due, checking
// every minute, until ctx ends.
func (s *App) RefreshTrustLoop(ctx context.Context) {
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

// RefreshIssuer refreshes the trusted source that names issuer, unless it
// was fetched less than schema.MinTrustRefresh ago; it reports whether
// the keys changed.
func (s *App) RefreshIssuer(ctx context.Context, issuer string) bool {
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
			return s.RebuildTrust(ctx) == nil
		}
	}
	return false
}

// TrustRegistry returns a new registry of every issuer the instance
// trusts: its structures, then the stored partners. Partners whose stored
// keys are refused are logged and left out.
func (s *App) TrustRegistry(ctx context.Context) (*verifier.Registry, error) {
	reg := verifier.NewRegistry()
	if err := TrustLocal(ctx, reg, s.Structures, s.Keys, s.BaseURL); err != nil {
		return nil, err
	}
	if s.Trust != nil {
		sources, err := s.Trust.ListTrustedSources(ctx)
		if err != nil {
			return nil, err
		}
		if err := TrustSources(reg, sources, s.now()); err != nil && s.Log != nil {
			s.Log.Warn("trusted partner keys skipped", "err", err)
		}
	}
	return reg, nil
}

// TrustLocal trusts every structure of the instance in reg, with the keys
// of ks read at each look-up (verifier.Registry.AddLocal), never a copy.
func TrustLocal(ctx context.Context, reg *verifier.Registry, structures schema.StructureStore, ks keys.Store, baseURL string) error {
	list, err := structures.ListStructures(ctx)
	if err != nil {
		return err
	}
	for _, st := range list {
		did, err := keys.DIDWeb(baseURL, st.Slug)
		if err != nil {
			return err
		}
		if err := reg.AddLocal(did, st.Name, st.Slug, ks); err != nil {
			return err
		}
	}
	return nil
}
