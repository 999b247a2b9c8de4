package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"carnet/issuer"
	"carnet/schema"
)

// Limits of a workshop.
const (
	maxWorkshopTitle        = 200
	maxWorkshopText         = 200
	MaxWorkshopParticipants = 200
)

// WorkshopInput is a new workshop as a mediator types it.
type WorkshopInput struct {
	Structure    string
	Title        string
	Dates        string
	Partner      string
	Framework    string
	Competencies []string
}

var errNoWorkshops = schema.Errorf(schema.EUNAVAILABLE, "workshops are not available on this instance", "les ateliers ne sont pas disponibles sur cette instance")

// CreateWorkshop checks and stores a new workshop, with no participant.
func (s *App) CreateWorkshop(ctx context.Context, a *Actor, in WorkshopInput) (*schema.Workshop, error) {
	if s.Workshops == nil {
		return nil, errNoWorkshops
	}
	st, err := s.StructureFor(ctx, a, in.Structure, schema.RoleMediator)
	if err != nil {
		return nil, err
	}
	w := &schema.Workshop{StructureID: st.ID, CreatedBy: a.User.ID, CreatedAt: s.now().UTC()}
	if w.Title, err = schema.CleanText(in.Title, maxWorkshopTitle, "the title", "le titre"); err != nil {
		return nil, err
	}
	if w.Title == "" {
		return nil, schema.Errorf(schema.EINVALID, "give the workshop a title", "donnez un titre à l'atelier")
	}
	if w.Dates, err = schema.CleanText(in.Dates, maxWorkshopText, "the dates", "les dates"); err != nil {
		return nil, err
	}
	if w.Partner, err = schema.CleanText(in.Partner, maxWorkshopText, "the partner", "le partenaire"); err != nil {
		return nil, err
	}
	fw, err := s.Frameworks.Get(in.Framework)
	if err != nil {
		return nil, err
	}
	w.Framework = fw.ID
	seen := map[string]bool{}
	for _, code := range in.Competencies {
		if seen[code] {
			continue
		}
		if _, _, err := fw.Competency(code); err != nil {
			return nil, err
		}
		seen[code] = true
		w.Competencies = append(w.Competencies, code)
	}
	if len(w.Competencies) == 0 {
		return nil, schema.Errorf(schema.EINVALID, "choose at least one competency the workshop works on", "choisissez au moins une compétence travaillée dans l'atelier")
	}
	id, err := issuer.RandomUUID(rand.Reader)
	if err != nil {
		return nil, err
	}
	w.ID = strings.TrimPrefix(id, "urn:uuid:")
	if err := s.Workshops.CreateWorkshop(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// Workshop returns a workshop the actor may work with.
func (s *App) Workshop(ctx context.Context, a *Actor, id string) (*schema.Workshop, error) {
	if s.Workshops == nil {
		return nil, ErrNoAccess
	}
	w, err := s.Workshops.FindWorkshop(ctx, strings.TrimSpace(id))
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, ErrNoAccess
	} else if err != nil {
		return nil, err
	}
	if !a.Can(w.StructureID, schema.RoleMediator) {
		return nil, ErrNoAccess
	}
	s.workshopNames(ctx, w)
	return w, nil
}

// workshopNames fills in the names of the participants who are learners:
// the grid stores their id alone, so that a learner's erasure leaves no
// name in it (an erased learner's name is "").
func (s *App) workshopNames(ctx context.Context, w *schema.Workshop) {
	for i := range w.Participants {
		p := &w.Participants[i]
		if p.LearnerID == "" {
			continue
		}
		p.Name = ""
		if l, err := s.Learners.FindLearner(ctx, p.LearnerID); err == nil && !l.Erased() {
			p.Name = l.Name
		}
	}
}

// storeWorkshop stores a workshop's grid with its learners by id alone.
func (s *App) storeWorkshop(ctx context.Context, w *schema.Workshop) error {
	stored := *w
	stored.Participants = make([]schema.WorkshopParticipant, len(w.Participants))
	for i, p := range w.Participants {
		if p.LearnerID != "" {
			p.Name = ""
		}
		stored.Participants[i] = p
	}
	return s.Workshops.UpdateWorkshop(ctx, &stored)
}

// ListWorkshops lists the workshops of the actor's structures.
func (s *App) ListWorkshops(ctx context.Context, a *Actor) ([]*schema.Workshop, error) {
	if s.Workshops == nil {
		return []*schema.Workshop{}, nil
	}
	return s.Workshops.ListWorkshops(ctx, a.StructureIDs(), 100)
}

// SaveWorkshopGrid stores a workshop's participants and their levels.
// Names are checked as a learner's, existing learners must be the
// actor's and of the workshop's structure, and levels must be the
// framework's for the workshop's competencies.
func (s *App) SaveWorkshopGrid(ctx context.Context, a *Actor, id string, ps []schema.WorkshopParticipant) (*schema.Workshop, error) {
	w, err := s.Workshop(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if len(ps) > MaxWorkshopParticipants {
		return nil, schema.Errorf(schema.EINVALID, "a workshop has %d participants at most", "un atelier compte %d participant·es au plus", MaxWorkshopParticipants)
	}
	fw, err := s.Frameworks.Get(w.Framework)
	if err != nil {
		return nil, err
	}
	inWorkshop := map[string]bool{}
	for _, c := range w.Competencies {
		inWorkshop[c] = true
	}
	out := make([]schema.WorkshopParticipant, 0, len(ps))
	for _, p := range ps {
		if p.LearnerID != "" {
			l, err := s.Learner(ctx, a, p.LearnerID)
			if err != nil {
				return nil, err
			}
			if l.StructureID != w.StructureID || l.Erased() {
				return nil, ErrNoAccess
			}
			p.LearnerID, p.Name = l.ID, l.Name
		} else if p.Name, err = schema.CleanName(p.Name); err != nil {
			return nil, err
		}
		levels := map[string]string{}
		for code, lv := range p.Levels {
			if lv = strings.TrimSpace(lv); lv == "" {
				continue
			}
			if !inWorkshop[code] {
				return nil, schema.Errorf(schema.EINVALID, "competency %s is not one of the workshop's", "la compétence %s n'est pas travaillée dans l'atelier", code)
			}
			if _, _, err := fw.Level(lv); err != nil {
				return nil, err
			}
			levels[code] = lv
		}
		p.Levels = levels
		out = append(out, p)
	}
	w.Participants = out
	if err := s.storeWorkshop(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// IssueWorkshop issues the workshop's grid as a batch (CreateBatch): one
// credential per participant not left out who has at least one level,
// each as if issued alone. The same grid issued again answers the same
// batch (its Idempotency-Key is the grid's hash), so a second click
// issues nothing twice. The caller runs the batch (StartBatch).
func (s *App) IssueWorkshop(ctx context.Context, a *Actor, id, lang string) (*schema.Batch, *schema.Workshop, error) {
	w, err := s.Workshop(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.structureByID(ctx, w.StructureID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.syncWorkshop(ctx, w); err != nil {
		return nil, nil, err
	}
	in := BatchInput{Structure: st.Slug, Framework: w.Framework, Lang: lang}
	var src []string
	for i, p := range w.Participants {
		if p.Skip || len(p.Levels) == 0 {
			continue
		}
		lv := map[string]any{}
		for k, v := range p.Levels {
			lv[k] = v
		}
		// A row's number is the participant's place in the grid: the
		// learner its issuance creates goes back there (syncWorkshop).
		codes := make([]string, 0, len(p.Levels))
		for k, v := range p.Levels {
			codes = append(codes, k+"="+v)
		}
		sort.Strings(codes)
		// The participant (by name: the same before and after their
		// learner record is made) with the same levels is issued once.
		key := "workshop " + w.ID + " " + lang + " " + p.Name + " " + strings.Join(codes, ",")
		in.Rows = append(in.Rows, BatchRowInput{Row: i + 1, LearnerID: p.LearnerID, Name: p.Name, Levels: lv, Key: key})
		src = append(src, key)
	}
	if len(in.Rows) == 0 {
		return nil, nil, schema.Errorf(schema.EINVALID, "nobody to issue: give at least one level to a participant", "personne à qui délivrer : donnez au moins un niveau à une personne")
	}
	in.Source = []byte(strings.Join(src, "\n"))
	sum := sha256.Sum256(in.Source)
	in.IdemKey = "workshop-" + hex.EncodeToString(sum[:16])
	b, err := s.CreateBatch(ctx, a, in)
	if err != nil {
		return nil, nil, err
	}
	w.BatchID = b.ID
	if err := s.storeWorkshop(ctx, w); err != nil {
		return nil, nil, err
	}
	return b, w, nil
}

// syncWorkshop records in the grid the learners its last batch created,
// so that a participant issued once is the same learner when issued
// again.
func (s *App) syncWorkshop(ctx context.Context, w *schema.Workshop) error {
	if w.BatchID == "" || s.Batches == nil {
		return nil
	}
	rows, err := s.Batches.BatchRows(ctx, w.BatchID)
	if err != nil {
		return err
	}
	changed := false
	for _, r := range rows {
		i := r.Row - 1
		if r.LearnerID == "" || i < 0 || i >= len(w.Participants) || w.Participants[i].LearnerID != "" {
			continue
		}
		// The grid may have changed since: the same name only.
		if l, err := s.Learners.FindLearner(ctx, r.LearnerID); err != nil || l.Name != w.Participants[i].Name || l.StructureID != w.StructureID {
			continue
		}
		w.Participants[i].LearnerID = r.LearnerID
		changed = true
	}
	if !changed {
		return nil
	}
	return s.storeWorkshop(ctx, w)
}

// WorkshopBatch returns a workshop's last batch and its rows (nil when not
// issued yet), recording in the grid the learners it created.
func (s *App) WorkshopBatch(ctx context.Context, a *Actor, w *schema.Workshop) (*schema.Batch, []*schema.BatchRow, error) {
	if w.BatchID == "" {
		return nil, nil, nil
	}
	b, rows, err := s.Batch(ctx, a, w.BatchID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.syncWorkshop(ctx, w); err != nil {
		return nil, nil, err
	}
	return b, rows, nil
}
