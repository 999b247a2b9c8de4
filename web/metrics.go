package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"carnet/schema"
	"carnet/verifier"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus metrics of one Server, in a registry of its
// own (never the global one), so that several servers in one process (the
// tests) count apart. Label values come from fixed sets only — route
// templates, status codes, error and reason codes — never from what a
// client sent: raw paths hold one-time tokens and ids.
type metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	issuance     *prometheus.HistogramVec
	verification *prometheus.HistogramVec
	cacheHits    prometheus.Counter
	cacheMisses  prometheus.Counter
	refreshes    prometheus.Counter
	refreshFails prometheus.Counter
}

// Latency buckets, in seconds: a verification or an issuance takes a few
// milliseconds, a fetch of a partner's list up to seconds.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "carnet_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status code.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "carnet_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route template.",
			Buckets: latencyBuckets,
		}, []string{"method", "route"}),
		issuance: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "carnet_issuance_duration_seconds",
			Help:    "Credential issuances (pages and API) and their duration, by result: ok or the error code.",
			Buckets: latencyBuckets,
		}, []string{"result"}),
		verification: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "carnet_verification_duration_seconds",
			Help:    "Verifications (pages and API) and their duration, by result: valid or the verifier's reason code.",
			Buckets: latencyBuckets,
		}, []string{"reason"}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "carnet_status_list_cache_hits_total",
			Help: "Status list lookups answered from the verifier's cache.",
		}),
		cacheMisses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "carnet_status_list_cache_misses_total",
			Help: "Status list lookups that loaded the list (in process or over HTTP).",
		}),
		refreshes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "carnet_trust_refreshes_total",
			Help: "Fetches of a trusted partner's keys (scheduled, on demand, or for an unknown key).",
		}),
		refreshFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "carnet_trust_refresh_failures_total",
			Help: "Fetches of a trusted partner's keys that failed (the last good keys stay).",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.issuance, m.verification, m.cacheHits, m.cacheMisses, m.refreshes, m.refreshFails,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// startMetrics makes the metrics of s and hooks them to the verifier's
// status list cache. Handler calls it once.
func (s *Server) startMetrics() {
	s.metrics = newMetrics()
	s.metricsHTTP = promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	if s.Verifier != nil && s.Verifier.Status != nil && s.Verifier.Status.OnCache == nil {
		s.Verifier.Status.OnCache = s.metrics.statusCache
	}
}

// issued counts one issuance. A nil m counts nothing.
func (m *metrics) issued(d time.Duration, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = schema.ErrorCode(err)
	}
	m.issuance.WithLabelValues(result).Observe(d.Seconds())
}

// verified counts one verification.
func (m *metrics) verified(d time.Duration, res *verifier.Result) {
	if m == nil || res == nil {
		return
	}
	reason := res.Reason
	switch {
	case res.Valid:
		reason = "valid"
	case reason == "":
		reason = "unknown"
	}
	m.verification.WithLabelValues(reason).Observe(d.Seconds())
}

// statusCache counts one status list lookup (verifier.StatusLists.OnCache).
func (m *metrics) statusCache(hit bool) {
	if hit {
		m.cacheHits.Inc()
	} else {
		m.cacheMisses.Inc()
	}
}

// trustRefreshed counts one fetch of a partner's keys.
func (m *metrics) trustRefreshed(err error) {
	if m == nil {
		return
	}
	m.refreshes.Inc()
	if err != nil {
		m.refreshFails.Inc()
	}
}

// observe is the outermost middleware: it counts every request by its
// route template and writes one log line for it. The line holds no
// personal data: no client address (an IP address identifies a person
// under the GDPR, and the audit log keeps the one it needs), no raw path
// or query string (they carry one-time tokens, ids and search terms),
// only the route template ("/invite/:token"). A request id, also sent as
// X-Request-Id, lets an operator find the line of a request a user
// reports.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	id := requestID()
	c.Set(requestIDKey, id)
	c.Writer.Header().Set("X-Request-Id", id)
	c.Next()
	elapsed := time.Since(start)
	route := routeOf(c)
	method := methodOf(c.Request.Method)
	status := c.Writer.Status()
	s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	s.metrics.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
	if s.Log == nil {
		return
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.Log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("method", method), slog.String("route", route), slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000), slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.String("request_id", id))
}

const requestIDKey = "carnet.request_id"

// requestID returns a random id for one request.
func requestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// routeOf is the route template a request matched, or "unmatched": never
// the raw path.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// methodOf keeps the method label to the methods HTTP defines: a client
// may send any token as a method.
func methodOf(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions,
		http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// MetricsHandler serves the Prometheus metrics of s to anyone who reaches
// it: serve it on an internal address only (carnet serve --metrics-addr).
func (s *Server) MetricsHandler() http.Handler {
	s.Handler() // makes the metrics
	return s.metricsHTTP
}

// metricsPage serves GET /metrics on the main address to the operator
// only: a client connected from this machine (loopback) whose request no
// reverse proxy relayed (no forwarding header; a proxy on the same
// machine connects from loopback too). Anyone else gets a 404, as if
// there were no such page: from elsewhere, use --metrics-addr.
func (s *Server) metricsPage(c *gin.Context) {
	if !fromLoopback(c.Request) {
		s.renderError(c, schema.Errorf(schema.ENOTFOUND, "no such page", "page introuvable"))
		return
	}
	s.metricsHTTP.ServeHTTP(c.Writer, c.Request)
}

// fromLoopback reports whether r came straight from this machine: the TCP
// peer, not a header, is loopback, and no proxy header says it was relayed.
func fromLoopback(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip", "X-Forwarded-Host"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
