package web

import (
	"context"
	"log/slog"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/outbound"
	"carnet/report"
	"carnet/schema"
	"carnet/verifier"
)

// Config is what an instance's Server is made of: its stores, keys,
// frameworks and settings. `carnet serve` and the tests build their
// servers from one with NewServer, so both run the same wiring.
type Config struct {
	BaseURL     string
	Structures  schema.StructureStore
	Users       schema.UserStore
	Learners    schema.LearnerStore
	Credentials schema.CredentialStore
	Audit       schema.AuditStore
	Trust       schema.TrustStore
	Imports     schema.ImportStore
	Resources   schema.ResourceStore
	Keys        keys.Store
	Frameworks  *schema.Frameworks
	// Tx runs an action and its audit entry in one transaction of the
	// stores above (sqlite.DB does); nil: stores without transactions,
	// each write on its own.
	Tx schema.Transactor
	// StatusStore keeps the last verified copy of other issuers' status
	// lists (sqlite.DB does); nil: in memory only.
	StatusStore verifier.StatusStore
	// StatusTTL caps how long other issuers' status lists are cached;
	// zero: verifier.MaxStatusCacheTTL.
	StatusTTL time.Duration
	// Outbound is the instance's one client for every fetch (partners,
	// their DID documents, status lists); nil: outbound.ForBaseURL(BaseURL),
	// so an instance on a public address never connects to private ones.
	Outbound *outbound.Client
	Secret   []byte // HMAC key of the CSRF tokens; random per instance
	Log      *slog.Logger
	Now      func() time.Time // time.Now when nil

	// Reports counts the bilan; nil: no bilan. ReportThreshold is the
	// smallest count it shows as a number; 0: report.DefaultThreshold.
	Reports         report.Store
	ReportThreshold int
}

// NewServer returns the server of an instance: its issuance service, and a
// verifier that trusts the instance's structures (their keys read from
// cfg.Keys at each verification, so that a key rotation, from a page or
// from `carnet keys rotate` on the same key files, verifies at once) and
// the stored partners (with their cached keys, so a partner that is down
// still verifies), and checks the structures' status lists in process. On
// a public base URL, the verifier never fetches from private addresses.
func NewServer(ctx context.Context, cfg Config) (*Server, error) {
	s := &Server{
		BaseURL: cfg.BaseURL, Structures: cfg.Structures, Users: cfg.Users, Learners: cfg.Learners,
		Credentials: cfg.Credentials, Audit: cfg.Audit, Trust: cfg.Trust, Imports: cfg.Imports,
		Resources: cfg.Resources, Keys: cfg.Keys, Frameworks: cfg.Frameworks, Tx: cfg.Tx, Outbound: cfg.Outbound,
		Secret: cfg.Secret, Log: cfg.Log, Now: cfg.Now, Reports: cfg.Reports, ReportThreshold: cfg.ReportThreshold,
		Issuer: &issuer.Service{Frameworks: cfg.Frameworks, Keys: cfg.Keys, Credentials: cfg.Credentials, BaseURL: cfg.BaseURL, Now: cfg.Now},
	}
	reg, err := s.trustRegistry(ctx)
	if err != nil {
		return nil, err
	}
	if s.Outbound == nil {
		s.Outbound = outbound.ForBaseURL(cfg.BaseURL)
	}
	out := s.Outbound.HTTP()
	s.Verifier = &verifier.Verifier{Trust: reg, Frameworks: cfg.Frameworks, Now: cfg.Now,
		Lookup: s.lookupShortCode,
		Status: &verifier.StatusLists{Local: s.LocalStatusList, Store: cfg.StatusStore, MaxTTL: cfg.StatusTTL, Client: out, Now: cfg.Now},
		// To tell "signature correct, issuer not trusted here" from forged;
		// an instance on a public address never looks up private ones.
		Resolve: (&verifier.DIDResolver{Fetcher: &verifier.Fetcher{Client: out}, Now: cfg.Now}).Resolve}
	return s, nil
}

// lookupShortCode returns the credential JWS of a short code of this
// instance.
func (s *Server) lookupShortCode(ctx context.Context, code string) (string, error) {
	c, err := s.Credentials.FindCredentialByShortCode(ctx, code)
	if err != nil {
		return "", err
	}
	return c.JWT, nil
}

// trustRegistry returns a new registry of every issuer the instance
// trusts: its structures, then the stored partners. Partners whose stored
// keys are refused are logged and left out.
func (s *Server) trustRegistry(ctx context.Context) (*verifier.Registry, error) {
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
