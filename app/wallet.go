package app

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"time"

	"carnet/oid4vci"
	"carnet/schema"
)

// Wallets (OpenID4VCI, issue 16, pre-authorised code flow). A mediator of
// the learner's structure, or the learner from their carnet, makes a
// credential offer: a pre-authorised code, single-use and short-lived,
// whose hash only is stored. A wallet trades it once for an access token
// (single-use, short-lived, hashed), asks a nonce, and gets the credential
// with a proof of possession that answers the nonce (single-use). No secret
// of the flow makes its holder anyone: it opens one credential, once.

// Audit actions of the wallet flow.
const (
	AuditWalletOffer     = "wallet_offer_created"
	AuditWalletDelivered = "wallet_credential_delivered"
)

// WalletOffer is a credential offer.
type WalletOffer struct {
	URI       string // openid-credential-offer://?credential_offer=…
	ExpiresAt time.Time
}

var (
	errGrant = &oid4vci.Error{Code: "invalid_grant", Description: "the pre-authorised code is unknown, used or expired", Status: 400}
	errToken = &oid4vci.Error{Code: "invalid_token", Description: "the access token is unknown, used or expired", Status: 401}
	errNonce = &oid4vci.Error{Code: "invalid_nonce", Description: "the proof's nonce is unknown, used or expired: ask the nonce endpoint for a new one", Status: 400}
	errGone  = &oid4vci.Error{Code: "credential_request_denied", Description: "this credential is no longer valid", Status: 400}
)

func (s *App) walletGrants() (schema.WalletGrantStore, error) {
	if ws, ok := s.Learners.(schema.WalletGrantStore); ok {
		return ws, nil
	}
	return nil, schema.Errorf(schema.EUNAVAILABLE, "wallet offers need the SQLite storage", "les offres pour portefeuille demandent le stockage SQLite")
}

// CredentialWalletOffer makes an offer of a credential, for mediators of
// its structure.
func (s *App) CredentialWalletOffer(ctx context.Context, a *Actor, credentialID string) (*WalletOffer, error) {
	c, err := s.Credential(ctx, a, credentialID)
	if err != nil {
		return nil, err
	}
	return s.walletOffer(ctx, a, c, "")
}

// CarnetWalletOffer makes an offer of one of the learner's own credentials,
// from their carnet.
func (s *App) CarnetWalletOffer(ctx context.Context, l *schema.Learner, credentialID, ip string) (*WalletOffer, error) {
	c, err := s.CarnetCredential(ctx, l, credentialID)
	if err != nil {
		return nil, err
	}
	return s.walletOffer(ctx, nil, c, ip)
}

func (s *App) walletOffer(ctx context.Context, a *Actor, c *schema.CredentialRecord, ip string) (*WalletOffer, error) {
	ws, err := s.walletGrants()
	if err != nil {
		return nil, err
	}
	if err := deliverable(c, s.now()); err != nil {
		return nil, err
	}
	code, hash, err := NewSecret("")
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	g := &schema.WalletGrant{Kind: schema.GrantCode, CredentialID: c.ID, LearnerID: c.LearnerID, CreatedAt: now, ExpiresAt: now.Add(oid4vci.CodeLifetime)}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := ws.PutWalletGrant(ctx, hash, g); err != nil {
			return err
		}
		return s.Record(ctx, a, c.StructureID, AuditWalletOffer, c.ID, "", ip)
	})
	if err != nil {
		return nil, err
	}
	uri, _ := oid4vci.Offer(s.BaseURL, oid4vci.ConfigurationIDs(), code)
	return &WalletOffer{URI: uri, ExpiresAt: g.ExpiresAt}, nil
}

// deliverable refuses a credential a wallet must not receive: erased,
// revoked, suspended or expired.
func deliverable(c *schema.CredentialRecord, now time.Time) error {
	switch {
	case c.JWT == "":
		return schema.Errorf(schema.ECONFLICT, "this credential's data was erased", "les données de cette attestation ont été effacées")
	case c.Status() != schema.StatusActive:
		return schema.Errorf(schema.ECONFLICT, "this credential is %s: it cannot go to a wallet", "cette attestation est %s : elle ne peut pas aller dans un portefeuille", c.Status())
	case !c.ValidUntil.IsZero() && !c.ValidUntil.After(now):
		return schema.Errorf(schema.ECONFLICT, "this credential has expired", "cette attestation a expiré")
	}
	return nil
}

