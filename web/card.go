package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"carnet/schema"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v4"
)

// The /c page verifies a card token in the browser (static/c.js): the token
// travels in the URL fragment, which never reaches a server. The page needs
// three things from the server, all public and free of personal data: the
// trust list (issuers, keys and the titles to display), the revocation
// status of a credential of this instance, and the service worker that
// keeps the page and the trust list for offline use (static/sw.js).

// cardTrust is the trust list of the /c page.
type cardTrust struct {
	Issuers    []cardIssuer             `json:"issuers"`
	Frameworks map[string]cardFramework `json:"frameworks"`
}

// cardIssuer is a trusted issuer as the page shows it. Domain is the host
// of its did:web id: the page tells visitors to compare it with the address
// bar, against look-alike sites.
type cardIssuer struct {
	ID     string            `json:"id"`
	Name   string            `json:"name,omitempty"`
	URL    string            `json:"url,omitempty"`
	Domain string            `json:"domain,omitempty"`
	Local  bool              `json:"local"`
	Keys   []jose.JSONWebKey `json:"keys"`
}

// cardFramework holds the titles a card needs: the framework's, each
// competency's by code and each level's by id, in French and English.
type cardFramework struct {
	Title        schema.Text          `json:"title"`
	Competencies map[string]cardTitle `json:"competencies"`
	Levels       map[string]cardTitle `json:"levels"`
}

// cardTitle is a title with, for levels, the title of the level's group
// ("Intermédiaire") and, for competencies, the plain-language line of each
// level ("Je sais…", in French) by level id.
type cardTitle struct {
	Title schema.Text       `json:"title"`
	Group schema.Text       `json:"group,omitempty"`
	Plain map[string]string `json:"plain,omitempty"`
	// Label is a level as every page and print shows it
	// (schema.LevelLabel): "Niveau 3 / 8 · Intermédiaire".
	Label schema.Text `json:"label,omitempty"`
}

