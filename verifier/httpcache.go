package verifier

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HTTP caching shared by the two things the verifier reads over HTTP and
// keeps: trust sources (Fetcher) and status lists (StatusLists). Both read
// an answer's freshness and validators here, the same way.

// maxFreshness bounds the freshness of an HTTP answer, whatever a server
// says (FetchInfo.MaxAge, and a status list's HTTP freshness before MaxTTL
// caps it further).
const maxFreshness = 365 * 24 * time.Hour

// maxDeltaSeconds is the largest delta-seconds value (RFC 9111 1.2.2): a
// larger one counts as this.
const maxDeltaSeconds = 1 << 31

// maxValidator bounds an ETag or Last-Modified value kept and sent back.
const maxValidator = 256

// httpFreshness is how long an HTTP answer stays fresh for a private cache
// (RFC 9111 4.2.1): Cache-Control max-age, else Expires minus Date (minus
// now when the answer has no valid Date), less the Age the answer already
// has, at most maxFreshness. Where RFC 9111 lets a cache choose, it takes
// the stricter reading: the freshness is 0 (revalidate at once) with
// no-store or no-cache, an invalid or repeated max-age, an invalid or
// repeated Expires. ok is false when the answer says nothing about its
// freshness (none of these directives or headers).
func httpFreshness(h http.Header, now time.Time) (d time.Duration, ok bool) {
	maxAge, found := int64(0), false
	for _, line := range h.Values("Cache-Control") {
		for dir := range strings.SplitSeq(line, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(dir), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				return 0, true
			case "max-age":
				n, valid := deltaSeconds(strings.Trim(strings.TrimSpace(value), `"`))
				if !valid || found {
					return 0, true // invalid or repeated: stale (RFC 9111 4.2.1)
				}
				maxAge, found = n, true
			}
		}
	}
	var lifetime time.Duration
	switch expires := h.Values("Expires"); {
	case found:
		lifetime = secondsDuration(maxAge)
	case len(expires) > 1:
		return 0, true // repeated: stale (RFC 9111 4.2.1)
	case len(expires) == 1:
		exp, err := http.ParseTime(expires[0])
		if err != nil {
			return 0, true // "0" and other invalid dates mean already expired (RFC 9111 5.3)
		}
		date, err := http.ParseTime(h.Get("Date"))
		if err != nil {
			date = now // no Date: the answer is dated when it arrived
		}
		lifetime = min(max(exp.Sub(date), 0), maxFreshness)
	default:
		return 0, false
	}
	if age, valid := deltaSeconds(strings.TrimSpace(h.Get("Age"))); valid {
		lifetime -= secondsDuration(age)
	}
	return max(lifetime, 0), true
}

// deltaSeconds reads a delta-seconds value (RFC 9111 1.2.2): decimal
// digits only, at most maxDeltaSeconds; false when s is not one.
func deltaSeconds(s string) (int64, bool) {
	if s == "" || !allDigits(s) {
		return 0, false
	}
	if len(s) > 12 {
		return maxDeltaSeconds, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return min(n, maxDeltaSeconds), true
}

// secondsDuration is n seconds, at most maxFreshness.
func secondsDuration(n int64) time.Duration {
	if n > int64(maxFreshness/time.Second) {
		return maxFreshness
	}
	return time.Duration(n) * time.Second
}

// validator keeps an ETag or Last-Modified value to send back, or "" when
// it is longer than maxValidator bytes or holds control characters.
func validator(v string) string {
	if len(v) > maxValidator {
		return ""
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] == 0x7f {
			return ""
		}
	}
	return v
}

// setValidators makes a request conditional on the validators of the copy
// held (RFC 9110 13.1), those validator keeps: a server whose document did
// not change answers 304 Not Modified. It reports whether the request is
// conditional: a 304 to a request that is not is an error, never an empty
// success.
func setValidators(h http.Header, etag, lastModified string) (conditional bool) {
	if etag = validator(etag); etag != "" {
		h.Set("If-None-Match", etag)
	}
	if lastModified = validator(lastModified); lastModified != "" {
		h.Set("If-Modified-Since", lastModified)
	}
	return etag != "" || lastModified != ""
}
