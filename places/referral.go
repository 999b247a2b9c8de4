package places

import "time"

// Referral records that a mediator sent a learner somewhere to continue
// ("orienté vers …", on a date): an offer of the network, a place (of the
// network or imported), or a place named by hand.
type Referral struct {
	ID          int64     `json:"id"`
	LearnerID   string    `json:"learner_id"`
	StructureID int64     `json:"-"`         // the referring structure
	Structure   string    `json:"structure"` // its slug
	Framework   string    `json:"framework,omitempty"`
	Competency  string    `json:"competency,omitempty"`
	Level       string    `json:"level,omitempty"` // the next level aimed at
	Target      string    `json:"target"`          // where to: the offer's or the place's name
	OfferID     string    `json:"offer_id,omitempty"`
	PlaceID     string    `json:"place_id,omitempty"`
	On          string    `json:"date"` // YYYY-MM-DD
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   int64     `json:"-"`
}

// ReferralCount is how many referrals a structure recorded in a period.
type ReferralCount struct {
	Structure string `json:"structure"` // slug
	Period    string `json:"period"`    // YYYY-MM
	Count     int    `json:"count"`
}

// MaxReferralTarget bounds the name of a referral's target.
const MaxReferralTarget = 200

// AuditReferred is the audit action of a referral.
const AuditReferred = "learner_referred"
