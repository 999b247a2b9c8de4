package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"carnet/app"
	bilan "carnet/report"
	"carnet/schema"
	"carnet/verifier"
	"carnet/web"
)

const serveHelp = `carnet serve — servir Carnet / serve Carnet

Usage :
  carnet serve --data DIR --addr HÔTE:PORT --base-url URL [--admin-email ADRESSE]
               [--status-cache-ttl DURÉE] [--trusted-proxies CIDR,…] [--log-format text|json]
               [--metrics-addr HÔTE:PORT] [--db-check-interval DURÉE]

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
Derrière un proxy inverse, --trusted-proxies nomme ses adresses (IP ou blocs CIDR, séparés par
des virgules) : seuls leurs en-têtes X-Forwarded-For / X-Real-IP donnent l'adresse du client
(limitation des connexions, journal). Par défaut aucun : ces en-têtes sont ignorés.
Behind a reverse proxy, --trusted-proxies names its addresses (IPs or CIDR blocks, comma-separated):
only their X-Forwarded-For / X-Real-IP headers give the client's address (sign-in throttling,
audit log). None by default: those headers are ignored.
Journal : une ligne par requête (méthode, modèle de route, statut, durée, octets, identifiant de
requête), sans adresse IP, chemin brut ni paramètres ; --log-format text (par défaut) ou json.
Log: one line per request (method, route template, status, duration, bytes, request id), with no
IP address, raw path or query string; --log-format text (default) or json.
Métriques Prometheus : GET /metrics sur --addr, pour les clients de cette machine (loopback) que
nul proxy ne relaie ; pour les lire d'ailleurs, --metrics-addr HÔTE:PORT (une adresse interne :
tout client qui l'atteint les lit).
Prometheus metrics: GET /metrics on --addr, for clients on this machine (loopback) that no proxy
relays; to scrape from elsewhere, --metrics-addr HOST:PORT (an internal address: any client that
reaches it reads them).
Les aperçus d'import CSV jamais confirmés (noms, contacts et notes du fichier) sont supprimés
après --pending-batch-ttl (24h par défaut), au démarrage puis toutes les heures.
CSV import previews never confirmed (the file's names, contacts and notes) are deleted after
--pending-batch-ttl (default 24h), at start then hourly.
SIGINT ou SIGTERM : arrêt propre (requêtes en cours terminées, au plus 10 s), puis la base est fermée.
SIGINT or SIGTERM: graceful stop (requests under way finish, 10 s at most), then the database closes.
Au démarrage, la base est vérifiée (PRAGMA quick_check) et chaque structure qui a émis doit avoir
son fichier de clés : sinon Carnet s'arrête et dit quoi faire. En marche, la base est revérifiée
toutes les --db-check-interval (5m par défaut) ; si elle est endommagée, /healthz répond 503 et
Carnet refuse d'y écrire.
At start the database is checked (PRAGMA quick_check) and every structure that has issued must have
its key file: otherwise Carnet stops and says what to do. While running, the database is checked
again every --db-check-interval (default 5m); when it is damaged, /healthz answers 503 and Carnet
refuses to write into it.
Variables d'environnement / environment: CARNET_DATA, CARNET_ADDR, CARNET_BASE_URL,
CARNET_ADMIN_EMAIL, CARNET_STATUS_CACHE_TTL, CARNET_TRUSTED_PROXIES, CARNET_LOG_FORMAT,
CARNET_METRICS_ADDR, CARNET_DB_CHECK_INTERVAL, CARNET_PENDING_BATCH_TTL.
`

