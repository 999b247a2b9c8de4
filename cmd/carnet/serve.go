package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"carnet/schema"
	"carnet/verifier"
	"carnet/web"
)

const serveHelp = `carnet serve — servir Carnet / serve Carnet

Usage :
  carnet serve --data DIR --addr HÔTE:PORT --base-url URL [--admin-email ADRESSE]
               [--status-cache-ttl DURÉE] [--db-check-interval DURÉE]

Au premier démarrage sur un DIR vide : base SQLite, structure par défaut et ses clés, premier
administrateur ; tant qu'il n'a pas choisi de mot de passe, un lien de connexion à usage unique
est affiché ici à chaque démarrage.
On first start on an empty DIR: SQLite database, a default structure and its keys, a first
administrator; until they choose a password, a one-time login link is printed here at each start.
Les listes de statut (révocation, suspension) des autres émetteurs sont gardées le temps que
disent leurs en-têtes HTTP et leur ttl, au plus --status-cache-ttl (5m par défaut) ; si l'émetteur
ne répond plus, la dernière réponse sert, avec son âge. Les clés des partenaires de confiance sont
rafraîchies selon leurs en-têtes HTTP (toutes les heures par défaut).
Other issuers' status lists (revocation, suspension) are kept as long as their HTTP headers and
ttl say, at most --status-cache-ttl (default 5m); when the issuer stops answering, the last answer
is used, with its age. Trusted partners' keys are refreshed as their HTTP headers say (hourly by
default).
Au démarrage, la base est vérifiée (PRAGMA quick_check) et chaque structure qui a émis doit avoir
son fichier de clés : sinon Carnet s'arrête et dit quoi faire. En marche, la base est revérifiée
toutes les --db-check-interval (5m par défaut) ; si elle est endommagée, /healthz répond 503 et
Carnet refuse d'y écrire.
At start the database is checked (PRAGMA quick_check) and every structure that has issued must have
its key file: otherwise Carnet stops and says what to do. While running, the database is checked
again every --db-check-interval (default 5m); when it is damaged, /healthz answers 503 and Carnet
refuses to write into it.
Variables d'environnement / environment: CARNET_DATA, CARNET_ADDR, CARNET_BASE_URL,
CARNET_ADMIN_EMAIL, CARNET_STATUS_CACHE_TTL, CARNET_DB_CHECK_INTERVAL.
`

func runServe(ctx context.Context, args []string, e env) int {
	fs := newFlags("serve", serveHelp, e)
	data := fs.String("data", envOr("CARNET_DATA", "./data"), "dossier de données / data dir")
	addr := fs.String("addr", envOr("CARNET_ADDR", "127.0.0.1:8080"), "adresse d'écoute / listen address")
	baseURL := fs.String("base-url", os.Getenv("CARNET_BASE_URL"), "URL publique (ids did:web, liens, QR) / public URL (did:web ids, links, QR codes)")
	adminEmail := fs.String("admin-email", envOr("CARNET_ADMIN_EMAIL", defaultAdminEmail), "adresse du premier administrateur (premier démarrage) / first administrator's address (first start)")
	statusTTL := fs.Duration("status-cache-ttl", envDuration("CARNET_STATUS_CACHE_TTL", verifier.MaxStatusCacheTTL),
		"durée maximale de cache des listes de statut des autres émetteurs / longest other issuers' status lists are cached")
	dbCheck := fs.Duration("db-check-interval", envDuration("CARNET_DB_CHECK_INTERVAL", 5*time.Minute),
		"intervalle de vérification de la base en marche / how often the running database is checked")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fmt.Sprintf("argument inattendu %q", fs.Arg(0)), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *statusTTL <= 0 || *statusTTL > 24*time.Hour {
		return usageError(e, fmt.Sprintf("--status-cache-ttl %v : entre 1s et 24h", *statusTTL), fmt.Sprintf("--status-cache-ttl %v: between 1s and 24h", *statusTTL))
	}
	if *dbCheck < time.Second {
		return usageError(e, fmt.Sprintf("--db-check-interval %v : au moins 1s", *dbCheck), fmt.Sprintf("--db-check-interval %v: at least 1s", *dbCheck))
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	in, err := openInstance(ctx, *data, *baseURL, *adminEmail, nil, e.stderr)
	if err != nil {
		return fail(e, err)
	}
	defer in.Close()
	in.statusTTL = *statusTTL
	srv, err := in.server(ctx, log)
	if err != nil {
		return fail(e, err)
	}
	srv.Health = in.db.Health // /healthz
	link, err := in.loginLink(ctx)
	if err != nil {
		return fail(e, err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(e, schema.Errorf(schema.EINVALID, "cannot listen on %s: %v", "impossible d'écouter sur %s : %v", *addr, err))
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	fmt.Fprintf(e.stderr, "Carnet écoute sur / listening on http://%s (URL publique / public URL %s)\n", ln.Addr(), in.baseURL)
	if link != "" {
		fmt.Fprintf(e.stderr, "\nPremière connexion de l'administrateur (lien à usage unique, valable %d h) :\n"+
			"Administrator's first sign-in (one-time link, valid %d h):\n  %s\n\n", int(web.LoginLinkLifetime.Hours()), int(web.LoginLinkLifetime.Hours()), link)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	refresh, stopRefresh := context.WithCancel(ctx)
	defer stopRefresh()
	go srv.RefreshTrustLoop(refresh) // partners' keys, when their refresh is due
	go in.db.Watch(refresh, *dbCheck, func(err error) {
		log.Error("la base de données est endommagée ; écritures refusées / the database is damaged; writes refused", "err", err)
	})
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fail(e, err)
		}
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
		fmt.Fprintln(e.stderr, "Carnet arrêté / stopped")
	}
	return exitOK
}

// envDuration reads a duration from the environment; def when unset or
// unreadable (the flag's check then reports a bad value given explicitly).
func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		return -1
	}
	return def
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