// cardTrustList serves GET /c/trust.json: the issuers this instance's
// verifier trusts, with their public keys, and the frameworks' titles. The
// page's service worker fetches it network-first, so no-cache (with an
// ETag) lets an online visitor always get the current list.
func (s *Server) cardTrustList(c *gin.Context) {
	out := cardTrust{Issuers: []cardIssuer{}, Frameworks: map[string]cardFramework{}}
	local := map[string]*schema.Structure{}
	sts, err := s.Structures.ListStructures(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	for _, st := range sts {
		local[s.DID(st.Slug)] = st
	}
	if s.Verifier != nil && s.Verifier.Trust != nil {
		for _, ti := range s.Verifier.Trust.Issuers() {
			is := cardIssuer{ID: ti.ID, Name: ti.Name, Domain: didWebHost(ti.ID), Local: ti.Local, Keys: []jose.JSONWebKey{}}
			if st := local[ti.ID]; st != nil && ti.Local {
				is.Name, is.URL = st.Name, webURL(st.URL) // the current name, not the one at start-up
			}
			for _, k := range ti.ES256Keys() {
				is.Keys = append(is.Keys, k.Public())
			}
			out.Issuers = append(out.Issuers, is)
		}
	}
	if s.Frameworks != nil {
		for _, id := range s.Frameworks.IDs() {
			fw, err := s.Frameworks.Get(id)
			if err != nil {
				continue
			}
			cf := cardFramework{Title: frFirst(fw.Title), Competencies: map[string]cardTitle{}, Levels: map[string]cardTitle{}}
			for _, a := range fw.Areas {
				for _, comp := range a.Competences {
					ct := cardTitle{Title: frFirst(comp.Title)}
					for _, cl := range comp.Levels {
						if p := cl.Plain["fr"]; p != "" {
							if ct.Plain == nil {
								ct.Plain = map[string]string{}
							}
							ct.Plain[cl.ID] = p
						}
					}
					cf.Competencies[comp.Code] = ct
					// A card issued under a former code is still named.
					for _, al := range comp.Aliases {
						cf.Competencies[al] = ct
					}
				}
			}
			for _, l := range fw.Levels {
				ct := cardTitle{Title: frFirst(l.Title)}
				if g := fw.LevelGroup(l.Group); g != nil {
					ct.Group = frFirst(g.Title)
				}
				ct.Label = schema.Text{}
				for _, lang := range []string{"fr", "en"} {
					ct.Label[lang] = fw.LevelLabel(l.ID, lang).Full
				}
				cf.Levels[l.ID] = ct
			}
			out.Frameworks[id] = cf
		}
	}
	b, err := schema.MarshalCompact(out)
	if err != nil {
		s.renderError(c, err)
		return
	}
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	c.Header("Cache-Control", "no-cache")
	c.Header("ETag", etag)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

// frFirst keeps the French and English texts of t, the page's languages.
func frFirst(t schema.Text) schema.Text {
	out := schema.Text{}
	for _, l := range []string{"fr", "en"} {
		if v := t[l]; v != "" {
			out[l] = v
		}
	}
	if len(out) == 0 {
		if v := t.In("fr"); v != "" {
			out["fr"] = v
		}
	}
	return out
}

// didWebHost returns the host (with port) of a did:web id, "" for other DIDs.
func didWebHost(did string) string {
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, ":")
	if h, err := url.PathUnescape(host); err == nil {
		return h
	}
	return host
}

// webURL returns u when it is an http(s) address, "" otherwise: the page
// links to it.
func webURL(u string) string {
	if p, err := url.Parse(u); err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != "" {
		return u
	}
	return ""
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// cardStatus serves GET /c/status/ID: {"status": "active" | "revoked" |
// "suspended"} for a credential of this instance, 404 otherwise. Credential
// ids are random UUIDs, so the answer tells nothing to someone who has not
// seen the card; it is never cached, as a revocation must show at once.
func (s *Server) cardStatus(c *gin.Context) {
	id := strings.ToLower(strings.TrimPrefix(c.Param("id"), "urn:uuid:"))
	c.Header("Cache-Control", "no-store")
	if !uuidRE.MatchString(id) {
		s.renderError(c, schema.Errorf(schema.ENOTFOUND, "no such credential here", "aucune attestation de ce type ici"))
		return
	}
	rec, err := s.Credentials.FindCredential(c.Request.Context(), "urn:uuid:"+id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": rec.Status()})
}

// cardRevocationsMax bounds the revocation set of the /c page: 20,000
// entries of 12 characters, about 300 KB, which the service worker keeps.
const cardRevocationsMax = 20000

// cardRevocationSet is the JSON of GET /c/revocations.json.
type cardRevocationSet struct {
	// Date is when the server read its database, to the millisecond: the
	// worker keeps the newest set, and two sets read in the same second,
	// one before and one after a revocation, must not tie.
	Date      string   `json:"date"`
	Issuers   []string `json:"issuers"`   // the issuers the set covers: this instance's own
	Complete  bool     `json:"complete"`  // false: some were left out, a miss says nothing
	Revoked   []string `json:"revoked"`   // cardRevocationKey of each revoked credential
	Suspended []string `json:"suspended"` // and of each suspended one
}

// cardRevocationKey is how the revocation set names a credential: the
// first 9 bytes of the SHA-256 of its id ("urn:uuid:…", lower case), in
// base64url. Ids are random UUIDs, so the set names no one to those who
// have not seen the card; 72 bits make a false match among 20,000
// entries a chance in 10^17.
func cardRevocationKey(id string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(id)))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// cardRevocations serves GET /c/revocations.json: which credentials of
// this instance's issuers are revoked or suspended, as of its date. The
// /c page's service worker keeps the last copy it fetched online, so that
// a card checked offline reads "not revoked as of <date>" or "Revoked"
// rather than a bare "unknown" (static/sw.js, static/c.js). It is plain
// JSON, not signed: the worker's cache only takes it from this origin,
// over the same connection (TLS in production) as the page and the trust
// list that the card's signature is checked against, so it is as
// trustworthy as they are; a network that could forge it could forge the
// trust list too. Never cached by HTTP caches: the date must be the date
// the server read it.
func (s *Server) cardRevocations(c *gin.Context) {
	out := cardRevocationSet{Date: s.now().UTC().Format("2006-01-02T15:04:05.000Z"), Issuers: []string{}, Revoked: []string{}, Suspended: []string{}}
	c.Header("Cache-Control", "no-store")
	lister, ok := s.Credentials.(interface {
		WithdrawnCredentials(ctx context.Context, limit int) (revoked, suspended []string, err error)
	})
	if ok {
		sts, err := s.Structures.ListStructures(c.Request.Context())
		if err != nil {
			s.renderError(c, err)
			return
		}
		revoked, suspended, err := lister.WithdrawnCredentials(c.Request.Context(), cardRevocationsMax+1)
		if err != nil {
			s.renderError(c, err)
			return
		}
		for _, st := range sts {
			out.Issuers = append(out.Issuers, s.DID(st.Slug))
		}
		out.Complete = len(revoked)+len(suspended) <= cardRevocationsMax
		for i, id := range append(revoked, suspended...) {
			if i == cardRevocationsMax {
				break
			}
			if i < len(revoked) {
				out.Revoked = append(out.Revoked, cardRevocationKey(id))
			} else {
				out.Suspended = append(out.Suspended, cardRevocationKey(id))
			}
		}
	}
	c.JSON(http.StatusOK, out)
}

// swVersionMark is replaced, in static/sw.js, by a digest of the files the
// worker caches: a new build with other files is a new worker, which
// replaces the old cache.
const swVersionMark = "__CARNET_SW_VERSION__"

// cardWorker serves GET /c/sw.js, the /c page's service worker. Its scope
// is /c (the page itself, outside the script's directory), which the
// Service-Worker-Allowed header permits.
func (s *Server) cardWorker(c *gin.Context) {
	src, err := staticFS.ReadFile("static/sw.js")
	if err != nil {
		s.renderError(c, err)
		return
	}
	h := sha256.New()
	for _, name := range []string{"static/sw.js", "static/c.js", "static/carnet.css", "static/icon.svg"} {
		b, _ := staticFS.ReadFile(name)
		h.Write(b)
	}
	version := hex.EncodeToString(h.Sum(nil)[:8])
	c.Header("Cache-Control", "no-cache")
	c.Header("Service-Worker-Allowed", "/c")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", bytes.ReplaceAll(src, []byte(swVersionMark), []byte(version)))
}
