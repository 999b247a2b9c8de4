package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"carnet/issuer"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// statusCache keeps signed status lists until a credential of the list
// changes status or the list nears its expiry: signing and compressing
// 16 KB for every verifier request would be wasteful.
type statusCache struct {
	mu    sync.Mutex
	lists map[string]cachedStatus
}

type cachedStatus struct {
	jws     string
	etag    string
	di      []byte // the same list in Data Integrity form (eddsa-rdfc-2022)
	diETag  string
	expires time.Time
}

// statusListTTL is how long verifiers may cache a list (the list's ttl and
// its Cache-Control max-age) and how long Carnet reuses a signed one.
const statusListTTL = 5 * time.Minute

// statusETag is the entity tag of a list: weak, as it names what the list
// says (who signs it with which key, its URL, purpose, size and set bits)
// rather than one signed copy. Lists are signed again every statusListTTL
// with a new validity window; a verifier holding an earlier copy that says
// the same gets 304 Not Modified and keeps it, within its own validUntil.
func statusETag(jws, url, purpose string, size int, set []int) string {
	h := sha256.New()
	header, _, _ := strings.Cut(jws, ".") // alg, kid, typ
	h.Write([]byte(header + "\n" + url + "\n" + purpose + "\n" + strconv.Itoa(size) + "\n"))
	set = slices.Clone(set)
	slices.Sort(set)
	for _, i := range set {
		h.Write([]byte(strconv.Itoa(i) + ","))
	}
	return `W/"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16]) + `"`
}

func statusKey(slug string, list int, purpose string) string {
	return slug + "/" + strconv.Itoa(list) + "/" + purpose
}

// signedStatusList returns the signed status list of a structure.
func (s *Server) signedStatusList(ctx context.Context, slug string, list int, purpose string) (string, error) {
	c, err := s.statusListOf(ctx, slug, list, purpose)
	return c.jws, err
}

// statusListOf returns the signed status list of a structure and its ETag.
func (s *Server) statusListOf(ctx context.Context, slug string, list int, purpose string) (cachedStatus, error) {
	if purpose != schema.PurposeRevocation && purpose != schema.PurposeSuspension {
		return cachedStatus{}, schema.Errorf(schema.ENOTFOUND, "no such status list", "liste de statut introuvable")
	}
	key := statusKey(slug, list, purpose)
	now := s.now()
	s.status.mu.Lock()
	if c, ok := s.status.lists[key]; ok && now.Before(c.expires) {
		s.status.mu.Unlock()
		return c, nil
	}
	s.status.mu.Unlock()

	if _, err := s.Structures.FindStructure(ctx, slug); err != nil {
		return cachedStatus{}, err
	}
	if list < 1 || list > 1<<20 {
		return cachedStatus{}, schema.Errorf(schema.ENOTFOUND, "no such status list", "liste de statut introuvable")
	}
	if lister, ok := s.Credentials.(interface {
		StatusListExists(ctx context.Context, slug string, list int) (bool, error)
	}); ok {
		if exists, err := lister.StatusListExists(ctx, slug, list); err != nil {
			return cachedStatus{}, err
		} else if !exists {
			return cachedStatus{}, schema.Errorf(schema.ENOTFOUND, "no such status list", "liste de statut introuvable")
		}
	}
	set, err := s.Credentials.StatusIndexes(ctx, slug, list, purpose)
	if err != nil {
		return cachedStatus{}, err
	}
	ring, err := s.Keys.Ring(slug)
	if err != nil {
		return cachedStatus{}, err
	}
	url := issuer.StatusListURL(s.BaseURL, slug, list)
	if purpose == schema.PurposeSuspension {
		url = issuer.SuspensionListURL(s.BaseURL, slug, list)
	}
	in := issuer.StatusListInput{Issuer: s.DID(slug), URL: url, Purpose: purpose, Set: set, Now: now, TTL: statusListTTL}
	jws, err := issuer.SignStatusList(in, ring.Signer())
	if err != nil {
		return cachedStatus{}, err
	}
	// The Data Integrity form, when the structure has an Ed25519 key (a
	// key file that could not be given one still serves the JWS).
	var di []byte
	var diETag string
	if ek := ring.EdSigner(); ek != nil {
		if di, err = issuer.SignStatusListDI(in, ek); err != nil {
			return cachedStatus{}, err
		}
		diETag = statusETag("di."+ek.Multibase, url, purpose, schema.StatusListSize, set)
	}
	s.status.mu.Lock()
	if s.status.lists == nil {
		s.status.lists = map[string]cachedStatus{}
	}
	c := cachedStatus{jws: jws, etag: statusETag(jws, url, purpose, schema.StatusListSize, set),
		di: di, diETag: diETag, expires: now.Add(statusListTTL)}
	s.status.lists[key] = c
	s.status.mu.Unlock()
	return c, nil
}

