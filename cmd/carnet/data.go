package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"carnet/app"
	"carnet/keys"
	"carnet/schema"
	"carnet/sqlite"
	"carnet/verifier"
	"carnet/web"
)

// Defaults of a new data dir.
const (
	defaultBaseURL       = "http://localhost:8080"
	defaultStructureSlug = "main"
	defaultStructureName = "Structure principale"
	defaultAdminEmail    = "admin@localhost"
)

// instance is a Carnet data dir opened: database, keys, frameworks.
type instance struct {
	dir         string
	baseURL     string
	db          *sqlite.DB
	structures  *sqlite.StructureStore
	credentials *sqlite.CredentialStore
	users       *sqlite.UserStore
	learners    *sqlite.LearnerStore
	audit       *sqlite.AuditStore
	trust       *sqlite.TrustStore
	resources   *sqlite.ResourceStore
	imports     *sqlite.ImportStore
	keys        *keys.FileStore
	frameworks  *schema.Frameworks
	secret      []byte // HMAC key of the web forms' CSRF tokens
	// statusTTL caps how long other issuers' status lists are cached
	// (serve --status-cache-ttl); zero: verifier.MaxStatusCacheTTL.
	statusTTL time.Duration
}

// openInstance opens the data dir, initialising an empty one as `serve`
// does: the database, a default structure and its keys. baseURL, when not
// empty, sets the public URL (stored for later commands). adminEmail names
// the first administrator created in an empty dir (defaultAdminEmail when
// empty).
func openInstance(ctx context.Context, dir, baseURL, adminEmail string, frameworkFiles []string, log io.Writer) (*instance, error) {
	if dir == "" {
		return nil, schema.Errorf(schema.EINVALID, "--data DIR is required", "--data DIR est obligatoire")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, schema.Errorf(schema.EINVALID, "cannot create data dir %s: %v", "impossible de créer le dossier de données %s : %v", dir, err)
	}
	dbPath := filepath.Join(dir, "carnet.db")
	if err := checkDatabaseFile(ctx, dbPath); err != nil {
		return nil, err
	}
	db, err := sqlite.Open(dbPath)
	if errors.Is(err, sqlite.ErrDamaged) {
		return nil, errDamagedDatabase(dbPath, []string{err.Error()})
	} else if err != nil {
		return nil, err
	}
	in := &instance{dir: dir, db: db, structures: sqlite.NewStructureStore(db), credentials: sqlite.NewCredentialStore(db),
		users: sqlite.NewUserStore(db), learners: sqlite.NewLearnerStore(db), audit: sqlite.NewAuditStore(db),
		trust: sqlite.NewTrustStore(db), imports: sqlite.NewImportStore(db)}
	if err := in.init(ctx, baseURL, adminEmail, frameworkFiles, log); err != nil {
		db.Close()
		return nil, err
	}
	in.resources = sqlite.NewResourceStore(db, in.frameworks) // the frameworks are loaded by init
	return in, nil
}

func (in *instance) init(ctx context.Context, baseURL, adminEmail string, frameworkFiles []string, log io.Writer) error {
	var err error
	if in.keys, err = keys.NewFileStore(filepath.Join(in.dir, "keys")); err != nil {
		return err
	}
	in.frameworks = schema.NewFrameworks()
	if err := in.frameworks.LoadDir(filepath.Join(in.dir, "frameworks")); err != nil {
		return err
	}
	for _, f := range frameworkFiles {
		if _, err := in.frameworks.LoadFile(f); err != nil {
			return err
		}
	}
	stored, err := in.db.Setting(ctx, "base_url")
	if err != nil {
		return err
	}
	baseURL = strings.TrimRight(baseURL, "/")
	switch {
	case baseURL == "" && stored == "":
		baseURL = defaultBaseURL
		fallthrough
	case baseURL != "" && baseURL != stored:
		if _, err := keys.DIDWeb(baseURL, defaultStructureSlug); err != nil {
			return err
		}
		if stored != "" {
			fmt.Fprintf(log, "attention : l'URL publique passe de %s à %s ; les identifiants did:web changent.\nwarning: the public URL changes from %s to %s; did:web ids change.\n", stored, baseURL, stored, baseURL)
		}
		if err := in.db.SetSetting(ctx, "base_url", baseURL); err != nil {
			return err
		}
		in.baseURL = baseURL
	default:
		in.baseURL = stored
	}
	list, err := in.structures.ListStructures(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		st := &schema.Structure{Slug: defaultStructureSlug, Name: defaultStructureName}
		if err := in.structures.CreateStructure(ctx, st); err != nil {
			return err
		}
		if _, err := in.keys.Create(st.Slug); err != nil && schema.ErrorCode(err) != schema.ECONFLICT {
			return err // a key file already there is kept, never replaced
		}
		fmt.Fprintf(log, "Dossier de données initialisé : %s (structure %q, URL %s)\nData dir initialised: %s (structure %q, URL %s)\n",
			in.dir, st.Slug, in.baseURL, in.dir, st.Slug, in.baseURL)
	}
	if err := in.checkKeys(ctx, log); err != nil {
		return err
	}
	if err := in.initSecret(ctx); err != nil {
		return err
	}
	return in.ensureAdmin(ctx, adminEmail, log)
}

