package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"carnet/schema"
	"carnet/verifier"

	"github.com/gin-gonic/gin"
)

// The verification portal, /verify: a person pastes a credential (JWS or
// JSON), the text of a card's QR code or a short code, uploads a .jwt or
// .json file, or scans a card with the device's camera (static/verify.js,
// where the browser has a BarcodeDetector). The page says plainly what the
// verifier found, and shows the learner and levels only when the signature
// holds and the issuer is trusted here.

// maxVerifyFile bounds an uploaded file, as the verifier bounds any input.
const maxVerifyFile = verifier.MaxInput

// maxVerifyFill is the largest file verify.js copies into the text field
// (a credential is a few KiB), so that file and text together stay within
// maxVerifyUpload.
const maxVerifyFill = 64 << 10

// maxVerifyUpload bounds a POST /verify body: a file, the text field and
// the multipart framing.
const maxVerifyUpload = maxVerifyFile + maxVerifyFill + 64<<10

var errVerifyTooLarge = errors.New("verify: input over the limit")

// verdictView is what the page shows of a verification.
type verdictView struct {
	R       *verifier.Result
	Class   string // "ok", "warn" or "bad"
	Title   string
	Explain string
	// Facts: the signature holds and the issuer is trusted, so the
	// learner, the levels and the dates are shown.
	Facts bool
	// IssuerState is "trusted", "untrusted" (the signature was checked
	// with the issuer's own key, but the issuer is not trusted here),
	// "claimed" (nothing verified) or "" (no issuer named).
	IssuerState string
	IssuerName  string // a trusted issuer's name
	// DeclaredName is the name an untrusted issuer gives itself in its
	// own DID document: shown as plain text, never as a verified name.
	DeclaredName string
	IssuerID     string
	Domain       string
	Partner      bool   // a trusted partner rather than a structure of this instance
	Status       string // the status line
	StatusWarn   bool
	Levels       []levelRow
}

// levelRow is one assessed competency as the page shows it.
type levelRow struct {
	Code, Title, Level, Group string
	Label                     string // the level as every page shows it (schema.LevelLabel), else Level
	Plain                     string // the plain-language line of the level, for the learner (French pages)
}

func (s *Server) verifyPage(c *gin.Context) {
	p := s.view(c, "verify_title")
	pv := &verifyView{MaxFile: maxVerifyFile, MaxFill: maxVerifyFill}
	p.View = pv
	if c.Request.Method != http.MethodPost {
		s.render(c, http.StatusOK, "verify", p)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxVerifyUpload)
	text, file, fileName, err := readVerifyForm(c.Request)
	switch {
	case errors.Is(err, errVerifyTooLarge):
		p.Error = tr(p.Lang, "vp_too_large")
		s.render(c, http.StatusRequestEntityTooLarge, "verify", p)
		return
	case err != nil:
		p.Error = tr(p.Lang, "vp_bad_form")
		s.render(c, http.StatusBadRequest, "verify", p)
		return
	}
	input := text
	if fileName != "" || len(file) > 0 {
		// A file wins over the text field, which verify.js may have
		// filled from that same file. A byte-order mark is no content.
		input = string(bytes.TrimPrefix(file, []byte("\xef\xbb\xbf")))
		pv.FileName = fileName
	}
	input = strings.TrimSpace(input)
	if len(text) <= maxVerifyFill {
		pv.Input = text
	}
	if input == "" {
		p.Error = tr(p.Lang, "vp_empty")
		s.render(c, http.StatusBadRequest, "verify", p)
		return
	}
	res, err := s.verifyInput(c, input)
	if err != nil {
		p.Error = s.errorText(c, p, err)
		s.render(c, statusOf(schema.ErrorCode(err)), "verify", p)
		return
	}
	pv.Verdict = s.verdict(p, res)
	if res.Valid && p.User != nil {
		pv.Verified = input // for the attach form
	}
	s.render(c, http.StatusOK, "verify", p)
}

