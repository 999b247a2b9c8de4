package web

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// servePublic serves a public document that other servers and browsers
// cache: Cache-Control max-age, a strong ETag of the body and 304 Not
// Modified to a request that already holds it, so partners that refresh
// our keys or trust list often cost a header, not the document.
func servePublic(c *gin.Context, contentType string, body []byte, maxAge int) {
	sum := sha256.Sum256(body)
	servePublicETag(c, contentType, body, maxAge, `"`+base64.RawURLEncoding.EncodeToString(sum[:12])+`"`)
}

// servePublicETag is servePublic with the document's own entity tag,
// strong or weak (W/"…"), for documents whose bytes change while what
// they say does not (status lists, signed again with a new window).
func servePublicETag(c *gin.Context, contentType string, body []byte, maxAge int, etag string) {
	c.Header("Cache-Control", "public, max-age="+strconv.Itoa(maxAge))
	c.Header("ETag", etag)
	c.Header("Access-Control-Allow-Origin", "*")
	if etagMatch(c.GetHeader("If-None-Match"), strings.TrimPrefix(etag, "W/")) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, contentType, body)
}

// etagMatch reports whether an If-None-Match header names etag (weak
// comparison, RFC 9110 13.1.2).
func etagMatch(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == "*" || v == etag {
			return true
		}
	}
	return false
}