// initSecret loads, or creates on first start, the instance's random
// secret (CSRF tokens).
func (in *instance) initSecret(ctx context.Context) error {
	v, err := in.db.Setting(ctx, "web_secret")
	if err != nil {
		return err
	}
	if v == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		v = hex.EncodeToString(b)
		if err := in.db.SetSetting(ctx, "web_secret", v); err != nil {
			return err
		}
	}
	in.secret, err = hex.DecodeString(v)
	return err
}

// ensureAdmin creates the first administrator when the instance has no
// user: a network administrator, administrator of the first structure.
func (in *instance) ensureAdmin(ctx context.Context, email string, log io.Writer) error {
	n, err := in.users.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	if email == "" {
		email = defaultAdminEmail
	}
	st, err := in.structure(ctx, "")
	if err != nil {
		return err
	}
	u := &schema.User{Email: email, NetworkAdmin: true,
		Memberships: []schema.Membership{{StructureID: st.ID, Role: schema.RoleAdmin}}}
	if err := in.users.CreateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(log, "Premier administrateur créé : %s\nFirst administrator created: %s\n", u.Email, u.Email)
	return nil
}

// firstAdmin returns the first administrator (the oldest network admin).
func (in *instance) firstAdmin(ctx context.Context) (*schema.User, error) {
	users, err := in.users.ListUsers(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.NetworkAdmin {
			return u, nil
		}
	}
	return nil, schema.Errorf(schema.ENOTFOUND, "no administrator in this data dir", "aucun administrateur dans ce dossier de données")
}

// loginLink returns a new one-time login link for the first administrator
// when they have not chosen a password yet ("" otherwise).
func (in *instance) loginLink(ctx context.Context) (string, error) {
	u, err := in.firstAdmin(ctx)
	if err != nil {
		return "", err
	}
	if u.PasswordHash != "" {
		return "", nil
	}
	secret, hash, err := app.NewSecret("")
	if err != nil {
		return "", err
	}
	l := &schema.Link{Hash: hash, Purpose: schema.LinkLogin, UserID: u.ID, ExpiresAt: time.Now().Add(app.LoginLinkLifetime)}
	if err := in.users.CreateLink(ctx, l); err != nil {
		return "", err
	}
	return in.baseURL + "/login/link/" + secret, nil
}

// app returns the operations of the instance (app.New: the same as its
// web server's), for the commands that act as the pages and the API do.
func (in *instance) app(ctx context.Context, log *slog.Logger) (*app.App, error) {
	return app.New(ctx, app.Config{
		BaseURL: in.baseURL, Structures: in.structures, Users: in.users, Learners: in.learners,
		Credentials: in.credentials, Audit: in.audit, Trust: in.trust, Imports: in.imports, Resources: in.resources,
		Batches: sqlite.NewBatchStore(in.db), Workshops: sqlite.NewWorkshopStore(in.db), Places: sqlite.NewPlaceStore(in.db),
		Keys: in.keys, Frameworks: in.frameworks, Tx: in.db, StatusStore: in.db, StatusTTL: in.statusTTL,
		Log: log,
	})
}

// server returns the web server of the instance: its operations
// (in.app), served (web.NewServerFor: the wiring the tests use too).
func (in *instance) server(ctx context.Context, log *slog.Logger) (*web.Server, error) {
	a, err := in.app(ctx, log)
	if err != nil {
		return nil, err
	}
	s := web.NewServerFor(a, in.secret)
	s.Places = sqlite.NewPlaceStore(in.db)
	s.Reports = sqlite.NewReportStore(in.db)
	return s, nil
}

func (in *instance) Close() error { return in.db.Close() }

// structure returns the structure with this slug, or the first one.
func (in *instance) structure(ctx context.Context, slug string) (*schema.Structure, error) {
	if slug != "" {
		return in.structures.FindStructure(ctx, slug)
	}
	list, err := in.structures.ListStructures(ctx)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, schema.Errorf(schema.ENOTFOUND, "no structure in this data dir", "aucune structure dans ce dossier de données")
	}
	return list[0], nil
}

// trustLocal adds every structure of the instance to a trust registry,
// with the keys of the data dir read at each look-up.
func (in *instance) trustLocal(ctx context.Context, reg *verifier.Registry) error {
	return app.TrustLocal(ctx, reg, in.structures, in.keys, in.baseURL)
}

// lookupShortCode returns the credential JWS of a short code of this instance.
func (in *instance) lookupShortCode(ctx context.Context, code string) (string, error) {
	c, err := in.credentials.FindCredentialByShortCode(ctx, code)
	if err != nil {
		return "", err
	}
	return c.JWT, nil
}