// forgetStatus drops the cached lists of a credential after a change, here
// and in the server's own verifier.
func (s *Server) forgetStatus(c *schema.CredentialRecord) {
	s.status.mu.Lock()
	delete(s.status.lists, statusKey(c.Structure, c.StatusList, schema.PurposeRevocation))
	delete(s.status.lists, statusKey(c.Structure, c.StatusList, schema.PurposeSuspension))
	s.status.mu.Unlock()
	if s.Verifier != nil && s.Verifier.Status != nil {
		s.Verifier.Status.Invalidate(issuer.StatusListURL(s.BaseURL, c.Structure, c.StatusList))
		s.Verifier.Status.Invalidate(issuer.SuspensionListURL(s.BaseURL, c.Structure, c.StatusList))
	}
}

// statusList serves GET /s/SLUG/status/N (revocation) and
// /s/SLUG/status/N/suspension as signed JWS.
func (s *Server) statusList(c *gin.Context) {
	list, err := strconv.Atoi(c.Param("list"))
	purpose := schema.PurposeRevocation
	if p := c.Param("purpose"); p != "" {
		purpose = p
		if p == schema.PurposeRevocation {
			purpose = "" // only the short URL serves revocation
		}
	}
	if err != nil {
		s.renderError(c, schema.Errorf(schema.ENOTFOUND, "no such status list", "liste de statut introuvable"))
		return
	}
	l, err := s.statusListOf(c.Request.Context(), c.Param("slug"), list, purpose)
	if err != nil {
		s.renderError(c, err)
		return
	}
	// Cached by verifiers as long as the list's ttl says; revalidated with
	// If-None-Match once stale. A client that asks for JSON (JSON-LD
	// document loaders: DCC's verifier-core, Digital Bazaar's libraries)
	// gets the Data Integrity form; any other (Carnet's verifier asks for
	// application/vc+jwt, a browser for HTML) the JWS, as before.
	c.Header("Vary", "Accept")
	if l.di != nil && wantsDataIntegrity(c.GetHeader("Accept")) {
		servePublicETag(c, mediaTypeDI, l.di, int(statusListTTL/time.Second), l.diETag)
		return
	}
	servePublicETag(c, "application/vc+jwt", []byte(l.jws), int(statusListTTL/time.Second), l.etag)
}

// notAcceptable reports whether the parameters of an Accept entry give it
// q=0 (RFC 9110 12.4.2: "not acceptable").
func notAcceptable(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q == 0
		}
	}
	return false
}

// mediaTypeDI is the media type Carnet serves Data Integrity credentials
// with: VC 2.0's JSON-LD form (its name holds "json", which JSON clients
// look for to parse a body).
const mediaTypeDI = "application/vc+ld+json"

// wantsDataIntegrity reports whether an Accept header asks for a JSON form
// (application/json, application/ld+json, application/vc+ld+json,
// application/vc) and for no JWT form (application/vc+jwt, application/jwt).
func wantsDataIntegrity(accept string) bool {
	jsonAsked := false
	for _, part := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if notAcceptable(params) {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "application/vc+jwt", "application/jwt":
			return false
		case "application/json", "application/ld+json", "application/vc+ld+json", "application/vc":
			jsonAsked = true
		}
	}
	return jsonAsked
}

// LocalStatusList answers the server's own status list URLs in process, for
// its verifier (verifier.StatusLists.Local).
func (s *Server) LocalStatusList(ctx context.Context, url string) (string, bool, error) {
	prefix := strings.TrimRight(s.BaseURL, "/") + "/s/"
	if !strings.HasPrefix(url, prefix) {
		return "", false, nil
	}
	parts := strings.Split(strings.TrimPrefix(url, prefix), "/")
	if len(parts) < 3 || len(parts) > 4 || parts[1] != "status" {
		return "", false, nil
	}
	list, err := strconv.Atoi(parts[2])
	if err != nil {
		return "", false, nil
	}
	purpose := schema.PurposeRevocation
	if len(parts) == 4 {
		if parts[3] != schema.PurposeSuspension {
			return "", false, nil
		}
		purpose = schema.PurposeSuspension
	}
	jws, err := s.signedStatusList(ctx, parts[0], list, purpose)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return "", true, err
	}
	return jws, err == nil, err
}