// WalletToken trades a pre-authorised code, once, for an access token to
// the same credential. It returns the token and its lifetime.
func (s *App) WalletToken(ctx context.Context, code string) (string, time.Duration, error) {
	ws, err := s.walletGrants()
	if err != nil {
		return "", 0, err
	}
	if code == "" || len(code) > 100 {
		return "", 0, errGrant
	}
	now := s.now().UTC()
	var token string
	err = s.InTx(ctx, func(ctx context.Context) error {
		g, err := ws.TakeWalletGrant(ctx, schema.GrantCode, HashSecret(code), now)
		if schema.ErrorCode(err) == schema.ENOTFOUND {
			return errGrant
		} else if err != nil {
			return err
		}
		t, hash, err := NewSecret("")
		if err != nil {
			return err
		}
		token = t
		return ws.PutWalletGrant(ctx, hash, &schema.WalletGrant{Kind: schema.GrantToken, CredentialID: g.CredentialID, LearnerID: g.LearnerID,
			CreatedAt: now, ExpiresAt: now.Add(oid4vci.TokenLifetime)})
	})
	if err != nil {
		return "", 0, err
	}
	return token, oid4vci.TokenLifetime, nil
}

// WalletNonce returns a fresh proof nonce (c_nonce), single-use.
func (s *App) WalletNonce(ctx context.Context) (string, time.Duration, error) {
	ws, err := s.walletGrants()
	if err != nil {
		return "", 0, err
	}
	nonce, hash, err := NewSecret("")
	if err != nil {
		return "", 0, err
	}
	now := s.now().UTC()
	if err := ws.PutWalletGrant(ctx, hash, &schema.WalletGrant{Kind: schema.GrantNonce, CreatedAt: now, ExpiresAt: now.Add(oid4vci.NonceLifetime)}); err != nil {
		return "", 0, err
	}
	return nonce, oid4vci.NonceLifetime, nil
}

// WalletRequest is a credential request (OpenID4VCI 1.0 §8.2).
type WalletRequest struct {
	CredentialConfigurationID string `json:"credential_configuration_id"`
	Proofs                    *struct {
		JWT []string `json:"jwt"`
	} `json:"proofs"`
}

// WalletCredential answers a credential request: the access token (taken
// once), a configuration Carnet offers, one proof JWT whose nonce is taken
// once. It returns the credential in the configuration's format: a string
// (the JWS) for jwt_vc_json, a JSON object (its Data Integrity form) for
// ldp_vc.
func (s *App) WalletCredential(ctx context.Context, accessToken string, req WalletRequest) (any, error) {
	ws, err := s.walletGrants()
	if err != nil {
		return nil, err
	}
	if accessToken == "" || len(accessToken) > 100 {
		return nil, errToken
	}
	conf, ok := oid4vci.FindConfiguration(req.CredentialConfigurationID)
	if !ok {
		return nil, &oid4vci.Error{Code: "unknown_credential_configuration", Description: "unknown credential_configuration_id", Status: 400}
	}
	if req.Proofs == nil || len(req.Proofs.JWT) != 1 {
		return nil, &oid4vci.Error{Code: "invalid_proof", Description: "one proof of type jwt is required (proofs.jwt)", Status: 400}
	}
	now := s.now().UTC()
	proof, err := oid4vci.ReadProof(req.Proofs.JWT[0], oid4vci.Issuer(s.BaseURL), now)
	if err != nil {
		return nil, err
	}
	var out any
	err = s.InTx(ctx, func(ctx context.Context) error {
		g, err := ws.TakeWalletGrant(ctx, schema.GrantToken, HashSecret(accessToken), now)
		if schema.ErrorCode(err) == schema.ENOTFOUND {
			return errToken
		} else if err != nil {
			return err
		}
		if _, err := ws.TakeWalletGrant(ctx, schema.GrantNonce, HashSecret(proof.Nonce), now); schema.ErrorCode(err) == schema.ENOTFOUND {
			return errNonce
		} else if err != nil {
			return err
		}
		c, err := s.Credentials.FindCredential(ctx, g.CredentialID)
		if schema.ErrorCode(err) == schema.ENOTFOUND {
			return errGone
		} else if err != nil {
			return err
		}
		if deliverable(c, now) != nil {
			return errGone
		}
		switch conf.Format {
		case oid4vci.FormatJWTVCJSON:
			out = c.JWT
		case oid4vci.FormatLDPVC:
			b, err := s.DataIntegrity(c)
			if err != nil {
				return err
			}
			out = json.RawMessage(b)
		default:
			return &oid4vci.Error{Code: "unknown_credential_configuration", Description: "format not issued yet", Status: 400}
		}
		thumb, _ := proof.Key.Thumbprint(crypto.SHA256)
		return s.Record(ctx, nil, c.StructureID, AuditWalletDelivered, c.ID, conf.ID+" jkt="+base64.RawURLEncoding.EncodeToString(thumb), "")
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
