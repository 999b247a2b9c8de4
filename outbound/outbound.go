// Package outbound is how Carnet reaches other servers: partners' trust
// sources (added, refreshed on schedule or on demand), their trust lists,
// did:web documents and status lists. An instance builds one Client, with
// one policy, and every fetch goes through it.
//
// The policy: an instance reachable by others (its base URL is not on
// loopback) dials public unicast Internet addresses only (IsPublicAddr),
// checked on the address actually connected to, after DNS resolution, for
// every connection and every redirect, so that nobody can make it read from
// its own network (cloud metadata, databases, admin pages on 127.0.0.1),
// DNS rebinding included. It fetches https only, follows at most
// MaxRedirects redirects, each checked as the first URL, and gives up
// after Timeout. It never uses a proxy from the environment (HTTP_PROXY…):
// a proxied fetch dials the proxy, not the partner, and would escape the
// check. An instance on loopback (development, tests) may also dial
// loopback and private addresses, and plain http on loopback hosts: its
// partners are local.
//
// The errors it returns say in English and French what went wrong in
// generic words (the address is not allowed, the partner could not be
// reached or did not answer in time, its TLS failed), never what a server
// answered: the cause stays wrapped inside, for logs only.
package outbound

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"carnet/schema"
)

// Limits of every fetch.
const (
	// Timeout bounds one fetch, redirects included, and each of its steps
	// (connection, TLS handshake, answer headers), when Config.Timeout is
	// zero.
	Timeout = 10 * time.Second
	// MaxRedirects is how many redirects a fetch follows.
	MaxRedirects = 5
	// maxHeaderBytes bounds the headers of an answer.
	maxHeaderBytes = 64 << 10
)

// Errors of the policy and of fetches, for users: generic on purpose.
var (
	// ErrNotAllowed refuses an address that is not public, on an instance
	// that dials public addresses only.
	ErrNotAllowed = schema.Errorf(schema.EINVALID, "address not allowed: not a public address", "adresse refusée : pas une adresse publique")
	// ErrNotHTTPS refuses a URL, or a redirect, that is not https.
	ErrNotHTTPS = schema.Errorf(schema.EINVALID, "address not allowed: only https addresses are fetched", "adresse refusée : seules les adresses https sont lues")
	// ErrBadURL refuses a URL without a host, or with a user name.
	ErrBadURL = schema.Errorf(schema.EINVALID, "invalid address", "adresse invalide")
	// ErrTooManyRedirects stops a fetch past MaxRedirects redirects.
	ErrTooManyRedirects = schema.Errorf(schema.EINVALID, "too many redirects", "trop de redirections")
	// ErrUnreachable is any failure to connect or to read an answer.
	ErrUnreachable = schema.Errorf(schema.EINVALID, "the partner could not be reached", "le partenaire n'a pas pu être joint")
	// ErrTimeout is a fetch that took longer than Timeout.
	ErrTimeout = schema.Errorf(schema.EINVALID, "the partner did not answer in time", "le partenaire n'a pas répondu à temps")
	// ErrTLS is a secure connection that could not be set up (certificate
	// refused, not TLS…).
	ErrTLS = schema.Errorf(schema.EINVALID, "the secure connection (TLS) with the partner failed", "la connexion sécurisée (TLS) avec le partenaire a échoué")
	// ErrStatus is an answer other than 200 OK to Get.
	ErrStatus = schema.Errorf(schema.EINVALID, "the partner answered with an error", "le partenaire a répondu par une erreur")
	// ErrTooLarge stops reading an answer of Get past its size limit.
	ErrTooLarge = schema.Errorf(schema.EINVALID, "the partner's answer is too large", "la réponse du partenaire est trop volumineuse")
)

// Config is the policy of a Client.
type Config struct {
	// Private also allows loopback, private and other non-public
	// addresses, and plain http on loopback hosts: for an instance that is
	// itself on loopback (development, tests). See ForBaseURL.
	Private bool
	// Allow names exact addresses (IP and port) dialled even when Private
	// is false, plain http included: tests use it to let one local server
	// stand for a public partner. Carnet itself never sets it.
	Allow []netip.AddrPort
	// Timeout is Timeout when zero.
	Timeout time.Duration
}

// Client fetches under one policy. A nil *Client is the public-only policy
// (Public). It is safe for concurrent use.
type Client struct {
	private bool
	allow   []netip.AddrPort
	http    *http.Client
}

// New returns a Client with the policy cfg.
func New(cfg Config) *Client {
	c := &Client{private: cfg.Private}
	for _, ap := range cfg.Allow {
		c.allow = append(c.allow, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
	}
	timeout := cmp.Or(cfg.Timeout, Timeout)
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: c.control}
	tr := &http.Transport{
		Proxy:                  nil, // never from the environment: see the package doc
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		MaxIdleConns:           16,
		IdleConnTimeout:        90 * time.Second,
	}
	c.http = &http.Client{Timeout: timeout, Transport: &guard{c: c, next: tr}, CheckRedirect: c.checkRedirect}
	return c
}

// ForBaseURL returns the Client of an instance served at baseURL: one on
// loopback (localhost, 127.0.0.1, [::1]) is a development or test instance
// whose partners are local, and may dial private addresses; any other is
// reachable by others and dials public addresses only.
func ForBaseURL(baseURL string) *Client {
	u, err := url.Parse(baseURL)
	return New(Config{Private: err == nil && isLoopbackHost(u.Hostname())})
}

var public = New(Config{})

// Public returns the shared public-only Client: what every fetcher uses
// when it is given no client.
func Public() *Client { return public }

