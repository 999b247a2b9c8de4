package web

import (
	"html/template"
	"time"

	"carnet/app"
	"carnet/places"
	"carnet/report"
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

// structureView is a structure's page (structure.html).
type structureView struct {
	Structure  *schema.Structure
	DID        string // its did:web, under the technical details
	InviteURL  string // an invitation link just made, shown once
	ResetURL   string // a password reset link just made, shown once…
	ResetFor   string // …for this member's address
	CanAdmin   bool
	Frameworks []*schema.Framework // the structure's, its default first
	CardLangs  []cardLangOption
	Keys       []signingKeyView  // administrators only
	Members    []structureMember // administrators only
	Invites    []pendingInvite   // administrators only
}

// structureMember is a member on a structure's page.
type structureMember struct {
	ID          int64
	Email, Name string
	Role        string // in the page's language
	CanReset    bool   // the viewer may make them a reset link
}

// pendingInvite is an invitation not yet answered.
type pendingInvite struct {
	Email, Role string
	Expires     time.Time
}

// learnerView is a learner's page (learner.html).
type learnerView struct {
	Learner       *schema.Learner
	StructureName string
	Frameworks    []*schema.Framework // for a new assessment
	LastFramework *schema.Framework   // "Nouvelle évaluation" opens on it
	Path          *learnerPath        // nil when it could not be read
	Orient        *orientView         // nil without places or once erased
	Referrals     []referralView
	CarnetLink    bool       // the learner's private link may be shown
	CarnetSince   *time.Time // when the current link was made; nil if none
}

// homeView is the home page (home.html): the learners and the latest
// credentials.
type homeView struct {
	Query           string // the search
	Learners        []*schema.Learner
	Credentials     []*schema.CredentialRecord
	StructureNames  map[string]string // by structure id
	SetUp           *schema.Structure // a structure still to name; nil if none
	Loopback        string            // the public URL warning, for administrators
	ErasureRequests []*schema.ErasureRequest
}

// learnerNewView is the new learner form (learner_new.html).
type learnerNewView struct {
	Structures []*schema.Structure
	Input      app.LearnerInput
}

// structuresView is the structure list (structures.html).
type structuresView struct {
	Structures   []*schema.Structure
	NetworkAdmin bool // may create one
	Input        app.StructureInput
}

// accountView is the account page (account.html).
type accountView struct {
	Tokens   []*schema.APIToken
	NewToken string // a token just made, shown once
}

// auditView is the audit page (audit.html).
type auditView struct {
	Lines []auditLine
}

// loginView is the sign-in form (login.html).
type loginView struct {
	Next  string // where to go after, a local path
	Email string // as typed
}

// linkView is a one-time link's page (link.html): a first sign-in, a
// password reset or an invitation.
type linkView struct {
	Invite       bool
	Email        string
	Action       string // the form's address
	Reset        bool   // a password reset link
	Structure    string // invitation: into this structure…
	Role         string // …with this role, in the page's language
	Existing     bool   // invitation of an existing account…
	LoginURL     string // …not signed in: sign in first
	Answer       bool   // …signed in as them: accept or decline
	OtherAccount string // …signed in as someone else
}

// setupView is the first start's page (setup.html).
type setupView struct {
	Structure *schema.Structure
	Input     *app.StructureInput
	Loopback  string // the public URL warning; "" when fine
}

// batchView is a CSV import's page (batch.html).
type batchView struct {
	Batch  *schema.Batch
	Rows   []*schema.BatchRow
	Valid  int    // rows that will be (or were) issued
	Expiry string // how long an unstarted import is kept
}

// verifyView is the verification portal (verify.html).
type verifyView struct {
	MaxFile  int          // the largest file accepted, in bytes
	MaxFill  int          // the largest file verify.js copies into the text field
	FileName string       // the file verified, if one was
	Input    string       // the text as typed, when not too long to show again
	Verdict  *verdictView // nil before a verification
	Verified string       // a valid input, for the attach form (signed in)
}

// carnetPageView is a learner's own carnet (carnet.html), opened with
// their private link.
type carnetPageView struct {
	Learner         *schema.Learner
	Base            string // the carnet's address, for its forms
	StructureName   string
	Path            *learnerPath // nil when it could not be read
	Shares          []carnetShareView
	Lifetimes       []int            // a share link's choices, in days
	NewShare        string           // a share link just made, shown once
	NewShareProfile *app.ProfileText // its LinkedIn and CV texts
}

// sharePageView is the page of a shared credential (carnet_share.html).
type sharePageView struct {
	Credential    *schema.CredentialRecord
	Share         *schema.CarnetShare
	Result        *verifier.Result
	DIURL         string // the Data Integrity form's address
	StructureName string // of the issuer
}

// carnetLinkView is the slip with a learner's private link
// (carnet_link.html).
type carnetLinkView struct {
	Learner       *schema.Learner
	URL           string
	QR            template.HTML // the link's QR code, inline SVG
	StructureName string
}

// trustView is the trusted partners' page (trust.html).
type trustView struct {
	Sources []*schema.TrustedSource
	Input   app.TrustInput
	Now     time.Time // to tell an expired list
}

// resourcesView is the resource catalogue (resources.html).
type resourcesView struct {
	Resources []resourceView
	CanEdit   bool
}

// resourceEditView is a resource's form (resource_edit.html).
type resourceEditView struct {
	Form       resourceForm
	Frameworks []*schema.Framework
	Hints      []string // each framework's competency codes
}

// importView is the page that attaches a credential from elsewhere to a
// learner (import.html).
type importView struct {
	Input      string           // the credential, card or code as given
	Result     *verifier.Result // its verification; nil when it failed
	Here       bool             // issued by a structure of this Carnet
	Query      string           // the learner search
	Learners   []*schema.Learner
	Structures []*schema.Structure // where a new learner may be made
	Chosen     string              // the learner it is for, if chosen first
	Back       string              // that learner's page
	Name       string              // the new learner's name…
	NameTyped  bool                // …as typed, rather than the credential's
}

// bilanView is the activity report's page (bilan.html).
type bilanView struct {
	Input       reportRequest
	Structures  []*schema.Structure // those the viewer may report on
	Network     bool                // a network administrator: every structure
	Frameworks  []*schema.Framework
	Presets     []preset
	Report      *report.Report // nil before a valid period
	Below       int            // counts under the threshold show as "< Below+1"
	Competences []bilanCompetence
	Progress    template.HTML // the charts, SVG built with escaped text
	Monthly     template.HTML
	Workshops   template.HTML
	CSV         template.URL // the exports of the same report
	CSVSemi     template.URL
	PDF         template.URL
}

// lieuxView is the network's places (lieux.html).
type lieuxView struct {
	Query, Service               string // the filters as asked
	Framework, Competency, Level string // an offer for this level
	Services                     []string
	Frameworks                   []*schema.Framework
	Places                       []lieuView // the network's
	Outside                      []lieuView // outside the network, for orientation
	OutsideMore                  bool       // more than OutsideMax of them
	OutsideMax                   int
	Map                          *places.Tiles // nil: no map
	OSM                          string        // OpenStreetMap's tile URL, to credit it
	CanAdmin                     bool
}

// lieuEditView is a structure's place form (lieu_edit.html).
type lieuEditView struct {
	Name, Slug string // of the structure
	Texts      []lieuTextField
	Lists      []lieuListField
}

// lieuxAdminPage is the places' administration (lieux_admin.html).
type lieuxAdminPage struct {
	Admin   *lieuxAdminView
	Default places.Tiles // the map tiles used when none are set
}

// walletOfferView is a wallet offer's page (wallet_offer.html).
type walletOfferView struct {
	Offer   template.URL  // the openid-credential-offer: link
	QR      template.HTML // its QR code
	Minutes int           // how long the offer lasts
	Back    string        // the page to go back to; "" for none
}
