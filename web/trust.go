package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"carnet/issuer"
	"carnet/schema"
	"carnet/verifier"

	"github.com/gin-gonic/gin"
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

// rebuildTrust replaces the verifier's issuers with the instance's
// structures and the stored partners.
func (s *Server) rebuildTrust(ctx context.Context) error {
	reg, err := s.trustRegistry(ctx)
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
				return nil, fmt.Errorf("web: trusted key %s: %w", k.KeyID, err)
			}
			si.Keys = append(si.Keys, b)
		}
		out = append(out, si)
	}
	return out, nil
}

// trustInput is what an administrator types to trust a partner.
type trustInput struct {
	URL  string `json:"url"`
	Name string `json:"name"`
}

func (in *trustInput) clean() error {
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

var errNoTrustStore = errors.New("web: no trust store configured (Server.Trust)")

func networkAdmin(a *actor) error {
	if !a.User.NetworkAdmin {
		return schema.Errorf(schema.EFORBIDDEN, "only network administrators manage trusted partners",
			"seuls les administrateurs du réseau gèrent les partenaires de confiance")
	}
	return nil
}

// addTrust fetches a partner's keys now, stores them and trusts them.
func (s *Server) addTrust(ctx context.Context, a *actor, in trustInput) (*schema.TrustedSource, error) {
	if err := networkAdmin(a); err != nil {
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
	err := s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Trust.CreateTrustedSource(ctx, ts); err != nil {
			return err
		}
		return s.record(ctx, a, 0, schema.AuditTrustAdded, ts.Source, ts.Name, "")
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

func (s *Server) listTrust(ctx context.Context, a *actor) ([]*schema.TrustedSource, error) {
	if err := networkAdmin(a); err != nil {
		return nil, err
	}
	if s.Trust == nil {
		return []*schema.TrustedSource{}, nil
	}
	return s.Trust.ListTrustedSources(ctx)
}

func (s *Server) trustID(text string) (int64, error) {
	if s.Trust == nil {
		return 0, errNoTrustStore
	}
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, schema.Errorf(schema.ENOTFOUND, "no such trusted partner", "partenaire de confiance introuvable")
	}
	return id, nil
}

// removeTrust forgets a partner, here and in the verifier.
func (s *Server) removeTrust(c *gin.Context, a *actor, idText string) error {
	if err := networkAdmin(a); err != nil {
		return err
	}
	id, err := s.trustID(idText)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ts, err := s.Trust.FindTrustedSource(ctx, id)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Trust.DeleteTrustedSource(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, a, 0, schema.AuditTrustRemoved, ts.Source, ts.Name, "")
	})
	if err != nil {
		return err
	}
	return s.rebuildTrust(ctx)
}

// refreshTrust fetches a partner's keys again (conditionally, see
// fetchSource), at once. A failure is recorded and the last good keys
// stay; a success replaces them, in the store and in the registry.
func (s *Server) refreshTrust(c *gin.Context, a *actor, idText string) (*schema.TrustedSource, error) {
	if err := networkAdmin(a); err != nil {
		return nil, err
	}
	id, err := s.trustID(idText)
	if err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
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
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Trust.UpdateTrustedSource(ctx, ts); err != nil {
			return err
		}
		return s.record(ctx, a, 0, schema.AuditTrustRefreshed, ts.Source, detail, "")
	})
	if err != nil {
		return nil, err
	}
	// Rebuilt even when nothing changed: an administrator's refresh also
	// repairs a registry that missed an earlier change.
	if err := s.rebuildTrust(ctx); err != nil {
		return nil, err
	}
	return ts, nil
}

// Wire shapes.

type trustIssuerJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
	Keys int    `json:"keys"`
}

type trustJSON struct {
	ID            int64             `json:"id"`
	URL           string            `json:"url"`
	Name          string            `json:"name"`
	Issuers       []trustIssuerJSON `json:"issuers"`
	AddedBy       string            `json:"added_by"`
	AddedAt       time.Time         `json:"added_at"`
	LastFetchAt   *time.Time        `json:"last_fetch_at"`
	LastSuccessAt *time.Time        `json:"last_success_at"`
	LastError     string            `json:"last_error"`
}

func toTrustJSON(ts *schema.TrustedSource) trustJSON {
	out := trustJSON{ID: ts.ID, URL: ts.Source, Name: ts.Name, Issuers: []trustIssuerJSON{}, AddedBy: ts.AddedBy,
		AddedAt: ts.AddedAt, LastFetchAt: timePtr(ts.LastFetchAt), LastSuccessAt: timePtr(ts.LastSuccessAt), LastError: ts.LastError}
	for _, si := range ts.Issuers {
		out.Issuers = append(out.Issuers, trustIssuerJSON{ID: si.ID, Name: si.Name, URL: si.URL, Keys: len(si.Keys)})
	}
	return out
}

// API handlers.

func (s *Server) apiTrustList(c *gin.Context) {
	list, err := s.listTrust(c.Request.Context(), actorOf(c))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := []trustJSON{}
	for _, ts := range list {
		out = append(out, toTrustJSON(ts))
	}
	c.JSON(http.StatusOK, gin.H{"sources": out})
}

