package verifier

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// A Carnet instance publishes whom it trusts at BASE_URL/trust-list.jwt: a
// compact JWS {alg ES256, kid absolute did:web key id, typ JWT} signed by
// one of its structures, whose payload lists issuers with their keys. Taking
// in such a list trusts every issuer it names, so it is read strictly: the
// signer must live on the list's own host, its key must be in its DID
// document, and the list must be addressed to that URL and in date.

// TrustListPath ends the URL of a signed trust list.
const TrustListPath = "/trust-list.jwt"

// TrustListLeeway is the clock skew allowed on a trust list's dates.
const TrustListLeeway = 2 * time.Minute

// trustListClaims is the payload of a trust list (issuer.TrustList, which
// this package does not import).
type trustListClaims struct {
	Iss     *string          `json:"iss"`
	Sub     *string          `json:"sub"`
	Iat     *int64           `json:"iat"`
	Exp     *int64           `json:"exp"`
	Issuers []trustListEntry `json:"issuers"`
}

type trustListEntry struct {
	ID     string             `json:"id"`
	Name   string             `json:"name,omitempty"`
	Source string             `json:"source,omitempty"`
	Keys   jose.JSONWebKeySet `json:"keys"`
}

// trustListHeader lists the header parameters a trust list may carry.
var trustListHeader = map[string]bool{"alg": true, "kid": true, "typ": true}

func isTrustListURL(u *url.URL) bool {
	return strings.HasSuffix(u.Path, TrustListPath)
}

// fetchTrustList fetches the trust list at u (conditionally, after prev)
// and returns its issuers, each with the list's URL as Source.
func (f *Fetcher) fetchTrustList(ctx context.Context, u *url.URL, prev *FetchInfo) ([]*TrustedIssuer, FetchInfo, bool, error) {
	src := u.String()
	if u.RawQuery != "" || u.ForceQuery {
		return nil, FetchInfo{}, false, schema.Errorf(schema.EINVALID, "%s: a trust list's address has no query (?…)",
			"%s : l'adresse d'une liste de confiance ne comporte pas de paramètres (?…)", src)
	}
	data, info, nm, err := f.get(ctx, src, prev, acceptJWT)
	if err != nil || nm {
		return nil, info, nm, err
	}
	issuers, exp, err := f.verifyTrustList(ctx, u, data)
	if err != nil {
		return nil, info, false, err
	}
	// A list is not fresh past its own expiry, whatever its headers say,
	// and its issuers are not trusted past it (see FetchInfo.Expires).
	if left := exp.Sub(f.now()); info.MaxAge > left {
		info.MaxAge = max(left, 0)
	}
	info.Expires = exp
	return issuers, info, false, nil
}

