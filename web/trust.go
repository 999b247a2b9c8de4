package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"carnet/app"
	"carnet/issuer"
	"carnet/schema"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"
)

// The trust registry's API, pages and signed list: the operations on the
// partners (AddTrust, RemoveTrust, RefreshPartner…) are app.App's.

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
	list, err := s.ListTrust(c.Request.Context(), actorOf(c))
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
	if err := app.NetworkAdmin(a); err != nil {
		s.renderError(c, err)
		return
	}
	var in app.TrustInput
	if err := bindJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	ts, err := s.AddTrust(c.Request.Context(), a, in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toTrustJSON(ts))
}

func (s *Server) apiTrustDelete(c *gin.Context) {
	if err := s.RemoveTrust(c.Request.Context(), actorOf(c), c.Param("id")); err != nil {
		s.renderError(c, err)
		return
	}
	// Status only: the answer leaves after the registry is rebuilt.
	c.Status(http.StatusNoContent)
}

func (s *Server) apiTrustRefresh(c *gin.Context) {
	ts, err := s.RefreshPartner(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toTrustJSON(ts))
}

// Pages.

func (s *Server) renderTrust(c *gin.Context, status int, in app.TrustInput, err error) {
	a := actorOf(c)
	list, lerr := s.ListTrust(c.Request.Context(), a)
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
	p.View = &trustView{Sources: list, Input: in, Now: s.now()}
	s.render(c, status, "trust", p)
}

func (s *Server) trustPage(c *gin.Context) { s.renderTrust(c, http.StatusOK, app.TrustInput{}, nil) }

func (s *Server) trustCreate(c *gin.Context) {
	in := app.TrustInput{URL: c.PostForm("url"), Name: c.PostForm("name")}
	if _, err := s.AddTrust(c.Request.Context(), actorOf(c), in); err != nil {
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
	ts, err := s.RefreshPartner(c.Request.Context(), actorOf(c), c.Param("id"))
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
	if err := s.RemoveTrust(c.Request.Context(), actorOf(c), c.Param("id")); err != nil {
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
		issuers = append(issuers, issuer.TrustListIssuer{ID: ti.ID, Name: ti.Name, Source: source, Keys: jose.JSONWebKeySet{Keys: ti.ES256Keys()}})
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
	}{s.DID(list[0].Slug), signer.Thumbprint, issuers})
	if err != nil {
		s.renderError(c, err)
		return
	}
	jws, err := s.signedTrust.get(string(key), s.now(), func(now time.Time) (string, error) {
		return issuer.SignTrustList(s.DID(list[0].Slug), s.BaseURL, issuers, signer, now)
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
