package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"carnet/app"
	"carnet/schema"
	"carnet/verifier"

	"github.com/gin-gonic/gin"
)

// The learner's path: credentials issued here and credentials from other
// structures (of this instance or a partner's) that a mediator verified and
// attached, each verified again when the path is shown; the current level
// per competency (the highest still verified), what to work on next and
// self-training resources for it.

// importRequest is the body of POST /api/v1/learners/{id}/imports.
type importRequest struct {
	Input string `json:"input"`
}

// importJSON is an attached credential on the wire.
type importJSON struct {
	ID              int64             `json:"id"`
	LearnerID       string            `json:"learner_id"`
	Kind            string            `json:"kind"`
	CredentialID    string            `json:"credential_id"`
	Issuer          string            `json:"issuer"`
	IssuerName      string            `json:"issuer_name"`
	LearnerName     string            `json:"learner_name"`
	Framework       string            `json:"framework"`
	Levels          map[string]string `json:"levels"`
	ValidFrom       *time.Time        `json:"valid_from"`
	ValidUntil      *time.Time        `json:"valid_until"`
	AttachedAt      time.Time         `json:"attached_at"`
	Status          string            `json:"status"`
	StatusCheckedAt *time.Time        `json:"status_checked_at"`
}

func levelMap(levels []schema.LevelResult) map[string]string {
	m := make(map[string]string, len(levels))
	for _, l := range levels {
		m[l.Competency] = l.Level
	}
	return m
}

func toImportJSON(imp *schema.ImportedCredential) importJSON {
	return importJSON{ID: imp.ID, LearnerID: imp.LearnerID, Kind: imp.Kind, CredentialID: imp.CredentialID, Issuer: imp.IssuerID,
		IssuerName: imp.IssuerName, LearnerName: imp.LearnerName, Framework: imp.Framework, Levels: levelMap(imp.Levels),
		ValidFrom: timePtr(imp.ValidFrom), ValidUntil: timePtr(imp.ValidUntil), AttachedAt: imp.AttachedAt,
		Status: imp.LastStatus, StatusCheckedAt: timePtr(imp.LastCheckedAt)}
}

// verifyForImport verifies what a mediator wants to attach: it must verify
// here (signature, trusted issuer, dates, status) and name a credential.
// Typed short codes count against the same limit as on /verify.
func (s *Server) verifyForImport(c *gin.Context, input string) (*verifier.Result, error) {
	input = strings.TrimSpace(input)
	if input == "" {
		return nil, schema.Errorf(schema.EINVALID, "paste the credential, the card's QR text or its short code",
			"collez l'attestation, le texte du QR code de la carte ou son code court")
	}
	if len(input) > verifier.MaxInput {
		en, fr := verifier.ReasonText(verifier.ReasonTooLarge)
		return nil, &schema.Error{Code: schema.EINVALID, Message: en, MessageFR: fr}
	}
	res, err := s.verifyInput(c, input)
	if err != nil {
		return nil, err
	}
	if !res.Valid {
		en, fr := verifier.ReasonText(res.Reason)
		return res, &schema.Error{Code: schema.EINVALID,
			Message:   "This credential cannot be attached: " + en,
			MessageFR: "Cette attestation ne peut pas être rattachée : " + fr}
	}
	if res.CredentialID == "" || res.Issuer == nil {
		return res, schema.Errorf(schema.EINVALID, "this credential names no credential id", "cette attestation ne porte pas d'identifiant")
	}
	return res, nil
}

// pathItem is one credential of a learner's path, as shown.
type pathItem struct {
	schema.PathEntry
	Here      bool   // issued by a structure of this instance
	Attached  bool   // attached from another structure (else issued to this learner here)
	ImportID  int64  // Attached: the attachment
	Kind      string // "credential" or "card"
	Link      string // issued here: the credential's page
	Reason    string // the verifier's reason when it no longer verifies
	Checkable bool   // revocation can be checked (false for a card)
	Stale     bool   // the status is older information: the issuer could not be reached
	// StatusAt is how recent the status information is; StatusAge says it
	// in words in the page's language.
	StatusAt  time.Time
	StatusAge string
}

// pathStep is what to work on next in one competency, with where the
// current level comes from and resources for the next one.
type pathStep struct {
	schema.NextStep
	From      *pathItem
	Resources []schema.Resource
}

// pathFramework is the current levels and next steps in one framework.
type pathFramework struct {
	F     *schema.Framework
	Steps []pathStep
}

// learnerPath is a learner's whole path.
type learnerPath struct {
	Items      []*pathItem // newest first
	Frameworks []*pathFramework
	entries    []schema.PathEntry
}