// readVerifyForm reads the text field "input" and the file "file" of a
// POST /verify, multipart (the page's form) or URL-encoded (older pages,
// scripts). Any part over its limit, or a body over maxVerifyUpload, is
// errVerifyTooLarge.
func readVerifyForm(r *http.Request) (text string, file []byte, fileName string, err error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return "", nil, "", tooLarge(err)
		}
		text = r.PostForm.Get("input")
		if len(text) > maxVerifyFile {
			return "", nil, "", errVerifyTooLarge
		}
		return text, nil, "", nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, "", err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return text, file, fileName, nil
		}
		if err != nil {
			return "", nil, "", tooLarge(err)
		}
		switch part.FormName() {
		case "input", "file":
			b, err := io.ReadAll(io.LimitReader(part, maxVerifyFile+1))
			if err != nil {
				return "", nil, "", tooLarge(err)
			}
			if len(b) > maxVerifyFile {
				return "", nil, "", errVerifyTooLarge
			}
			if part.FormName() == "input" {
				text = string(b)
			} else if part.FileName() != "" || len(b) > 0 {
				file, fileName = b, part.FileName()
			}
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return "", nil, "", tooLarge(err)
			}
		}
	}
}

// tooLarge turns a body over its limit into errVerifyTooLarge.
func tooLarge(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errVerifyTooLarge
	}
	return err
}

// localCardStatus completes a valid card of this instance with its
// credential's current status: a card does not name a status list, but
// this instance holds the record. Cards of partners stay unchecked. Every
// verification gets it (verifyText): the portal, POST /api/v1/verify,
// attaching and the learner's path.
func (s *Server) localCardStatus(ctx context.Context, r *verifier.Result) {
	if !r.Valid || r.Kind != "card" || r.Issuer == nil || r.CredentialID == "" || s.Credentials == nil {
		return
	}
	rec, err := s.Credentials.FindCredential(ctx, r.CredentialID)
	if err != nil || s.DID(rec.Structure) != r.Issuer.ID {
		return
	}
	now := s.now()
	r.StatusCheckedAt = &now
	switch rec.Status() {
	case schema.StatusRevoked:
		r.Status = verifier.StatusRevoked
		r.Valid, r.Reason = false, verifier.ReasonRevoked
		r.Message, r.MessageFR = verifier.ReasonText(verifier.ReasonRevoked)
	case schema.StatusSuspended:
		r.Status = verifier.StatusSuspended
		r.Valid, r.Reason = false, verifier.ReasonSuspended
		r.Message, r.MessageFR = verifier.ReasonText(verifier.ReasonSuspended)
	default:
		r.Status = verifier.StatusActive
	}
}

