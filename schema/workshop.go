package schema

import (
	"context"
	"time"
)

// Workshop is an "atelier": a group assessed together on some
// competencies of one framework, then issued all at once (a Batch).
type Workshop struct {
	ID           string
	StructureID  int64
	Title        string
	Dates        string // as typed: "mardi 3 et 10 mars 2026"
	Partner      string // "avec France Travail"; "" none
	Framework    string
	Competencies []string
	Participants []WorkshopParticipant
	BatchID      string // the last issuance; "" not issued yet
	CreatedBy    int64
	CreatedAt    time.Time
}

// WorkshopParticipant is a row of a workshop's grid: an existing learner
// (LearnerID) or a new one (Name), their level per competency code ("" or
// absent: not assessed), or left out.
type WorkshopParticipant struct {
	LearnerID string            `json:"learner_id,omitempty"`
	Name      string            `json:"name"`
	Levels    map[string]string `json:"levels,omitempty"`
	Skip      bool              `json:"skip,omitempty"`
}

// WorkshopStore keeps workshops.
type WorkshopStore interface {
	CreateWorkshop(ctx context.Context, w *Workshop) error
	// UpdateWorkshop stores a workshop's participants and batch id.
	UpdateWorkshop(ctx context.Context, w *Workshop) error
	FindWorkshop(ctx context.Context, id string) (*Workshop, error)
	// ListWorkshops lists the workshops of structures (nil: all), newest
	// first.
	ListWorkshops(ctx context.Context, structureIDs []int64, limit int) ([]*Workshop, error)
}