func runServe(ctx context.Context, args []string, e env) int {
	fs := newFlags("serve", serveHelp, e)
	data := fs.String("data", envOr("CARNET_DATA", "./data"), "dossier de données / data dir")
	addr := fs.String("addr", envOr("CARNET_ADDR", "127.0.0.1:8080"), "adresse d'écoute / listen address")
	baseURL := fs.String("base-url", os.Getenv("CARNET_BASE_URL"), "URL publique (ids did:web, liens, QR) / public URL (did:web ids, links, QR codes)")
	adminEmail := fs.String("admin-email", envOr("CARNET_ADMIN_EMAIL", defaultAdminEmail), "adresse du premier administrateur (premier démarrage) / first administrator's address (first start)")
	statusTTL := fs.Duration("status-cache-ttl", envDuration("CARNET_STATUS_CACHE_TTL", verifier.MaxStatusCacheTTL),
		"durée maximale de cache des listes de statut des autres émetteurs / longest other issuers' status lists are cached")
	trustedProxies := fs.String("trusted-proxies", os.Getenv("CARNET_TRUSTED_PROXIES"),
		"adresses (IP, CIDR) des proxys dont X-Forwarded-For est cru ; aucune par défaut / proxies (IP, CIDR) whose X-Forwarded-For is believed; none by default")
	logFormat := fs.String("log-format", envOr("CARNET_LOG_FORMAT", "text"), "format du journal : text ou json / log format: text or json")
	metricsAddr := fs.String("metrics-addr", os.Getenv("CARNET_METRICS_ADDR"),
		"adresse d'écoute interne pour /metrics seul (vide : aucune) / internal listen address for /metrics alone (empty: none)")
	dbCheck := fs.Duration("db-check-interval", envDuration("CARNET_DB_CHECK_INTERVAL", 5*time.Minute),
		"intervalle de vérification de la base en marche / how often the running database is checked")
	pendingTTL := fs.Duration("pending-batch-ttl", envDuration("CARNET_PENDING_BATCH_TTL", app.DefaultPendingBatchTTL),
		"durée de conservation d'un aperçu d'import CSV jamais confirmé / how long a CSV import preview never confirmed is kept")
	reportThreshold := fs.Int("report-threshold", bilan.DefaultThreshold,
		"plus petit nombre que le bilan affiche ; en dessous : « < N » / smallest count the bilan shows; below it: \"< N\"")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fmt.Sprintf("argument inattendu %q", fs.Arg(0)), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *pendingTTL < time.Minute {
		return usageError(e, fmt.Sprintf("--pending-batch-ttl %v : au moins 1m", *pendingTTL), fmt.Sprintf("--pending-batch-ttl %v: at least 1m", *pendingTTL))
	}
	if *reportThreshold < 2 {
		return usageError(e, "--report-threshold : au moins 2", "--report-threshold: at least 2")
	}
	proxies, err := web.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return usageError(e, "--trusted-proxies : "+schema.ErrorMessageFR(err), "--trusted-proxies: "+schema.ErrorMessage(err))
	}
	if *statusTTL <= 0 || *statusTTL > 24*time.Hour {
		return usageError(e, fmt.Sprintf("--status-cache-ttl %v : entre 1s et 24h", *statusTTL), fmt.Sprintf("--status-cache-ttl %v: between 1s and 24h", *statusTTL))
	}
	if *dbCheck < time.Second {
		return usageError(e, fmt.Sprintf("--db-check-interval %v : au moins 1s", *dbCheck), fmt.Sprintf("--db-check-interval %v: at least 1s", *dbCheck))
	}
	var log *slog.Logger
	switch *logFormat {
	case "text":
		log = slog.New(slog.NewTextHandler(e.stderr, nil))
	case "json":
		log = slog.New(slog.NewJSONHandler(e.stderr, nil))
	default:
		return usageError(e, fmt.Sprintf("--log-format %q : text ou json", *logFormat), fmt.Sprintf("--log-format %q: text or json", *logFormat))
	}
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
	srv.TrustedProxies = proxies
	srv.ReportThreshold = *reportThreshold
	srv.PendingBatchTTL = *pendingTTL
	srv.Health = in.db.Health // /healthz
	link, err := in.loginLink(ctx)
	if err != nil {
		return fail(e, err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(e, schema.Errorf(schema.EINVALID, "cannot listen on %s: %v", "impossible d'écouter sur %s : %v", *addr, err))
	}
	servers := []*http.Server{newHTTPServer(srv.Handler())}
	listeners := []net.Listener{ln}
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			ln.Close()
			return fail(e, schema.Errorf(schema.EINVALID, "cannot listen on %s: %v", "impossible d'écouter sur %s : %v", *metricsAddr, err))
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.MetricsHandler())
		servers, listeners = append(servers, newHTTPServer(mux)), append(listeners, mln)
	}
	fmt.Fprintf(e.stderr, "Carnet écoute sur / listening on http://%s (URL publique / public URL %s)\n", ln.Addr(), in.baseURL)
	if app.IsLoopbackURL(in.baseURL) {
		fmt.Fprintf(e.stderr, "\n"+app.LoopbackWarning[0]+"\n"+app.LoopbackWarning[1]+"\n\n", in.baseURL, in.baseURL)
	}
	if *metricsAddr != "" {
		fmt.Fprintf(e.stderr, "Métriques / metrics: http://%s/metrics\n", listeners[1].Addr())
	}
	if link != "" {
		fmt.Fprintf(e.stderr, "\nPremière connexion de l'administrateur (lien à usage unique, valable %d h) :\n"+
			"Administrator's first sign-in (one-time link, valid %d h):\n  %s\n\n", int(web.LoginLinkLifetime.Hours()), int(web.LoginLinkLifetime.Hours()), link)
	}
	watchDB := func(ctx context.Context) { // the database, checked again while running
		in.db.Watch(ctx, *dbCheck, func(err error) {
			log.Error("la base de données est endommagée ; écritures refusées / the database is damaged; writes refused", "err", err)
		})
	}
	batches := func(ctx context.Context) { // batches left running by the last stop, and those started now
		if err := srv.ResumeBatches(ctx); err != nil {
			log.Error("lots / batches", "err", err)
		}
		<-ctx.Done()
		srv.WaitBatches()
	}
	// CSV previews never confirmed: deleted at start, then every hour.
	expire := func(ctx context.Context) { srv.ExpirePendingBatchesLoop(ctx) }
	return serveUntilDone(ctx, e, srv, servers, listeners, in.Close, watchDB, batches, expire)
}

