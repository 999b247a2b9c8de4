package web_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"carnet/oid4vci"

	"github.com/go-jose/go-jose/v4"
)

// walletEnv is a carnet environment with a wallet's client.
type walletEnv struct {
	*carnetEnv
	t   *testing.T
	key *ecdsa.PrivateKey // the wallet's P-256 key
}

func (w *walletEnv) post(path string, form url.Values, bearer string, body any) (int, map[string]any) {
	w.t.Helper()
	var rd io.Reader
	ct := "application/x-www-form-urlencoded"
	if form != nil {
		rd = strings.NewReader(form.Encode())
	} else {
		b, _ := json.Marshal(body)
		rd, ct = strings.NewReader(string(b)), "application/json"
	}
	req, _ := http.NewRequest("POST", w.f.srv.BaseURL+path, rd)
	req.Header.Set("Content-Type", ct)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		w.t.Errorf("%s: Cache-Control %q", path, cc)
	}
	return res.StatusCode, out
}

// offer makes an offer through the API and returns its pre-authorised code.
func (w *walletEnv) offer(cred string) string {
	w.t.Helper()
	var o struct {
		OfferURI string `json:"offer_uri"`
	}
	if code := w.f.api(w.tok, "POST", "/api/v1/credentials/"+cred+"/wallet-offer", nil, &o); code != 201 {
		w.t.Fatalf("offer: %d", code)
	}
	u, _ := url.Parse(o.OfferURI)
	var offer struct {
		Issuer string   `json:"credential_issuer"`
		IDs    []string `json:"credential_configuration_ids"`
		Grants map[string]struct {
			Code string `json:"pre-authorized_code"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(u.Query().Get("credential_offer")), &offer); err != nil || u.Scheme != "openid-credential-offer" {
		w.t.Fatalf("offer %q: %v", o.OfferURI, err)
	}
	if offer.Issuer != w.f.srv.BaseURL || !slices.Equal(offer.IDs, oid4vci.ConfigurationIDs()) {
		w.t.Errorf("offer %+v", offer)
	}
	return offer.Grants[oid4vci.GrantPreAuth].Code
}

func (w *walletEnv) token(code string) (int, map[string]any) {
	return w.post(oid4vci.TokenPath, url.Values{"grant_type": {oid4vci.GrantPreAuth}, "pre-authorized_code": {code}}, "", nil)
}

func (w *walletEnv) nonce() string {
	w.t.Helper()
	code, out := w.post(oid4vci.NoncePath, url.Values{}, "", nil)
	n, _ := out["c_nonce"].(string)
	if code != 200 || n == "" {
		w.t.Fatalf("nonce: %d %v", code, out)
	}
	return n
}

// jwkOf is the public JWK of a key, as a JSON object.
func jwkOf(key any) map[string]any {
	b, _ := json.Marshal(jose.JSONWebKey{Key: key})
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// proof signs a proof JWT by hand (ES256 with the wallet's P-256 key, or
// EdDSA when the header's jwk is the Ed25519 one); edit changes the header
// or claims first.
func (w *walletEnv) proof(nonce string, edit func(h, c map[string]any)) string {
	w.t.Helper()
	h := map[string]any{"alg": "ES256", "typ": oid4vci.ProofType, "jwk": jwkOf(&w.key.PublicKey)}
	c := map[string]any{"aud": w.f.srv.BaseURL, "iat": w.clock().Unix(), "nonce": nonce}
	if edit != nil {
		edit(h, c)
	}
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(c)
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	var sig []byte
	if h["alg"] == "EdDSA" {
		sig = ed25519.Sign(edPriv, []byte(in))
	} else {
		sum := sha256.Sum256([]byte(in))
		r, s, err := ecdsa.Sign(rand.Reader, w.key, sum[:])
		if err != nil {
			w.t.Fatal(err)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

var edPub, edPriv, _ = ed25519.GenerateKey(rand.Reader)

func (w *walletEnv) credential(token string, proofs ...string) (int, map[string]any) {
	return w.post(oid4vci.CredentialPath, nil, token, map[string]any{
		"credential_configuration_id": oid4vci.Configurations[0].ID, "proofs": map[string]any{"jwt": proofs}})
}

func errCode(out map[string]any) string { s, _ := out["error"].(string); return s }

// TestWalletFlow: the pre-authorised code flow delivers the issued
// credential once; every secret of it works once and for a short time; a
// proof that is not the wallet's own, fresh, for this issuer and this
// nonce is refused.
func TestWalletFlow(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	w := &walletEnv{carnetEnv: startCarnet(t), t: t, key: k}

	// Metadata.
	var md map[string]any
	if code := w.f.api("", "GET", oid4vci.MetadataPath, nil, &md); code != 200 || md["credential_issuer"] != w.f.srv.BaseURL ||
		md["credential_endpoint"] != w.f.srv.BaseURL+oid4vci.CredentialPath || md["nonce_endpoint"] != w.f.srv.BaseURL+oid4vci.NoncePath {
		t.Fatalf("issuer metadata: %d %v", code, md)
	}
	var as map[string]any
	if code := w.f.api("", "GET", oid4vci.ASMetadataPath, nil, &as); code != 200 || as["token_endpoint"] != w.f.srv.BaseURL+oid4vci.TokenPath {
		t.Fatalf("AS metadata: %d %v", code, as)
	}

	// The flow, and its replays.
	code := w.offer(w.cred)
	st, tok := w.token(code)
	access, _ := tok["access_token"].(string)
	if st != 200 || access == "" || tok["token_type"] != "Bearer" || tok["expires_in"] != float64(300) {
		t.Fatalf("token: %d %v", st, tok)
	}
	if st, out := w.token(code); st != 400 || errCode(out) != "invalid_grant" {
		t.Errorf("a replayed code: %d %v", st, out)
	}
	n := w.nonce()
	p := w.proof(n, nil)
	st, out := w.credential(access, p)
	creds, _ := out["credentials"].([]any)
	if st != 200 || len(creds) != 1 || creds[0].(map[string]any)["credential"] != w.credJWT {
		t.Fatalf("credential: %d %v", st, out)
	}
	if st, out := w.credential(access, w.proof(w.nonce(), nil)); st != 401 || errCode(out) != "invalid_token" {
		t.Errorf("a replayed access token: %d %v", st, out)
	}
	// A spent nonce, with a new token.
	_, tok = w.token(w.offer(w.cred))
	access = tok["access_token"].(string)
	if st, out := w.credential(access, p); st != 400 || errCode(out) != "invalid_nonce" {
		t.Errorf("a replayed nonce: %d %v", st, out)
	}

	// Proofs that are not right; the token survives a refused proof.
	didJWK := func(key any) string {
		b, _ := json.Marshal(jwkOf(key))
		return "did:jwk:" + base64.RawURLEncoding.EncodeToString(b) + "#0"
	}
	bad := map[string]func(h, c map[string]any){
		"another audience":              func(h, c map[string]any) { c["aud"] = "https://evil.example" },
		"no audience":                   func(h, c map[string]any) { delete(c, "aud") },
		"another typ":                   func(h, c map[string]any) { h["typ"] = "JWT" },
		"an old iat":                    func(h, c map[string]any) { c["iat"] = w.clock().Add(-10 * time.Minute).Unix() },
		"a future iat":                  func(h, c map[string]any) { c["iat"] = w.clock().Add(10 * time.Minute).Unix() },
		"no iat":                        func(h, c map[string]any) { delete(c, "iat") },
		"no key":                        func(h, c map[string]any) { delete(h, "jwk") },
		"a did:web kid":                 func(h, c map[string]any) { delete(h, "jwk"); h["kid"] = "did:web:evil.example#k" },
		"a jwk and a kid":               func(h, c map[string]any) { h["kid"] = didJWK(&w.key.PublicKey) },
		"a private jwk":                 func(h, c map[string]any) { h["jwk"] = jwkOfPrivate(w.key) },
		"alg none":                      func(h, c map[string]any) { h["alg"] = "none" },
		"an EdDSA alg with a P-256 key": func(h, c map[string]any) { h["alg"] = "EdDSA" },
	}
	for name, edit := range bad {
		if st, out := w.credential(access, w.proof(w.nonce(), edit)); st != 400 || errCode(out) != "invalid_proof" {
			t.Errorf("a proof with %s: %d %v", name, st, out)
		}
	}
	// The wallet's key as a did:jwk kid is accepted (below, with the
	// token that survived every refusal).
	viaDID := w.proof(w.nonce(), func(h, c map[string]any) { delete(h, "jwk"); h["kid"] = didJWK(&w.key.PublicKey) })
	// Another key's signature under the wallet's jwk.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	real := w.key
	w.key = other
	resigned := w.proof(w.nonce(), func(h, c map[string]any) { h["jwk"] = jwkOf(&real.PublicKey) })
	w.key = real
	if st, out := w.credential(access, resigned); st != 400 || errCode(out) != "invalid_proof" {
		t.Errorf("a forged proof: %d %v", st, out)
	}
	if st, out := w.credential(access); st != 400 || errCode(out) != "invalid_proof" {
		t.Errorf("no proof: %d %v", st, out)
	}
	if st, out := w.credential(access, w.proof(w.nonce(), nil), w.proof(w.nonce(), nil)); st != 400 || errCode(out) != "invalid_proof" {
		t.Errorf("two proofs: %d %v", st, out)
	}
	if st, out := w.credential("not-a-token", w.proof(w.nonce(), nil)); st != 401 || errCode(out) != "invalid_token" {
		t.Errorf("an unknown token: %d %v", st, out)
	}
	if st, out := w.post(oid4vci.CredentialPath, nil, access, map[string]any{"credential_configuration_id": "Other",
		"proofs": map[string]any{"jwt": []string{w.proof(w.nonce(), nil)}}}); st != 400 || errCode(out) != "unknown_credential_configuration" {
		t.Errorf("an unknown configuration: %d %v", st, out)
	}
	// The token survived every refusal above: the did:jwk proof gets the
	// credential. An Ed25519 wallet key, with a new offer.
	if st, out := w.credential(access, viaDID); st != 200 {
		t.Errorf("a did:jwk proof: %d %v", st, out)
	}
	_, tok = w.token(w.offer(w.cred))
	ed := w.proof(w.nonce(), func(h, c map[string]any) { h["alg"] = "EdDSA"; h["jwk"] = jwkOf(edPub) })
	if st, out := w.credential(tok["access_token"].(string), ed); st != 200 {
		t.Errorf("an EdDSA proof: %d %v", st, out)
	}
	// The Data Integrity form, by its configuration: the same credential
	// as a JSON object with an eddsa-rdfc-2022 proof.
	_, tok = w.token(w.offer(w.cred))
	st, out = w.post(oid4vci.CredentialPath, nil, tok["access_token"].(string), map[string]any{"credential_configuration_id": "OpenBadgeCredential_ldp_vc",
		"proofs": map[string]any{"jwt": []string{w.proof(w.nonce(), nil)}}})
	var di map[string]any
	if creds, _ := out["credentials"].([]any); st == 200 && len(creds) == 1 {
		di, _ = creds[0].(map[string]any)["credential"].(map[string]any)
	}
	if proof, _ := di["proof"].(map[string]any); di["id"] != w.cred || proof["cryptosuite"] != "eddsa-rdfc-2022" {
		t.Errorf("ldp_vc: %d %.300v", st, out)
	}

	// Lifetimes: a code 10 minutes, a token 5, a nonce 5.
	code = w.offer(w.cred)
	_, tok = w.token(w.offer(w.cred))
	access = tok["access_token"].(string)
	n = w.nonce()
	w.step(5*time.Minute + time.Second)
	if st, out := w.credential(access, w.proof(w.nonce(), nil)); st != 401 || errCode(out) != "invalid_token" {
		t.Errorf("an expired token: %d %v", st, out)
	}
	_, tok = w.token(w.offer(w.cred))
	if st, out := w.credential(tok["access_token"].(string), w.proof(n, nil)); st != 400 || errCode(out) != "invalid_nonce" {
		t.Errorf("an expired nonce: %d %v", st, out)
	}
	w.step(5 * time.Minute)
	if st, out := w.token(code); st != 400 || errCode(out) != "invalid_grant" {
		t.Errorf("an expired code: %d %v", st, out)
	}
	// The grant type is the pre-authorised code only.
	if st, out := w.post(oid4vci.TokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, "", nil); st != 400 || errCode(out) != "unsupported_grant_type" {
		t.Errorf("another grant: %d %v", st, out)
	}
	// No offer of a suspended credential; none once revoked after it was made.
	if code := w.f.api(w.tok, "POST", "/api/v1/credentials/"+w.susp+"/wallet-offer", nil, nil); code != 409 {
		t.Errorf("offer of a suspended credential: %d", code)
	}
	code = w.offer(w.cred)
	if c := w.f.api(w.tok, "POST", "/api/v1/credentials/"+w.cred+"/revoke", map[string]any{"reason": "erreur"}, nil); c != 200 {
		t.Fatalf("revoke: %d", c)
	}
	_, tok = w.token(code)
	if st, out := w.credential(tok["access_token"].(string), w.proof(w.nonce(), nil)); st != 400 || errCode(out) != "credential_request_denied" {
		t.Errorf("a revoked credential: %d %v", st, out)
	}
}

// jwkOfPrivate is a private JWK, as a JSON object.
func jwkOfPrivate(key *ecdsa.PrivateKey) map[string]any {
	b, _ := json.Marshal(jose.JSONWebKey{Key: key})
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// TestWalletCodeGuessThrottled: unknown pre-authorised codes from one
// address are throttled (429 slow_down), as unknown links are.
func TestWalletCodeGuessThrottled(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	w := &walletEnv{carnetEnv: startCarnet(t), t: t, key: k}
	code := w.offer(w.cred)
	throttled := false
	for i := 0; i < 100 && !throttled; i++ {
		st, out := w.token("guess-" + strconv.Itoa(i))
		throttled = st == http.StatusTooManyRequests && errCode(out) == "slow_down"
		if !throttled && (st != 400 || errCode(out) != "invalid_grant") {
			t.Fatalf("guess %d: %d %v", i, st, out)
		}
	}
	if !throttled {
		t.Fatal("100 guessed codes were not throttled")
	}
	if st, _ := w.token(code); st != http.StatusTooManyRequests {
		t.Errorf("a throttled address traded a code: %d", st)
	}
}

// TestWalletOfferPages: the learner, from their carnet, and a mediator,
// from the learner's page, get an offer as a QR code and an
// openid-credential-offer link that a wallet takes; not for a suspended
// credential.
func TestWalletOfferPages(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	w := &walletEnv{carnetEnv: startCarnet(t), t: t, key: k}
	u := w.link(t)
	_, page, _ := fetch(t, "GET", u, nil, "")
	if !strings.Contains(page, `action="`+strings.TrimPrefix(u, w.f.srv.BaseURL)+`/wallet-offer"`) {
		t.Fatalf("the carnet offers no wallet:\n%.3000s", page)
	}
	code, body, _ := fetch(t, "POST", u+"/wallet-offer", url.Values{"credential": {uuidOf(w.cred)}}, w.f.srv.BaseURL)
	m := offerRE.FindStringSubmatch(body)
	if code != 200 || m == nil || !strings.Contains(body, "<svg") {
		t.Fatalf("carnet wallet offer: %d\n%.3000s", code, body)
	}
	// The link works: a wallet trades its code.
	offer, _ := url.Parse(html.UnescapeString(m[1]))
	var o struct {
		Grants map[string]map[string]string `json:"grants"`
	}
	json.Unmarshal([]byte(offer.Query().Get("credential_offer")), &o)
	if st, out := w.token(o.Grants[oid4vci.GrantPreAuth]["pre-authorized_code"]); st != 200 {
		t.Errorf("the carnet's offer: %d %v", st, out)
	}
	if code, _, _ := fetch(t, "POST", u+"/wallet-offer", url.Values{"credential": {uuidOf(w.susp)}}, w.f.srv.BaseURL); code != 409 {
		t.Errorf("a suspended credential offered: %d", code)
	}
	if code, _, _ := fetch(t, "POST", u+"/wallet-offer", url.Values{"credential": {uuidOf(w.oCred)}}, w.f.srv.BaseURL); code != 404 {
		t.Errorf("another learner's credential offered: %d", code)
	}
	if code, _, _ := fetch(t, "POST", u+"/wallet-offer", url.Values{"credential": {uuidOf(w.cred)}}, "https://evil.example"); code != 403 {
		t.Errorf("a cross-site offer: %d", code)
	}

	// The mediator's learner page.
	b := newBrowser(t, w.f.srv.BaseURL)
	b.login(w.mediator.Email)
	_, lp, _ := b.get("/learners/" + w.learner)
	if !strings.Contains(lp, `/wallet-offer"`) {
		t.Fatalf("the learner page offers no wallet:\n%.3000s", lp)
	}
	tok := b.csrf("/learners/" + w.learner)
	code, res, _ := b.post("/credentials/"+uuidOf(w.cred)+"/wallet-offer", tok, url.Values{})
	if m := offerRE.FindStringSubmatch(res); code != 200 || m == nil {
		t.Errorf("mediator wallet offer page: %d\n%.2000s", code, res)
	}
}

var offerRE = regexp.MustCompile(`id="wallet-offer" href="(openid-credential-offer://\?credential_offer=[^"]+)"`)
