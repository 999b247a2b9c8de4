// Package app holds the operations that the pages, the JSON API and the
// command line share: each one checks what the actor may do (authorise),
// checks its input (validate), acts on the stores, and records what it did
// in the audit log, so that these rules live in one place. It knows
// nothing of HTTP: package web translates requests into these operations
// and their results (and errors, by code) back into pages and JSON.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/outbound"
	"carnet/places"
	"carnet/schema"
	"carnet/verifier"
)

// Config is what an instance's App is made of: its stores, keys,
// frameworks and settings.
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
	Batches     schema.BatchStore    // nil: no batch issuance
	Workshops   schema.WorkshopStore // nil: no workshops
	Places      places.Store         // the places on the national standard and the offers; nil: none
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
	Log      *slog.Logger
	Now      func() time.Time // time.Now when nil
}

// App is one Carnet instance's operations.
type App struct {
	BaseURL     string
	Structures  schema.StructureStore
	Users       schema.UserStore
	Learners    schema.LearnerStore
	Credentials schema.CredentialStore
	Audit       schema.AuditStore
	Trust       schema.TrustStore    // the trusted partners; nil: none
	Imports     schema.ImportStore   // credentials attached from other structures
	Resources   schema.ResourceStore // the self-training catalogue; nil: the starter set, read-only
	Batches     schema.BatchStore    // lists issued in one go; nil: none
	Workshops   schema.WorkshopStore // groups assessed together; nil: none
	Places      places.Store         // the places on the national standard and the offers (places.go); nil: none
	Keys        keys.Store
	Frameworks  *schema.Frameworks
	Tx          schema.Transactor // an action and its audit entry commit together; nil: no transactions
	Issuer      *issuer.Service
	Verifier    *verifier.Verifier
	Outbound    *outbound.Client // fetches partners (the Verifier's fetches share it); nil: public only
	Log         *slog.Logger
	Now         func() time.Time // time.Now when nil
	// Hooks tell the server around the App what happened (its metrics and
	// caches); unset ones are not called.
	Hooks Hooks
	// PendingBatchTTL is how long a CSV preview never confirmed is kept
	// (batchexpiry.go); zero: DefaultPendingBatchTTL.
	PendingBatchTTL time.Duration

	throttle  Throttle
	refreshMu sync.Mutex // one partner refresh at a time

	batches batchRuns // the batches running in this process (batches.go)
	di      diCache   // Data Integrity forms already signed (dataintegrity.go)
}

// Hooks are called by the operations after the fact.
type Hooks struct {
	// Issued follows each issuance: how long it took and its error.
	Issued func(elapsed time.Duration, err error)
	// StatusChanged follows a revocation, suspension or its end.
	StatusChanged func(c *schema.CredentialRecord)
	// TrustFetched follows each fetch of a trusted partner's keys.
	TrustFetched func(err error)
}

