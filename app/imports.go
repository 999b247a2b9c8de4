package app

import (
	"context"
	"net/url"
	"strings"

	"carnet/schema"
	"carnet/verifier"
)

// AttachImport attaches a verified credential to l, a learner the actor
// may work with (read with s.Learner).
func (s *App) AttachImport(ctx context.Context, a *Actor, l *schema.Learner, input string, res *verifier.Result) (*schema.ImportedCredential, error) {
	imp, err := s.newImport(ctx, a, l, input, res)
	if err != nil {
		return nil, err
	}
	if err := s.storeImport(ctx, a, imp); err != nil {
		return nil, err
	}
	return imp, nil
}

// storeImport stores an attachment and logs it.
func (s *App) storeImport(ctx context.Context, a *Actor, imp *schema.ImportedCredential) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Imports.CreateImport(ctx, imp); err != nil {
			return err
		}
		return s.Record(ctx, a, imp.StructureID, schema.AuditImport, imp.LearnerID, imp.CredentialID+" ("+imp.IssuerID+")", "")
	})
}

// newImport checks that a verified credential may be attached to l and
// returns the attachment, not stored yet. A credential issued here to
// this same learner is already on their path, and is refused.
func (s *App) newImport(ctx context.Context, a *Actor, l *schema.Learner, input string, res *verifier.Result) (*schema.ImportedCredential, error) {
	if l.Erased() {
		return nil, schema.Errorf(schema.ECONFLICT, "this learner's data was erased", "les données de cette personne ont été effacées")
	}
	if err := s.NotIssuedTo(ctx, l, res); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	imp := &schema.ImportedCredential{LearnerID: l.ID, StructureID: l.StructureID, Kind: res.Kind, Input: strings.TrimSpace(input),
		CredentialID: res.CredentialID, IssuerID: res.Issuer.ID, IssuerName: s.issuerName(ctx, res.Issuer), LearnerName: res.Learner,
		Framework: res.Framework, AttachedBy: a.User.ID, AttachedAt: now, LastStatus: schema.StatusActive, LastCheckedAt: now}
	for _, lv := range res.Levels {
		imp.Levels = append(imp.Levels, schema.LevelResult{Competency: lv.Competency, Level: lv.Level})
	}
	if res.ValidFrom != nil {
		imp.ValidFrom = res.ValidFrom.UTC()
	}
	if res.ValidUntil != nil {
		imp.ValidUntil = res.ValidUntil.UTC()
	}
	if res.StatusCheckedAt != nil {
		imp.LastCheckedAt = res.StatusCheckedAt.UTC()
	}
	return imp, nil
}

// issuerName names an issuer: as the credential or the trust registry
// does, else as the trusted partner that published its keys, else by the
// host of its did:web.
func (s *App) issuerName(ctx context.Context, iss *verifier.IssuerInfo) string {
	if iss.Name != "" {
		return iss.Name
	}
	if ti := s.Verifier.Trust.Issuer(iss.ID); ti != nil && ti.Name != "" {
		return ti.Name
	}
	if s.Trust != nil {
		if list, err := s.Trust.ListTrustedSources(ctx); err == nil {
			source := "" // the first partner that publishes the issuer
			for _, ts := range list {
				for _, ti := range ts.Issuers {
					if ti.ID != iss.ID {
						continue
					}
					if ti.Name != "" {
						return ti.Name
					}
					if source == "" {
						source = ts.Name
					}
				}
			}
			if source != "" {
				return source
			}
		}
	}
	if host, ok := strings.CutPrefix(iss.ID, "did:web:"); ok {
		host, _, _ = strings.Cut(host, ":")
		if h, err := url.PathUnescape(host); err == nil {
			return h
		}
		return host
	}
	return iss.ID
}

// NotIssuedTo refuses a credential issued here to this same learner: it is
// on their path already.
func (s *App) NotIssuedTo(ctx context.Context, l *schema.Learner, res *verifier.Result) error {
	same := res.Credential != nil && res.Credential.CredentialSubject.ID == l.SubjectID()
	if rec, err := s.Credentials.FindCredential(ctx, res.CredentialID); err == nil && rec.LearnerID == l.ID {
		same = true
	}
	if same {
		return schema.Errorf(schema.EINVALID, "this credential was issued here to this same person: it is already on their path",
			"cette attestation a été délivrée ici à cette même personne : elle figure déjà dans son parcours")
	}
	return nil
}

// ImportToNewLearner creates a learner record for a verified credential
// and attaches it. Everything is checked before the record is created,
// and the record goes again if the attachment still fails: a failed
// attachment leaves no learner behind.
func (s *App) ImportToNewLearner(ctx context.Context, a *Actor, in LearnerInput, input string, res *verifier.Result) (*schema.Learner, error) {
	l, err := s.newLearner(ctx, a, in)
	if err != nil {
		return nil, err
	}
	imp, err := s.newImport(ctx, a, l, input, res)
	if err != nil {
		return nil, err
	}
	// One transaction: a failed attachment leaves no learner behind.
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Learners.CreateLearner(ctx, l); err != nil {
			return err
		}
		if err := s.Record(ctx, a, l.StructureID, schema.AuditLearnerCreated, l.ID, "", ""); err != nil {
			return err
		}
		return s.storeImport(ctx, a, imp)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}
