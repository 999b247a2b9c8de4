package app

import (
	"context"
	"strings"
	"time"

	"carnet/issuer"
	"carnet/schema"
)

// AssessmentInput is an assessment as a mediator enters it.
type AssessmentInput struct {
	LearnerID   string         `json:"learner_id"`
	Framework   string         `json:"framework"`
	Levels      map[string]any `json:"levels"`
	Evidence    string         `json:"evidence"`
	EvidenceURL string         `json:"evidence_url"`
	Method      string         `json:"method"`
	ValidUntil  string         `json:"valid_until"` // YYYY-MM-DD, optional
	Lang        string         `json:"lang"`
	// ShowMediator names the mediator (their account's name) in the
	// credential and on its A4 certificate: their choice, never the
	// default.
	ShowMediator bool `json:"show_mediator"`
}

// Limits of an assessment's free text.
const (
	maxEvidenceLength = 4000
	maxMethodLength   = 300
)

func (s *App) Assessment(l *schema.Learner, a *Actor, in AssessmentInput) (schema.Assessment, error) {
	out := schema.Assessment{LearnerName: l.Name, LearnerID: l.ID, SubjectID: l.SubjectID(), Framework: in.Framework,
		MediatorID: a.User.ID}
	// The mediator is named only when they choose to be, by their name:
	// never their e-mail address.
	if in.ShowMediator {
		if strings.TrimSpace(a.User.Name) == "" {
			return out, schema.Errorf(schema.EINVALID, "your account has no name to print as the mediator: untick the box to issue without it",
				"votre compte n’a pas de nom à imprimer comme médiateur·rice : décochez la case pour délivrer sans lui")
		}
		out.Mediator = a.User.Name
	}
	fw, err := s.Frameworks.Get(in.Framework)
	if err != nil {
		return out, err
	}
	if len(in.Levels) == 0 {
		return out, schema.Errorf(schema.EINVALID, "choose a level for at least one competency", "choisissez un niveau pour au moins une compétence")
	}
	for code, v := range in.Levels {
		var level string
		switch v := v.(type) {
		case string:
			level = strings.TrimSpace(v)
		case float64:
			if v != float64(int(v)) {
				return out, schema.Errorf(schema.EINVALID, "level of %s: %v is not a level", "niveau de %s : %v n'est pas un niveau", code, v)
			}
			level = itoa(int(v))
		default:
			return out, schema.Errorf(schema.EINVALID, "level of %s must be a number or a string", "le niveau de %s doit être un nombre ou un texte", code)
		}
		if level == "" {
			continue // not assessed
		}
		if _, _, err := fw.Competency(code); err != nil {
			return out, err
		}
		if _, _, err := fw.Level(level); err != nil {
			return out, err
		}
		out.Results = append(out.Results, schema.LevelResult{Competency: code, Level: level})
	}
	if len(out.Results) == 0 {
		return out, schema.Errorf(schema.EINVALID, "choose a level for at least one competency", "choisissez un niveau pour au moins une compétence")
	}
	evidence, err := schema.CleanText(in.Evidence, maxEvidenceLength, "the evidence", "la preuve")
	if err != nil {
		return out, err
	}
	link := strings.TrimSpace(in.EvidenceURL)
	if link != "" && !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		return out, schema.Errorf(schema.EINVALID, "the evidence link must start with https://: correct it or leave it empty", "le lien de preuve doit commencer par https:// : corrigez-le ou laissez-le vide")
	}
	if evidence != "" || link != "" {
		out.Evidence = append(out.Evidence, schema.EvidenceItem{Narrative: evidence, URL: link})
	}
	if out.Method, err = schema.CleanText(in.Method, maxMethodLength, "the assessment method", "la méthode d'évaluation"); err != nil {
		return out, err
	}
	if v := strings.TrimSpace(in.ValidUntil); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return out, schema.Errorf(schema.EINVALID, "the expiry date must be YYYY-MM-DD", "la date d'expiration doit être AAAA-MM-JJ")
		}
		if !t.After(s.now()) {
			return out, schema.Errorf(schema.EINVALID, "the expiry date must be in the future: choose a later date or leave it empty", "la date d'expiration doit être dans le futur : choisissez une date plus tardive ou laissez-la vide")
		}
		out.ValidUntil = t.UTC()
	}
	return out, nil
}