// HTTP returns the http.Client that applies the policy (Public's when c is
// nil). Pass the errors of its Do, and of reading an answer, through
// Explain: a timeout of the whole fetch comes back from Do as the client's
// own error, without the generic one.
func (c *Client) HTTP() *http.Client {
	if c == nil {
		return public.http
	}
	return c.http
}

// Get fetches u with GET under c's policy and returns the body of a 200
// answer, whose reading fails with ErrTooLarge past max bytes (never a
// truncated answer taken for a whole one), and like every fetch within
// the client's Timeout. accept, when not empty, is the Accept header. The
// caller closes the body; its read errors go through Explain.
func (c *Client) Get(ctx context.Context, u, accept string, max int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, ErrBadURL
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.HTTP().Do(req)
	if err != nil {
		return nil, Explain(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &StatusError{Code: resp.StatusCode}
	}
	return &limited{rc: resp.Body, n: max}, nil
}

// StatusError is Get's error for an answer other than 200 OK: it is
// ErrStatus (errors.Is), with the status code, which a caller may tell
// apart (a 404 says the partner publishes no such document).
type StatusError struct{ Code int }

func (e *StatusError) Error() string { return fmt.Sprintf("%v (HTTP %d)", ErrStatus, e.Code) }

// Unwrap makes a StatusError ErrStatus, for errors.Is and the messages in
// French and English (schema.ErrorMessageFR).
func (e *StatusError) Unwrap() error { return ErrStatus }

// StatusCode is the HTTP status of a Get that was answered other than 200
// OK, or 0 for any other error.
func StatusCode(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// NotFound tells a Get answered 404 Not Found: the document is not
// published there.
func NotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// limited reads at most n bytes of rc, then fails with ErrTooLarge.
type limited struct {
	rc io.ReadCloser
	n  int64
}

func (l *limited) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1] // one byte past the limit tells an answer of exactly n from a longer one
	}
	n, err := l.rc.Read(p)
	if int64(n) > l.n {
		n, l.n = int(l.n), -1
		return n, ErrTooLarge
	}
	l.n -= int64(n)
	if err != nil && err != io.EOF {
		err = Explain(err)
	}
	return n, err
}

func (l *limited) Close() error { return l.rc.Close() }

// PublicOnly reports whether c dials public addresses only.
func (c *Client) PublicOnly() bool { return c == nil || !c.private }

// CheckURL accepts the URLs c fetches: https, and plain http on loopback
// hosts when c may dial them. The address it names is checked when it is
// dialled.
func (c *Client) CheckURL(u *url.URL) error {
	if c == nil {
		c = &Client{} // the public-only policy
	}
	switch {
	case u == nil || u.Host == "" || u.User != nil:
		return ErrBadURL
	case u.Scheme == "https":
		return nil
	case u.Scheme != "http":
		return ErrNotHTTPS
	case !isLoopbackHost(u.Hostname()):
		return ErrNotHTTPS
	case c.private || c.allowed(hostAddrPort(u)):
		return nil
	}
	return ErrNotAllowed
}

// hostAddrPort is the address of a URL whose host is an IP address.
func hostAddrPort(u *url.URL) netip.AddrPort {
	a, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		return netip.AddrPort{}
	}
	port := cmp.Or(u.Port(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a, uint16(n))
}

func (c *Client) allowed(ap netip.AddrPort) bool {
	if !ap.IsValid() {
		return false
	}
	return slices.Contains(c.allow, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
}

// control runs before every connection, on the address about to be
// dialled: the name is already resolved, so what is checked is what is
// reached (no window for DNS rebinding).
func (c *Client) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return ErrNotAllowed
	}
	if c.private || IsPublicAddr(ap.Addr()) || c.allowed(ap) {
		return nil
	}
	return ErrNotAllowed
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return ErrTooManyRedirects
	}
	return c.CheckURL(req.URL)
}

// guard checks every request it sends, the first and each redirect, and
// turns transport errors into generic ones.
type guard struct {
	c    *Client
	next http.RoundTripper
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.c.CheckURL(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		// The client's Timeout cancels the request: a canceled request
		// past its deadline is a timeout.
		if d, ok := req.Context().Deadline(); ok && !time.Now().Before(d) && !isTimeout(err) {
			err = fmt.Errorf("%w (%w)", ErrTimeout, err)
		}
		return nil, Explain(err)
	}
	return resp, nil
}

// Explain returns a fetch's error (from Do or from reading an answer's
// body) as an error whose user message (schema.ErrorMessage) is generic:
// ErrNotAllowed and the other policy errors as they are, else
// ErrTimeout, ErrTLS or ErrUnreachable. The cause stays wrapped for logs
// (and errors.Is, context.Canceled included) but is never in the message.
func Explain(err error) error {
	var e *schema.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case isTimeout(err):
		return fmt.Errorf("%w (%w)", ErrTimeout, err)
	case isTLS(err):
		return fmt.Errorf("%w (%w)", ErrTLS, err)
	}
	return fmt.Errorf("%w (%w)", ErrUnreachable, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func isTLS(err error) bool {
	var (
		rec     tls.RecordHeaderError
		alert   tls.AlertError
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	return errors.As(err, &rec) || errors.As(err, &alert) || errors.As(err, &verify) ||
		errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) ||
		strings.HasPrefix(err.Error(), "tls: ")
}

// isLoopbackHost reports whether a URL's host names this machine:
// localhost (and its subdomains) or a loopback IP address.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && a.Unmap().IsLoopback()
}
