package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"carnet/app"
	"carnet/app/batch"
	"carnet/issuer/card"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// Batch issuance over the API: POST /api/v1/batches takes a CSV file
// (package batch) or a JSON list, answers 202 with the batch's id at once
// and issues its rows in the background (app.RunBatch); GET
// /api/v1/batches/{id} tells the progress and each row's result.

// maxBatchBody bounds a POST /api/v1/batches body: the CSV file's limit.
const maxBatchBody = batch.MaxBytes

// batchJSON is the JSON body of POST /api/v1/batches.
type batchJSON struct {
	Framework string              `json:"framework"`
	Structure string              `json:"structure"`
	Lang      string              `json:"lang"`
	Rows      []app.BatchRowInput `json:"rows"`
}

// errBatchTooLarge answers a body over maxBatchBody.
var errBatchTooLarge = schema.Errorf(schema.EINVALID, "the file is too large: %d MB at most", "le fichier est trop grand : %d Mo au plus", batch.MaxBytes>>20)

func (s *Server) apiBatchCreate(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	key := c.GetHeader("Idempotency-Key")
	framework, structure, lang := c.Query("framework"), c.Query("structure"), c.Query("lang")
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var b *schema.Batch
	var err error
	switch mt {
	case "text/csv", "application/csv":
		var data []byte
		data, err = io.ReadAll(c.Request.Body)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.renderError(c, errBatchTooLarge)
			return
		} else if err != nil {
			s.renderError(c, schema.Errorf(schema.EINVALID, "the body could not be read", "le corps n'a pas pu être lu"))
			return
		}
		if framework == "" {
			s.renderError(c, schema.Errorf(schema.EINVALID, "name the framework: ?framework=ID", "indiquez le référentiel : ?framework=ID"))
			return
		}
		b, err = s.CreateBatchCSV(ctx, a, structure, framework, lang, data, key)
	case "application/json":
		var raw []byte
		raw, err = readJSON(c)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.renderError(c, errBatchTooLarge)
			return
		} else if err != nil {
			s.renderError(c, err)
			return
		}
		var in batchJSON
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			msg := err.Error()
			if len(msg) > 200 {
				msg = msg[:200]
			}
			s.renderError(c, schema.Errorf(schema.EINVALID, "invalid JSON body: %s", "corps JSON invalide : %s", msg))
			return
		}
		if in.Framework == "" {
			in.Framework = framework
		} else if framework != "" && framework != in.Framework {
			s.renderError(c, schema.Errorf(schema.EINVALID, "the framework of the query (%s) and of the body (%s) differ",
				"le référentiel de la requête (%s) et celui du corps (%s) diffèrent", framework, in.Framework))
			return
		}
		if in.Structure == "" {
			in.Structure = structure
		}
		if in.Lang == "" {
			in.Lang = lang
		}
		b, err = s.CreateBatch(ctx, a, app.BatchInput{Structure: in.Structure, Framework: in.Framework, Lang: in.Lang,
			Rows: in.Rows, Source: raw, IdemKey: key})
	default:
		s.renderError(c, schema.Errorf(schema.EINVALID, "send the batch as text/csv or application/json",
			"envoyez le lot en text/csv ou en application/json"))
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	if b.Status == schema.BatchRunning {
		s.StartBatch(b.ID)
	}
	c.Header("Location", "/api/v1/batches/"+b.ID)
	c.JSON(http.StatusAccepted, gin.H{"id": b.ID})
}

// batchRowJSON is a row's result.
type batchRowJSON struct {
	Row          int            `json:"row"`
	OK           bool           `json:"ok"`
	CredentialID string         `json:"credential_id,omitempty"`
	LearnerID    string         `json:"learner_id,omitempty"`
	Error        *batchRowError `json:"error,omitempty"`
}

