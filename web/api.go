package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carnet/app"
	"carnet/issuer"
	"carnet/places"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// requireToken lets through API requests with a valid bearer token.
func (s *Server) requireToken(c *gin.Context) {
	if c.GetHeader("Authorization") == "" {
		s.renderError(c, schema.Errorf(schema.EUNAUTHORIZED, "this API needs an \"Authorization: Bearer carnet_…\" header",
			"cette API demande un en-tête « Authorization: Bearer carnet_… »"))
		return
	}
	a, err := s.identify(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Set("actor", a)
}

func actorOf(c *gin.Context) *app.Actor {
	a, _ := c.Get("actor")
	return a.(*app.Actor)
}

// readJSON reads a request body that must be one JSON object: valid UTF-8
// (encoding/json would turn invalid bytes into U+FFFD, storing what nobody
// typed), without a key repeated in an object at any depth (encoding/json
// keeps the last one, so two readers of one body could disagree), nested at
// most schema.MaxJSONDepth levels. A body over its limit is an EINVALID
// error that also wraps the *http.MaxBytesError.
func readJSON(c *gin.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, fmt.Errorf("%w (%w)", schema.Errorf(schema.EINVALID, "the body is too large (%d bytes at most)",
			"le corps est trop grand (%d octets au plus)", tooBig.Limit), tooBig)
	} else if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "the body could not be read", "le corps n'a pas pu être lu")
	}
	switch err := schema.CheckJSON(b); {
	case err == nil:
		return b, nil
	case errors.Is(err, schema.ErrJSONInvalidUTF8):
		return nil, schema.Errorf(schema.EINVALID, "the body is not valid UTF-8 text", "le corps n'est pas un texte UTF-8 valide")
	case errors.Is(err, schema.ErrJSONDuplicateKey):
		return nil, schema.Errorf(schema.EINVALID, "the body repeats a key in one JSON object (keys that differ only in case count as one)",
			"le corps répète une clé dans un même objet JSON (des clés qui ne diffèrent que par la casse comptent pour une)")
	case errors.Is(err, schema.ErrJSONTooDeep):
		return nil, schema.Errorf(schema.EINVALID, "the body is nested more than %d levels deep", "le corps est imbriqué sur plus de %d niveaux", schema.MaxJSONDepth)
	case errors.Is(err, schema.ErrJSONNotObject) || len(bytes.TrimSpace(b)) == 0:
		return nil, schema.Errorf(schema.EINVALID, "the body must be a JSON object", "le corps doit être un objet JSON")
	}
	// Not valid JSON: the decoder says where.
	dec := json.NewDecoder(bytes.NewReader(b))
	var v any
	msg := "trailing data after the JSON object"
	if err := dec.Decode(&v); err != nil {
		msg = err.Error()
	}
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return nil, schema.Errorf(schema.EINVALID, "invalid JSON body: %s", "corps JSON invalide : %s", msg)
}

// bindJSON decodes a JSON object body strictly: what readJSON refuses,
// unknown fields and trailing data are refused with a message naming the
// problem.
func bindJSON(c *gin.Context, v any) error {
	b, err := readJSON(c)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := err.Error()
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return schema.Errorf(schema.EINVALID, "invalid JSON body: %s", "corps JSON invalide : %s", msg)
	}
	return nil
}

// Wire shapes of the API.