// maxSuggestions is how many resources the path suggests per competency.
const maxSuggestions = 2

// isHere reports whether an issuer id is a structure of this instance.
func (s *Server) isHere(issuerID string) bool {
	prefix := strings.TrimSuffix(s.DID("x"), "x")
	return prefix != "" && strings.HasPrefix(issuerID, prefix)
}

// importStatus maps a verification result to the status of a path entry.
func importStatus(res *verifier.Result) string {
	switch {
	case res.Valid:
		return schema.StatusActive
	case res.Reason == verifier.ReasonRevoked:
		return schema.StatusRevoked
	case res.Reason == verifier.ReasonSuspended:
		return schema.StatusSuspended
	case res.Reason == verifier.ReasonUnknownKey:
		return verifier.ReasonUnknownIssuer
	}
	return res.Reason
}

// pathItems lists a learner's credentials: issued here, and attached,
// verified again with what that said recorded. A revocation once seen
// holds (schema.ImportedCredential.RevokedAt).
func (s *Server) pathItems(ctx context.Context, a *app.Actor, l *schema.Learner, now time.Time) ([]*pathItem, error) {
	creds, err := s.Credentials.ListCredentials(ctx, schema.CredentialFilter{StructureIDs: a.StructureIDs(), LearnerID: l.ID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	if sts, err := s.Structures.ListStructures(ctx); err == nil {
		for _, st := range sts {
			names[st.Slug] = st.Name
		}
	}
	var items []*pathItem
	for _, r := range creds {
		it := &pathItem{PathEntry: schema.PathEntry{CredentialID: r.ID, Issuer: s.DID(r.Structure), IssuerName: names[r.Structure],
			Framework: r.Framework, IssuedAt: r.IssuedAt, ValidUntil: r.ValidUntil, Levels: r.Results, Status: r.Status(), VerifiedAt: now},
			Here: true, Kind: "credential", Link: "/credentials/" + strings.TrimPrefix(r.ID, "urn:uuid:"), Checkable: true, StatusAt: now}
		if it.Status == schema.StatusActive && !r.ValidUntil.IsZero() && !now.Before(r.ValidUntil) {
			it.Status = verifier.ReasonExpired
		}
		if it.IssuerName == "" {
			it.IssuerName = r.Structure
		}
		items = append(items, it)
	}
	var imports []*schema.ImportedCredential
	if s.Imports != nil {
		if imports, err = s.Imports.ListImports(ctx, l.ID); err != nil {
			return nil, err
		}
	}
	for _, imp := range imports {
		res := s.verifyText(ctx, imp.Input)
		status := importStatus(res)
		checked := now
		stale := res.StatusStale
		if res.StatusCheckedAt != nil {
			checked = res.StatusCheckedAt.UTC()
		}
		if res.Status == verifier.StatusUnchecked {
			checked, stale = imp.LastCheckedAt, true
			// Nothing new from the issuer: a revocation (final) or a
			// suspension known before still holds.
			if res.Valid && (imp.LastStatus == schema.StatusRevoked || imp.LastStatus == schema.StatusSuspended) {
				status = imp.LastStatus
			}
		}
		// A revocation is final, whatever was said since: the issuer no
		// longer trusted, then trusted again with its list out of reach.
		if !imp.RevokedAt.IsZero() {
			status = schema.StatusRevoked
		}
		// Written when the verdict changes or the issuer's list was read
		// again; a credential or card without a list has nothing newer.
		if status != imp.LastStatus || (res.StatusCheckedAt != nil && !checked.Equal(imp.LastCheckedAt)) {
			if err := s.Imports.UpdateImportStatus(ctx, imp.ID, status, checked); err != nil {
				return nil, err
			}
		}
		it := &pathItem{PathEntry: schema.PathEntry{CredentialID: imp.CredentialID, Issuer: imp.IssuerID, IssuerName: imp.IssuerName,
			Framework: imp.Framework, IssuedAt: imp.ValidFrom, ValidUntil: imp.ValidUntil, Levels: imp.Levels, Status: status, VerifiedAt: now},
			Here: s.isHere(imp.IssuerID), Attached: true, ImportID: imp.ID, Kind: imp.Kind,
			// A card names no status list; this instance's own cards get
			// their credential's status (localCardStatus).
			Checkable: imp.Kind != "card" || res.Status != "",
			Stale:     stale && imp.Kind != "card", StatusAt: checked}
		if it.IssuedAt.IsZero() {
			it.IssuedAt = imp.AttachedAt
		}
		if !res.Valid {
			it.Reason = res.Reason
		}
		items = append(items, it)
	}
	return items, nil
}

// pathEntries returns the entries of items, newest first.
func pathEntries(items []*pathItem) []schema.PathEntry {
	entries := make([]schema.PathEntry, 0, len(items))
	for _, it := range items {
		entries = append(entries, it.PathEntry)
	}
	schema.SortPath(entries)
	return entries
}

// path assembles a learner's path, verifying the attached credentials again
// and recording what that said. lang words the ages of status information.
func (s *Server) path(ctx context.Context, a *app.Actor, l *schema.Learner, lang string) (*learnerPath, error) {
	now := s.now().UTC()
	items, err := s.pathItems(ctx, a, l, now)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if !it.StatusAt.IsZero() {
			en, fr := verifier.AgeText(now.Sub(it.StatusAt))
			it.StatusAge = fr
			if lang == "en" {
				it.StatusAge = en
			}
		}
	}

	p := &learnerPath{entries: pathEntries(items)}
	byID := map[string]*pathItem{}
	for _, it := range items {
		byID[it.CredentialID] = it
	}
	for _, e := range p.entries {
		p.Items = append(p.Items, byID[e.CredentialID])
	}
	cat, err := s.Catalogue(ctx)
	if err != nil && s.Log != nil {
		s.Log.Warn("resource catalogue", "err", err)
	}
	for _, id := range s.Frameworks.IDs() {
		fw, err := s.Frameworks.Get(id)
		if err != nil {
			continue
		}
		current := schema.CurrentLevels(fw, p.entries, now)
		if len(current) == 0 {
			continue
		}
		pf := &pathFramework{F: fw}
		from := map[string]*pathItem{}
		for _, cl := range current {
			from[cl.Competency] = byID[cl.From.CredentialID]
		}
		for _, step := range schema.NextSteps(fw, current, true) {
			ps := pathStep{NextStep: step, From: from[step.Competency.Code]}
			if step.Next != nil && cat != nil {
				ps.Resources = cat.Suggest(fw, step.Competency.Code, step.Next.ID)
				if len(ps.Resources) > maxSuggestions {
					ps.Resources = ps.Resources[:maxSuggestions]
				}
			}
			pf.Steps = append(pf.Steps, ps)
		}
		p.Frameworks = append(p.Frameworks, pf)
	}
	return p, nil
}

// startingLevels returns the levels a new assessment of fw starts from:
// the learner's current levels.
func (s *Server) startingLevels(ctx context.Context, a *app.Actor, l *schema.Learner, fw *schema.Framework) (map[string]string, error) {
	now := s.now().UTC()
	items, err := s.pathItems(ctx, a, l, now)
	if err != nil {
		return nil, err
	}
	return schema.StartingLevels(schema.CurrentLevels(fw, pathEntries(items), now)), nil
}

// The path on the wire.

type pathEntryJSON struct {
	CredentialID    string            `json:"credential_id"`
	Source          string            `json:"source"` // "issued" here to this learner, or "attached"
	ImportID        int64             `json:"import_id,omitempty"`
	Kind            string            `json:"kind"`
	Issuer          string            `json:"issuer"`
	IssuerName      string            `json:"issuer_name"`
	Here            bool              `json:"here"`
	Framework       string            `json:"framework"`
	Levels          map[string]string `json:"levels"`
	IssuedAt        time.Time         `json:"issued_at"`
	ValidUntil      *time.Time        `json:"valid_until"`
	Status          string            `json:"status"`
	Reason          string            `json:"reason,omitempty"`
	StatusCheckable bool              `json:"status_checkable"`
	StatusCheckedAt *time.Time        `json:"status_checked_at"`
	StatusStale     bool              `json:"status_stale"`
	Counts          bool              `json:"counts"`
}

type currentLevelJSON struct {
	Competency string `json:"competency"`
	Level      string `json:"level"`
	From       string `json:"from"` // credential id
}

type resourceJSON struct {
	ID        string      `json:"id"`
	Name      schema.Text `json:"name"`
	URL       string      `json:"url"`
	Provider  string      `json:"provider"`
	Free      bool        `json:"free"`
	Languages []string    `json:"languages"`
}

type nextStepJSON struct {
	Framework       string         `json:"framework"`
	Competency      string         `json:"competency"`
	Current         string         `json:"current"`
	Next            *string        `json:"next"`
	NextTitle       schema.Text    `json:"next_title,omitempty"`
	NextDescription string         `json:"next_description,omitempty"`
	Resources       []resourceJSON `json:"resources"`
}

type pathJSON struct {
	Entries   []pathEntryJSON               `json:"entries"`
	Current   map[string][]currentLevelJSON `json:"current"`
	NextSteps []nextStepJSON                `json:"next_steps"`
}

func (s *Server) toPathJSON(p *learnerPath, lang string) pathJSON {
	now := s.now()
	out := pathJSON{Entries: []pathEntryJSON{}, Current: map[string][]currentLevelJSON{}, NextSteps: []nextStepJSON{}}
	for _, it := range p.Items {
		e := pathEntryJSON{CredentialID: it.CredentialID, Source: "issued", ImportID: it.ImportID, Kind: it.Kind, Issuer: it.Issuer,
			IssuerName: it.IssuerName, Here: it.Here, Framework: it.Framework, Levels: levelMap(it.Levels), IssuedAt: it.IssuedAt,
			ValidUntil: timePtr(it.ValidUntil), Status: it.Status, Reason: it.Reason, StatusCheckable: it.Checkable,
			StatusCheckedAt: timePtr(it.StatusAt), StatusStale: it.Stale, Counts: it.Counts(now)}
		if it.Attached {
			e.Source = "attached"
		}
		out.Entries = append(out.Entries, e)
	}
	for _, pf := range p.Frameworks {
		list := []currentLevelJSON{}
		for _, st := range pf.Steps {
			from := ""
			if st.From != nil {
				from = st.From.CredentialID
			}
			list = append(list, currentLevelJSON{Competency: st.Competency.Code, Level: st.Current.ID, From: from})
			ns := nextStepJSON{Framework: pf.F.ID, Competency: st.Competency.Code, Current: st.Current.ID, Resources: []resourceJSON{}}
			if st.Next != nil {
				id := st.Next.ID
				ns.Next, ns.NextTitle, ns.NextDescription = &id, st.Next.Title, st.Next.Description(lang)
			}
			for _, r := range st.Resources {
				ns.Resources = append(ns.Resources, resourceJSON{ID: r.ID, Name: r.Name, URL: r.URL, Provider: r.Provider, Free: r.Free, Languages: r.Languages})
			}
			out.NextSteps = append(out.NextSteps, ns)
		}
		out.Current[pf.F.ID] = list
	}
	return out
}

// API handlers.

func (s *Server) apiImportCreate(c *gin.Context) {
	a := actorOf(c)
	l, err := s.Learner(c.Request.Context(), a, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	var req importRequest
	if err := bindJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	res, err := s.verifyForImport(c, req.Input)
	if err != nil {
		s.renderError(c, err)
		return
	}
	imp, err := s.AttachImport(c.Request.Context(), a, l, req.Input, res)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toImportJSON(imp))
}

func (s *Server) apiLearnerPath(c *gin.Context) {
	a := actorOf(c)
	l, err := s.Learner(c.Request.Context(), a, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	lang := "en"
	if preferFrench(c.GetHeader("Accept-Language")) {
		lang = "fr"
	}
	p, err := s.path(c.Request.Context(), a, l, lang)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toPathJSON(p, lang))
}

// Pages.

// importPage shows what a mediator is about to attach, re-verified, with
// the two ways to attach it: to a learner of their structures (searched by
// name, the credential's name first) or to a new learner record.
func (s *Server) importPage(c *gin.Context) {
	a := actorOf(c)
	p := s.view(c, "import_title")
	ctx := c.Request.Context()
	input := strings.TrimSpace(c.PostForm("input"))
	v := &importView{Input: input}
	p.View = v
	var chosen *schema.Learner
	if id := c.PostForm("learner"); id != "" {
		l, err := s.Learner(ctx, a, id)
		if err != nil {
			s.renderPageError(c, err)
			return
		}
		chosen = l
		v.Back, v.Chosen = "/learners/"+l.ID, l.ID
	}
	res, err := s.verifyForImport(c, input)
	if err == nil && chosen != nil {
		err = s.NotIssuedTo(ctx, chosen, res)
	}
	if err != nil {
		s.renderImportError(c, p, err)
		return
	}
	q, searched := c.GetPostForm("q")
	if !searched {
		q = res.Learner
	}
	if err := s.importChoices(c, v, a, res, q, chosen); err != nil {
		s.renderPageError(c, err)
		return
	}
	s.render(c, http.StatusOK, "import", p)
}

// importChoices fills the import page: the verified credential, the
// learners found, the structures a new learner may be created in.
func (s *Server) importChoices(c *gin.Context, v *importView, a *app.Actor, res *verifier.Result, q string, chosen *schema.Learner) error {
	ctx := c.Request.Context()
	found, err := s.SearchLearners(ctx, a, q, 20)
	if err != nil {
		return err
	}
	var learners []*schema.Learner
	if chosen != nil && !chosen.Erased() {
		learners = append(learners, chosen)
	}
	for _, l := range found {
		if !l.Erased() && (chosen == nil || l.ID != chosen.ID) {
			learners = append(learners, l)
		}
	}
	sts, err := s.VisibleStructures(ctx, a)
	if err != nil {
		return err
	}
	var mine []*schema.Structure
	for _, st := range sts {
		if a.Can(st.ID, schema.RoleMediator) {
			mine = append(mine, st)
		}
	}
	v.Result, v.Query, v.Learners, v.Structures = res, q, learners, mine
	v.Here = res.Issuer != nil && s.isHere(res.Issuer.ID)
	if chosen != nil {
		v.Chosen = chosen.ID
	}
	if !v.NameTyped {
		v.Name = res.Learner
	}
	return nil
}

// renderImportError shows the import page with why the input cannot be
// attached: 422 for input that does not verify.
func (s *Server) renderImportError(c *gin.Context, p *page, err error) {
	code := schema.ErrorCode(err)
	if code != schema.EINVALID && code != ERATELIMITED {
		s.renderPageError(c, err)
		return
	}
	p.Error = s.errorText(c, p, err)
	status := statusOf(code)
	if code == schema.EINVALID {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "import", p)
}

// importCreate attaches the credential to the learner chosen, or to a new
// learner created for it, and goes to the learner's page.
func (s *Server) importCreate(c *gin.Context) {
	a := actorOf(c)
	ctx := c.Request.Context()
	p := s.view(c, "import_title")
	input := strings.TrimSpace(c.PostForm("input"))
	v := &importView{Input: input}
	p.View = v
	res, err := s.verifyForImport(c, input)
	if err != nil {
		s.renderImportError(c, p, err)
		return
	}
	if c.PostForm("action") == "new" {
		in := app.LearnerInput{Structure: c.PostForm("structure"), Name: c.PostForm("name"), Consent: c.PostForm("consent") == "on"}
		v.Name, v.NameTyped = in.Name, true
		l, err := s.ImportToNewLearner(ctx, a, in, input, res)
		if err != nil {
			if code := schema.ErrorCode(err); code != schema.EINVALID && code != schema.ECONFLICT {
				s.renderPageError(c, err)
				return
			}
			s.importRetry(c, p, a, res, err, nil)
			return
		}
		c.Redirect(http.StatusSeeOther, "/learners/"+l.ID+"?ok=attached")
		return
	}
	id := c.PostForm("learner_id")
	if id == "" {
		s.importRetry(c, p, a, res, schema.Errorf(schema.EINVALID, "choose the person to attach the credential to",
			"choisissez la personne à qui rattacher l'attestation"), nil)
		return
	}
	target, err := s.Learner(ctx, a, id)
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	if _, err := s.AttachImport(ctx, a, target, input, res); err != nil {
		if code := schema.ErrorCode(err); code != schema.EINVALID && code != schema.ECONFLICT {
			s.renderPageError(c, err)
			return
		}
		s.importRetry(c, p, a, res, err, target)
		return
	}
	c.Redirect(http.StatusSeeOther, "/learners/"+target.ID+"?ok=attached")
}

// importRetry shows the import page again with an error, the choices
// kept: 409 for a credential attached already, 422 for one that cannot be
// attached, 400 for a form to complete.
func (s *Server) importRetry(c *gin.Context, p *page, a *app.Actor, res *verifier.Result, cause error, chosen *schema.Learner) {
	p.Error = s.errorText(c, p, cause)
	if err := s.importChoices(c, p.View.(*importView), a, res, res.Learner, chosen); err != nil {
		s.renderPageError(c, err)
		return
	}
	status := statusOf(schema.ErrorCode(cause))
	if chosen != nil && status == http.StatusBadRequest {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "import", p)
}

// addPath puts a learner's path on their page.
func (s *Server) addPath(c *gin.Context, p *page, v *learnerView) {
	l := v.Learner
	path, err := s.path(c.Request.Context(), actorOf(c), l, p.Lang)
	if err != nil {
		if s.Log != nil {
			s.Log.Error("learner path", "learner", l.ID, "err", err)
		}
		if p.Error == "" {
			p.Error = tr(p.Lang, "path_unavailable")
		}
		return
	}
	v.Path = path
}
