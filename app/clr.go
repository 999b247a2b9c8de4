package app

import (
	"context"
	"crypto/rand"
	"fmt"

	"carnet/issuer"
	"carnet/issuer/clr"
	"carnet/schema"
)

// LearnerCLR returns a learner's Comprehensive Learner Record (CLR 2.0,
// issue 16) as a compact JWS signed by their structure: every credential
// of theirs that is valid now (neither revoked, suspended, expired nor
// erased), in one ClrCredential. Mediators of the learner's structure, as
// for the learner's other data. lang "en" writes its name and description
// in English, else in French.
func (s *App) LearnerCLR(ctx context.Context, a *Actor, learnerID, lang string) (string, error) {
	l, err := s.Learner(ctx, a, learnerID)
	if err != nil {
		return "", err
	}
	return s.learnerCLR(ctx, l, lang)
}

// CarnetCLR is LearnerCLR for the learner a private link opened.
func (s *App) CarnetCLR(ctx context.Context, l *schema.Learner, lang string) (string, error) {
	return s.learnerCLR(ctx, l, lang)
}

func (s *App) learnerCLR(ctx context.Context, l *schema.Learner, lang string) (string, error) {
	list, err := s.Credentials.ListCredentials(ctx, schema.CredentialFilter{StructureIDs: []int64{l.StructureID}, LearnerID: l.ID, Limit: clr.MaxCredentials})
	if err != nil {
		return "", err
	}
	now := s.now()
	var jws []string
	for _, c := range list {
		if c.JWT == "" || c.Status() != schema.StatusActive || !c.ValidUntil.IsZero() && !c.ValidUntil.After(now) {
			continue
		}
		jws = append(jws, c.JWT)
	}
	if len(jws) == 0 {
		return "", schema.Errorf(schema.ECONFLICT, "this learner has no valid credential to put in a record",
			"cette personne n'a aucune attestation valable à mettre dans un relevé")
	}
	st, err := s.Structures.FindStructure(ctx, l.Structure)
	if err != nil {
		return "", err
	}
	profile, err := s.Issuer.Profile(st)
	if err != nil {
		return "", err
	}
	ring, err := s.Issuer.Keys.Ring(st.Slug)
	if err != nil {
		return "", fmt.Errorf("app: keys of %s: %w", st.Slug, err)
	}
	key := ring.Signer()
	if key == nil {
		return "", fmt.Errorf("app: %s has no signing key", st.Slug)
	}
	id, err := issuer.RandomUUID(rand.Reader)
	if err != nil {
		return "", err
	}
	name := l.Name
	if l.Erased() {
		name = ""
	}
	c, err := clr.Build(clr.Input{ID: id, Issuer: profile, SubjectID: l.SubjectID(), LearnerName: name, Lang: lang, Credentials: jws, Now: now})
	if err != nil {
		return "", err
	}
	out, _, err := clr.Sign(c, key)
	return out, err
}