type batchRowError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *Server) apiBatch(c *gin.Context) {
	b, rows, err := s.Batch(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	fr := preferFrench(c.GetHeader("Accept-Language"))
	out := []batchRowJSON{}
	for _, r := range rows {
		if !r.Done {
			continue
		}
		j := batchRowJSON{Row: r.Row, OK: r.OK(), CredentialID: r.CredentialID, LearnerID: r.LearnerID}
		if !j.OK {
			msg := r.ErrMessage
			if fr && r.ErrMessageFR != "" {
				msg = r.ErrMessageFR
			}
			j.Error = &batchRowError{Code: r.ErrCode, Message: msg}
		}
		out = append(out, j)
	}
	body := gin.H{"id": b.ID, "status": b.Status, "framework": b.Framework, "total": b.Total, "done": b.Done,
		"created_at": b.CreatedAt.Format(time.RFC3339), "rows": out}
	if b.Status == schema.BatchFailed {
		msg := b.Error
		if fr && b.ErrorFR != "" {
			msg = b.ErrorFR
		}
		body["error"] = gin.H{"code": schema.EINTERNAL, "message": msg}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, body)
}

// pdfWriter sets a PDF answer's headers at its first byte, so that an
// error found before (a batch still running, no card) is answered as an
// error.
type pdfWriter struct {
	c       *gin.Context
	name    string
	started bool
}

// fail ends a PDF that could not be made whole. Before the first byte,
// the page or API error goes out (render); after it, the error is logged
// and the connection cut without ending the response, so that the browser
// or client reports a failed download instead of saving a truncated PDF
// as if complete (the status, 200, has gone already).
func (w *pdfWriter) fail(s *Server, err error, render func(*gin.Context, error), what ...any) {
	if !w.started {
		render(w.c, err)
		return
	}
	if s.Log != nil {
		s.Log.Error("pdf cut short", append(what, "err", err)...)
	}
	// gin refuses to hand over a connection once the body has begun: ask
	// the server's own writer, under gin's.
	var rw http.ResponseWriter = w.c.Writer
	for {
		u, ok := rw.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		rw = u.Unwrap()
	}
	if hj, ok := rw.(http.Hijacker); ok {
		if conn, _, herr := hj.Hijack(); herr == nil {
			conn.Close()
		}
	}
	w.c.Abort()
}

func (w *pdfWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		h := w.c.Writer.Header()
		h.Set("Content-Type", "application/pdf")
		h.Set("Content-Disposition", `inline; filename="`+w.name+`"`)
		h.Set("Cache-Control", "private, no-store")
		w.c.Status(http.StatusOK)
	}
	return w.c.Writer.Write(p)
}

// apiBatchSheets serves a batch's cards (layout card) or A4 certificates
// (layout a4) in one PDF.
func (s *Server) apiBatchSheets(layout string) gin.HandlerFunc {
	return func(c *gin.Context) {
		// The structure's card language; ?lang= overrides it.
		l, err := cardLangQuery(c)
		if err != nil {
			s.renderError(c, err)
			return
		}
		name := "cartes-"
		if layout == card.LayoutA4 {
			name = "attestations-"
		}
		w := &pdfWriter{c: c, name: name + c.Param("id") + ".pdf"}
		if err := s.BatchSheets(c.Request.Context(), actorOf(c), c.Param("id"), layout, l, w); err != nil {
			w.fail(s, err, s.renderError, "batch", c.Param("id"))
		}
	}
}

// apiBatchTemplate serves the CSV template of a framework: French
// headers, then the framework's competency codes.
func (s *Server) apiBatchTemplate(c *gin.Context) {
	fw, err := s.Frameworks.Get(c.Param("id"))
	if err != nil {
		if schema.ErrorCode(err) == schema.EINVALID {
			err = &schema.Error{Code: schema.ENOTFOUND, Message: schema.ErrorMessage(err), MessageFR: schema.ErrorMessageFR(err)}
		}
		s.renderError(c, err)
		return
	}
	var buf bytes.Buffer
	if err := batch.WriteTemplate(&buf, fw); err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="modele-`+fw.ID+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (s *Server) apiBatchCards(c *gin.Context)        { s.apiBatchSheets(card.LayoutCard)(c) }
func (s *Server) apiBatchCertificates(c *gin.Context) { s.apiBatchSheets(card.LayoutA4)(c) }
