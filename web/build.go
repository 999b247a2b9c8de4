package web

import (
	"context"
	"log/slog"
	"time"

	"carnet/app"
	"carnet/keys"
	"carnet/outbound"
	"carnet/places"
	"carnet/report"
	"carnet/schema"
	"carnet/verifier"
)

// Config is what an instance's Server is made of: its stores, keys,
// frameworks and settings (app.Config), and the CSRF key. `carnet serve`
// and the tests build their servers from one with NewServer, so both run
// the same wiring.
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
	Places      places.Store         // the places on the national standard; nil: none
	Batches     schema.BatchStore    // nil: no batch issuance
	Workshops   schema.WorkshopStore // nil: no workshops
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

// NewServer returns the server of an instance: the operations of app.New
// (its issuance service and a verifier that trusts the instance's
// structures and stored partners) served by NewServerFor.
func NewServer(ctx context.Context, cfg Config) (*Server, error) {
	a, err := app.New(ctx, app.Config{
		BaseURL: cfg.BaseURL, Structures: cfg.Structures, Users: cfg.Users, Learners: cfg.Learners,
		Credentials: cfg.Credentials, Audit: cfg.Audit, Trust: cfg.Trust, Imports: cfg.Imports,
		Resources: cfg.Resources, Keys: cfg.Keys, Frameworks: cfg.Frameworks, Tx: cfg.Tx,
		StatusStore: cfg.StatusStore, StatusTTL: cfg.StatusTTL, Outbound: cfg.Outbound, Log: cfg.Log, Now: cfg.Now,
		Batches: cfg.Batches, Workshops: cfg.Workshops, Places: cfg.Places,
	})
	if err != nil {
		return nil, err
	}
	s := NewServerFor(a, cfg.Secret)
	s.Reports, s.ReportThreshold = cfg.Reports, cfg.ReportThreshold
	return s, nil
}

// NewServerFor returns the server of an instance's operations: its
// verifier checks the structures' status lists in process, and the
// operations report to the server's metrics and caches (app.Hooks).
// secret is the HMAC key of the CSRF tokens.
func NewServerFor(a *app.App, secret []byte) *Server {
	s := &Server{App: a, Secret: secret}
	if a.Verifier != nil && a.Verifier.Status != nil {
		a.Verifier.Status.Local = s.LocalStatusList
	}
	a.Hooks = app.Hooks{
		Issued:        func(d time.Duration, err error) { s.metrics.issued(d, err) },
		StatusChanged: s.forgetStatus,
		TrustFetched:  func(err error) { s.metrics.trustRefreshed(err) },
	}
	return s
}

// CreateAPIToken is app.CreateAPIToken.
func CreateAPIToken(ctx context.Context, users schema.UserStore, u *schema.User, name string, done func(*schema.APIToken)) (string, *schema.APIToken, error) {
	return app.CreateAPIToken(ctx, users, u, name, done)
}

// TrustSources is app.TrustSources.
func TrustSources(reg *verifier.Registry, sources []*schema.TrustedSource, now time.Time) error {
	return app.TrustSources(reg, sources, now)
}

// TrustLocal is app.TrustLocal.
func TrustLocal(ctx context.Context, reg *verifier.Registry, structures schema.StructureStore, ks keys.Store, baseURL string) error {
	return app.TrustLocal(ctx, reg, structures, ks, baseURL)
}