func (s *Server) apiTrustAdd(c *gin.Context) {
	a := actorOf(c)
	if err := networkAdmin(a); err != nil {
		s.renderError(c, err)
		return
	}
	var in trustInput
	if err := bindJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	ts, err := s.addTrust(c.Request.Context(), a, in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toTrustJSON(ts))
}

func (s *Server) apiTrustDelete(c *gin.Context) {
	if err := s.removeTrust(c, actorOf(c), c.Param("id")); err != nil {
		s.renderError(c, err)
		return
	}
	// Status only: the answer leaves after the registry is rebuilt.
	c.Status(http.StatusNoContent)
}

func (s *Server) apiTrustRefresh(c *gin.Context) {
	ts, err := s.refreshTrust(c, actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toTrustJSON(ts))
}

// Pages.

func (s *Server) renderTrust(c *gin.Context, status int, in trustInput, err error) {
	a := actorOf(c)
	list, lerr := s.listTrust(c.Request.Context(), a)
	if lerr != nil {
		s.renderPageError(c, lerr)
		return
	}
	p := s.view(c, "trust_title")
	if err != nil {
		p.Error = s.errorText(c, p, err)
	}
	switch ok := c.Query("ok"); ok {
	case "trust_added", "trust_refreshed", "trust_removed":
		p.Notice = tr(p.Lang, "notice_"+ok)
	}
	p.D["Sources"] = list
	p.D["In"] = in
	p.D["Now"] = s.now()
	s.render(c, status, "trust", p)
}

func (s *Server) trustPage(c *gin.Context) { s.renderTrust(c, http.StatusOK, trustInput{}, nil) }

func (s *Server) trustCreate(c *gin.Context) {
	in := trustInput{URL: c.PostForm("url"), Name: c.PostForm("name")}
	if _, err := s.addTrust(c.Request.Context(), actorOf(c), in); err != nil {
		if code := schema.ErrorCode(err); code != schema.EINVALID && code != schema.ECONFLICT {
			s.renderPageError(c, err)
			return
		}
		s.renderTrust(c, http.StatusBadRequest, in, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/trust?ok=trust_added")
}

func (s *Server) trustRefresh(c *gin.Context) {
	ts, err := s.refreshTrust(c, actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	if ts.LastError != "" {
		c.Redirect(http.StatusSeeOther, "/trust")
		return
	}
	c.Redirect(http.StatusSeeOther, "/trust?ok=trust_refreshed")
}

func (s *Server) trustDelete(c *gin.Context) {
	if err := s.removeTrust(c, actorOf(c), c.Param("id")); err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/trust?ok=trust_removed")
}

// trustList serves /trust-list.jwt: every issuer this instance trusts (its
// structures and its partners) with their public keys, signed by the
// instance's first structure and valid for a week.
func (s *Server) trustList(c *gin.Context) {
	ctx := c.Request.Context()
	list, err := s.Structures.ListStructures(ctx)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if len(list) == 0 {
		s.renderError(c, schema.Errorf(schema.ENOTFOUND, "this instance has no structure yet", "cette instance n'a encore aucune structure"))
		return
	}
	ring, err := s.Keys.Ring(list[0].Slug)
	if err != nil {
		s.renderError(c, err)
		return
	}
	var issuers []issuer.TrustListIssuer
	for _, ti := range s.Verifier.Trust.Issuers() {
		source := ti.Source
		if ti.Local {
			source = "local"
		}
		issuers = append(issuers, issuer.TrustListIssuer{ID: ti.ID, Name: ti.Name, Source: source, Keys: jose.JSONWebKeySet{Keys: ti.Keys}})
	}
	sort.Slice(issuers, func(i, j int) bool { return issuers[i].ID < issuers[j].ID })
	signer := ring.Signer()
	if signer == nil {
		s.renderError(c, fmt.Errorf("web: trust list: structure %s has no signing key", list[0].Slug))
		return
	}
	key, err := json.Marshal(struct {
		Signer, KID string
		Issuers     []issuer.TrustListIssuer
	}{s.did(list[0].Slug), signer.Thumbprint, issuers})
	if err != nil {
		s.renderError(c, err)
		return
	}
	jws, err := s.signedTrust.get(string(key), s.now(), func(now time.Time) (string, error) {
		return issuer.SignTrustList(s.did(list[0].Slug), s.BaseURL, issuers, signer, now)
	})
	if err != nil {
		s.renderError(c, err)
		return
	}
	servePublic(c, "application/jwt", []byte(jws), 300)
}

// trustListResign is how long a signed trust list is served unchanged:
// the same bytes (and ETag) let partners revalidate with a 304, and a
// list is always served with most of its week of validity left.
const trustListResign = time.Hour

// signedTrustList keeps the last signed trust list and what it said.
type signedTrustList struct {
	mu       sync.Mutex
	key, jws string
	at       time.Time
}

// get returns the cached list when it says the same as key and was signed
// less than trustListResign ago, else signs a new one.
func (l *signedTrustList) get(key string, now time.Time, sign func(time.Time) (string, error)) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.jws != "" && l.key == key && now.Sub(l.at) < trustListResign && !now.Before(l.at) {
		return l.jws, nil
	}
	jws, err := sign(now)
	if err != nil {
		return "", err
	}
	l.key, l.jws, l.at = key, jws, now
	return jws, nil
}