// newHTTPServer returns an http.Server with Carnet's timeouts and limits.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
}

// shutdownTimeout bounds how long requests under way may take to finish
// once the server is told to stop.
const shutdownTimeout = 10 * time.Second

// serveUntilDone serves until ctx ends (SIGINT, SIGTERM) or a server
// fails, then stops in order: the listeners close and requests under way
// finish (shutdownTimeout at most), the partners' refresh loop returns,
// and the database closes last, once nothing uses it. A server that
// failed, a shutdown that timed out or a database that did not close
// cleanly is reported with a non-zero exit code. Each of loops runs beside
// the servers until they stop, and is waited for before the database
// closes.
func serveUntilDone(ctx context.Context, e env, srv *web.Server, servers []*http.Server, listeners []net.Listener, closeDB func() error, loops ...func(context.Context)) int {
	errc := make(chan error, len(servers))
	for i, hs := range servers {
		go func() { errc <- hs.Serve(listeners[i]) }()
	}
	refresh, stopRefresh := context.WithCancel(ctx)
	defer stopRefresh()
	var running sync.WaitGroup
	running.Go(func() { srv.RefreshTrustLoop(refresh) }) // partners' keys, when their refresh is due
	running.Go(func() { srv.SharePlacesLoop(refresh) })  // partner Carnets' places, daily
	for _, loop := range loops {
		running.Go(func() { loop(refresh) })
	}

	var errs []error
	select {
	case err := <-errc: // http.Server.Serve returns only on failure until Shutdown
		errs = append(errs, schema.Errorf(schema.EINTERNAL, "server stopped: %v", "le serveur s'est arrêté : %v", err))
	case <-ctx.Done():
	}
	stopRefresh()
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for _, hs := range servers {
		if err := hs.Shutdown(shutdown); err != nil {
			errs = append(errs, schema.Errorf(schema.EINTERNAL, "requests under way did not finish within %v: %v",
				"des requêtes en cours n'ont pas fini en %v : %v", shutdownTimeout, err))
			hs.Close()
		}
	}
	running.Wait() // the loops no longer use the database
	if err := closeDB(); err != nil {
		errs = append(errs, schema.Errorf(schema.EINTERNAL, "closing the database: %v", "fermeture de la base : %v", err))
	}
	if len(errs) > 0 {
		for _, err := range errs {
			fail(e, err)
		}
		return exitError
	}
	fmt.Fprintln(e.stderr, "Carnet arrêté / stopped")
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
