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

// verifyMessages are the texts of the portal, merged into messages.
var verifyMessages = map[string][2]string{
	"vp_intro":                {"Collez une attestation signée (.jwt ou JSON), le texte d'un QR code ou un code court (ex. K7QM-4XPA-9D), choisissez un fichier, ou scannez une carte.", "Paste a signed credential (.jwt or JSON), the text of a QR code or a short code (e.g. K7QM-4XPA-9D), choose a file, or scan a card."},
	"vp_input_hint":           {"Le texte est vérifié ici, avec les émetteurs reconnus par ce site, jamais avec des clés désignées par l'attestation.", "The text is checked here, against the issuers this site trusts, never against keys the credential names."},
	"vp_file":                 {"Ou un fichier", "Or a file"},
	"vp_file_hint":            {"Fichier .jwt, .json ou .txt, 1 Mo au plus.", "A .jwt, .json or .txt file, 1 MB at most."},
	"vp_empty":                {"Rien à vérifier : collez un texte, choisissez un fichier ou scannez un QR code.", "Nothing to verify: paste some text, choose a file or scan a QR code."},
	"vp_too_large":            {"Fichier trop volumineux : une attestation tient en 1 Mo au plus. Rien n'a été vérifié.", "File too large: a credential takes 1 MB at most. Nothing was verified."},
	"vp_bad_form":             {"Le formulaire envoyé est illisible. Rechargez la page et réessayez.", "The form sent could not be read. Reload the page and try again."},
	"vp_another":              {"Vérifier une autre attestation", "Verify another credential"},
	"vp_from_file":            {"Fichier vérifié : %s", "File verified: %s"},
	"vp_scan":                 {"Scanner avec la caméra", "Scan with the camera"},
	"vp_scan_stop":            {"Arrêter la caméra", "Stop the camera"},
	"vp_scan_video":           {"Image de la caméra : présentez le QR code de la carte", "Camera view: hold the card's QR code in front of it"},
	"vp_scan_fallback":        {"Pour une carte, l'appareil photo du téléphone ouvre directement son QR code ; vous pouvez aussi saisir le code court imprimé sous le QR code.", "For a card, the phone's own camera app opens its QR code directly; you can also type the short code printed under the QR code."},
	"vp_scan_starting":        {"Ouverture de la caméra…", "Opening the camera…"},
	"vp_scan_scanning":        {"Caméra ouverte : présentez le QR code de la carte.", "Camera open: hold the card's QR code in front of it."},
	"vp_scan_found":           {"QR code lu, vérification…", "QR code read, verifying…"},
	"vp_scan_stopped":         {"Caméra arrêtée.", "Camera stopped."},
	"vp_scan_denied":          {"L'accès à la caméra a été refusé. Autorisez-le dans les réglages du navigateur, ou saisissez le code court imprimé sous le QR code.", "Access to the camera was refused. Allow it in the browser's settings, or type the short code printed under the QR code."},
	"vp_scan_no_camera":       {"Aucune caméra disponible sur cet appareil. Saisissez le code court imprimé sous le QR code.", "No camera is available on this device. Type the short code printed under the QR code."},
	"vp_scan_error":           {"La caméra n'a pas pu démarrer. Saisissez le code court imprimé sous le QR code.", "The camera could not start. Type the short code printed under the QR code."},
	"vp_file_too_large":       {"Ce fichier dépasse 1 Mo : ce n'est pas une attestation Carnet.", "This file is over 1 MB: it is not a Carnet credential."},
	"vp_valid":                {"Valide", "Valid"},
	"vp_valid_explain":        {"Attestation authentique : la signature est correcte et l'émetteur est reconnu ici.", "Genuine credential: the signature is correct and the issuer is trusted here."},
	"vp_valid_card":           {"Carte authentique : la signature est correcte et l'émetteur est reconnu ici.", "Genuine card: the signature is correct and the issuer is trusted here."},
	"vp_revoked":              {"Révoquée", "Revoked"},
	"vp_suspended":            {"Suspendue", "Suspended"},
	"vp_expired":              {"Expirée", "Expired"},
	"vp_not_yet_valid":        {"Pas encore valable", "Not valid yet"},
	"vp_not_yet_explain":      {"La date d'émission est à venir : vérifiez la date et l'heure de cet appareil, ou attendez cette date.", "The issue date is still to come: check this device's date and time, or wait for that date."},
	"vp_unknown_issuer":       {"Émetteur non reconnu ici", "Issuer not trusted here"},
	"vp_sig_ok_untrusted":     {"Signature correcte, mais l'émetteur n'est pas reconnu ici.", "The signature is correct, but the issuer is not trusted here."},
	"vp_forged":               {"Falsifiée", "Forged"},
	"vp_unreadable":           {"Illisible", "Unreadable"},
	"vp_unknown_code":         {"Code inconnu", "Unknown code"},
	"vp_unknown_code_explain": {"Aucune attestation de ce site ne porte ce code. Vérifiez la saisie ; le code court ne se vérifie que sur le site de la structure qui a délivré la carte.", "No credential of this site has this code. Check what you typed; a short code can only be checked on the site of the structure that issued the card."},
	"vp_not_valid":            {"Non valable", "Not valid"},
	"vp_issuer":               {"Émetteur", "Issuer"},
	"vp_issuer_claimed":       {"Émetteur annoncé (non vérifié)", "Claimed issuer (not verified)"},
	"vp_domain":               {"domaine", "domain"},
	"vp_declared_name":        {"nom déclaré par l'émetteur", "name given by the issuer"},
	"vp_trust":                {"Confiance", "Trust"},
	"vp_trusted":              {"Émetteur de confiance ici", "Trusted issuer here"},
	"vp_trusted_partner":      {"Émetteur de confiance ici (partenaire)", "Trusted issuer here (partner)"},
	"vp_untrusted":            {"Cet émetteur n'est pas un émetteur de confiance ici.", "This issuer is not a trusted issuer here."},
	"vp_untrusted_hint":       {"Administrateurs du réseau : si c'est un partenaire, ajoutez-le aux partenaires de confiance.", "Network administrators: if this is a partner, add it to the trusted partners."},
	"vp_trust_link":           {"Ajouter ce partenaire", "Add this partner"},
	"vp_unverified":           {"Rien de ce que dit ce document n'a pu être vérifié : ni la personne ni les niveaux ne sont affichés.", "Nothing this document says could be verified: neither the learner nor the levels are shown."},
	"vp_valid_until":          {"Valable jusqu'au", "Valid until"},
	"vp_no_expiry":            {"sans date de fin", "no end date"},
	"vp_status":               {"Statut", "Status"},
	"vp_status_now":           {"Statut vérifié à l'instant auprès de l'émetteur.", "Status checked with the issuer just now."},
	"vp_status_none":          {"Cette attestation ne prévoit pas de révocation.", "This credential carries no revocation status."},
	"vp_status_card":          {"Statut de révocation non vérifié pour cette carte : demandez l'attestation complète (fichier .jwt) ou vérifiez-la sur le site de l'émetteur.", "Revocation status not checked for this card: ask for the full credential (.jwt file) or check it on the issuer's site."},
	"vp_levels":               {"Niveaux attestés", "Levels attested"},
	"vp_attach":               {"Rattacher au parcours d'une personne", "Attach to a learner's path"},
	"vp_attach_hint":          {"Reprend cette attestation vérifiée dans le parcours d'une personne que vous accompagnez.", "Takes this verified credential into the path of a learner you support."},
}

func init() {
	for k, v := range verifyMessages {
		if _, dup := messages[k]; dup {
			panic("web: duplicate message key " + k)
		}
		messages[k] = v
	}
}

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
	p.D["MaxFile"] = maxVerifyFile
	p.D["MaxFill"] = maxVerifyFill
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
		p.D["FileName"] = fileName
	}
	input = strings.TrimSpace(input)
	if len(text) <= maxVerifyFill {
		p.D["Input"] = text
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
	v := s.verdict(p, res)
	p.D["V"] = v
	if res.Valid && p.User != nil {
		p.D["Verified"] = input // for the attach form
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