type learnerJSON struct {
	ID        string     `json:"id"`
	SubjectID string     `json:"subject_id"`
	Structure string     `json:"structure"`
	Name      string     `json:"name"`
	Contact   string     `json:"contact"`
	Notes     string     `json:"notes"`
	ConsentAt *time.Time `json:"consent_at"`
	CreatedAt time.Time  `json:"created_at"`
	Erased    bool       `json:"erased"`
	ErasedAt  *time.Time `json:"erased_at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toLearnerJSON(l *schema.Learner) learnerJSON {
	return learnerJSON{ID: l.ID, SubjectID: l.SubjectID(), Structure: l.Structure, Name: l.Name, Contact: l.Contact,
		Notes: l.Notes, ConsentAt: timePtr(l.ConsentAt), CreatedAt: l.CreatedAt, Erased: l.Erased(), ErasedAt: timePtr(l.ErasedAt)}
}

type credentialJSON struct {
	ID            string            `json:"id"`
	Structure     string            `json:"structure"`
	Issuer        string            `json:"issuer"`
	LearnerID     string            `json:"learner_id,omitempty"`
	SubjectID     string            `json:"subject_id"`
	LearnerName   string            `json:"learner_name"`
	Framework     string            `json:"framework"`
	Levels        map[string]string `json:"levels"`
	IssuedAt      time.Time         `json:"issued_at"`
	ValidUntil    *time.Time        `json:"valid_until"`
	Status        string            `json:"status"`
	RevokedAt     *time.Time        `json:"revoked_at,omitempty"`
	RevokeReason  string            `json:"revoke_reason,omitempty"`
	SuspendedAt   *time.Time        `json:"suspended_at,omitempty"`
	SuspendReason string            `json:"suspend_reason,omitempty"`
	Erased        bool              `json:"erased,omitempty"`
	ShortCode     string            `json:"short_code"`
	JWT           string            `json:"jwt,omitempty"`
	QRText        string            `json:"qr_text,omitempty"`
	CardToken     string            `json:"card_token,omitempty"` // the card token as signed (the QR holds it packed)
	CardURL       string            `json:"card_url,omitempty"`   // the PDF card, with the API token
	CardPage      string            `json:"card_page,omitempty"`  // the same, for a signed-in browser
	URL           string            `json:"url"`
	StatusList    string            `json:"status_list"`
}

func (s *Server) toCredentialJSON(r *schema.CredentialRecord) credentialJSON {
	levels := map[string]string{}
	for _, l := range r.Results {
		levels[l.Competency] = l.Level
	}
	base := strings.TrimRight(s.BaseURL, "/")
	uuid := strings.TrimPrefix(r.ID, "urn:uuid:")
	out := credentialJSON{
		ID: r.ID, Structure: r.Structure, Issuer: s.DID(r.Structure), LearnerID: r.LearnerID, SubjectID: r.SubjectID,
		LearnerName: r.LearnerName, Framework: r.Framework, Levels: levels, IssuedAt: r.IssuedAt, ValidUntil: timePtr(r.ValidUntil),
		Status: r.Status(), RevokedAt: timePtr(r.RevokedAt), RevokeReason: r.RevokeReason, SuspendedAt: timePtr(r.SuspendedAt),
		SuspendReason: r.SuspendReason, Erased: !r.ErasedAt.IsZero(), ShortCode: r.ShortCode, JWT: r.JWT,
		URL:        base + "/credentials/" + uuid,
		StatusList: issuer.StatusListURL(s.BaseURL, r.Structure, r.StatusList),
	}
	if r.CardToken != "" {
		out.QRText = issuer.QRText(s.BaseURL, r.CardToken)
		out.CardToken = r.CardToken
	}
	if r.CardToken != "" && r.Status() == schema.StatusActive { // revoked or suspended: not printed (printable)
		out.CardURL = base + "/api/v1/credentials/" + uuid + "/card.pdf"
		out.CardPage = base + "/credentials/" + uuid + "/card.pdf"
	}
	return out
}

type structureJSON struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	URL      string `json:"url"`
	Email    string `json:"email"`
	ImageURL string `json:"image_url"`
	Address  string `json:"address"`
	CardLang string `json:"card_lang"`
	DID      string `json:"did"`
	Role     string `json:"role,omitempty"`
}

// cardLangOf is a structure's card language as the API shows it.
func cardLangOf(st *schema.Structure) string {
	if st.CardLang == "" {
		return "fr"
	}
	return st.CardLang
}

func (s *Server) toStructureJSON(st *schema.Structure, a *app.Actor) structureJSON {
	return structureJSON{Slug: st.Slug, Name: st.Name, URL: st.URL, Email: st.Email, ImageURL: st.ImageURL, Address: st.Address, CardLang: cardLangOf(st),
		DID: s.DID(st.Slug), Role: string(a.User.RoleIn(st.ID))}
}

func listLimit(c *gin.Context) int {
	n, _ := strconv.Atoi(c.Query("limit"))
	if n <= 0 || n > 1000 {
		return 100
	}
	return n
}

func (s *Server) apiMe(c *gin.Context) {
	a := actorOf(c)
	type membership struct {
		Structure string `json:"structure"`
		Name      string `json:"name"`
		Role      string `json:"role"`
	}
	ms := []membership{}
	for _, m := range a.User.Memberships {
		ms = append(ms, membership{m.Structure, m.StructureName, string(m.Role)})
	}
	c.JSON(http.StatusOK, gin.H{"id": a.User.ID, "email": a.User.Email, "name": a.User.Name,
		"network_admin": a.User.NetworkAdmin, "memberships": ms})
}

func (s *Server) apiFrameworks(c *gin.Context) {
	out := []gin.H{}
	for _, id := range s.Frameworks.IDs() {
		fw, _ := s.Frameworks.Get(id)
		out = append(out, gin.H{"id": fw.ID, "title": fw.Title, "version": fw.Version})
	}
	c.JSON(http.StatusOK, gin.H{"frameworks": out})
}

func (s *Server) apiFramework(c *gin.Context) {
	fw, err := s.Frameworks.Get(c.Param("id"))
	if err != nil {
		if schema.ErrorCode(err) == schema.EINVALID { // unknown id: the resource is not there
			err = &schema.Error{Code: schema.ENOTFOUND, Message: schema.ErrorMessage(err), MessageFR: schema.ErrorMessageFR(err)}
		}
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, fw)
}

func (s *Server) apiStructures(c *gin.Context) {
	a := actorOf(c)
	list, err := s.VisibleStructures(c.Request.Context(), a)
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := []structureJSON{}
	for _, st := range list {
		out = append(out, s.toStructureJSON(st, a))
	}
	c.JSON(http.StatusOK, gin.H{"structures": out})
}

func (s *Server) apiStructureCreate(c *gin.Context) {
	var in app.StructureInput
	if err := bindJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	st, err := s.CreateStructure(c.Request.Context(), actorOf(c), in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.toStructureJSON(st, actorOf(c)))
}

func (s *Server) apiStructure(c *gin.Context) {
	st, err := s.StructureFor(c.Request.Context(), actorOf(c), c.Param("slug"), schema.RoleMediator)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toStructureJSON(st, actorOf(c)))
}

// structurePatch is a partial update of an issuer profile.
type structurePatch struct {
	Name     *string `json:"name"`
	URL      *string `json:"url"`
	Email    *string `json:"email"`
	ImageURL *string `json:"image_url"`
	Address  *string `json:"address"`
	CardLang *string `json:"card_lang"` // card.LangOptions: "fr", "fr+en"
	// The standard's fields of the structure's place (web/places.go).
	places.Patch
}

func (s *Server) apiStructureUpdate(c *gin.Context) {
	var patch structurePatch
	if err := bindJSON(c, &patch); err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	st, err := s.StructureFor(ctx, actorOf(c), c.Param("slug"), schema.RoleAdmin)
	if err != nil {
		s.renderError(c, err)
		return
	}
	in := app.StructureInput{Name: st.Name, URL: st.URL, Email: st.Email, ImageURL: st.ImageURL, Address: st.Address}
	for _, f := range []struct {
		from *string
		to   *string
	}{{patch.Name, &in.Name}, {patch.URL, &in.URL}, {patch.Email, &in.Email}, {patch.ImageURL, &in.ImageURL}, {patch.Address, &in.Address}, {patch.CardLang, &in.CardLang}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	st, err = s.UpdateStructureAndPlace(ctx, actorOf(c), st.Slug, in, &patch.Patch)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toStructureJSON(st, actorOf(c)))
}

func (s *Server) apiInvite(c *gin.Context) {
	var in struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	if err := bindJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	link, err := s.Invite(c.Request.Context(), actorOf(c), c.Param("slug"), in.Email, schema.Role(in.Role))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"invite_url": link, "expires_at": s.now().Add(InviteLifetime).UTC().Truncate(time.Second)})
}

func (s *Server) apiLearners(c *gin.Context) {
	list, err := s.SearchLearners(c.Request.Context(), actorOf(c), c.Query("q"), listLimit(c))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := []learnerJSON{}
	for _, l := range list {
		out = append(out, toLearnerJSON(l))
	}
	c.JSON(http.StatusOK, gin.H{"learners": out})
}

func (s *Server) apiLearnerCreate(c *gin.Context) {
	var in app.LearnerInput
	if err := bindJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	l, err := s.CreateLearner(c.Request.Context(), actorOf(c), in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toLearnerJSON(l))
}

func (s *Server) apiLearner(c *gin.Context) {
	l, err := s.Learner(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toLearnerJSON(l))
}

// learnerPatch is a partial update: members left out keep their value.
type learnerPatch struct {
	Name    *string `json:"name"`
	Contact *string `json:"contact"`
	Notes   *string `json:"notes"`
	Consent *bool   `json:"consent"`
}

func (s *Server) apiLearnerUpdate(c *gin.Context) {
	var patch learnerPatch
	if err := bindJSON(c, &patch); err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	l, err := s.Learner(ctx, actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	in := app.LearnerInput{Name: l.Name, Contact: l.Contact, Notes: l.Notes, Consent: !l.ConsentAt.IsZero()}
	if patch.Name != nil {
		in.Name = *patch.Name
	}
	if patch.Contact != nil {
		in.Contact = *patch.Contact
	}
	if patch.Notes != nil {
		in.Notes = *patch.Notes
	}
	if patch.Consent != nil {
		in.Consent = *patch.Consent
	}
	l, err = s.UpdateLearner(ctx, actorOf(c), l.ID, in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toLearnerJSON(l))
}

func (s *Server) apiLearnerErase(c *gin.Context) {
	l, err := s.EraseLearner(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toLearnerJSON(l))
}

func (s *Server) apiCredentials(c *gin.Context) {
	list, err := s.ListCredentials(c.Request.Context(), actorOf(c), c.Query("learner_id"), listLimit(c))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := []credentialJSON{}
	for _, r := range list {
		j := s.toCredentialJSON(r)
		j.JWT = "" // lists stay light; GET /credentials/{id} has it
		out = append(out, j)
	}
	c.JSON(http.StatusOK, gin.H{"credentials": out})
}

func (s *Server) apiCredentialCreate(c *gin.Context) {
	var in app.AssessmentInput
	if err := bindJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	out, err := s.IssueCredential(c.Request.Context(), actorOf(c), in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.toCredentialJSON(out.Record))
}

func (s *Server) apiCredential(c *gin.Context) {
	r, err := s.Credential(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toCredentialJSON(r))
}

func (s *Server) apiCredentialJWT(c *gin.Context) {
	r, err := s.Credential(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	if r.JWT == "" {
		s.renderError(c, errErased)
		return
	}
	c.Data(http.StatusOK, "application/vc+jwt", []byte(r.JWT))
}

// apiCredentialDataIntegrity answers GET /api/v1/credentials/{id}/vc.json:
// the Data Integrity form of the credential (DataIntegrityProof,
// eddsa-rdfc-2022), same content as its JWS.
func (s *Server) apiCredentialDataIntegrity(c *gin.Context) {
	r, err := s.Credential(c.Request.Context(), actorOf(c), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	b, err := s.DataIntegrity(r)
	if err != nil {
		s.renderError(c, err)
		return
	}
	writeDataIntegrity(c, r, b)
}

var errErased = schema.Errorf(schema.ENOTFOUND, "the learner's data was erased: the signed credential is no longer kept",
	"les données de la personne ont été effacées : l'attestation signée n'est plus conservée")

func (s *Server) apiCredentialStatus(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in struct {
			Reason string `json:"reason"`
		}
		if c.Request.ContentLength != 0 {
			if err := bindJSON(c, &in); err != nil {
				s.renderError(c, err)
				return
			}
		}
		r, err := s.ChangeStatus(c.Request.Context(), actorOf(c), c.Param("id"), action, in.Reason)
		if err != nil {
			s.renderError(c, err)
			return
		}
		j := s.toCredentialJSON(r)
		j.JWT = ""
		c.JSON(http.StatusOK, j)
	}
}

type tokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Token      string     `json:"token,omitempty"`
}

func (s *Server) apiTokens(c *gin.Context) {
	list, err := s.Users.ListAPITokens(c.Request.Context(), actorOf(c).User.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := []tokenJSON{}
	for _, t := range list {
		out = append(out, tokenJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: timePtr(t.LastUsedAt)})
	}
	c.JSON(http.StatusOK, gin.H{"tokens": out})
}

func (s *Server) apiTokenCreate(c *gin.Context) {
	var in struct {
		Name string `json:"name"`
	}
	if err := bindJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	secret, t, err := s.CreateToken(c.Request.Context(), actorOf(c), in.Name)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, tokenJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, Token: secret})
}

func (s *Server) apiTokenDelete(c *gin.Context) {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	a := actorOf(c)
	if err := s.DeleteToken(c.Request.Context(), a, id); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type auditJSON struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Structure string    `json:"structure"`
	Action    string    `json:"action"`
	Object    string    `json:"object"`
	Detail    string    `json:"detail"`
	IP        string    `json:"ip"`
}

func (s *Server) apiAudit(c *gin.Context) {
	list, err := s.AuditLog(c.Request.Context(), actorOf(c), listLimit(c))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := []auditJSON{}
	for _, e := range list {
		out = append(out, auditJSON{e.ID, e.At, e.Actor, e.Structure, e.Action, e.Object, e.Detail, e.IP})
	}
	c.JSON(http.StatusOK, gin.H{"events": out})
}