// New returns the operations of an instance: its issuance service, and a
// verifier that trusts the instance's structures (their keys read from
// cfg.Keys at each verification, so that a key rotation, from a page or
// from `carnet keys rotate` on the same key files, verifies at once) and
// the stored partners (with their cached keys, so a partner that is down
// still verifies). The verifier checks other issuers' status lists
// through cfg.Outbound; a server that serves the instance's own lists
// sets Verifier.Status.Local. On a public base URL, the verifier never
// fetches from private addresses.
func New(ctx context.Context, cfg Config) (*App, error) {
	a := &App{
		BaseURL: cfg.BaseURL, Structures: cfg.Structures, Users: cfg.Users, Learners: cfg.Learners,
		Credentials: cfg.Credentials, Audit: cfg.Audit, Trust: cfg.Trust, Imports: cfg.Imports,
		Resources: cfg.Resources, Keys: cfg.Keys, Frameworks: cfg.Frameworks, Tx: cfg.Tx, Outbound: cfg.Outbound,
		Log: cfg.Log, Now: cfg.Now,
		Batches: cfg.Batches, Workshops: cfg.Workshops, Places: cfg.Places,
		Issuer: &issuer.Service{Frameworks: cfg.Frameworks, Keys: cfg.Keys, Credentials: cfg.Credentials, BaseURL: cfg.BaseURL, Now: cfg.Now},
	}
	reg, err := a.TrustRegistry(ctx)
	if err != nil {
		return nil, err
	}
	if a.Outbound == nil {
		a.Outbound = outbound.ForBaseURL(cfg.BaseURL)
	}
	out := a.Outbound.HTTP()
	a.Verifier = &verifier.Verifier{Trust: reg, Frameworks: cfg.Frameworks, Now: cfg.Now,
		Lookup: a.lookupShortCode,
		Status: &verifier.StatusLists{Store: cfg.StatusStore, MaxTTL: cfg.StatusTTL, Client: out, Now: cfg.Now},
		// To tell "signature correct, issuer not trusted here" from forged;
		// an instance on a public address never looks up private ones.
		Resolve: (&verifier.DIDResolver{Fetcher: &verifier.Fetcher{Client: out}, Now: cfg.Now}).Resolve}
	return a, nil
}

// lookupShortCode returns the credential JWS of a short code of this
// instance.
func (s *App) lookupShortCode(ctx context.Context, code string) (string, error) {
	c, err := s.Credentials.FindCredentialByShortCode(ctx, code)
	if err != nil {
		return "", err
	}
	return c.JWT, nil
}

func (s *App) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// ErrNoAccess answers for what does not exist and for what the actor may
// not see alike.
var ErrNoAccess = schema.Errorf(schema.ENOTFOUND, "not found, or not in your structures", "introuvable, ou hors de vos structures")

// ErrForbidden refuses what the actor's role does not allow.
var ErrForbidden = schema.Errorf(schema.EFORBIDDEN, "your role does not allow this", "votre rôle ne permet pas cette action")

// ErrSignIn asks for a signed-in person.
var ErrSignIn = schema.Errorf(schema.EUNAUTHORIZED, "please sign in", "veuillez vous connecter")

// Record appends an audit event as part of an action: called inside
// InTx, it commits with the action, and its failure fails the action (the
// error is returned, nothing is committed).
func (s *App) Record(ctx context.Context, a *Actor, structureID int64, action, object, detail, ip string) error {
	e := &schema.AuditEvent{At: s.now().UTC(), StructureID: structureID, Action: action, Object: object, Detail: detail, IP: ip}
	if a != nil {
		e.ActorID, e.Actor = a.User.ID, a.User.Label()
		if a.CLI != "" {
			if a.User.ID == 0 {
				e.Actor = a.CLI
			}
			e.Actor += " (CLI)"
		}
		if e.IP == "" {
			e.IP = a.IP
		}
		if a.Token != 0 {
			e.Detail = strings.TrimSpace(e.Detail + " (API)")
		}
	}
	if err := s.Audit.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("app: audit %s %s: %w", action, object, err)
	}
	return nil
}

// AuditOnly appends an event that goes with no stored change of its own
// (sign-in attempts, sign-outs); a failure is logged.
func (s *App) AuditOnly(ctx context.Context, a *Actor, structureID int64, action, object, detail, ip string) {
	if err := s.Record(ctx, a, structureID, action, object, detail, ip); err != nil && s.Log != nil {
		s.Log.Error("audit log", "action", action, "object", object, "err", err)
	}
}

// InTx runs an action and the audit entry it records in one transaction
// of the stores (App.Tx): both commit, or neither.
func (s *App) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.Tx == nil {
		return fn(ctx)
	}
	return s.Tx.InTx(ctx, fn)
}

// DID returns the did:web of a structure.
func (s *App) DID(slug string) string {
	d, _ := keys.DIDWeb(s.BaseURL, slug)
	return d
}

func itoa(n int) string { return strconv.Itoa(n) }
