package web

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"carnet/app"
	"carnet/schema"
)

// TestPDFCutShort: a group PDF that fails after its first bytes went out
// (a storage error halfway through 1,000 cards) must not reach the client
// as a complete download of a truncated file: the connection is cut, and
// the client's read fails. Before any byte, the error is an answer.
func TestPDFCutShort(t *testing.T) {
	gin.SetMode(gin.TestMode)
	s := &Server{App: &app.App{}}
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/pdf", func(c *gin.Context) {
		w := &pdfWriter{c: c, name: "cartes.pdf"}
		w.Write(bytes.Repeat([]byte("%PDF-1.3 part one "), 10_000)) // 180 KB out
		c.Writer.Flush()
		w.fail(s, errors.New("database is locked"), s.renderError, "batch", "b1")
	})
	r.GET("/none", func(c *gin.Context) {
		w := &pdfWriter{c: c, name: "cartes.pdf"}
		w.fail(s, schema.Errorf(schema.ENOTFOUND, "batch not found", "lot introuvable"), s.renderError)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: r}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	res, err := http.Get(base + "/pdf")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err == nil {
		t.Fatalf("a PDF cut short read as complete: %d, %d bytes", res.StatusCode, len(body))
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Logf("read error: %v", err)
	}

	res, err = http.Get(base + "/none")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || !bytes.Contains(body, []byte("not_found")) {
		t.Errorf("before any byte: %d %s, want the 404 answer", res.StatusCode, body)
	}
}