func (s *App) IssueCredential(ctx context.Context, a *Actor, in AssessmentInput) (*issuer.Issued, error) {
	if strings.TrimSpace(in.LearnerID) == "" {
		return nil, schema.Errorf(schema.EINVALID, "learner_id is required", "learner_id est obligatoire")
	}
	if in.Lang != "" && in.Lang != "fr" && in.Lang != "en" {
		return nil, schema.Errorf(schema.EINVALID, "unknown language %q: fr or en", "langue %q inconnue : fr ou en", in.Lang)
	}
	l, err := s.Learner(ctx, a, in.LearnerID)
	if err != nil {
		return nil, err
	}
	if l.Erased() {
		return nil, schema.Errorf(schema.ECONFLICT, "this learner's data was erased: create a new record to assess them again", "les données de cette personne ont été effacées : créez une nouvelle fiche pour l'évaluer de nouveau")
	}
	st, err := s.Structures.FindStructure(ctx, l.Structure)
	if err != nil {
		return nil, err
	}
	as, err := s.Assessment(l, a, in)
	if err != nil {
		return nil, err
	}
	return s.Issue(ctx, a, st, as, in.Lang)
}

// Issue signs and stores the credential of an assessment already checked
// (by Assessment, or from the command line's flags) for structure st, and
// records it in the audit log: both commit, or neither. lang "en" writes
// the credential's names and descriptions in English, else in French.
func (s *App) Issue(ctx context.Context, a *Actor, st *schema.Structure, as schema.Assessment, lang string) (*issuer.Issued, error) {
	if !a.Can(st.ID, schema.RoleMediator) {
		return nil, ErrNoAccess
	}
	svc := *s.Issuer
	if lang == "en" {
		svc.Lang = "en"
	}
	// The credential and its audit entry commit together, or neither.
	var out *issuer.Issued
	start := time.Now()
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = svc.Issue(ctx, st, as); err != nil {
			return err
		}
		return s.Record(ctx, a, st.ID, schema.AuditIssue, out.Record.ID, as.Framework, "")
	})
	if s.Hooks.Issued != nil {
		s.Hooks.Issued(time.Since(start), err)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Credential returns a credential the actor may see.
func (s *App) Credential(ctx context.Context, a *Actor, id string) (*schema.CredentialRecord, error) {
	id = strings.TrimSpace(id)
	if !strings.HasPrefix(id, "urn:uuid:") {
		id = "urn:uuid:" + id
	}
	c, err := s.Credentials.FindCredential(ctx, id)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, ErrNoAccess
	} else if err != nil {
		return nil, err
	}
	if !a.Can(c.StructureID, schema.RoleMediator) {
		return nil, ErrNoAccess
	}
	return c, nil
}

func (s *App) ListCredentials(ctx context.Context, a *Actor, learnerID string, limit int) ([]*schema.CredentialRecord, error) {
	if learnerID != "" {
		l, err := s.Learner(ctx, a, learnerID)
		if err != nil {
			return nil, err
		}
		learnerID = l.ID
	}
	return s.Credentials.ListCredentials(ctx, schema.CredentialFilter{StructureIDs: a.StructureIDs(), LearnerID: learnerID, Limit: limit})
}

// Maximum length of a revocation or suspension reason.
const maxReasonLength = 500

func (s *App) ChangeStatus(ctx context.Context, a *Actor, id, action, reason string) (*schema.CredentialRecord, error) {
	c, err := s.Credential(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if reason, err = schema.CleanText(reason, maxReasonLength, "the reason", "le motif"); err != nil {
		return nil, err
	}
	if reason == "" && action != schema.AuditUnsuspend {
		return nil, schema.Errorf(schema.EINVALID, "give a reason", "indiquez un motif")
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if c, err = s.Credentials.SetCredentialStatus(ctx, c.ID, schema.StatusChange{Action: action, Reason: reason, At: s.now().UTC().Truncate(time.Second)}); err != nil {
			return err
		}
		return s.Record(ctx, a, c.StructureID, action, c.ID, reason, "")
	})
	if err != nil {
		return nil, err
	}
	if s.Hooks.StatusChanged != nil {
		s.Hooks.StatusChanged(c)
	}
	return c, nil
}
