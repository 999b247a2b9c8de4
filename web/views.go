package web

import (
	"carnet/app"
	"carnet/schema"
	"carnet/verifier"
)

// The typed data of the pages (page.View), one struct per page, named
// after what the templates show.

// credentialView is the credential page (credential.html).
type credentialView struct {
	Credential *schema.CredentialRecord
	JSON       credentialJSON
	IssuerName string            // the issuing structure's name
	Framework  *schema.Framework // nil when unknown here
	Lines      []reviewLine      // the certified levels
	Check      *verifier.Result  // the signature check; nil without a JWT
	Signed     string            // the signed credential, indented JSON
	Learner    *schema.Learner   // nil for a credential of no learner here
}

// assessView is the assessment page (assess.html) and its review
// (assess_review.html), which carries the same input on.
type assessView struct {
	Learner      *schema.Learner
	Frameworks   []*schema.Framework // those the learner's structure offers, its default first
	Framework    *schema.Framework   // the one assessed against
	Levels       map[string]string   // competency code: level chosen
	FromPath     bool                // Levels start from the learner's path
	Input        app.AssessmentInput
	MediatorName string       // for "show my name"
	Lines        []reviewLine // the review's levels
}

// workshopsView is the workshop list (workshops.html).
type workshopsView struct {
	Workshops    []*schema.Workshop
	Structures   []*schema.Structure // where a new one may be made
	Framework    *schema.Framework   // the new workshop's form's framework
	FrameworkIDs []string
}

// workshopView is a workshop's grid (workshop.html) and its review
// (workshop_review.html).
type workshopView struct {
	Workshop  *schema.Workshop
	Framework *schema.Framework
	Cols      []workshopCol // the competencies worked on
	Grid      []workshopRow // one row per participant
	Batch     *schema.Batch // the last issuing batch, nil before any
	Structure *schema.Structure
	Found     []*schema.Learner // learners found to add
	Query     string            // what was searched for them
}
