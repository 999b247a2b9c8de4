package interop_test

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// walletLine is wallet.mjs's output.
type walletLine struct {
	OK            bool              `json:"ok"`
	Errors        []string          `json:"errors"`
	Issuer        string            `json:"issuer"`
	Configuration string            `json:"configuration"`
	Format        string            `json:"format"`
	Credential    json.RawMessage   `json:"credential"` // a JWS string (jwt_vc_json) or an object (ldp_vc)
	Replays       map[string]string `json:"replays"`
}

// TestWalletOID4VCI: an independent OpenID4VCI 1.0 client library
// (@openid4vc/openid4vci, pinned) receives a credential from a running
// `carnet serve` through a credential offer made with the API, pre-authorised
// code flow, with an ES256 and an EdDSA wallet key, as a JWS (jwt_vc_json)
// and in its Data Integrity form (ldp_vc); replaying the code, the
// access token or the proof is refused; the credential it receives is the
// one Carnet issued and verifies with jose against the structure's keys and
// the OB 3.0 schema; an offer of a revoked credential cannot be made, and an
// offer whose credential is revoked after it was made delivers nothing.
func TestWalletOID4VCI(t *testing.T) {
	node := requireNode(t, "@openid4vc/openid4vci")
	token, base := startCarnet(t)
	work := t.TempDir()

	api := apiClient(t, base, token)
	var learner struct {
		ID        string `json:"id"`
		Structure string `json:"structure"`
	}
	json.Unmarshal(api("POST", "/api/v1/learners", map[string]any{"name": "Awa Diallo"}, 201), &learner)
	type cred struct {
		ID  string `json:"id"`
		JWT string `json:"jwt"`
	}
	var c cred
	json.Unmarshal(api("POST", "/api/v1/credentials", map[string]any{"learner_id": learner.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3}}, 201), &c)
	offer := func(id string) string {
		var o struct {
			OfferURI string `json:"offer_uri"`
		}
		json.Unmarshal(api("POST", "/api/v1/credentials/"+id+"/wallet-offer", nil, 201), &o)
		return o.OfferURI
	}
	writeFile(t, filepath.Join(work, "jwks.json"), string(api("GET", "/s/"+learner.Structure+"/jwks.json", nil, 200)))

	for _, alg := range []string{"ES256", "EdDSA"} {
		res := run(t, -1, ".", node, "wallet.mjs", "--insecure", "--alg", alg, offer(c.ID))
		var w walletLine
		if err := json.Unmarshal([]byte(res.stdout), &w); err != nil || res.code != 0 || !w.OK {
			t.Fatalf("%s: the wallet client did not receive the credential (exit %d):\n%s%s", alg, res.code, res.stdout, res.stderr)
		}
		var jws string
		if json.Unmarshal(w.Credential, &jws); w.Issuer != base || w.Format != "jwt_vc_json" || jws != c.JWT {
			t.Errorf("%s: issuer %q format %q, credential is the issued one: %v", alg, w.Issuer, w.Format, jws == c.JWT)
		}
		t.Logf("%s: replays %v", alg, w.Replays)
		for _, k := range []string{"code", "token", "nonce"} {
			if !strings.HasPrefix(w.Replays[k], "refused") {
				t.Errorf("%s: replayed %s: %s", alg, k, w.Replays[k])
			}
		}
		writeFile(t, filepath.Join(work, "wallet.jwt"), jws+"\n")
		res = run(t, -1, ".", node, "check.mjs", "--jwks", filepath.Join(work, "jwks.json"), "--credentials", filepath.Join(work, "wallet.jwt"))
		if res.code != 0 {
			t.Errorf("%s: the wallet's credential does not check:\n%s%s", alg, res.stdout, res.stderr)
		}
	}

	// The Data Integrity form (ldp_vc): the same JSON as GET vc.json, which
	// TestDCCVerifierCore has DCC's verifier-core verify.
	res := run(t, -1, ".", node, "wallet.mjs", "--insecure", "--configuration", "OpenBadgeCredential_ldp_vc", offer(c.ID))
	var ldp walletLine
	if err := json.Unmarshal([]byte(res.stdout), &ldp); err != nil || res.code != 0 || !ldp.OK || ldp.Format != "ldp_vc" {
		t.Fatalf("ldp_vc: the wallet client did not receive the credential (exit %d):\n%s%s", res.code, res.stdout, res.stderr)
	}
	var got, want any
	json.Unmarshal(ldp.Credential, &got)
	json.Unmarshal(api("GET", "/api/v1/credentials/"+c.ID+"/vc.json", nil, 200), &want)
	if !reflect.DeepEqual(got, want) || got.(map[string]any)["proof"] == nil {
		t.Errorf("ldp_vc: the wallet's credential differs from vc.json:\n%.400s", ldp.Credential)
	}

	// An offer made before a revocation delivers nothing after it; no
	// offer is made for a revoked credential.
	late := offer(c.ID)
	api("POST", "/api/v1/credentials/"+c.ID+"/revoke", map[string]any{"reason": "Erreur de saisie"}, 200)
	res = run(t, 1, ".", node, "wallet.mjs", "--insecure", late)
	var w walletLine
	json.Unmarshal([]byte(res.stdout), &w)
	if w.OK || len(w.Credential) != 0 || !strings.Contains(strings.Join(w.Errors, " "), "credential_request_denied") {
		t.Errorf("a revoked credential went to a wallet: %s", res.stdout)
	}
	api("POST", "/api/v1/credentials/"+c.ID+"/wallet-offer", nil, 409)
}