// verdict turns a result into what the page says, in the page's language.
func (s *Server) verdict(p *page, r *verifier.Result) *verdictView {
	l := p.Lang
	v := &verdictView{R: r, Class: "bad"}
	reasonText := func() string {
		if l == "fr" {
			return r.MessageFR
		}
		return r.Message
	}
	switch r.Reason {
	case "":
		v.Class, v.Title = "ok", tr(l, "vp_valid")
		v.Explain = tr(l, "vp_valid_explain")
		if r.Kind == "card" {
			v.Explain = tr(l, "vp_valid_card")
		}
	case verifier.ReasonRevoked:
		v.Title, v.Explain = tr(l, "vp_revoked"), reasonText()
	case verifier.ReasonSuspended:
		v.Class, v.Title, v.Explain = "warn", tr(l, "vp_suspended"), reasonText()
	case verifier.ReasonExpired:
		v.Class, v.Title, v.Explain = "warn", tr(l, "vp_expired"), reasonText()
	case verifier.ReasonNotYetValid:
		v.Class, v.Title, v.Explain = "warn", tr(l, "vp_not_yet_valid"), tr(l, "vp_not_yet_explain")
	case verifier.ReasonUnknownIssuer:
		v.Title, v.Explain = tr(l, "vp_unknown_issuer"), reasonText()
		if r.SignatureVerified {
			v.Explain = tr(l, "vp_sig_ok_untrusted")
		}
	case verifier.ReasonBadSignature, verifier.ReasonClaimsMismatch, verifier.ReasonUnknownKey, verifier.ReasonBadHeader, verifier.ReasonUnsupportedAlg:
		v.Title, v.Explain = tr(l, "vp_forged"), reasonText()
	case verifier.ReasonMalformed, verifier.ReasonTooLarge, verifier.ReasonUnsupported, verifier.ReasonUnsigned, verifier.ReasonInvalidCredential:
		v.Class, v.Title, v.Explain = "warn", tr(l, "vp_unreadable"), reasonText()
	case verifier.ReasonNotFound:
		v.Class, v.Title, v.Explain = "warn", tr(l, "vp_unknown_code"), tr(l, "vp_unknown_code_explain")
	default:
		v.Title, v.Explain = tr(l, "vp_not_valid"), reasonText()
	}

	// The facts of the credential are shown only when the signature holds
	// with a trusted issuer's key and the claims check out: valid, or not
	// valid for its status or dates only.
	trusted := r.Issuer != nil && r.Issuer.Trusted
	switch r.Reason {
	case "", verifier.ReasonRevoked, verifier.ReasonSuspended, verifier.ReasonExpired, verifier.ReasonNotYetValid:
		v.Facts = trusted && r.Learner != ""
	}
	if r.Issuer != nil && r.Issuer.ID != "" {
		v.IssuerID, v.Domain = r.Issuer.ID, didWebHost(r.Issuer.ID)
		switch {
		case trusted && v.Facts:
			v.IssuerState, v.IssuerName = "trusted", r.Issuer.Name
			v.Partner = !s.isHere(r.Issuer.ID)
		case r.Reason == verifier.ReasonUnknownIssuer && r.SignatureVerified:
			// The name comes from the issuer's own DID document: said
			// as such, the domain being what identifies it.
			v.IssuerState, v.DeclaredName = "untrusted", r.Issuer.Name
		case r.Reason == verifier.ReasonUnknownIssuer:
			v.IssuerState = "untrusted"
		default:
			v.IssuerState = "claimed"
		}
	}
	if v.Facts {
		v.Status, v.StatusWarn = statusLine(l, r)
		v.Levels = s.levelRows(l, r)
	}
	return v
}

// levelRows gives the levels of a result with their titles and, where the
// framework groups its levels (DigComp: "Intermédiaire"), the group.
func (s *Server) levelRows(l string, r *verifier.Result) []levelRow {
	var fw *schema.Framework
	if s.Frameworks != nil {
		fw, _ = s.Frameworks.Get(r.Framework)
	}
	rows := make([]levelRow, 0, len(r.Levels))
	for _, li := range r.Levels {
		row := levelRow{Code: li.Competency, Title: li.Title.In(l), Level: li.LevelTitle.In(l)}
		if row.Level == "" {
			row.Level = li.Level
		}
		row.Label = row.Level
		if fw != nil {
			if lv, _, err := fw.Level(li.Level); err == nil {
				if g := fw.LevelGroup(lv.Group); g != nil {
					row.Group = g.Title.In(l)
				}
				row.Label = fw.LevelLabel(li.Level, l).Full
			}
			if comp, _, err := fw.Competency(li.Competency); err == nil {
				row.Plain = comp.Plain(li.Level, l)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// statusLine says how fresh the revocation status of a result is: the
// verifier's own words for a status it could not check or an older copy
// of the issuer's list.
func statusLine(l string, r *verifier.Result) (string, bool) {
	switch {
	case r.Status == verifier.StatusUnchecked || (r.StatusStale && r.StatusMessage != ""):
		if l == "fr" {
			return r.StatusMessageFR, true
		}
		return r.StatusMessage, true
	case r.Status != "":
		return tr(l, "vp_status_now"), false
	case r.Kind == "card":
		return tr(l, "vp_status_card"), true
	}
	return tr(l, "vp_status_none"), false
}
