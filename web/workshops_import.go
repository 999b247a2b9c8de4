package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"carnet/app"
	"carnet/app/batch"
	"carnet/issuer/card"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// The CSV import page: a mediator downloads the template, fills it, and
// uploads it; the page shows each row's check (per-row errors in the
// page's language) before anything is issued; "issue the valid rows"
// runs the batch in the background, its progress on the page, which can
// be left and come back to; the refused rows can be downloaded as CSV to
// correct.

// ttlText writes a duration as the preview's notice says it: "24 h",
// "90 min".
func ttlText(d time.Duration) string {
	if d <= 0 {
		d = app.DefaultPendingBatchTTL
	}
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return strconv.Itoa(int((d+time.Minute-1)/time.Minute)) + " min"
}

const batchUploadKey = "batch_upload"

// batchUploadFile is the file of an upload form, read by readBatchForm.
type batchUploadFile struct {
	data     []byte
	tooLarge bool
}

// readBatchForm reads a CSV upload form part by part before the CSRF
// check (as readLogoForm does): the small fields become the PostForm, the
// file (at most batch.MaxBytes) goes to batchUpload.
func (s *Server) readBatchForm(c *gin.Context) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return // not multipart: no token, the CSRF check refuses it
	}
	values, up := url.Values{}, &batchUploadFile{}
	for n := 0; n < 20; n++ {
		part, err := mr.NextPart()
		if err != nil {
			break
		}
		if part.FormName() == "file" {
			b, _ := io.ReadAll(io.LimitReader(part, batch.MaxBytes+1))
			if len(b) > batch.MaxBytes {
				up.data, up.tooLarge = nil, true
				io.Copy(io.Discard, part)
			} else {
				up.data = b
			}
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(part, 4<<10))
		values.Add(part.FormName(), string(b))
	}
	c.Request.PostForm = values
	c.Request.Form = values
	c.Request.MultipartForm = &multipart.Form{Value: values, File: map[string][]*multipart.FileHeader{}}
	c.Set(batchUploadKey, up)
}

func (s *Server) batchUpload(c *gin.Context) {
	// Who may issue there, before what the file says.
	if _, err := s.StructureFor(c.Request.Context(), actorOf(c), c.PostForm("structure"), schema.RoleMediator); err != nil {
		s.renderPageError(c, err)
		return
	}
	up, _ := c.Get(batchUploadKey)
	f, _ := up.(*batchUploadFile)
	switch {
	case f == nil || (len(f.data) == 0 && !f.tooLarge):
		s.renderPageError(c, schema.Errorf(schema.EINVALID, "choose a CSV file", "choisissez un fichier CSV"))
		return
	case f.tooLarge:
		s.renderPageError(c, errBatchTooLarge)
		return
	}
	b, err := s.PreviewBatchCSV(c.Request.Context(), actorOf(c), c.PostForm("structure"), c.PostForm("framework"), lang(c), f.data)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/batches/"+b.ID)
}

func (s *Server) batchPage(c *gin.Context) {
	b, rows, err := s.Batch(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "batch_title")
	valid := 0
	for _, r := range rows {
		if !r.Done || r.OK() {
			valid++
		}
	}
	p.View = &batchView{Batch: b, Rows: rows, Valid: valid, Expiry: ttlText(s.PendingBatchTTL)}
	p.Refresh = b.Status == schema.BatchRunning
	s.render(c, http.StatusOK, "batch", p)
}

// batchProgress answers a signed-in page's poll of a batch's progress
// (static/progress.js): the status and counts of GET /api/v1/batches/{id},
// without the rows.
func (s *Server) batchProgress(c *gin.Context) {
	b, err := s.BatchProgress(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"id": b.ID, "status": b.Status, "total": b.Total, "done": b.Done})
}

func (s *Server) batchStart(c *gin.Context) {
	b, err := s.StartPendingBatch(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	if b.Status == schema.BatchRunning {
		s.StartBatch(b.ID)
	}
	c.Redirect(http.StatusSeeOther, "/batches/"+b.ID)
}

// batchErrorsCSV serves a batch's refused rows as CSV: line, name, error;
// every cell escaped (batch.Escape), so that a name typed as a formula is
// never run by the spreadsheet that opens the report.
func (s *Server) batchErrorsCSV(c *gin.Context) {
	_, rows, err := s.Batch(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	l := lang(c)
	var report []batch.ReportRow
	for _, r := range rows {
		if r.Done && !r.OK() {
			msg := r.ErrMessage
			if l == "fr" {
				msg = r.ErrMessageFR
			}
			report = append(report, batch.ReportRow{Line: r.Row, Name: r.Name, Message: msg})
		}
	}
	var buf bytes.Buffer
	if err := batch.WriteReport(&buf, report, l); err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="lignes-refusees.csv"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// batchTemplatePage serves a framework's CSV template to a signed-in
// browser (the API's GET /api/v1/frameworks/{id}/template.csv).
func (s *Server) batchTemplatePage(c *gin.Context) {
	fw, err := s.Frameworks.Get(c.Query("framework"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	var buf bytes.Buffer
	if err := batch.WriteTemplate(&buf, fw); err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="modele-`+fw.ID+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// batchSheetsPage serves a batch's cards or certificates to a signed-in
// browser.
func (s *Server) batchSheetsPage(layout string) gin.HandlerFunc {
	return func(c *gin.Context) {
		name := "cartes-" + c.Param("id") + ".pdf"
		if layout == card.LayoutA4 {
			name = "attestations-" + c.Param("id") + ".pdf"
		}
		w := &pdfWriter{c: c, name: name}
		if err := s.BatchSheets(c.Request.Context(), actorOf(c), c.Param("id"), layout, "", w); err != nil {
			w.fail(s, err, s.renderPageError, "batch", c.Param("id"))
		}
	}
}

func (s *Server) batchCardsPage(c *gin.Context)        { s.batchSheetsPage(card.LayoutCard)(c) }
func (s *Server) batchCertificatesPage(c *gin.Context) { s.batchSheetsPage(card.LayoutA4)(c) }