// verifyTrustList checks the trust list data fetched from u and returns its
// issuers and its expiry.
func (f *Fetcher) verifyTrustList(ctx context.Context, u *url.URL, data []byte) ([]*TrustedIssuer, time.Time, error) {
	src := u.String()
	notJWS := schema.Errorf(schema.EINVALID, "%s is not a signed trust list (a compact JWS)",
		"%s n'est pas une liste de confiance signée (un JWS compact)", src)
	tok := strings.TrimSpace(string(data))
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" || len(parts[0]) > 4096 ||
		!isB64URL(parts[0]) || !isB64URL(parts[1]) || !isB64URL(parts[2]) {
		return nil, time.Time{}, notJWS
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || checkJSON(hb) != nil {
		return nil, time.Time{}, notJWS
	}
	var members map[string]json.RawMessage
	var h header
	if json.Unmarshal(hb, &members) != nil || json.Unmarshal(hb, &h) != nil {
		return nil, time.Time{}, notJWS
	}
	badHeader := schema.Errorf(schema.EINVALID, "%s: the trust list's signature header is not accepted (only alg ES256, kid and typ JWT)",
		"%s : l'en-tête de signature de la liste de confiance n'est pas accepté (seulement alg ES256, kid et typ JWT)", src)
	for name := range members {
		if !trustListHeader[name] {
			return nil, time.Time{}, badHeader
		}
	}
	if h.Alg != string(jose.ES256) || (h.Typ != "" && h.Typ != "JWT") || len(h.Kid) > 512 {
		return nil, time.Time{}, badHeader
	}

	// The signer: a did:web on the list's own host, named by the kid.
	did, frag, ok := strings.Cut(h.Kid, "#")
	if !ok || frag == "" || !strings.HasPrefix(did, "did:web:") {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list's key id %q is not an absolute did:web key id",
			"%s : l'identifiant de clé %q de la liste de confiance n'est pas un identifiant de clé did:web absolu", src, h.Kid)
	}
	docURL, err := keys.DIDDocumentURL(did)
	if err != nil {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list's key id %q is not an absolute did:web key id",
			"%s : l'identifiant de clé %q de la liste de confiance n'est pas un identifiant de clé did:web absolu", src, h.Kid)
	}
	du, err := url.Parse(docURL)
	if err != nil || !sameHost(du, u) {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list is signed by %s, which is not on the list's host %s",
			"%s : la liste de confiance est signée par %s, qui n'est pas sur l'hôte de la liste %s", src, did, u.Host)
	}
	signer, err := f.resolveDID(ctx, did)
	if err != nil {
		return nil, time.Time{}, prefixError(err, "%s: cannot read the DID document of the trust list's signer %s",
			"%s : impossible de lire le document DID du signataire de la liste de confiance %s", src, did)
	}
	check := NewRegistry()
	if err := check.Add(signer); err != nil {
		return nil, time.Time{}, prefixError(err, "%s: the DID document of the trust list's signer %s is refused",
			"%s : le document DID du signataire de la liste de confiance %s est refusé", src, did)
	}
	ref, ok := check.byKeyID(h.Kid)
	if !ok {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the key %s that signed the trust list is not an assertion key of %s",
			"%s : la clé %s qui a signé la liste de confiance n'est pas une clé d'assertion de %s", src, h.Kid, did)
	}
	obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, time.Time{}, notJWS
	}
	payload, err := obj.Verify(ref.key.Key)
	if err != nil || !canonical(obj) {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list's signature is wrong: it was altered, or not signed by %s",
			"%s : la signature de la liste de confiance est fausse : elle a été modifiée, ou n'a pas été signée par %s", src, did)
	}

	// The claims: by the signer, for this URL, in date.
	var c trustListClaims
	if err := checkJSON(payload); err != nil {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list's content is not a JSON object (%v)",
			"%s : le contenu de la liste de confiance n'est pas un objet JSON (%v)", src, err)
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list's content is invalid (%v)",
			"%s : le contenu de la liste de confiance est invalide (%v)", src, err)
	}
	if c.Iss == nil || c.Sub == nil || c.Iat == nil || c.Exp == nil || *c.Iat <= 0 {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list lacks iss, sub, iat or exp",
			"%s : il manque iss, sub, iat ou exp à la liste de confiance", src)
	}
	if *c.Iss != did {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list names %.300q as its signer, not %s",
			"%s : la liste de confiance désigne %.300q comme signataire, et non %s", src, *c.Iss, did)
	}
	if !sameBase(*c.Sub, u) {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list is the one of %.300q, not of this address",
			"%s : la liste de confiance est celle de %.300q, pas de cette adresse", src, *c.Sub)
	}
	now := f.now()
	iat, exp := time.Unix(*c.Iat, 0).UTC(), time.Unix(*c.Exp, 0).UTC()
	if iat.After(now.Add(TrustListLeeway)) {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list is dated in the future (%s); check the clocks",
			"%s : la liste de confiance est datée du futur (%s) ; vérifiez les horloges", src, iat.Format(time.RFC3339))
	}
	if !exp.After(iat) {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list expires before it was signed",
			"%s : la liste de confiance expire avant d'avoir été signée", src)
	}
	if !now.Add(-TrustListLeeway).Before(exp) {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list expired on %s; its publisher must sign it again",
			"%s : la liste de confiance a expiré le %s ; son éditeur doit la signer à nouveau", src, exp.Format(time.RFC3339))
	}

	// The issuers: each a DID with keys the registry accepts.
	if len(c.Issuers) == 0 {
		return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list names no issuer",
			"%s : la liste de confiance ne nomme aucun émetteur", src)
	}
	seen := map[string]bool{}
	out := make([]*TrustedIssuer, 0, len(c.Issuers))
	check = NewRegistry()
	for _, e := range c.Issuers {
		if seen[e.ID] {
			return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: the trust list names %.300q twice",
				"%s : la liste de confiance nomme %.300q deux fois", src, e.ID)
		}
		seen[e.ID] = true
		if len(e.Keys.Keys) == 0 {
			return nil, time.Time{}, schema.Errorf(schema.EINVALID, "%s: issuer %.300q of the trust list has no key",
				"%s : l'émetteur %.300q de la liste de confiance n'a aucune clé", src, e.ID)
		}
		ti := &TrustedIssuer{ID: e.ID, Name: e.Name, Source: src, Keys: e.Keys.Keys}
		if err := check.Add(ti); err != nil {
			return nil, time.Time{}, prefixError(err, "%s: issuer %.300q of the trust list is refused",
				"%s : l'émetteur %.300q de la liste de confiance est refusé", src, e.ID)
		}
		out = append(out, check.Issuer(e.ID)) // its keys as the registry keeps them: public, ES256
	}
	return out, exp, nil
}

// sameHost reports whether a and b name the same host and port.
func sameHost(a, b *url.URL) bool {
	return strings.EqualFold(a.Hostname(), b.Hostname()) && effectivePort(a) == effectivePort(b)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// sameBase reports whether sub, a trust list's base URL, is the list URL u
// without TrustListPath.
func sameBase(sub string, u *url.URL) bool {
	s, err := url.Parse(sub)
	if err != nil || s.User != nil || s.RawQuery != "" || s.Fragment != "" {
		return false
	}
	return strings.EqualFold(s.Scheme, u.Scheme) && sameHost(s, u) &&
		strings.TrimRight(s.EscapedPath(), "/") == strings.TrimSuffix(u.EscapedPath(), TrustListPath)
}

// prefixError puts a bilingual context before err's message, keeping its
// code (schema.EINVALID for errors that are not *schema.Error).
func prefixError(err error, en, fr string, args ...any) error {
	prefix := schema.Errorf(schema.EINVALID, en, fr, args...)
	var e *schema.Error
	if errors.As(err, &e) {
		prefix.Code = e.Code
		prefix.Message += ": " + e.Message
		prefix.MessageFR += " : " + schema.ErrorMessageFR(e)
		return prefix
	}
	prefix.Message += ": " + err.Error()
	prefix.MessageFR += " : " + err.Error()
	return prefix
}
